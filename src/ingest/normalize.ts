import { z } from 'zod';
import { hookPayloadBase, isKnownHookEvent, knownHookSchemas } from '../domain/hook-events';
import type { NewEvent } from '../store/event-store';
import { capFields } from './cap-fields';
import type { InboxEntry } from './inbox-entry';

/** Stream of inputs that could not be read as a session's hook event: kept, counted, shown. */
export const QUARANTINE_STREAM = '$quarantine';
export const INVALID_HOOK_INPUT = 'InvalidHookInput';
export const INVALID_INBOX_ENTRY = 'InvalidInboxEntry';
/** Schema version of hook events as stored (the payload as Claude Code sent it). */
export const HOOK_EVENT_SCHEMA_VERSION = 1;

/** One event ready to append, and the stream it belongs to. Also the line format of raw segments. */
export interface IngestRecord {
  readonly streamId: string;
  readonly event: NewEvent;
}

export interface NormalizeOptions {
  readonly maxFieldBytes: number;
}

/** Turns an inbox entry into the envelope's content: validated, capped, never dropped. */
export function normalizeEntry(entry: InboxEntry, options: NormalizeOptions): IngestRecord {
  const baseMeta = {
    source: entry.stamp.source,
    receivedAt: entry.stamp.receivedAt,
    receivedUs: entry.stamp.receivedUs,
    inboxFile: entry.file,
    ...(entry.stamp.hookEvent === undefined ? {} : { hookEvent: entry.stamp.hookEvent }),
  };
  if (entry.kind !== 'payload') {
    return quarantined(entry.stamp.id, entry.kind === 'unreadable' ? INVALID_INBOX_ENTRY : INVALID_HOOK_INPUT,
      { reason: entry.reason, raw: entry.raw }, baseMeta, options);
  }
  const base = hookPayloadBase.safeParse(entry.payload);
  if (!base.success) {
    return quarantined(entry.stamp.id, INVALID_HOOK_INPUT,
      { reason: `hook payload ${describeIssues(base.error)}`, payload: entry.payload }, baseMeta, options);
  }
  const name = base.data.hook_event_name;
  const metadata: Record<string, unknown> = { ...baseMeta };
  if (isKnownHookEvent(name)) {
    const typed = knownHookSchemas[name].safeParse(entry.payload);
    // Stored anyway: Claude Code's format moves; the issues say what did not match.
    if (!typed.success) metadata['schemaIssues'] = describeIssues(typed.error);
  } else {
    metadata['unknownEvent'] = true;
  }
  const { value, cuts } = capFields(entry.payload, options.maxFieldBytes);
  if (cuts.length > 0) metadata['cuts'] = cuts;
  return {
    streamId: base.data.session_id,
    event: {
      eventId: entry.stamp.id,
      type: name,
      schemaVersion: HOOK_EVENT_SCHEMA_VERSION,
      data: value,
      metadata,
      correlationId: base.data.prompt_id ?? null,
      causationId: null,
    },
  };
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
