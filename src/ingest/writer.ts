import type { LogbookPaths } from '../capture/paths';
import type { LogbookDatabase } from '../store/logbook-database';
import { emptyReport, Ingestor } from './ingestor';
import type { IngestOptions, IngestReport } from './ingestor';
import { tryAcquireLock } from './lock';
import type { HeldLock, LockInfo } from './lock';
import { openStoreForWriting } from './open-store';
import { SegmentLog } from './segments';
import { writeSessionSnapshots } from '../workflow/state-files';

export type WriterStart =
  | { readonly ok: true; readonly writer: LogbookWriter; readonly messages: string[] }
  | { readonly ok: false; readonly holder: LockInfo | undefined };

/**
 * The workspace's single writer: holds the lock, the open store and the ingestor. The CLI uses
 * it for one pass; the extension keeps it for the window's life and calls it on inbox changes.
 */
export class LogbookWriter {
  private constructor(
    private readonly paths: LogbookPaths,
    readonly database: LogbookDatabase,
    private readonly lock: HeldLock,
    private readonly ingestor: Ingestor,
  ) {}

  static async start(paths: LogbookPaths, owner: string, options: IngestOptions): Promise<WriterStart> {
    const attempt = tryAcquireLock(paths.lock, owner);
    if (!attempt.acquired) return { ok: false, holder: attempt.holder };
    try {
      const { database, messages } = await openStoreForWriting(paths);
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

  /** Appends what waits in the inbox; nothing leaves the inbox until flush(). */
  ingest(report: IngestReport = emptyReport()): IngestReport {
    this.assertOwned();
    this.lock.heartbeat();
    return this.ingestor.ingestPending(report);
  }

  /** Durable write of the store, then removal of the inbox entries it holds. */
  flush(): number {
    this.assertOwned();
    const bytes = this.ingestor.commit();
    // The hook decides from these snapshots: refresh them only once the events are on disk.
    writeSessionSnapshots(this.paths, this.database.store, this.ingestor.takeWorkflowSessions());
    return bytes;
  }

  /** Removes inbox entries whose events are on disk; off the critical path. */
  removeCommittedEntries(): Promise<number> {
    return this.ingestor.removeCommitted();
  }

  /** Idle work: index what the full-text projection has not seen yet (persisted by the next flush). */
  catchUpFullText(limit?: number): number {
    this.assertOwned();
    return this.database.catchUpFullText(limit);
  }

  get pendingFlush(): boolean {
    return this.database.isDirty || this.ingestor.waitingForFlush > 0;
  }

  heartbeat(): void {
    this.lock.heartbeat();
  }

  stillOwned(): boolean {
    return this.lock.stillOwned();
  }

  /** Flushes what is pending and releases the lock. */
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
