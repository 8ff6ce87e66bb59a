import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import type { LogbookPaths } from '../capture/paths';
import type { IngestReport } from './ingestor';
import type { EventStore } from '../store/event-store';
import { LogbookWriter } from './writer';
import { describeHolderShort } from './lock-text';
import { ensurePrivateDirs } from '../capture/safe-fs';
import type { RedactionSettings, Redactor } from '../domain/redaction/types';
import { RedactorCache } from './redactor-cache';

/** Lets the handlers of one hook event (run in parallel by Claude Code) land in one pass. */
const LEADING_DELAY_MS = 5;

export interface LiveIngestOptions {
  readonly owner: string;
  readonly maxFieldBytes: () => number;
  /** The `logbook.redaction.*` settings, read at every pass (a change applies to what is ingested next). */
  readonly redaction?: () => RedactionSettings;
  readonly debounceMs: () => number;
  readonly flushDebounceMs: () => number;
  readonly log: (message: string) => void;
  /** Told after each pass that appended something, e.g. to refresh views. */
  readonly onIngested?: (report: IngestReport) => void;
  /** How often a window that is not the writer tries to become it (a stale lock is taken over). */
  readonly retryMs?: number;
  /** Safety net for file-system events that a watcher misses. */
  readonly pollMs?: number;
}

/**
 * Keeps a workspace's inbox flowing into its store while a VS Code window is open: the
 * window that holds the lock ingests on inbox changes (debounced) and flushes in batches;
 * other windows wait and take over when the writer goes away. Never throws into its caller.
 */
export class LiveIngest {
  private writer: LogbookWriter | undefined;
  private watcher: FSWatcher | undefined;
  private ingestTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private disposed = false;
  private lastHolder = '';
  /** The last reason the store could not be opened, said once until it changes (a planted link stays). */
  private lastProblem = '';
  private lastIngestAt = 0;

  private readonly redactors: RedactorCache;

  constructor(private readonly paths: LogbookPaths, private readonly options: LiveIngestOptions) {
    this.redactors = new RedactorCache(options.redaction ?? (() => ({})), (problems) => options.log(`logbook.redaction: ${problems.join('; ')}`));
  }

  /** The writer's redactor, as a getter: the Ingestor reads it at every pass, so a settings change applies at once. */
  private redaction(): { readonly redactor: Redactor } {
    const redactors = this.redactors;
    return { get redactor(): Redactor { return redactors.redactor; } };
  }

  get isWriter(): boolean {
    return this.writer !== undefined;
  }

  /** The writer's open store (newest events, before they are flushed), while this window ingests. */
  get store(): EventStore | undefined {
    return this.writer?.database.store;
  }

  async start(): Promise<void> {
    try {
      ensurePrivateDirs([this.paths.dir, this.paths.inbox]);
    } catch (error) {
      // A planted link or another user's folder: said here; the retries below say it again only if it changes.
      this.options.log(`not ingesting: ${(error as Error).message}`);
    }
    await this.tryBecomeWriter();
    this.timers.push(setInterval(() => void this.tick(), this.options.retryMs ?? 5000));
    this.timers.push(setInterval(() => this.schedule(), this.options.pollMs ?? 2000));
    try {
      this.watcher = watch(this.paths.inbox, () => this.schedule());
      this.watcher.on('error', (error) => this.options.log(`inbox watcher stopped: ${error.message}; polling instead`));
    } catch (error) {
      this.options.log(`could not watch ${this.paths.inbox}: ${(error as Error).message}; polling instead`);
    }
  }

  /** Ingests and flushes at once (command "Ingest Inbox Now"). */
  async ingestNow(): Promise<IngestReport | undefined> {
    if (this.writer === undefined) await this.tryBecomeWriter();
    const report = this.runIngest();
    this.runFlush();
    return report;
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    for (const timer of [...this.timers, this.ingestTimer, this.flushTimer, this.idleTimer]) if (timer !== undefined) clearTimeout(timer);
    try {
      this.writer?.close();
    } catch (error) {
      this.options.log(`final flush failed: ${(error as Error).message} (entries stay in the inbox)`);
    }
    this.writer = undefined;
  }

