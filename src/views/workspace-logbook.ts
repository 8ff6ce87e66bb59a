import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { LogbookPaths } from '../capture/paths';
import { loadCatalogSnapshotInSlices, SessionCatalog } from '../projections/session-catalog';
import type { SessionSummaryState } from '../projections/session-summary';
import type { EventStore, RecordedEvent } from '../store/event-store';
import { LogbookDatabase } from '../store/logbook-database';

// The read side of one workspace for the views: a read-only connection on the store file,
// re-queried after each pass (a new one when a rebuild replaced the file), whoever writes: the
// window's own ingest worker, another window or the CLI. The catalog folds only what is new.

export interface CatchUpResult {
  readonly sessions: ReadonlySet<string>;
  /** The catalog was rebuilt from scratch (the store was replaced by a different one). */
  readonly reset: boolean;
}

export class WorkspaceLogbook {
  readonly catalog = new SessionCatalog();
  private fileDatabase: LogbookDatabase | undefined;
  private fileStamp = '';

  constructor(readonly paths: LogbookPaths, private readonly log: (message: string) => void) {}

  get name(): string {
    return basename(this.paths.workspace);
  }

  /** The store to read now, or undefined when there is none yet. */
  async store(): Promise<EventStore | undefined> {
    return (await this.readFile())?.store;
  }

  /** Folds what is new; tells which sessions changed. */
  async catchUp(): Promise<CatchUpResult> {
    const store = await this.store();
    if (store === undefined) return { sessions: new Set(), reset: false };
    let reset = false;
    if (store.lastGlobalPosition() < this.catalog.position) {
      this.catalog.reset();
      reset = true;
    }
    const restored = this.catalog.position === 0 ? await this.restoreSnapshot(store) : [];
    const sessions = this.catalog.catchUp(store);
    for (const sessionId of restored) sessions.add(sessionId);
    return { sessions, reset };
  }

  // The first pass resumes from the writer's last catalog snapshot in the file instead of folding
  // every event.
  private async restoreSnapshot(store: EventStore): Promise<string[]> {
    const file = this.fileDatabase;
    if (file === undefined || file.store !== store) return [];
    try {
      // In slices, the thread given back between them: at 1M events the snapshot holds thousands of
      // sessions, seconds of reading and parsing that would freeze the window in one piece.
      const snapshot = await loadCatalogSnapshotInSlices(file.raw, () => store.lastGlobalPosition(), () => new Promise<void>((resolve) => setImmediate(resolve)));
      if (this.fileDatabase !== file) return [];
      if (snapshot === undefined) return [];
      this.catalog.restore(snapshot);
      return Object.keys(snapshot.state);
    } catch (error) {
      this.log(`catalog snapshot not used (${(error as Error).message}); folding every event instead`);
      return [];
    }
  }

  summary(sessionId: string): SessionSummaryState | undefined {
    return this.catalog.get(sessionId);
  }

  async readStream(sessionId: string): Promise<RecordedEvent[]> {
    return (await this.store())?.readStream(sessionId) ?? [];
  }

  dispose(): void {
    this.closeFile();
  }

  private async readFile(): Promise<LogbookDatabase | undefined> {
    let stamp: string;
    let sameFile: boolean;
    try {
      const stat = statSync(this.paths.store);
      stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      // A page-file connection sees each commit as it is re-queried: only another file (a
      // rebuild renamed over the store, another inode) needs a new one. A store read whole (an
      // older schema, until the writer migrates it) is read again on every change.
      sameFile = this.fileDatabase?.holding === 'read-only' ? this.fileStamp.split(':')[0] === String(stat.ino) : stamp === this.fileStamp;
    } catch {
      return this.fileDatabase;
    }
    if (sameFile && this.fileDatabase !== undefined) return this.fileDatabase;
    let opened: Awaited<ReturnType<typeof LogbookDatabase.open>>;
    try {
      opened = await LogbookDatabase.open(this.paths.store);
    } catch (error) {
      // A planted journal link or lock marker beside the store: named, never followed.
      this.log(`${(error as Error).message}; showing what was read before`);
      return this.fileDatabase;
    }
    if (!opened.ok) {
      if (opened.problem.kind === 'corrupt') this.log(`${this.paths.store} could not be read (${opened.problem.reason}); showing what was read before`);
      return this.fileDatabase;
    }
    this.closeFile();
    this.fileDatabase = opened.database;
    this.fileStamp = stamp;
    return this.fileDatabase;
  }

  private closeFile(): void {
    this.fileDatabase?.close();
    this.fileDatabase = undefined;
    this.fileStamp = '';
  }
}
