import * as z from 'zod';
import { hookPayloadBase, isKnownHookEvent, knownHookSchemas } from '../domain/hook-events';
import type { NewEvent } from '../store/event-store';
import type { Redactor } from '../domain/redaction/types';
import { capFields } from './cap-fields';
import { findTooDeep, MAX_JSON_DEPTH } from '../domain/json-depth';
import { cutTooDeep } from '../domain/json-depth-cut';
import type { DepthCut } from '../domain/json-depth-cut';
import type { DecidedEvent, EntryRedactionNotes, InboxEntry, Stamp } from './inbox-entry';
import { idFromName } from './inbox-entry';
import { currentSchemaVersion } from '../store/upcasters';

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
  /** Takes secrets out of an entry's text before it is read (redact-entry.ts); none: nothing is redacted. */
  readonly redactor?: Redactor;
}

/**
 * All the records of one inbox entry, in order: a hook event, or the workflow events a writer
 * (CLI, MCP, or a hook's denial or blocked stop) decided.
 */
export function normalizeEntryRecords(entry: InboxEntry, options: NormalizeOptions): IngestRecord[] {
  if (entry.kind !== 'events') return [normalizeSingle(entry, options)];
  if (isReservedStreamId(entry.sessionId)) {
    const { sessionId, events, causationId } = entry;
    return [quarantined(entry.stamp.id, INVALID_INBOX_ENTRY, { reason: `inbox file ${entry.file}: ${reservedReason('sessionId', sessionId)}`, sessionId, events, ...(causationId === undefined ? {} : { causationId }) }, metadataOf(entry), options)];
  }
  return decidedRecords(entry.stamp, entry.sessionId, entry.events, options, entry.causationId ?? null);
}

/**
 * Stream ids starting with "$" are the logbook's own ($quarantine): a payload or entry that
 * names one is not let into it.
 */
export function isReservedStreamId(streamId: string): boolean {
  return streamId.startsWith('$');
}

function reservedReason(field: string, streamId: string): string {
  return `${field} ${JSON.stringify(streamId.slice(0, 200))} is reserved: session ids starting with "$" name the logbook's own streams`;
}

function decidedRecords(stamp: Stamp, streamId: string, events: readonly DecidedEvent[], options: NormalizeOptions, causationId: string | null): IngestRecord[] {
  return events.map((decided, n) => {
    // No entry text to check first: workflow entries are few and small, so the walk is cheap.
    const deep = cutTooDeep(decided.data);
    const { value, cuts } = capFields(deep.value, options.maxFieldBytes);
    const metadata: Record<string, unknown> = { source: stamp.source, receivedAt: stamp.receivedAt, receivedUs: stamp.receivedUs, ...(cuts.length > 0 ? { cuts } : {}), ...depthCutsOf(deep.cuts), ...redactionsOf(decided.redactions) };
    // The event's own id when it has one (usage events); else the entry's id for its first record
    // and stable derived ids for the rest, so a re-read entry never duplicates.
    const eventId = decided.id ?? (n === 0 ? stamp.id : idFromName(`${stamp.id}#${n}`));
    return { streamId, event: { eventId, type: decided.type, schemaVersion: currentSchemaVersion(decided.type), data: value, metadata, correlationId: null, causationId } };
  });
}

/** The first (for most entries the only) record of an entry. */
export function normalizeEntry(entry: InboxEntry, options: NormalizeOptions): IngestRecord {
  return normalizeEntryRecords(entry, options)[0] as IngestRecord;
}

/**
 * Turns a hook entry into the envelope's content: validated, capped, never dropped.
 *
 * This is the depth bound every later walk relies on: a payload nested deeper than
 * MAX_JSON_DEPTH has each too-deep subtree replaced by its JSON text here (cutTooDeep), before
 * zod, capFields, JSON.stringify and the store see it, so the store's rows, the causation
 * linker, the folds (lifecycle.ts hashes tool inputs recursively), the event detail and the
 * report's embedded JSON only ever get bounded data. Rows an earlier version stored unbounded
 * are bounded again as they are read (sqlite-event-store.ts).
 */
