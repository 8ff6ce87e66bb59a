import { z } from 'zod';
import { hookPayloadBase, isKnownHookEvent, knownHookSchemas } from '../domain/hook-events';
import type { NewEvent } from '../store/event-store';
import { capFields } from './cap-fields';
import type { DecidedEvent, InboxEntry, Stamp } from './inbox-entry';
import { idFromName } from './inbox-entry';
import { CURRENT_EVENT_VERSIONS } from '../store/upcasters';

/** Stream of inputs that could not be read as a session's hook event: kept, counted, shown. */
export const QUARANTINE_STREAM = '$quarantine';
export const INVALID_HOOK_INPUT = 'InvalidHookInput';
export const INVALID_INBOX_ENTRY = 'InvalidInboxEntry';
/** An inbox entry without this machine's provenance stamp (planted, altered, or from an older hook). */
export const UNVERIFIED_INBOX_ENTRY = 'UnverifiedInboxEntry';
/** Schema version of hook events as stored (the payload as Claude Code sent it). */
export const HOOK_EVENT_SCHEMA_VERSION = 1;

/** One event ready to append, and the stream it belongs to. Also the line format of earlier versions' raw segments. */
export interface IngestRecord {
  readonly streamId: string;
  readonly event: NewEvent;
  /** The data's causation keys, when known without reading the data (hook-fast-path.ts). */
  readonly links?: { readonly toolUseId: string | null; readonly agentId: string | null };
}

export interface NormalizeOptions {
  readonly maxFieldBytes: number;
}

/**
 * All the records of one inbox entry, in order: a hook event, or the workflow events a writer
 * (CLI, MCP, or a hook's denial or blocked stop) decided.
 */
export function normalizeEntryRecords(entry: InboxEntry, options: NormalizeOptions): IngestRecord[] {
  if (entry.kind === 'events') return decidedRecords(entry.stamp, entry.sessionId, entry.events, options, entry.causationId ?? null);
  return [normalizeSingle(entry, options)];
}

function decidedRecords(stamp: Stamp, streamId: string, events: readonly DecidedEvent[], options: NormalizeOptions, causationId: string | null): IngestRecord[] {
  return events.map((decided, n) => {
    const { value, cuts } = capFields(decided.data, options.maxFieldBytes);
    const metadata: Record<string, unknown> = { source: stamp.source, receivedAt: stamp.receivedAt, receivedUs: stamp.receivedUs, ...(cuts.length > 0 ? { cuts } : {}) };
    // The entry's id for its first record; stable derived ids for the rest, so a re-read entry never duplicates.
    return { streamId, event: { eventId: n === 0 ? stamp.id : idFromName(`${stamp.id}#${n}`), type: decided.type, schemaVersion: CURRENT_EVENT_VERSIONS[decided.type], data: value, metadata, correlationId: null, causationId } };
  });
}

/** The first (for most entries the only) record of an entry. */
export function normalizeEntry(entry: InboxEntry, options: NormalizeOptions): IngestRecord {
  return normalizeEntryRecords(entry, options)[0] as IngestRecord;
}