  /**
   * Leading-edge throttle: the first entry after a quiet spell is ingested at once (a hook fired →
   * visible in the views within the P4 budget); a burst is then taken in passes at most one per
   * debounceMs. The few ms of delay let the parallel hooks of one event land in the same pass.
   */
  private schedule(): void {
    if (this.disposed || this.writer === undefined || this.ingestTimer !== undefined) return;
    const sinceLast = Date.now() - this.lastIngestAt;
    const wait = Math.max(LEADING_DELAY_MS, this.options.debounceMs() - sinceLast);
    this.ingestTimer = setTimeout(() => {
      this.ingestTimer = undefined;
      this.lastIngestAt = Date.now();
      this.runIngest();
    }, wait);
  }

  private async tick(): Promise<void> {
    if (this.disposed) return;
    if (this.writer === undefined) {
      await this.tryBecomeWriter();
      return;
    }
    if (!this.writer.stillOwned()) {
      this.options.log('another process took over the ingest lock; this window now only reads');
      this.dropWriter();
      return;
    }
    this.writer.heartbeat();
  }

  private async tryBecomeWriter(): Promise<void> {
    try {
      const started = await LogbookWriter.start(this.paths, this.options.owner, { maxFieldBytes: this.options.maxFieldBytes(), ...this.redaction() });
      if (this.disposed) {
        if (started.ok) started.writer.close();
        return;
      }
      if (!started.ok) {
        const holder = describeHolderShort(started.holder);
        if (holder !== this.lastHolder) this.options.log(`${holder} is ingesting this workspace; this window reads only`);
        this.lastHolder = holder;
        return;
      }
      for (const message of started.messages) this.options.log(message);
      this.writer = started.writer;
      this.options.log(`ingesting ${this.paths.inbox}`);
      this.schedule();
    } catch (error) {
      const problem = `could not open the store: ${(error as Error).message}`;
      if (problem !== this.lastProblem) this.options.log(problem);
      this.lastProblem = problem;
    }
  }

  private runIngest(): IngestReport | undefined {
    if (this.writer === undefined) return undefined;
    try {
      const report = this.writer.ingest();
      for (const problem of report.problems) this.options.log(`raw segments: ${problem}`);
      for (const problem of report.usageProblems) this.options.log(`usage: ${problem}`);
      if (report.appended > 0 || report.duplicates > 0) {
        if (report.quarantined > 0) this.options.log(`${report.quarantined} invalid input(s) kept in the $quarantine stream`);
        for (const unreadable of report.unreadableFiles) this.options.log(`${unreadable}; kept in the $quarantine stream`);
        this.options.onIngested?.(report);
        this.scheduleFlush();
      }
      return report;
    } catch (error) {
      this.options.log(`ingest failed: ${(error as Error).message} (entries stay in the inbox)`);
      this.dropWriter();
      return undefined;
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.runFlush();
    }, this.options.flushDebounceMs());
  }

  // The events were committed by the pass: what is left is batched here (snapshots, archiving).
  private runFlush(): void {
    const writer = this.writer;
    if (writer === undefined) return;
    try {
      if (writer.pendingFlush) writer.flush();
    } catch (error) {
      this.options.log(`snapshots not written: ${(error as Error).message} (the events are stored)`);
    }
    writer.removeCommittedEntries().catch((error: unknown) => this.options.log(`inbox cleanup: ${String(error)}`));
    this.scheduleIdleWork();
  }

  /** Keeps the full-text index close behind, in small steps, when nothing else is waiting. */
  private scheduleIdleWork(): void {
    if (this.idleTimer !== undefined) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.writer === undefined || this.ingestTimer !== undefined) return;
      try {
        const indexed = this.writer.catchUpFullText(5000);
        if (indexed === 5000) this.scheduleIdleWork();
        else if (indexed > 0 && this.writer.pendingFlush) this.scheduleFlush();
      } catch (error) {
        this.options.log(`full-text index: ${(error as Error).message}`);
      }
    }, 250);
  }

  private dropWriter(): void {
    const writer = this.writer;
    this.writer = undefined;
    try {
      writer?.close();
    } catch {
      // The lock is no longer ours: nothing to flush safely.
    }
  }
}
