import type { LogbookPaths } from '../capture/paths';
import { CatalogKeeper } from '../projections/overview/catalog-keeper';
import { LinkKeeper } from '../projections/groups/link-keeper';
import type { LogbookDatabase } from '../store/logbook-database';
import { emptyReport, Ingestor } from './ingestor';
import type { IngestOptions, IngestReport } from './ingestor';
import { tryAcquireLock } from './lock';
import type { HeldLock, LockInfo } from './lock';
import { openStoreForWriting } from './open-store';
import { SegmentLog } from './segments';
import { SessionSnapshotWriter } from '../workflow/state-files';
import { UsageRecorder } from './usage/usage-recorder';
import { saveUsageBackfilled, usageBackfilledThrough } from './usage/usage-state';

export type WriterStart =
  | { readonly ok: true; readonly writer: LogbookWriter; readonly messages: string[] }
  | { readonly ok: false; readonly holder: LockInfo | undefined };

/**
 * The workspace's single writer: holds the lock, the open store and the ingestor. The CLI uses
 * it for one pass; the extension keeps it for the window's life and calls it on inbox changes.
 */
export class LogbookWriter {
  private readonly catalog: CatalogKeeper;
  private catalogError: string | undefined;
  private catalogChecked = false;
  private readonly sessionSnapshots: SessionSnapshotWriter;
  private readonly usage: UsageRecorder;
  private usageBackfillChecked = false;
  /** While this writer reads the sessions stored before usage was recorded: the position they reach. */
  private backfillThrough: number | undefined;

  private constructor(
    private readonly paths: LogbookPaths,
    readonly database: LogbookDatabase,
    private readonly lock: HeldLock,
    private readonly ingestor: Ingestor,
  ) {
    this.catalog = new CatalogKeeper(database.raw, database.store);
    if (ingestor.options.linkSessions !== false) this.catalog.observer = new LinkKeeper(database.raw, database.store);
    ingestor.passHooks = {
      inTransaction: () => this.keepCatalog(),
      committed: () => this.catalog.committed(),
      rolledBack: () => this.catalog.rolledBack(),
    };
    this.sessionSnapshots = new SessionSnapshotWriter(paths, database.store);
    this.usage = new UsageRecorder(paths, database.store);
  }

  static async start(paths: LogbookPaths, owner: string, options: IngestOptions): Promise<WriterStart> {
    const attempt = tryAcquireLock(paths.lock, owner);
    if (!attempt.acquired) return { ok: false, holder: attempt.holder };
    try {
      const { database, messages } = await openStoreForWriting(paths, options.redactor);
      if (attempt.tookOverFrom !== undefined) {
        messages.unshift(`took over a stale ingest lock from ${attempt.tookOverFrom.owner} (pid ${attempt.tookOverFrom.pid} on ${attempt.tookOverFrom.hostname})`);
      }
      const ingestor = new Ingestor(database, paths.inbox, new SegmentLog(paths.segments), options);
      return { ok: true, writer: new LogbookWriter(paths, database, attempt.lock, ingestor), messages };
    } catch (error) {
      attempt.lock.release();
      throw error;
    }
  }

  /**
   * Appends what waits in the inbox and commits it (durable when this returns): journal line,
   * then COMMIT. Then the usage the transcripts of the sessions it touched gained goes to the
   * inbox, and in with a second pass. The entries leave the inbox later (removeCommittedEntries).
   */
  ingest(report: IngestReport = emptyReport()): IngestReport {
    this.assertOwned();
    this.lock.heartbeat();
    this.catchUpCatalog();
    this.ingestor.ingestPending(report);
    this.startUsageBackfill();
    const usage = this.usage.record(report.sessions);
    report.usageProblems.push(...usage.problems);
    report.usageEvents += usage.events;
    if (usage.entries > 0) this.ingestor.ingestPending(report);
    if (this.backfillThrough !== undefined && !this.usage.isBehind) {
      // Every session stored before usage was recorded has been read: no writer checks them again.
      saveUsageBackfilled(this.paths, this.backfillThrough);
      this.backfillThrough = undefined;
    }
    return report;
  }