/** Turns a hook entry into the envelope's content: validated, capped, never dropped. */
function normalizeSingle(entry: Exclude<InboxEntry, { kind: 'events' }>, options: NormalizeOptions): IngestRecord {
  const baseMeta = {
    source: entry.stamp.source,
    receivedAt: entry.stamp.receivedAt,
    receivedUs: entry.stamp.receivedUs,
    inboxFile: entry.file,
    ...(entry.stamp.hookEvent === undefined ? {} : { hookEvent: entry.stamp.hookEvent }),
  };
  if (entry.kind !== 'payload') {
    return quarantined(entry.stamp.id, QUARANTINE_TYPES[entry.kind],
      { reason: entry.reason, raw: entry.raw }, baseMeta, options);
  }
  const name = eventNameOf(entry.payload);
  const metadata: Record<string, unknown> = { ...baseMeta };
  const fields = validatedFields(name, entry.payload);
  if (!fields.ok) {
    return quarantined(entry.stamp.id, INVALID_HOOK_INPUT,
      { reason: `hook payload ${describeIssues(fields.error)}`, payload: entry.payload }, baseMeta, options);
  }
  if (entry.invalidUtf8At !== undefined) {
    metadata['invalidUtf8'] = { firstByteOffset: entry.invalidUtf8At, note: 'stdin was not valid UTF-8: bad bytes read as U+FFFD here; the raw segments keep the exact bytes' };
  }
  // Stored anyway: Claude Code's format moves; the issues say what did not match.
  if (fields.schemaIssues !== undefined) metadata['schemaIssues'] = fields.schemaIssues;
  if (fields.unknownEvent) metadata['unknownEvent'] = true;
  // No string can be longer than the whole payload's text: small payloads skip the walk.
  const small = entry.payloadText !== undefined && entry.payloadText.length * 3 <= options.maxFieldBytes;
  const { value, cuts } = small ? { value: entry.payload, cuts: [] } : capFields(entry.payload, options.maxFieldBytes);
  if (cuts.length > 0) metadata['cuts'] = cuts;
  const dataText = cuts.length === 0 && entry.payloadText !== undefined ? entry.payloadText : JSON.stringify(value);
  return {
    streamId: fields.sessionId,
    event: {
      eventId: entry.stamp.id,
      type: fields.eventName,
      schemaVersion: HOOK_EVENT_SCHEMA_VERSION,
      data: value,
      metadata,
      correlationId: fields.promptId ?? null,
      causationId: null,
      serialized: { data: dataText, metadata: JSON.stringify(metadata) },
    },
  };
}

const QUARANTINE_TYPES = { 'invalid-payload': INVALID_HOOK_INPUT, unreadable: INVALID_INBOX_ENTRY, unverified: UNVERIFIED_INBOX_ENTRY } as const;

type ValidatedFields =
  | { readonly ok: true; readonly sessionId: string; readonly eventName: string; readonly promptId: string | undefined; readonly schemaIssues: string | undefined; readonly unknownEvent: boolean }
  | { readonly ok: false; readonly error: z.ZodError };

/** Checks a payload against its event's schema (or the fields every payload carries) and picks what the envelope needs. */
function validatedFields(name: string | undefined, payload: unknown): ValidatedFields {
  const known = name !== undefined && isKnownHookEvent(name) ? name : undefined;
  // One schema pass: a known event's schema includes the fields every payload carries.
  const typed = known !== undefined ? knownHookSchemas[known].safeParse(payload) : undefined;
  const base = typed?.success === true ? typed : hookPayloadBase.safeParse(payload);
  if (!base.success) return { ok: false, error: base.error };
  return {
    ok: true, sessionId: base.data.session_id, eventName: base.data.hook_event_name, promptId: base.data.prompt_id,
    schemaIssues: typed !== undefined && !typed.success ? describeIssues(typed.error) : undefined, unknownEvent: typed === undefined,
  };
}

function eventNameOf(payload: unknown): string | undefined {
  const name = (payload as Record<string, unknown> | null)?.['hook_event_name'];
  return typeof name === 'string' ? name : undefined;
}

function quarantined(eventId: string, type: string, data: Record<string, unknown>, metadata: Record<string, unknown>, options: NormalizeOptions): IngestRecord {
  const { value, cuts } = capFields(data, options.maxFieldBytes);
  return {
    streamId: QUARANTINE_STREAM,
    event: { eventId, type, schemaVersion: 1, data: value, metadata: cuts.length > 0 ? { ...metadata, cuts } : metadata, correlationId: null, causationId: null },
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}

/** Serialises data and metadata once, for the store row. */
export function serializeRecord(record: IngestRecord): IngestRecord {
  if (record.event.serialized !== undefined) return record;
  return { streamId: record.streamId, event: { ...record.event, serialized: { data: JSON.stringify(record.event.data ?? null), metadata: JSON.stringify(record.event.metadata) } } };
}
