import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import type { LogbookPaths } from '../capture/paths';
import { ensurePrivateDirs } from '../capture/safe-fs';
import type { RedactionSettings } from '../domain/redaction/types';
import { releaseLockOf } from './lock';
import { clearMarkersOfThread } from '../store/pagefile/file-locks';
import type { IngestSummary, WriterSettings } from './worker/protocol';
import { RequestFailed, WorkerStopped, WriterClient } from './worker/writer-client';
import type { RequestBody } from './worker/writer-client';
import type { WriterResult } from './worker/protocol';

/** Lets the handlers of one hook event (run in parallel by Claude Code) land in one pass. */
const LEADING_DELAY_MS = 5;
/** Events indexed (and folded towards the next catalog snapshot) per idle step. */
const IDLE_STEP = 5000;

export interface LiveIngestOptions {
  readonly owner: string;
  readonly maxFieldBytes: () => number;
  /** The `logbook.redaction.*` settings, read at every pass (a change applies to what is ingested next). */
  readonly redaction?: () => RedactionSettings;
  readonly debounceMs: () => number;
  readonly flushDebounceMs: () => number;
  readonly log: (message: string) => void;
  /** Told after each pass that appended something (committed: a reader sees it), e.g. to refresh views. */
  readonly onIngested?: (report: IngestSummary) => void;
  /** How often a window that is not the writer tries to become it (a stale lock is taken over). */
  readonly retryMs?: number;
  /** Safety net for file-system events that a watcher misses. */
  readonly pollMs?: number;
  /** The worker's script (tests: one that fails); by default the bundled dist/ingest-worker.js. */
  readonly workerScript?: string;
}

/**
 * Keeps a workspace's inbox flowing into its store while a VS Code window is open: the window
 * that holds the lock ingests on inbox changes (debounced) and flushes in batches; other windows
 * wait and take over when the writer goes away. The writer itself runs in a worker thread
 * (worker/ingest-worker.ts): a pass, a flush or the full-text catch-up can take seconds on a big
 * store, and the extension host's main thread must never wait on them. Here only the scheduling
 * stays, and VS Code's settings, read at every pass. Never throws into its caller.
 */
export class LiveIngest {
  private client: WriterClient | undefined;
  private holding = false;
  private lockToken = '';
  private watcher: FSWatcher | undefined;
  private ingestTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private disposed = false;
  private closed: Promise<void> | undefined;
  private ingesting = false;
  private ingestAgain = false;
  private lastHolder = '';
  /** The last reason the store could not be opened, said once until it changes (a planted link stays). */
  private lastProblem = '';
  private lastIngestAt = 0;

  constructor(private readonly paths: LogbookPaths, private readonly options: LiveIngestOptions) {}

