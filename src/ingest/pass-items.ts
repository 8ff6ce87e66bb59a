import { idFromEntryName, RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import { idFromName } from './inbox-entry';
import { readClaimedLog, receivedUsOf, receivedUsOfName } from './claimed-logs';
import type { AppendOrder } from './segment-read';
import { unreadableReason } from './inbox-items';
import { redactClaimedLog } from './redact-inbox';
import type { Redactor } from '../domain/redaction/types';

// One ingest pass's items: the inbox's entry files merged into its claimed logs' records in
// receive order, and what the pass consumed (for the journal) once it commits.

/**
 * The pass's entries in receive order: the entry files (named by receive time) merged into
 * the claimed logs' records (in append order, each log read when its turn comes).
 */
export function* passItems(inboxDir: string, entryNames: readonly string[], logs: readonly string[], logResume: ReadonlyMap<string, number>, pass: Pass, redactor?: Redactor): Generator<PassItem> {
  let next = 0;
  let lastUs = 0;
  for (const log of logs) {
    let read: ReturnType<typeof readClaimedLog>;
    try {
      read = readClaimedLog(inboxDir, log, logResume.get(log));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      // A directory or a FIFO named like a log, a file that cannot be opened: quarantined, archived.
      yield { label: log, knownId: undefined, completes: log, bytes: 0, unreadable: unreadableReason(log, error) };
      continue;
    }
    // Secrets out before anything reads the records: the log is rewritten cleaned. A failure to
    // write fails the pass (the log stays in the inbox for the next one), it does not quarantine it.
    if (redactor !== undefined) read = redactClaimedLog(inboxDir, log, read, logResume.get(log) ?? 0, redactor);
    pass.logSizes.set(log, read.size);
    const { records } = read;
    if (records.length === 0) yield { label: log, knownId: undefined, completes: log, bytes: 0 };
    for (let i = 0; i < records.length; i += 1) {
      const record = records[i] as (typeof records)[number];
      const merged = next;
      // Only entry files still to merge need the record's receive time (a regex per record).
      if (next < entryNames.length) {
        lastUs = receivedUsOf(record.text) ?? lastUs;
        while (next < entryNames.length && receivedUsOfName(entryNames[next] as string) <= lastUs) yield entryItem(entryNames[next++] as string);
      }
      const last = i === records.length - 1;
      // A run of the log's records starts here: its first record, or one after merged entry files.
      const run = i === 0 || next > merged ? { log, offset: record.offset, first: i === 0 } : undefined;
      yield {
        label: `${log}#${record.offset}`, knownId: undefined, text: record.text, ...(record.torn === undefined ? {} : { torn: record.torn }),
        completes: last ? log : undefined, bytes: last ? read.size : 0, ...(run === undefined ? {} : { run }),
      };
    }
  }
  while (next < entryNames.length) yield entryItem(entryNames[next++] as string);
}

/** One entry of a pass: an entry file, or a record of a claimed log. */
export interface PassItem {
  /** The entry file's name, or `<log>#<byte offset>` for a log record (in metadata and messages). */
  readonly label: string;
  /** The id an entry file's name carries: a duplicate is known without reading it. */
  readonly knownId: string | undefined;
  /** A log record's text (entry files are read when their turn comes). */
  readonly text?: string;
  /** Why a log record is not a whole entry: it is quarantined with the reason. */
  readonly torn?: string;
  /** The inbox file this item finishes: consumed once the pass commits. */
  readonly completes: string | undefined;
  /** For a log's last record: the log's size (the journal's sealing threshold counts it). */
  readonly bytes: number;
  /** Why a claimed log could not be read at all: it is quarantined with the reason. */
  readonly unreadable?: string;
  /** Set on a log record that starts a run of its log's records (the first, or one after merged entry files). */
  readonly run?: { readonly log: string; readonly offset: number; readonly first: boolean };
}

function entryItem(name: string): PassItem {
  return { label: name, knownId: knownIdOf(name), completes: name, bytes: 0 };
}

export function consume(pass: Pass, item: PassItem): void {
  if (item.completes !== undefined) pass.consumed.push(item.completes);
  if (item.text === undefined) {
    pass.order.push(item.label);
  } else if (item.run !== undefined) {
    pass.order.push([item.run.log, item.run.offset]);
    if (!item.run.first) pass.interleaved = true;
  }
}

/** What one ingest pass consumed, taken over by the ingestor once the pass has committed. */
export interface Pass {
  readonly consumed: string[];
  bytes: number;
  readonly workflowSessions: Set<string>;
  /** Claimed logs read, with their size when read. */
  readonly logSizes: Map<string, number>;
  /** Items that could not be read, with why. */
  readonly unreadable: Map<string, string>;
  /** What was appended, in order: entry files, and runs of log records (log, byte offset). */
  readonly order: AppendOrder;
  /** Whether entry files were merged between a log's records (the journal then needs `order`). */
  interleaved: boolean;
}

/** The event id an entry's name carries (hook and CLI entries, the sh launcher's raw ones). */
function knownIdOf(name: string): string | undefined {
  return idFromEntryName(name) ?? (name.endsWith(RAW_HOOK_SUFFIX) ? idFromName(name) : undefined);
}
