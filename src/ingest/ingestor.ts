import { readdirSync, renameSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { idFromEntryName, INBOX_ENTRY_SUFFIX, RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import type { LogbookDatabase } from '../store/logbook-database';
import { idFromName, parseInboxEntry } from './inbox-entry';
import { normalizeEntryRecords, QUARANTINE_STREAM, serializeRecord } from './normalize';
import type { IngestRecord, NormalizeOptions } from './normalize';
import { prepareHookEntry, preparedRecord } from './hook-fast-path';
import { entryReader } from './read-ahead';
import type { EntryReader, ReadResult } from './read-ahead';
import type { SegmentLog } from './segments';
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
  unreadableFiles: string[];
  sessions: Set<string>;
}

export function emptyReport(): IngestReport {
  return { appended: 0, duplicates: 0, quarantined: 0, unreadableFiles: [], sessions: new Set() };
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
  /** Their raw size, for the journal's sealing threshold. */
  private consumedBytes = 0;
  /** Inbox files whose events are on disk: safe to archive at any time. */
  private readonly committed = new Set<string>();
  private readonly linker: CausationLinker;
  /** Sessions that got workflow events since the last take: their snapshots need rewriting. */
  private readonly workflowSessions = new Set<string>();
  private recovered = false;
  /** A seal's removals are under way (removeCommitted may be called again meanwhile). */
  private sealing = false;

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
    const names = this.pendingNames();
    if (names.length === 0) return report;
    const pass: Pass = { consumed: [], bytes: 0, workflowSessions: new Set() };
    const reader = entryReader(this.inboxDir, names, this.options.maxFieldBytes);
    try {
      this.database.transaction(() => {
        for (let start = 0; start < names.length; start += batchSize) this.ingestBatch(names.slice(start, start + batchSize), reader, report, pass);
      });
    } finally {
      reader.close();
    }
    for (const name of pass.consumed) this.consumed.add(name);
    this.consumedBytes += pass.bytes;
    for (const session of pass.workflowSessions) this.workflowSessions.add(session);
    return report;
  }

  /** Journals what was appended, then flushes the store durably; those inbox entries become safe to archive. */
  commit(): number {
    this.recoverJournal();
    // The order goes to disk first: a store that holds these events always has it beside it.
    if (this.consumed.size > 0) {
      this.segments.appendGroup([...this.consumed], this.database.store.lastGlobalPosition(), this.options.maxFieldBytes, this.consumedBytes);
    }
    const bytes = this.database.flush();
    for (const name of this.consumed) this.committed.add(name);
    this.consumed.clear();
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
        try {
          renameSync(join(this.inboxDir, name), join(this.segments.archiveDir, name));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
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
      .filter((n) => (n.endsWith(INBOX_ENTRY_SUFFIX) || n.endsWith(RAW_HOOK_SUFFIX)) && !this.consumed.has(n) && !this.committed.has(n))
      .sort();
  }

  /** Reads, validates and appends a batch inside the pass's transaction; what it consumed goes to `pass`. */
  private ingestBatch(names: readonly string[], reader: EntryReader, report: IngestReport, pass: Pass): void {
    // Entries already stored (a crash before they were archived) are known by the id in their
    // name, found with one query for the batch and never read again.
    const ids = names.map(knownIdOf);
    const stored = this.database.store.existingEventIds(ids.filter((id): id is string => id !== undefined));
    const fresh: IngestRecord[] = [];
    const seen = new Set<string>();
    names.forEach((name, index) => {
      const knownId = ids[index];
      if (knownId !== undefined && (stored.has(knownId) || seen.has(knownId))) {
        report.duplicates += 1;
        pass.consumed.push(name);
        return;
      }
      let read: ReadResult;
      try {
        read = reader.read(name);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        report.unreadableFiles.push(`${name}: ${(error as Error).message}`);
        return;
      }
      const records = read.prepared !== undefined ? [preparedRecord(read.prepared)] : entryRecords(name, read.text, this.options);
      const first = records[0] as IngestRecord;
      if (seen.has(first.event.eventId) || (knownId === undefined && this.database.store.hasEvent(first.event.eventId))) {
        report.duplicates += 1;
        pass.consumed.push(name);
        return;
      }
      for (const record of records) {
        if (isWorkflowEventType(record.event.type)) pass.workflowSessions.add(record.streamId);
        seen.add(record.event.eventId);
        fresh.push(serializeRecord(this.linker.link(record)));
      }
      pass.consumed.push(name);
      pass.bytes += read.prepared !== undefined ? read.bytes : read.text.length;
    });
    appendInTransaction(this.database, fresh, report);
  }
}

/** What one ingest pass consumed, taken over by the ingestor once the pass has committed. */
interface Pass {
  readonly consumed: string[];
  bytes: number;
  readonly workflowSessions: Set<string>;
}

/** The event id an entry's name carries (hook and CLI entries, the sh launcher's raw ones). */
function knownIdOf(name: string): string | undefined {
  return idFromEntryName(name) ?? (name.endsWith(RAW_HOOK_SUFFIX) ? idFromName(name) : undefined);
}

/**
 * All the records of one inbox entry's text, in order, not linked yet: by the fast path when it
 * takes the entry, else validated in full. Shared with rebuild, so a replay ingests it alike.
 */
export function entryRecords(name: string, text: string, options: NormalizeOptions): IngestRecord[] {
  const prepared = prepareHookEntry(name, text, options.maxFieldBytes);
  return prepared !== null ? [preparedRecord(prepared)] : normalizeEntryRecords(parseInboxEntry(name, text), options);
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
