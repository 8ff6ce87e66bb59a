import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { INBOX_ENTRY_SUFFIX, RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import type { LogbookDatabase } from '../store/logbook-database';
import { parseInboxEntry } from './inbox-entry';
import { normalizeEntry, QUARANTINE_STREAM } from './normalize';
import type { IngestRecord } from './normalize';
import type { SegmentLog } from './segments';
import { CausationLinker } from './causation';

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
 * Entries leave the inbox only in commit(), after the store file holding them is on disk.
 */
export class Ingestor {
  /** Inbox files already appended whose removal waits for the next durable flush. */
  private readonly consumed = new Set<string>();
  private readonly linker: CausationLinker;

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
    for (;;) {
      const names = this.pendingNames(batchSize);
      if (names.length === 0) return report;
      this.ingestBatch(names, report);
    }
  }

  /** Flushes the store durably, then removes the inbox entries it now holds. */
  commit(): number {
    const bytes = this.database.flush();
    for (const name of this.consumed) {
      try {
        unlinkSync(join(this.inboxDir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    this.consumed.clear();
    return bytes;
  }

  get waitingForFlush(): number {
    return this.consumed.size;
  }

  private pendingNames(limit: number): string[] {
    let names: string[];
    try {
      names = readdirSync(this.inboxDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((n) => (n.endsWith(INBOX_ENTRY_SUFFIX) || n.endsWith(RAW_HOOK_SUFFIX)) && !this.consumed.has(n))
      .sort()
      .slice(0, limit);
  }

  private ingestBatch(names: readonly string[], report: IngestReport): void {
    const fresh: IngestRecord[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      let text: string;
      try {
        text = readFileSync(join(this.inboxDir, name), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        report.unreadableFiles.push(`${name}: ${(error as Error).message}`);
        continue;
      }
      const record = normalizeEntry(parseInboxEntry(name, text), this.options);
      if (seen.has(record.event.eventId) || this.database.store.hasEvent(record.event.eventId)) {
        report.duplicates += 1;
        this.consumed.add(name);
        continue;
      }
      seen.add(record.event.eventId);
      fresh.push(this.linker.link(record));
      this.consumed.add(name);
    }
    this.segments.append(fresh);
    appendRecords(this.database, fresh, report);
  }
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
