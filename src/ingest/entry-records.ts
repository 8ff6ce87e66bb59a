import type { LogbookDatabase } from '../store/logbook-database';
import { isClaimedLog, splitLog } from '../capture/inbox-log';
import { RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import { authenticateEntry, looksStamped, provenanceKey } from '../capture/provenance';
import { parseInboxEntry, parseUnstampedEntry, unreadable, unverified } from './inbox-entry';
import { normalizeEntryRecords, QUARANTINE_STREAM } from './normalize';
import type { IngestRecord, NormalizeOptions } from './normalize';
import { prepareHookEntry, prepareRawHookEntry, preparedRecord } from './hook-fast-path';
import type { IngestReport } from './ingestor';
import type { LogRange } from './segment-read';
import { redactEntryText } from './redact-entry';

// From inbox text to records, and records into the store: shared by the ingestor and the
// rebuild, so a replay makes exactly the records the first ingest made.

/**
 * All the records of one inbox entry's text, in order, not linked yet: by the fast path when it
 * takes the entry, else validated in full. Shared with rebuild, so a replay ingests it alike.
 */
export function entryRecords(name: string, text: string, options: NormalizeOptions, range?: LogRange, bytes?: Buffer): IngestRecord[] {
  if (isClaimedLog(name)) return logRecords(name, bytes ?? Buffer.from(text, 'utf8'), options, range);
  // Secrets out before anything reads the entry. The writer already did it to the inbox file
  // (redact-inbox.ts), so this finds nothing there; a rebuild of an older archive it cleans here.
  const clean = options.redactor === undefined ? text : redactEntryText(name, text, options.redactor) ?? text;
  if (name.endsWith(RAW_HOOK_SUFFIX) && !looksStamped(clean)) {
    // The sh launcher's raw payload; its bytes are at hand only when they were not all UTF-8.
    const prepared = bytes === undefined ? prepareRawHookEntry(name, clean, options.maxFieldBytes) : null;
    return prepared !== null ? [preparedRecord(prepared)] : normalizeEntryRecords(parseInboxEntry(name, clean, bytes), options);
  }
  // Provenance first: the fast path and the full path only ever see an entry this machine wrote.
  const checked = authenticateEntry(clean, provenanceKey().key);
  if (!checked.ok) return normalizeEntryRecords(unverified(name, clean, checked.reason), options);
  const prepared = prepareHookEntry(name, checked.text, options.maxFieldBytes);
  return prepared !== null ? [preparedRecord(prepared)] : normalizeEntryRecords(parseUnstampedEntry(name, checked.text), options);
}

/**
 * The records of a claimed log (a rebuild replays logs as the archive holds them), or of a run of
 * them: split from its exact bytes, as the ingest split it, so every record keeps its offset.
 */
function logRecords(name: string, bytes: Buffer, options: NormalizeOptions, range?: LogRange): IngestRecord[] {
  const records = splitLog(bytes, range?.from ?? 0);
  const to = range?.to;
  return records.filter((record) => to === undefined || record.offset < to).flatMap((record) => logRecordRecords(`${name}#${record.offset}`, record.text, record.torn, options));
}

/**
 * The record of an inbox item that could not be read (a directory or a FIFO under an entry's or
 * a log's name, a file that cannot be opened): quarantined with the reason, under an id derived
 * from the name, so reading it again, or replaying it from the journal, gives the same record.
 */
export function unreadableRecords(name: string, reason: string, options: NormalizeOptions): IngestRecord[] {
  return normalizeEntryRecords(unreadable(name, '', reason), options);
}

/** The records of one log record (`label` is `<log>#<offset>`): a torn one is quarantined with why. */
export function logRecordRecords(label: string, text: string, torn: string | undefined, options: NormalizeOptions): IngestRecord[] {
  if (torn === undefined) return entryRecords(label, text, options);
  const clean = options.redactor === undefined ? text : options.redactor.redactText(text).text;
  return normalizeEntryRecords(unreadable(label, clean, `inbox log ${label}: ${torn}`), options);
}

/** Appends records in order in one transaction, grouping runs of the same stream into one append. Shared with rebuild. */
export function appendRecords(database: LogbookDatabase, records: readonly IngestRecord[], report: IngestReport): void {
  if (records.length === 0) return;
  database.transaction(() => appendInTransaction(database, records, report));
}

/** appendRecords inside a transaction the caller holds. */
export function appendInTransaction(database: LogbookDatabase, records: readonly IngestRecord[], report: IngestReport): void {
  let start = 0;
  while (start < records.length) {
    const streamId = (records[start] as IngestRecord).streamId;
    let end = start + 1;
    while (end < records.length && (records[end] as IngestRecord).streamId === streamId) end += 1;
    const result = database.store.append(streamId, records.slice(start, end).map((r) => r.event));
    report.appended += result.appended;
    report.duplicates += result.duplicates;
    if (streamId === QUARANTINE_STREAM) report.quarantined += result.appended;
    else report.sessions.add(streamId);
    start = end;
  }
}
