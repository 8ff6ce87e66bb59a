import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { idFromEntryName, INBOX_ENTRY_SUFFIX, RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import type { LogbookDatabase } from '../store/logbook-database';
import { idFromName, parseInboxEntry } from './inbox-entry';
import { normalizeEntryRecords, QUARANTINE_STREAM, serializeRecord } from './normalize';
import type { IngestRecord } from './normalize';
import type { SegmentLog } from './segments';
import { CausationLinker } from './causation';
import { isWorkflowEventType } from '../domain/workflow/events';

export interface IngestOptions {
  readonly maxFieldBytes: number;
  /** Inbox entries read per transaction. */
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
 * The single writer: inbox → validated envelope → raw segment (fsync) → store (in memory).
 * Entries leave the inbox only after commit() has written the store holding them to disk;
 * their removal is housekeeping off the critical path (removeCommitted), because a
 * leftover entry is recognised by its id and never stored twice.
 */
export class Ingestor {
  /** Inbox files appended, waiting for the next durable flush. */
  private readonly consumed = new Set<string>();
  /** Inbox files whose events are on disk: safe to delete at any time. */
  private readonly committed = new Set<string>();
  private readonly linker: CausationLinker;
  /** Sessions that got workflow events since the last take: their snapshots need rewriting. */
  private readonly workflowSessions = new Set<string>();

  constructor(
    private readonly database: LogbookDatabase,
    private readonly inboxDir: string,
    private readonly segments: SegmentLog,
    private readonly options: IngestOptions,
  ) {
    this.linker = new CausationLinker(database.store);
  }

  /** Appends everything waiting in the inbox (not yet flushed). */
  ingestPending(report: IngestReport = emptyReport()): IngestReport {
    const batchSize = this.options.batchSize ?? 2000;
    const names = this.pendingNames();
    for (let start = 0; start < names.length; start += batchSize) this.ingestBatch(names.slice(start, start + batchSize), report);
    return report;
  }

  /** Flushes the store durably; the inbox entries it holds become safe to remove. */
  commit(): number {
    const bytes = this.database.flush();
    for (const name of this.consumed) this.committed.add(name);
    this.consumed.clear();
    return bytes;
  }

  /** Deletes inbox entries whose events are on disk (several at a time); returns how many. */
  async removeCommitted(concurrency = 16): Promise<number> {
    const names = [...this.committed];
    let removed = 0;
    for (let start = 0; start < names.length; start += concurrency) {
      await Promise.all(names.slice(start, start + concurrency).map(async (name) => {
        try {
          await unlink(join(this.inboxDir, name));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        this.committed.delete(name);
        removed += 1;
      }));
    }
    return removed;
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

  private ingestBatch(names: readonly string[], report: IngestReport): void {
    // Entries already stored (a crash before their removal) are known by the id in their name,
    // found with one query for the batch and never read again.
    const idOf = (name: string): string | undefined => idFromEntryName(name) ?? (name.endsWith(RAW_HOOK_SUFFIX) ? idFromName(name) : undefined);
    const stored = this.database.store.existingEventIds(names.map(idOf).filter((id): id is string => id !== undefined));
    const fresh: IngestRecord[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      const knownId = idOf(name);
      if (knownId !== undefined && (stored.has(knownId) || seen.has(knownId))) {
        report.duplicates += 1;
        this.consumed.add(name);
        continue;
      }
      let text: string;
      try {
        text = readEntry(join(this.inboxDir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        report.unreadableFiles.push(`${name}: ${(error as Error).message}`);
        continue;
      }
      const records = normalizeEntryRecords(parseInboxEntry(name, text), this.options);
      const first = records[0] as IngestRecord;
      if (seen.has(first.event.eventId) || (knownId === undefined && this.database.store.hasEvent(first.event.eventId))) {
        report.duplicates += 1;
        this.consumed.add(name);
        continue;
      }
      for (const record of records) {
        if (isWorkflowEventType(record.event.type)) this.workflowSessions.add(record.streamId);
        seen.add(record.event.eventId);
        fresh.push(serializeRecord(this.linker.link(record)));
      }
      this.consumed.add(name);
    }
    this.segments.append(fresh);
    appendRecords(this.database, fresh, report);
  }
}

// Most entries are small: one open/read/close into a reused buffer costs a third of readFileSync.
const readBuffer = Buffer.allocUnsafe(256 * 1024);

/** Reads one inbox entry's text (exported for the bench's per-phase breakdown). */
export function readEntry(path: string): string {
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, readBuffer, 0, readBuffer.length, 0);
  } finally {
    closeSync(fd);
  }
  return read < readBuffer.length ? readBuffer.toString('utf8', 0, read) : readFileSync(path, 'utf8');
}

/** Appends records in order, grouping runs of the same stream into one append. Shared with rebuild. */
export function appendRecords(database: LogbookDatabase, records: readonly IngestRecord[], report: IngestReport): void {
  if (records.length === 0) return;
  database.transaction(() => {
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
  });
}