  /** Whether this window's worker holds the ingest lock. */
  get isWriter(): boolean {
    return this.holding;
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

  /** Ingests and flushes at once (command "Ingest Inbox Now"); undefined when another window or process ingests. */
  async ingestNow(): Promise<IngestSummary | undefined> {
    if (!this.holding) await this.tryBecomeWriter();
    const report = await this.runIngest();
    await this.runFlush();
    return report;
  }

  /** Stops ingesting: the worker ends its pass in flight, writes the snapshots due and releases the lock. */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  dispose(): void {
    void this.close();
  }

  private async shutDown(): Promise<void> {
    this.disposed = true;
    this.watcher?.close();
    for (const timer of [...this.timers, this.ingestTimer, this.flushTimer, this.idleTimer]) if (timer !== undefined) clearTimeout(timer);
    const client = this.client;
    if (client === undefined) return;
    try {
      await client.request({ type: 'close' });
    } catch (error) {
      this.options.log(`final flush failed: ${(error as Error).message} (entries stay in the inbox)`);
    }
    await client.terminate();
    this.holding = false;
    if (this.lockToken !== '') releaseLockOf(this.paths.lock, this.lockToken);
  }

  /**
   * Leading-edge throttle: the first entry after a quiet spell is ingested at once (a hook fired →
   * visible in the views within the P4 budget); a burst is then taken in passes at most one per
   * debounceMs. The few ms of delay let the parallel hooks of one event land in the same pass.
   */
  private schedule(): void {
    if (this.disposed || !this.holding || this.ingestTimer !== undefined) return;
    if (this.ingesting) {
      this.ingestAgain = true;
      return;
    }
    const sinceLast = Date.now() - this.lastIngestAt;
    const wait = Math.max(LEADING_DELAY_MS, this.options.debounceMs() - sinceLast);
    this.ingestTimer = setTimeout(() => {
      this.ingestTimer = undefined;
      this.lastIngestAt = Date.now();
      void this.runIngest();
    }, wait);
  }

  private async tick(): Promise<void> {
    if (this.disposed) return;
    if (!this.holding) {
      await this.tryBecomeWriter();
      return;
    }
    const answer = await this.ask({ type: 'tick' }, 'lock heartbeat');
    if (answer?.type === 'owned' && !answer.owned && this.holding) {
      this.options.log('another process took over the ingest lock; this window now only reads');
      this.holding = false;
    }
  }

  private settings(): WriterSettings {
    return { maxFieldBytes: this.options.maxFieldBytes(), redaction: this.options.redaction?.() ?? {} };
  }

  private async tryBecomeWriter(): Promise<void> {
    if (this.disposed) return;
    this.client ??= new WriterClient(
      { workspace: this.paths.workspace, owner: this.options.owner },
      { log: this.options.log, onStopped: (reason) => this.workerStopped(reason) },
      this.options.workerScript,
    );
    let started: WriterResult;
    try {
      started = await this.client.request({ type: 'start', settings: this.settings() });
    } catch (error) {
      const problem = error instanceof WorkerStopped ? error.message : `could not open the store: ${(error as Error).message}`;
      if (problem !== this.lastProblem) this.options.log(problem);
      this.lastProblem = problem;
      return;
    }
    if (started.type !== 'started') return;
    if (!started.writer) {
      if (started.holder !== this.lastHolder) this.options.log(`${started.holder} is ingesting this workspace; this window reads only`);
      this.lastHolder = started.holder;
      return;
    }
    for (const message of started.messages) this.options.log(message);
    this.lockToken = started.lockToken;
    if (this.disposed) return;
    this.holding = true;
    this.options.log(`ingesting ${this.paths.inbox}`);
    this.schedule();
  }

  private async runIngest(): Promise<IngestSummary | undefined> {
    if (!this.holding) return undefined;
    this.ingesting = true;
    try {
      const answer = await this.ask({ type: 'ingest', settings: this.settings() }, 'ingest');
      if (answer?.type !== 'ingested') return undefined;
      const report = answer.report;
      for (const problem of report.problems) this.options.log(`raw segments: ${problem}`);
      for (const problem of report.usageProblems) this.options.log(`usage: ${problem}`);
      if (report.appended > 0 || report.duplicates > 0) {
        if (report.quarantined > 0) this.options.log(`${report.quarantined} invalid input(s) kept in the $quarantine stream`);
        for (const unreadable of report.unreadableFiles) this.options.log(`${unreadable}; kept in the $quarantine stream`);
        this.options.onIngested?.(report);
        this.scheduleFlush();
      }
      return report;
    } finally {
      this.ingesting = false;
      if (this.ingestAgain) {
        this.ingestAgain = false;
        this.schedule();
      }
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined || this.disposed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.runFlush();
    }, this.options.flushDebounceMs());
  }

  private async runFlush(): Promise<void> {
    if (!this.holding) return;
    await this.ask({ type: 'flush' }, 'flush');
    this.scheduleIdleWork();
  }

  /** Keeps the full-text index close behind, in steps, when nothing else is waiting. */
  private scheduleIdleWork(): void {
    if (this.idleTimer !== undefined || this.disposed) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (!this.holding || this.ingestTimer !== undefined || this.ingesting) return;
      void this.ask({ type: 'idle', limit: IDLE_STEP }, 'full-text index').then((answer) => {
        if (answer?.type !== 'idle') return;
        if (answer.done === IDLE_STEP) this.scheduleIdleWork();
        else if (answer.done > 0 && answer.pendingFlush) this.scheduleFlush();
      });
    }, 250);
  }

  /** A request to the worker; a failure is logged (and, for a failed pass, the writer is gone), never thrown. */
  private async ask(body: RequestBody, what: string): Promise<WriterResult | undefined> {
    const client = this.client;
    if (client === undefined) return undefined;
    try {
      return await client.request(body);
    } catch (error) {
      if (error instanceof WorkerStopped) return undefined;
      if (error instanceof RequestFailed && error.writerClosed) {
        this.holding = false;
        this.options.log(`${what} failed: ${error.message} (entries stay in the inbox)`);
      } else {
        this.options.log(`${what}: ${(error as Error).message}`);
      }
      return undefined;
    }
  }

  // A crash loses no event: what was committed is in the store, the rest is still in the inbox
  // (a pass cut short leaves a hot journal, rolled back by the next writer). The locks it held
  // name this live process: released here, and a new worker is tried at the next retry.
  private workerStopped(reason: string): void {
    if (this.client !== undefined) clearMarkersOfThread(this.paths.store, this.client.threadId);
    this.client = undefined;
    this.holding = false;
    if (this.lockToken !== '') releaseLockOf(this.paths.lock, this.lockToken);
    this.lockToken = '';
    if (!this.disposed) this.options.log(`the ingest worker stopped (${reason}); entries stay in the inbox; a new one is started at the next retry`);
  }
}