  /**
   * Once per store, not per writer: the sessions stored before usage was recorded (an upgrade)
   * are queued, their transcripts read within each pass's budget; a marker then says it is done.
   */
  private startUsageBackfill(): void {
    if (this.usageBackfillChecked) return;
    this.usageBackfillChecked = true;
    if (usageBackfilledThrough(this.paths) !== undefined) return;
    this.backfillThrough = this.database.store.lastGlobalPosition();
    this.usage.enqueueUnrecorded(this.database.store.streams().map((stream) => stream.streamId));
  }

  /** Whether some session's transcripts hold usage a pass's budget left for the next pass. */
  get usageBehind(): boolean {
    return this.usage.isBehind;
  }

  /**
   * The work that follows commits, batched (debounced in VS Code): the hook's session snapshots.
   * The events themselves were durable at ingest(): nothing here is needed for them.
   */
  flush(): void {
    this.assertOwned();
    // The hook decides from these snapshots: refreshed from committed events only.
    this.sessionSnapshots.write(this.ingestor.takeWorkflowSessions());
  }

  /** Why the session catalog stopped being kept, if it did (the events are stored regardless; readers fold what it lacks). */
  get catalogProblem(): string | undefined {
    return this.catalogError;
  }

  /**
   * Once per writer: a catalog that trails the store (an upgrade changed the summary's version,
   * or the last writer's catalog stopped) is brought up to date in its own commit, so readers
   * are not left folding while no new event comes in. At a year of history this is a one-off
   * of tens of seconds; in VS Code it runs in the writer's worker.
   */
  private catchUpCatalog(): void {
    if (this.catalogChecked || this.catalogError !== undefined) return;
    this.catalogChecked = true;
    try {
      if (!this.catalog.behind) return;
      this.database.transaction(() => this.keepCatalog());
      this.catalog.committed();
    } catch (error) {
      this.stopCatalog(error);
    }
  }

  // Every session's summary and overview row, saved in the pass's transaction (catalog-keeper.ts).
  // A read model must never keep events from reaching the disk: a failure undoes its own writes
  // (a savepoint) and stops it for this writer, never the pass.
  private keepCatalog(): void {
    if (this.catalogError !== undefined) return;
    const db = this.database.raw;
    db.run('SAVEPOINT session_catalog');
    try {
      this.catalog.update();
      db.run('RELEASE session_catalog');
    } catch (error) {
      db.run('ROLLBACK TO session_catalog');
      db.run('RELEASE session_catalog');
      this.stopCatalog(error);
    }
  }

  // Never in the way of the events: this writer goes on without the catalog (readers fold what it lacks).
  private stopCatalog(error: unknown): void {
    this.catalog.reset();
    this.catalogError = `the session catalog stopped: ${(error as Error).message}`;
  }

  /** Problems met with the writer's own files since the last pass (segment lines, archive moves), each told once. */
  takeProblems(): string[] {
    return this.ingestor.takeProblems();
  }

  /** Removes inbox entries whose events are on disk; off the critical path. */
  removeCommittedEntries(): Promise<number> {
    return this.ingestor.removeCommitted();
  }

  /**
   * Idle work: index what the full-text index has not seen yet (one commit per call: callers
   * take large steps). Returns how many events it indexed.
   */
  catchUpFullText(limit?: number): number {
    this.assertOwned();
    return this.database.catchUpFullText(limit);
  }

  /** Whether flush() has work: snapshots to write (the events are committed already). */
  get pendingFlush(): boolean {
    return this.ingestor.hasWorkflowSessions;
  }

  /** The held lock's token: whoever outlives this writer (a crashed worker's owner) can release exactly this lock. */
  get lockToken(): string {
    return this.lock.info.token;
  }

  heartbeat(): void {
    this.lock.heartbeat();
  }

  stillOwned(): boolean {
    return this.lock.stillOwned();
  }

  /** Writes the snapshots that are due and releases the lock (committed entries left in the inbox are archived by the next writer). */
  close(): void {
    try {
      if (this.pendingFlush && this.lock.stillOwned()) this.flush();
    } finally {
      this.lock.release();
      this.database.close();
    }
  }

  private assertOwned(): void {
    if (!this.lock.stillOwned()) throw new Error('the ingest lock was taken over by another process; this writer stopped');
  }
}
