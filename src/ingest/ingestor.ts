import { promises, readdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { LogbookDatabase } from '../store/logbook-database';
import { isClaimedLog } from '../capture/inbox-log';
import { RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import { readContentIfThere } from './regular-file';
import { claimLiveLog, grownPast } from './claimed-logs';
import { consume, passItems } from './pass-items';
import type { Pass, PassItem } from './pass-items';
import { serializeRecord } from './normalize';
import type { IngestRecord } from './normalize';
import { preparedRecord } from './hook-fast-path';
import { appendInTransaction, entryRecords, logRecordRecords, unreadableRecords } from './entry-records';
import { entryReader, readEntry } from './read-ahead';
import { redactEntryFile } from './redact-inbox';
import type { Redactor } from '../domain/redaction/types';
import { isInboxItemName, unreadableReason } from './inbox-items';
import type { EntryReader, ReadResult } from './read-ahead';
import type { SegmentLog } from './segments';
import { CausationLinker } from './causation';
import { isWorkflowEventType } from '../domain/workflow/events';
import { ensurePrivateDirs } from '../capture/safe-fs';

export interface IngestOptions {
  readonly maxFieldBytes: number;
  /** Takes secrets out of inbox files before they are ingested (redact-inbox.ts); none: nothing is redacted. */
  readonly redactor?: Redactor;
  /** Inbox entries read, checked against the store and appended at a time (a pass is one transaction). */
  readonly batchSize?: number;
  /**
   * Index each pass's events for full-text search in the pass's own commit (the CLI: one
   * durable write instead of two). Off, the index catches up later (the extension's idle work).
   */
  readonly indexFullText?: boolean;
  /** Fold the links between sessions beside the catalog (default on; the bench turns it off to price it). */
  readonly linkSessions?: boolean;
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
  /** Transcript lines and files whose usage could not be read (src/ingest/usage/), each naming where: counted, never fatal. */
  usageProblems: string[];
  /** UsageRecorded events read out of transcripts this pass (stored once, whatever a reread finds). */
  usageEvents: number;
  sessions: Set<string>;
}

export function emptyReport(): IngestReport {
  return { appended: 0, duplicates: 0, quarantined: 0, unreadableFiles: [], problems: [], usageProblems: [], usageEvents: 0, sessions: new Set() };
}

/** Work that rides on each pass's transaction (the writer's read models): see LogbookWriter. */
export interface PassHooks {
  /** After the pass's appends, before its COMMIT; it must not throw (a read model never stops events). */
  inTransaction(): void;
  committed(): void;
  rolledBack(): void;
}

/**
 * The single writer: inbox → validated envelope → store. A pass is one transaction: its
 * appends, then one fsynced line of the order journal naming its inbox files, then the COMMIT,
 * which is durable. Only then do its entries move to the raw segments' archive
 * (removeCommitted), off the critical path: a leftover entry is recognised by its id and never
 * stored twice, and a journal line whose commit never happened is dropped at start-up.
 */
export class Ingestor {
  /** Inbox files whose events are committed: safe to archive at any time. */
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
  /** Set by the writer. */
  passHooks: PassHooks | undefined;

  constructor(
    private readonly database: LogbookDatabase,
    private readonly inboxDir: string,
    private readonly segments: SegmentLog,
    readonly options: IngestOptions,
  ) {
    this.linker = new CausationLinker(database.store);
  }

  /**
   * Appends everything waiting in the inbox in one transaction, journals the pass's order, and
   * commits: entries count as consumed only once it has committed, so a failed pass leaves them
   * all to the next (and its journal line, if it was written, is dropped before the next pass).
   */
  ingestPending(report: IngestReport = emptyReport()): IngestReport {
    this.recoverJournal();
    const batchSize = this.options.batchSize ?? 500;
    // The claim renames into the inbox: it must be a private folder of the user's own (safe-fs.ts).
    ensurePrivateDirs([dirname(this.inboxDir), this.inboxDir]);
    this.claimLiveLog();
    report.problems.push(...this.takeProblems());
    const names = this.pendingNames();
    if (names.length === 0) return report;
    const pass: Pass = { consumed: [], bytes: 0, workflowSessions: new Set(), logSizes: new Map(), unreadable: new Map(), order: [], interleaved: false };
    const entryNames = names.filter((name) => !isClaimedLog(name));
    const logs = names.filter(isClaimedLog);
    const reader = entryReader(this.inboxDir, entryNames, this.options.maxFieldBytes);
    let journaled = false;
    try {
      this.database.transaction(() => {
        let batch: PassItem[] = [];
        for (const item of passItems(this.inboxDir, entryNames, logs, this.logResume, pass, this.options.redactor)) {
          batch.push(item);
          if (batch.length >= batchSize) {
            this.ingestBatch(batch, reader, report, pass);
            batch = [];
          }
        }
        this.ingestBatch(batch, reader, report, pass);
        if (this.options.indexFullText === true && pass.consumed.length > 0) this.indexFullText();
        if (pass.consumed.length > 0) this.passHooks?.inTransaction();
        // The order goes to disk before the COMMIT: a store that holds these events always has it beside it.
        journaled = pass.consumed.length > 0;
        this.journal(pass);
      });
    } catch (error) {
      // The line names entries the store does not hold: dropped before the next pass journals them again.
      if (journaled) this.recovered = false;
      this.passHooks?.rolledBack();
      throw error;
    } finally {
      reader.close();
    }
    this.passHooks?.committed();
    for (const name of pass.consumed) this.committed.add(name);
    for (const [name, size] of pass.logSizes) this.logSizes.set(name, size);
    for (const session of pass.workflowSessions) this.workflowSessions.add(session);
    return report;
  }

  // A read model never keeps events from reaching the disk: if the index cannot be written, the
  // pass commits without it, and the writer's own catch-up (LogbookWriter.catchUpFullText, which
  // the CLI runs after its passes) tries again and reports the failure.
  private indexFullText(): void {
    try {
      this.database.store.catchUpFullText();
    } catch {
      // Taken back to its savepoint; the events are unaffected.
    }
  }

  /** One fsynced journal line for the pass: its inbox files, in append order, and the last position it reaches. */
  private journal(pass: Pass): void {
    if (pass.consumed.length === 0) return;
    // `order`, where entry files were merged between a log's records: `consumed` lists a log
    // once it is read whole, and a replay of whole logs would append in another order.
    this.segments.appendGroup(pass.consumed, this.database.store.lastGlobalPosition(), this.options.maxFieldBytes, pass.bytes, {
      unreadable: pass.unreadable, ...(pass.interleaved ? { order: pass.order } : {}),
    });
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
        // Seal only once every journal line is known to have its commit (recoverJournal has run).
        if (this.recovered && this.segments.full) this.segments.seal(this.inboxDir);
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

  get hasWorkflowSessions(): boolean {
    return this.workflowSessions.size > 0;
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

  /** Once per writer (and after a failed commit): forget journal groups whose commit never reached the disk. */
  private recoverJournal(): void {
    if (this.recovered) return;
    this.segments.dropUnlanded(this.database.store.lastGlobalPosition());
    this.recovered = true;
  }

  /** Removes a sealed journal's archived entries (those no later journal names), then the journal. */
  private async finishSeal(sealed: { journal: string; entries: readonly string[] }): Promise<void> {
    const needed = this.segments.namesAfter(sealed.journal);
    const names = sealed.entries.filter((name) => !needed.has(name) && !this.committed.has(name));
    for (let start = 0; start < names.length; start += 16) {
      await Promise.all(names.slice(start, start + 16).map(async (name) => {
        try {
          await promises.unlink(join(this.segments.archiveDir, name));
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
      .filter((n) => isInboxItemName(n) && !this.committed.has(n) && !this.stuck.has(n))
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
      // An entry is known by its first record's id, unless its events carry ids of their own
      // (usage events: the store keeps each once, and a new one may follow an old one).
      const entryId = first !== undefined && (item.knownId === undefined || item.knownId === first.event.eventId);
      if (first !== undefined && entryId && (seen.has(first.event.eventId) || unnamed.has(first.event.eventId))) {
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
    const redactor = this.options.redactor;
    // A prepared entry that may hold a secret is read again here, to be cleaned first.
    if (read.prepared !== undefined && redactor?.mayMatch(read.prepared[7]) !== true) return { records: [preparedRecord(read.prepared)], bytes: read.bytes };
    let text = read.text ?? readEntry(join(this.inboxDir, item.label));
    if (redactor !== undefined) text = redactEntryFile(this.inboxDir, item.label, text, redactor);
    // A raw payload that was not all UTF-8 (U+FFFD where bytes were bad): its bytes say where.
    const rawBytes = item.label.endsWith(RAW_HOOK_SUFFIX) && text.includes('\uFFFD') ? readContentIfThere(join(this.inboxDir, item.label), item.label)?.bytes : undefined;
    // Cleaned just above: no need to look for secrets again (a rebuild does, in the archived file,
    // and finds none there: redaction is idempotent).
    return { records: entryRecords(item.label, text, { maxFieldBytes: this.options.maxFieldBytes }, undefined, rawBytes), bytes: text.length };
  }

  private unreadableItem(name: string, reason: string, report: IngestReport, pass: Pass): { records: IngestRecord[]; bytes: number } {
    report.unreadableFiles.push(reason);
    pass.unreadable.set(name, reason);
    return { records: unreadableRecords(name, reason, this.options), bytes: 0 };
  }
}
