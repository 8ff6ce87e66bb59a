import { createHmac, randomBytes } from 'node:crypto';
import { authenticateEntry, looksStamped, provenanceKey, stampEntry } from '../capture/provenance';
import type { ProvenanceKey } from '../capture/provenance';
import { RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import { stringifyJson } from '../domain/json-walk';
import { compileRedactor } from '../domain/redaction/redactor';
import type { RedactionNote, RedactionSettings, Redactor } from '../domain/redaction/types';
import { parseInboxEntry } from './inbox-entry';

// Secrets are taken out of an inbox entry's TEXT, before anything reads it as an event: the writer
// rewrites the inbox file with the cleaned text before it ingests it, so the store, the full-text
// index, the raw archive and every export only ever see the placeholders. The same function runs
// again when a rebuild replays the archive (finding nothing new there), and on older archives
// that still hold secrets, so a rebuild stores what an ingest would.
//
// An entry this machine wrote is rewritten as an entry again: its payload (or decided events, or
// invalid stdin) redacted, the notes beside it (`redactions`, read into the event's metadata), and
// a fresh provenance stamp, since the writer is one of this machine's writers. An entry that is not
// ours stays unstamped: only its text is cleaned, and it is kept aside as before.

/** The envelope field that carries an entry's redaction notes into its event's metadata. */
export const REDACTIONS_FIELD = 'redactions';

/** Notes of one entry: per decided event for a `.cmd.json`, else for the whole entry. */
export interface EntryRedactions {
  readonly notes: readonly RedactionNote[];
  readonly omitted?: number;
}

/**
 * The redactor for the ingest, from the `logbook.redaction.*` settings; its notes' hashes are keyed
 * with a key derived from this user's provenance key (a random one for this run when there is
 * none: hashes then only match within the run).
 */
export function ingestRedactor(settings: RedactionSettings, key: ProvenanceKey | undefined = provenanceKey().key): { redactor: Redactor; problems: string[] } {
  const hashKey = key === undefined ? randomBytes(32) : createHmac('sha256', key.key).update('redaction-notes').digest();
  return compileRedactor(settings, hashKey);
}

/** `text` with its secrets replaced, or undefined when it has none (then it is used as it is). */
export function redactEntryText(name: string, text: string, redactor: Redactor, key: ProvenanceKey | undefined = provenanceKey().key): string | undefined {
  if (!redactor.mayMatch(text)) return undefined;
  if (name.endsWith(RAW_HOOK_SUFFIX) && !looksStamped(text)) return redactRawHook(name, text, redactor, key);
  const checked = authenticateEntry(text, key);
  if (!checked.ok) return cleanedText(text, redactor);
  let entry: unknown;
  try {
    entry = JSON.parse(checked.text);
  } catch {
    return cleanedText(text, redactor);
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return cleanedText(text, redactor);
  const rewritten = redactEntry(entry as Record<string, unknown>, redactor);
  return rewritten === undefined ? undefined : stampEntry(`${stringifyJson(rewritten)}\n`, key);
}

/** A log's records, each redacted; undefined when none changed. */
export function redactRecords(texts: readonly string[], redactor: Redactor, label: (index: number) => string): string[] | undefined {
  let changed = false;
  const out = texts.map((text, i) => {
    const redacted = redactEntryText(label(i), text, redactor);
    if (redacted === undefined) return text;
    changed = true;
    return redacted;
  });
  return changed ? out : undefined;
}

/**
 * The sh launcher's raw payload, whose stamp covers its exact bytes: a genuine one with a secret
 * becomes an entry as the JS writers write it (same id, time and event, stamped by this writer),
 * kept under its name; one that is not genuine is only cleaned as text, and stays aside.
 */
function redactRawHook(name: string, text: string, redactor: Redactor, key: ProvenanceKey | undefined): string | undefined {
  const entry = parseInboxEntry(name, text);
  if (entry.kind !== 'payload' && entry.kind !== 'invalid-payload') return cleanedText(text, redactor);
  const head = { v: 1, id: entry.stamp.id, receivedAt: entry.stamp.receivedAt, receivedUs: entry.stamp.receivedUs, source: entry.stamp.source, hookEvent: entry.stamp.hookEvent };
  const asEntry = entry.kind === 'payload' ? { ...head, payload: entry.payload } : { ...head, invalid: { reason: entry.reason, raw: entry.raw } };
  const rewritten = redactEntry(asEntry, redactor);
  return rewritten === undefined ? undefined : stampEntry(`${stringifyJson(rewritten)}\n`, key);
}

function cleanedText(text: string, redactor: Redactor): string | undefined {
  const { text: cleaned, notes } = redactor.redactText(text);
  return notes.length === 0 && cleaned === text ? undefined : cleaned;
}

/** The entry with its content redacted and the notes beside it, or undefined when nothing was found. */
function redactEntry(entry: Record<string, unknown>, redactor: Redactor): Record<string, unknown> | undefined {
  if ('payload' in entry) return redactPayloadEntry(entry, redactor);
  if (Array.isArray(entry['events'])) return redactEventsEntry(entry, redactor);
  if (typeof entry['invalid'] === 'object' && entry['invalid'] !== null) return redactInvalidEntry(entry, redactor);
  return undefined;
}

function redactPayloadEntry(entry: Record<string, unknown>, redactor: Redactor): Record<string, unknown> | undefined {
  const { payload, ...head } = entry;
  const { value, notes, notesOmitted } = redactor.redactValue(payload);
  if (notes.length === 0 && notesOmitted === 0) return undefined;
  // The exact stdin bytes would hold the secret again: the decoded, cleaned payload replaces them.
  const stdinBytes = withoutBytes(head['stdinBytes']);
  // The payload stays last: the ingestor reads its text as it is (inbox-entry.ts).
  return { ...head, ...(stdinBytes === undefined ? {} : { stdinBytes }), [REDACTIONS_FIELD]: notesOf(notes, notesOmitted), payload: value };
}

function redactEventsEntry(entry: Record<string, unknown>, redactor: Redactor): Record<string, unknown> | undefined {
  let changed = false;
  const events = (entry['events'] as unknown[]).map((event) => {
    if (typeof event !== 'object' || event === null) return event;
    const { value, notes, notesOmitted } = redactor.redactValue((event as Record<string, unknown>)['data']);
    if (notes.length === 0 && notesOmitted === 0) return event;
    changed = true;
    return { ...event, data: value, [REDACTIONS_FIELD]: notesOf(notes, notesOmitted) };
  });
  return changed ? { ...entry, events } : undefined;
}

function redactInvalidEntry(entry: Record<string, unknown>, redactor: Redactor): Record<string, unknown> | undefined {
  const invalid = entry['invalid'] as Record<string, unknown>;
  const raw = redactor.redactText(String(invalid['raw'] ?? ''), 'raw');
  // The reason can quote the text (JSON.parse's message does).
  const reason = redactor.redactText(String(invalid['reason'] ?? ''), 'reason');
  const notes = [...raw.notes, ...reason.notes];
  const omitted = raw.notesOmitted + reason.notesOmitted;
  if (notes.length === 0 && omitted === 0) return undefined;
  const stdinBytes = withoutBytes(entry['stdinBytes']);
  return { ...entry, ...(stdinBytes === undefined ? {} : { stdinBytes }), [REDACTIONS_FIELD]: notesOf(notes, omitted), invalid: { reason: reason.text, raw: raw.text } };
}

function notesOf(notes: readonly RedactionNote[], omitted: number): EntryRedactions {
  return omitted > 0 ? { notes, omitted } : { notes };
}

function withoutBytes(stdinBytes: unknown): unknown {
  if (typeof stdinBytes !== 'object' || stdinBytes === null) return stdinBytes;
  const { base64: _dropped, ...rest } = stdinBytes as Record<string, unknown>;
  return rest;
}