function normalizeSingle(entry: Exclude<InboxEntry, { kind: 'events' }>, options: NormalizeOptions): IngestRecord {
  const baseMeta = metadataOf(entry);
  if (entry.kind !== 'payload') {
    return quarantined(entry.stamp.id, QUARANTINE_TYPES[entry.kind],
      { reason: entry.reason, raw: entry.raw }, baseMeta, options);
  }
  // The payload's text, when known, says cheaply that nothing is nested too deep (nearly always).
  const deep = entry.payloadText !== undefined && findTooDeep(entry.payloadText) === undefined ? { value: entry.payload, cuts: [] } : cutTooDeep(entry.payload);
  const payload = deep.value;
  const name = eventNameOf(payload);
  const fields = validatedFields(name, payload);
  if (!fields.ok || isReservedStreamId(fields.sessionId)) {
    const reason = fields.ok ? reservedReason('session_id', fields.sessionId) : describeIssues(fields.error);
    return quarantined(entry.stamp.id, INVALID_HOOK_INPUT, { reason: `hook payload ${reason}`, payload: entry.payload }, baseMeta, options);
  }
  const metadata: Record<string, unknown> = { ...baseMeta };
  if (entry.invalidUtf8At !== undefined) {
    metadata['invalidUtf8'] = { firstByteOffset: entry.invalidUtf8At, note: 'stdin was not valid UTF-8: bad bytes read as U+FFFD here; the raw segments keep the exact bytes' };
  }
  // Stored anyway: Claude Code's format moves; the issues say what did not match.
  if (fields.schemaIssues !== undefined) metadata['schemaIssues'] = fields.schemaIssues;
  if (fields.unknownEvent) metadata['unknownEvent'] = true;
  // No string can be longer than the whole payload's text: small payloads skip the walk (unless
  // a too-deep subtree became a string, which may be long).
  const small = deep.cuts.length === 0 && entry.payloadText !== undefined && entry.payloadText.length * 3 <= options.maxFieldBytes;
  const { value, cuts } = small ? { value: payload, cuts: [] } : capFields(payload, options.maxFieldBytes);
  if (cuts.length > 0) metadata['cuts'] = cuts;
  Object.assign(metadata, depthCutsOf(deep.cuts));
  const dataText = cuts.length === 0 && deep.cuts.length === 0 && entry.payloadText !== undefined ? entry.payloadText : JSON.stringify(value);
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

function metadataOf(entry: InboxEntry): Record<string, unknown> {
  return {
    source: entry.stamp.source,
    receivedAt: entry.stamp.receivedAt,
    receivedUs: entry.stamp.receivedUs,
    inboxFile: entry.file,
    ...(entry.stamp.hookEvent === undefined ? {} : { hookEvent: entry.stamp.hookEvent }),
    // Read out of a transcript by `logbook import` (src/domain/imported.ts says what it lacks).
    ...(entry.stamp.source === 'import' ? { imported: true } : {}),
    ...(entry.kind === 'payload' || entry.kind === 'invalid-payload' ? redactionsOf(entry.redactions) : {}),
  };
}

/** The metadata note of the secrets taken out of an entry before it was read (redact-entry.ts): `{ redactions }`, or nothing. */
function redactionsOf(notes: EntryRedactionNotes | undefined): { redactions?: EntryRedactionNotes } {
  return notes === undefined ? {} : { redactions: notes };
}

/** The metadata note of subtrees kept as text because they nested too deep: `{ depthCuts }`, or nothing. */
function depthCutsOf(cuts: readonly DepthCut[]): { depthCuts?: readonly DepthCut[] } {
  return cuts.length > 0 ? { depthCuts: cuts } : {};
}

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

/**
 * A record of the quarantine stream, bounded like any event: what it wraps (a payload, an
 * entry's events) sits one level down in its data, so it may nest one level more than a payload.
 */
function quarantined(eventId: string, type: string, data: Record<string, unknown>, metadata: Record<string, unknown>, options: NormalizeOptions): IngestRecord {
  const deep = cutTooDeep(data, MAX_JSON_DEPTH + 1);
  const { value, cuts } = capFields(deep.value, options.maxFieldBytes);
  return {
    streamId: QUARANTINE_STREAM,
    event: { eventId, type, schemaVersion: 1, data: value, metadata: { ...metadata, ...(cuts.length > 0 ? { cuts } : {}), ...depthCutsOf(deep.cuts) }, correlationId: null, causationId: null },
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
