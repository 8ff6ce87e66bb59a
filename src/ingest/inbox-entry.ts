import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { INBOX_SOURCES, RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import type { InboxSource } from '../capture/inbox-writer';
import { firstInvalidUtf8 } from '../capture/stdin';
import { authenticateEntry, authenticateRawEntry, authenticateShStamp, looksStamped, provenanceKey, rawLooksStamped } from '../capture/provenance';
import { WorkflowEventType } from '../domain/workflow/events';
import { UsageEventType } from '../domain/usage/events';
import { ControlEventType } from '../domain/control/events';

// The inbox format as the ingestor reads it back: validated, never trusted.

const stamp = {
  v: z.literal(1),
  id: z.string().min(8).max(64),
  receivedAt: z.string().min(1),
  receivedUs: z.number().int().nonnegative(),
  source: z.enum(INBOX_SOURCES),
  hookEvent: z.string().optional(),
};

/** Secrets the writer took out of an entry before anything read it (redact-entry.ts): read into the event's metadata. */
const redactions = z.object({
  notes: z.array(z.object({ rule: z.string(), path: z.string(), hash: z.string() })),
  omitted: z.number().int().nonnegative().optional(),
}).optional();
/**
 * Events a writer (hook, CLI, MCP) decided with the workflow decider, a hold or an alert (control events), in a `.cmd.json` entry, or
 * the writer's usage events (a `.json` entry); appended as they are. `id`: the event's own id,
 * made from its content so the same usage read twice is stored once (src/ingest/usage/usage-entry.ts).
 */
const decidedEvent = z.object({
  type: z.enum([...Object.values(WorkflowEventType), ...Object.values(UsageEventType), ...Object.values(ControlEventType)]),
  id: z.string().min(8).max(64).optional(),
  data: z.record(z.string(), z.unknown()),
  redactions,
});
/** Stdin that was not valid UTF-8 (src/capture/stdin.ts): where, and the exact bytes (dropped when a secret was taken out). */
const stdinBytes = z.object({ invalidUtf8At: z.number().int().nonnegative(), base64: z.string().optional() }).optional();
const hookEntry = z.object({ ...stamp, stdinBytes, redactions, payload: z.unknown() });
const eventsEntry = z.object({ ...stamp, sessionId: z.string().min(1), events: z.array(decidedEvent).min(1), causationId: z.string().max(64).optional() });
const invalidEntry = z.object({ ...stamp, stdinBytes, redactions, invalid: z.object({ reason: z.string(), raw: z.string() }) });

/** The redaction notes of an entry or event, as its metadata keeps them. */
export type EntryRedactionNotes = NonNullable<z.infer<typeof redactions>>;

/** An inbox entry as read back from disk. */
export type InboxEntry =
  | { readonly kind: 'payload'; readonly file: string; readonly stamp: Stamp; readonly payload: unknown; readonly payloadText?: string; readonly invalidUtf8At?: number; readonly redactions?: EntryRedactionNotes }
  | { readonly kind: 'events'; readonly file: string; readonly stamp: Stamp; readonly sessionId: string; readonly events: readonly DecidedEvent[]; readonly causationId?: string }
  | { readonly kind: 'invalid-payload'; readonly file: string; readonly stamp: Stamp; readonly reason: string; readonly raw: string; readonly redactions?: EntryRedactionNotes }
  | { readonly kind: 'unreadable'; readonly file: string; readonly stamp: Stamp; readonly reason: string; readonly raw: string }
  /** Not stamped by this machine's writers (provenance.ts): kept aside, never ingested as genuine. */
  | { readonly kind: 'unverified'; readonly file: string; readonly stamp: Stamp; readonly reason: string; readonly raw: string };

/** A workflow event as a writer decided it. */
export type DecidedEvent = z.infer<typeof decidedEvent>;

export interface Stamp {
  readonly id: string;
  readonly receivedAt: string;
  readonly receivedUs: number;
  readonly source: InboxSource;
  readonly hookEvent: string | undefined;
}

/**
 * Reads one inbox file's text into an entry; anything wrong becomes an entry that says what.
 * Only an entry whose provenance stamp checks out is read as what it claims to be.
 */
export function parseInboxEntry(file: string, text: string, rawBytes?: Buffer): InboxEntry {
  // A raw payload the writer rewrote as an entry (a secret taken out: redact-entry.ts) reads as one.
  // rawBytes: a raw payload's exact bytes when they are not all UTF-8 (to say where).
  if (file.endsWith(RAW_HOOK_SUFFIX) && !looksStamped(text)) return parseRawHook(file, text, rawBytes);
  const checked = authenticateEntry(text, provenanceKey().key);
  return checked.ok ? parseUnstampedEntry(file, checked.text) : unverified(file, text, checked.reason);
}

/** parseInboxEntry of an entry whose stamp was already checked and removed. */
export function parseUnstampedEntry(file: string, text: string): InboxEntry {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return unreadable(file, text, `inbox file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const hook = hookEntry.safeParse(json);
  if (hook.success && hook.data.payload !== undefined) {
    const payloadText = payloadTextOf(text, json);
    const invalidUtf8At = hook.data.stdinBytes?.invalidUtf8At;
    const notes = hook.data.redactions;
    return {
      kind: 'payload', file, stamp: toStamp(hook.data), payload: hook.data.payload,
      ...(payloadText === undefined ? {} : { payloadText }),
      ...(invalidUtf8At === undefined ? {} : { invalidUtf8At }),
      ...(notes === undefined ? {} : { redactions: notes }),
    };
  }
  const events = eventsEntry.safeParse(json);
  if (events.success) {
    const { causationId } = events.data;
    return { kind: 'events', file, stamp: toStamp(events.data), sessionId: events.data.sessionId, events: events.data.events, ...(causationId === undefined ? {} : { causationId }) };
  }
  const invalid = invalidEntry.safeParse(json);
  if (invalid.success) {
    const notes = invalid.data.redactions;
    return { kind: 'invalid-payload', file, stamp: toStamp(invalid.data), reason: invalid.data.invalid.reason, raw: invalid.data.invalid.raw, ...(notes === undefined ? {} : { redactions: notes }) };
  }
  return unreadable(file, text, `inbox file ${file} is not an inbox entry: ${z.prettifyError(hook.error ?? invalid.error).replace(/\n/g, '; ')}`);
}

// Written by the sh launcher (events that decide nothing, or no JavaScript runtime found): the name
// carries the receive time and the event; the stamp is a t1 line before the payload (older
// launchers put an s1 stamp in the name).
/** A raw payload's name: receive time, the launcher's pid, the event, and an older launcher's stamp. */
export const RAW_HOOK_NAME = /^((\d{17})-(sh\d+)-([A-Za-z0-9_]*))(?:\.([0-9a-f]{64}))?\.rawhook$/;

function parseRawHook(file: string, stamped: string, rawBytes: Buffer | undefined): InboxEntry {
  const match = RAW_HOOK_NAME.exec(file);
  const us = match ? Number(match[2]) : 0;
  const s: Stamp = { id: idFromName(file), receivedAt: new Date(Math.floor(us / 1000)).toISOString(), receivedUs: us, source: 'hook', hookEvent: match?.[4] || undefined };
  const key = provenanceKey().key;
  // A t1 line inside (today's launcher) or an s1 stamp in the name (launchers installed before).
  const checked = match?.[5] === undefined && rawLooksStamped(stamped) ? authenticateRawEntry(stamped, key) : authenticateShStamp(key, match?.[1] ?? file, stamped, match?.[5]);
  if (!checked.ok) return unverified(file, stamped, checked.reason);
  const text = checked.text;
  // Where stdin stopped being UTF-8, counted from the payload's first byte (after the stamp line).
  const badAt = rawBytes === undefined || isUtf8(rawBytes) ? -1 : firstInvalidUtf8(rawBytes) - (stamped.length - text.length);
  try {
    const payload = JSON.parse(text) as unknown;
    if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) return { kind: 'payload', file, stamp: s, payload, payloadText: text.trim(), ...(badAt < 0 ? {} : { invalidUtf8At: badAt }) };
    return { kind: 'invalid-payload', file, stamp: s, reason: 'stdin JSON is not an object', raw: text };
  } catch (error) {
    return { kind: 'invalid-payload', file, stamp: s, reason: text.trim() === '' ? 'stdin was empty' : `stdin is not valid JSON: ${(error as Error).message}`, raw: text };
  }
}

const PAYLOAD_KEY = ',"payload":';

/**
 * The payload's own JSON text inside an entry the hook wrote (`{"v":1,…,"payload":<text>}`),
 * so it is stored as Claude Code sent it without being serialised again. Only when the key
 * occurs once and is the last one; anything unusual falls back to serialising the value.
 */
function payloadTextOf(text: string, json: unknown): string | undefined {
  if (!text.startsWith('{"v":1,')) return undefined;
  const at = text.indexOf(PAYLOAD_KEY);
  if (at < 0 || text.indexOf(PAYLOAD_KEY, at + 1) >= 0) return undefined;
  const keys = Object.keys(json as object);
  if (keys[keys.length - 1] !== 'payload') return undefined;
  return text.slice(at + PAYLOAD_KEY.length, text.lastIndexOf('}')).trim();
}

/** An entry that does not carry this machine's stamp: its claims (id, time, session) are not trusted either. */
export function unverified(file: string, text: string, reason: string): InboxEntry {
  return { kind: 'unverified', file, stamp: stampOfUntrusted(file, text), reason: `inbox file ${file} was not ingested as a recorded event: ${reason}`, raw: text };
}

/** An entry that cannot be read as one, kept whole with the reason (quarantined at ingest). */
export function unreadable(file: string, text: string, reason: string): InboxEntry {
  return { kind: 'unreadable', file, stamp: stampOfUntrusted(file, text), reason, raw: text };
}

/** A stamp for a text whose own claims are not read: its id comes from its name and text, its time from its name. */
function stampOfUntrusted(file: string, text: string): Stamp {
  const us = Number(/^(\d{17})-/.exec(file)?.[1] ?? 0);
  return { id: idFromName(`${file}\n${text}`), receivedAt: new Date(Math.floor(us / 1000)).toISOString(), receivedUs: us, source: 'hook', hookEvent: undefined };
}

function toStamp(data: z.infer<typeof hookEntry> | z.infer<typeof invalidEntry> | z.infer<typeof eventsEntry>): Stamp {
  return { id: data.id, receivedAt: data.receivedAt, receivedUs: data.receivedUs, source: data.source, hookEvent: data.hookEvent };
}

/** A stable UUID-shaped id for entries that carry none, so re-reading one never duplicates it. */
export function idFromName(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
