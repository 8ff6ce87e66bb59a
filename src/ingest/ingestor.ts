import { readdirSync, renameSync, statSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { idFromEntryName, INBOX_ENTRY_SUFFIX, RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import type { LogbookDatabase } from '../store/logbook-database';
import { isClaimedLog, splitLog } from '../capture/inbox-log';
import { idFromName, parseInboxEntry, unreadable } from './inbox-entry';
import { claimLiveLog, grownPast, readClaimedLog, receivedUsOf, receivedUsOfName } from './claimed-logs';
import { normalizeEntryRecords, QUARANTINE_STREAM, serializeRecord } from './normalize';
import type { IngestRecord, NormalizeOptions } from './normalize';
import { prepareHookEntry, preparedRecord } from './hook-fast-path';
import { entryReader } from './read-ahead';
import { isInboxItemName, unreadableReason } from './inbox-items';
import type { EntryReader, ReadResult } from './read-ahead';
import type { SegmentLog } from './segments';
import type { AppendOrder, LogRange } from './segment-read';
import { CausationLinker } from './causation';
import { isWorkflowEventType } from '../domain/workflow/events';

export interface IngestOptions {
  readonly maxFieldBytes: number;
  /** Inbox entries read, checked against the store and appended at a time (a pass is one transaction). */
  readonly batchSize?: number;
}

/** What one pass did; shown by the CLI and logged by the extension. */
export interface IngestReport {
  appended: number;
  duplicates: number;
  quarantined: number;
  /** Inbox items that could not be read, each with why (naming it): each is quarantined and archived like any entry. */
  unreadableFiles: string[];
  /** The writer's own files that could not be read or moved (a journal line, an archive rename), and what was done instead. */
  problems: string[];
  sessions: Set<string>;
}

export function emptyReport(): IngestReport {
  return { appended: 0, duplicates: 0, quarantined: 0, unreadableFiles: [], problems: [], sessions: new Set() };
}

/**
 * The single writer: inbox → validated envelope → store (in memory). Entries leave the inbox
 * only after commit() has journaled their order and written the store holding them to disk;
 * then they move to the raw segments' archive (removeCommitted), off the critical path, because
 * a leftover entry is recognised by its id and never stored twice.
 */
export class Ingestor {
  /** Inbox files appended (in append order), waiting for the next durable flush. */
  private readonly consumed = new Set<string>();
  /** Those of them that could not be read, with why: the journal keeps the reason, so a replay quarantines them alike. */
  private readonly consumedUnreadable = new Map<string, string>();
  /**
   * Their append order, where entry files were merged between a log's records: `consumed`
   * lists a log once it is read whole, and a replay of whole logs would append in another order.
   */
  private readonly consumedOrder: AppendOrder = [];
  private consumedInterleaved = false;
  /** Their raw size, for the journal's sealing threshold. */
  private consumedBytes = 0;
  /** Inbox files whose events are on disk: safe to archive at any time. */
  private readonly committed = new Set<string>();
  /** Claimed logs consumed, with their size when read (checked again before one is archived). */
  private readonly logSizes = new Map<string, number>();
  /** Claimed logs that grew after they were read (a file system that ignores chmod): read on from there. */
  private readonly logResume = new Map<string, number>();
  private readonly linker: CausationLinker;
  /** Sessions that got workflow events since the last take: their snapshots need rewriting. */
  private readonly workflowSessions = new Set<string>();
  private recovered = false;
  /** A seal's removals are under way (removeCommitted may be called again meanwhile). */
  private sealing = false;
  /** Inbox files stored and journaled that could not be moved into the archive: never read again by this writer. */
  private readonly stuck = new Set<string>();
  /** Problems met outside a pass (archiving, sealing), for the next report. */
  private readonly problems: string[] = [];

  constructor(
    private readonly database: LogbookDatabase,
    private readonly inboxDir: string,
    private readonly segments: SegmentLog,
    private readonly options: IngestOptions,
  ) {
    this.linker = new CausationLinker(database.store);
  }

  /**
   * Appends everything waiting in the inbox (not yet flushed), in one transaction: entries
   * count as consumed only once it has committed, so a failed pass leaves them all to the next.
   */
  ingestPending(report: IngestReport = emptyReport()): IngestReport {
    this.recoverJournal();
    const batchSize = this.options.batchSize ?? 500;
    this.claimLiveLog();
    report.problems.push(...this.takeProblems());
    const names = this.pendingNames();
    if (names.length === 0) return report;
    const pass: Pass = { consumed: [], bytes: 0, workflowSessions: new Set(), logSizes: new Map(), unreadable: new Map(), order: [], interleaved: false };
    const entryNames = names.filter((name) => !isClaimedLog(name));
    const logs = names.filter(isClaimedLog);
    // A store kept in memory must have room for what this pass may add (logbook-database.ts).
    this.database.keepWithinMemory(PASS_GROWTH_FACTOR * (bytesOf(this.inboxDir, logs) + entryNames.length * this.options.maxFieldBytes));
    const reader = entryReader(this.inboxDir, entryNames, this.options.maxFieldBytes);
    try {
      this.database.transaction(() => {
        let batch: PassItem[] = [];
        for (const item of this.passItems(entryNames, logs, pass)) {
          batch.push(item);
          if (batch.length >= batchSize) {
            this.ingestBatch(batch, reader, report, pass);
            batch = [];
          }
        }
        this.ingestBatch(batch, reader, report, pass);
      });
    } finally {
      reader.close();
    }
    for (const name of pass.consumed) this.consumed.add(name);
    for (const [name, reason] of pass.unreadable) this.consumedUnreadable.set(name, reason);
    this.consumedOrder.push(...pass.order);
    this.consumedInterleaved ||= pass.interleaved;
    for (const [name, size] of pass.logSizes) this.logSizes.set(name, size);
    this.consumedBytes += pass.bytes;
    for (const session of pass.workflowSessions) this.workflowSessions.add(session);
    return report;
  }

  /**
   * The pass's entries in receive order: the entry files (named by receive time) merged into
   * the claimed logs' records (in append order, each log read when its turn comes).
   */
  private *passItems(entryNames: readonly string[], logs: readonly string[], pass: Pass): Generator<PassItem> {
    let next = 0;
    let lastUs = 0;
    for (const log of logs) {
      let read: ReturnType<typeof readClaimedLog>;
      try {
        read = readClaimedLog(this.inboxDir, log, this.logResume.get(log));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        // A directory or a FIFO named like a log, a file that cannot be opened: quarantined, archived.
        yield { label: log, knownId: undefined, completes: log, bytes: 0, unreadable: unreadableReason(log, error) };
        continue;
      }
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

  /** Journals what was appended, then flushes the store durably; those inbox entries become safe to archive. */
  commit(): number {
    this.recoverJournal();
    // The order goes to disk first: a store that holds these events always has it beside it.
    if (this.consumed.size > 0) {
      this.segments.appendGroup([...this.consumed], this.database.store.lastGlobalPosition(), this.options.maxFieldBytes, this.consumedBytes, {
        unreadable: this.consumedUnreadable, ...(this.consumedInterleaved ? { order: this.consumedOrder } : {}),
      });
    }
    const bytes = this.database.flush();
    for (const name of this.consumed) this.committed.add(name);
    this.consumed.clear();
    this.consumedUnreadable.clear();
    this.consumedOrder.length = 0;
    this.consumedInterleaved = false;
    this.consumedBytes = 0;
    return bytes;
  }

  /**
   * Moves inbox entries whose events are on disk into the segments' archive; returns how many.
   * When the journal is full it is sealed, and the archived files it covers are removed.
   */
  async removeCommitted(): Promise<number> {
    const names = [...this.committed];
    if (names.length > 0) this.segments.ensureDir();
    // A rename frees no blocks: cheap, unlike the unlink of an fsynced file. Sync in slices,
    // so a backlog does not hold the extension host's event loop for long.
    for (let start = 0; start < names.length; start += 512) {
      if (start > 0) await yieldToEventLoop();
      for (const name of names.slice(start, start + 512)) {
        if (this.grewAfterRead(name)) continue;
        try {
          renameSync(join(this.inboxDir, name), join(this.segments.archiveDir, name));
        } catch (error) {
          // Its events are stored and journaled: left where it is, it only must not be read again.
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
            this.stuck.add(name);
            this.problems.push(`inbox file ${name} could not be moved into segments/archive/ (${(error as Error).message}); its events are stored, and it stays in the inbox`);
          }
        }
        this.committed.delete(name);
      }
    }
    if (!this.sealing) {
      this.sealing = true;
      try {
        // Seal only when every journaled flush has landed (a failed flush leaves entries consumed).
        if (this.consumed.size === 0 && this.segments.full) this.segments.seal(this.inboxDir);
        for (const sealed of this.segments.unfinishedSeals()) await this.finishSeal(sealed);
      } finally {
        this.sealing = false;
      }
    }
    return names.length;
  }

  /**
   * A claimed log written to after it was read: possible only where chmod has no effect, so
   * the hooks could not see it was retired. It stays in the inbox, to be read on from there.
   */
  private grewAfterRead(name: string): boolean {
    const size = this.logSizes.get(name);
    if (size === undefined) return false;
    this.logSizes.delete(name);
    if (!grownPast(this.inboxDir, name, size)) return false;
    this.committed.delete(name);
    this.logResume.set(name, size);
    return true;
  }

  /** Sessions whose workflow changed since the last call (and forgets them). */
  takeWorkflowSessions(): string[] {
    const sessions = [...this.workflowSessions];
    this.workflowSessions.clear();
    return sessions;
  }

  get waitingForFlush(): number {
    return this.consumed.size;
  }

  get waitingForRemoval(): number {
    return this.committed.size;
  }

  /** Problems met since the last call (and forgets them): segment files that could not be read, archive moves that failed. */
  takeProblems(): string[] {
    const problems = [...this.problems, ...this.segments.takeProblems()];
    this.problems.length = 0;
    return problems;
  }

  /** Claims the live log; a live log that cannot be claimed stays for the hooks, and the pass goes on without it. */
  private claimLiveLog(): void {
    try {
      claimLiveLog(this.inboxDir);
    } catch (error) {
      this.problems.push(`the inbox's live log could not be claimed (${(error as Error).message}); its entries wait there`);
    }
  }

  /** Once per writer: forget journal groups of a flush that never reached the disk. */
  private recoverJournal(): void {
    if (this.recovered) return;
    this.segments.dropUnlanded(this.database.store.lastGlobalPosition());
    this.recovered = true;
  }

  /** Removes a sealed journal's archived entries (those no later journal names), then the journal. */
  private async finishSeal(sealed: { journal: string; entries: readonly string[] }): Promise<void> {
    const needed = this.segments.namesAfter(sealed.journal);
    const names = sealed.entries.filter((name) => !needed.has(name) && !this.consumed.has(name) && !this.committed.has(name));
    for (let start = 0; start < names.length; start += 16) {
      await Promise.all(names.slice(start, start + 16).map(async (name) => {
        try {
          await unlink(join(this.segments.archiveDir, name));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }));
    }
    this.segments.finishSeal(sealed.journal);
  }

  private pendingNames(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.inboxDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((n) => isInboxItemName(n) && !this.consumed.has(n) && !this.committed.has(n) && !this.stuck.has(n))
      .sort();
  }

  /** Reads, validates and appends a batch inside the pass's transaction; what it consumed goes to `pass`. */
  private ingestBatch(items: readonly PassItem[], reader: EntryReader, report: IngestReport, pass: Pass): void {
    if (items.length === 0) return;
    // Entry files already stored (a crash before they were archived) are known by the id in
    // their name, found with one query for the batch and never read again.
    const stored = this.database.store.existingEventIds(items.flatMap((item) => (item.knownId === undefined ? [] : [item.knownId])));
    const parsed: { item: PassItem; records: IngestRecord[]; bytes: number }[] = [];
    for (const item of items) {
      if (item.knownId !== undefined && stored.has(item.knownId)) {
        report.duplicates += 1;
        consume(pass, item);
        continue;
      }
      const read = this.readItem(item, reader, report, pass);
      if (read === undefined) continue;
      parsed.push({ item, ...read });
    }
    // Records whose id no file name carries (log records: a claimed log read again after a
    // crash) are checked against the store together, one query for the batch.
    const unnamed = this.database.store.existingEventIds(parsed.flatMap(({ item, records }) => (item.knownId === undefined && records.length > 0 ? [(records[0] as IngestRecord).event.eventId] : [])));
    const fresh: IngestRecord[] = [];
    const seen = new Set<string>();
    for (const { item, records, bytes } of parsed) {
      const first = records[0];
      if (first !== undefined && (seen.has(first.event.eventId) || unnamed.has(first.event.eventId))) {
        report.duplicates += 1;
        consume(pass, item);
        continue;
      }
      for (const record of records) {
        if (isWorkflowEventType(record.event.type)) pass.workflowSessions.add(record.streamId);
        seen.add(record.event.eventId);
        fresh.push(serializeRecord(this.linker.link(record)));
      }
      consume(pass, item);
      pass.bytes += bytes;
    }
    appendInTransaction(this.database, fresh, report);
  }

  /**
   * An item's records, not linked yet, and its raw size; undefined for an entry file that is gone.
   * An item that cannot be read is one quarantine record, and its reason goes to the journal.
   */
  private readItem(item: PassItem, reader: EntryReader, report: IngestReport, pass: Pass): { records: IngestRecord[]; bytes: number } | undefined {
    if (item.text !== undefined) {
      return { records: logRecordRecords(item.label, item.text, item.torn, this.options), bytes: item.bytes };
    }
    if (item.unreadable !== undefined) return this.unreadableItem(item.label, item.unreadable, report, pass);
    if (item.completes !== undefined && isClaimedLog(item.completes)) return { records: [], bytes: 0 }; // an empty log
    let read: ReadResult;
    try {
      read = reader.read(item.label);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return this.unreadableItem(item.label, unreadableReason(item.label, error), report, pass);
    }
    if (read.prepared !== undefined) return { records: [preparedRecord(read.prepared)], bytes: read.bytes };
    return { records: entryRecords(item.label, read.text, this.options), bytes: read.text.length };
  }

  private unreadableItem(name: string, reason: string, report: IngestReport, pass: Pass): { records: IngestRecord[]; bytes: number } {
    report.unreadableFiles.push(reason);
    pass.unreadable.set(name, reason);
    return { records: unreadableRecords(name, reason, this.options), bytes: 0 };
  }
}

/** What a pass adds to the store, at most, per byte of inbox it reads (rows, indexes, pages part full). */
const PASS_GROWTH_FACTOR = 2;

/** The inbox files' sizes together (one that is gone counts 0). */
function bytesOf(dir: string, names: readonly string[]): number {
  let total = 0;
  for (const name of names) {
    try {
      total += statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0;
    } catch {
      // Unreadable: the pass quarantines it, and it adds nothing.
    }
  }
  return total;
}

/** One entry of a pass: an entry file, or a record of a claimed log. */
interface PassItem {
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

function consume(pass: Pass, item: PassItem): void {
  if (item.completes !== undefined) pass.consumed.push(item.completes);
  if (item.text === undefined) {
    pass.order.push(item.label);
  } else if (item.run !== undefined) {
    pass.order.push([item.run.log, item.run.offset]);
    if (!item.run.first) pass.interleaved = true;
  }
}

/** What one ingest pass consumed, taken over by the ingestor once the pass has committed. */
interface Pass {
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

/**
 * All the records of one inbox entry's text, in order, not linked yet: by the fast path when it
 * takes the entry, else validated in full. Shared with rebuild, so a replay ingests it alike.
 */
export function entryRecords(name: string, text: string, options: NormalizeOptions, range?: LogRange): IngestRecord[] {
  if (isClaimedLog(name)) return logRecords(name, text, options, range);
  const prepared = prepareHookEntry(name, text, options.maxFieldBytes);
  return prepared !== null ? [preparedRecord(prepared)] : normalizeEntryRecords(parseInboxEntry(name, text), options);
}

/** The records of a claimed log's text (a rebuild replays logs as the archive holds them), or of a run of them. */
function logRecords(name: string, text: string, options: NormalizeOptions, range?: LogRange): IngestRecord[] {
  const records = splitLog(Buffer.from(text, 'utf8'), range?.from ?? 0);
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
function logRecordRecords(label: string, text: string, torn: string | undefined, options: NormalizeOptions): IngestRecord[] {
  return torn !== undefined ? normalizeEntryRecords(unreadable(label, text, `inbox log ${label}: ${torn}`), options) : entryRecords(label, text, options);
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
