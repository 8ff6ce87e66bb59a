import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { LogbookPaths } from '../capture/paths';
import { currentOverviewInSlices, readCatalogPart, readCatalogPartsInSlices } from '../projections/overview/overview-store';
import { overviewOf } from '../projections/overview/session-overview';
import type { SessionOverview } from '../projections/overview/session-overview';
import { isSessionStream } from '../projections/session-catalog';
import { withinFold } from '../projections/fold-scope';
import { applySessionEvent, initialSessionSummary } from '../projections/session-summary';
import type { SessionSummaryState } from '../projections/session-summary';
import type { EventStore, RecordedEvent } from '../store/event-store';
import { LogbookDatabase } from '../store/logbook-database';

// The read side of one workspace for the views: a read-only connection on the store file,
// re-queried after each pass (a new one when a rebuild replaced the file), whoever writes: the
// window's own ingest worker, another window or the CLI.
// Every session is listed from its overview row, which the writer keeps in the store
// (projections/overview/): a window lists a year of sessions without folding or parsing their
// full summaries. A full summary is read when a view asks for one, and kept current from then on.

export interface CatchUpResult {
  readonly sessions: ReadonlySet<string>;
  /** Everything was read again (the store was replaced by a different one). */
  readonly reset: boolean;
}

export class WorkspaceLogbook {
  private rows = new Map<string, SessionOverview>();
  private readonly summaries = new Map<string, SessionSummaryState>();
  /** Global position of the last event the rows reflect. */
  private position = 0;
  private fileDatabase: LogbookDatabase | undefined;
  private fileStamp = '';

  constructor(readonly paths: LogbookPaths, private readonly log: (message: string) => void) {}

  get name(): string {
    return basename(this.paths.workspace);
  }

  /** Every session's overview row. */
  overview(): ReadonlyMap<string, SessionOverview> {
    return this.rows;
  }

  /** The store to read now, or undefined when there is none yet. */
  async store(): Promise<EventStore | undefined> {
    return (await this.readFile())?.store;
  }

  /** The database the views read now (after a catchUp), without opening one: undefined before the first read. */
  held(): LogbookDatabase | undefined {
    return this.fileDatabase;
  }

  /** Reads what is new; tells which sessions changed. */
  async catchUp(): Promise<CatchUpResult> {
    const store = await this.store();
    const file = this.fileDatabase;
    if (store === undefined || file === undefined) return { sessions: new Set(), reset: false };
    const end = store.lastGlobalPosition();
    let reset = false;
    if (end < this.position) {
      this.rows = new Map();
      this.summaries.clear();
      this.position = 0;
      reset = true;
    }
    if (this.position === 0) return { sessions: await this.readOverview(file, store), reset };
    if (end === this.position) return { sessions: new Set(), reset };
    const sessions = new Set(store.streamsAfter(this.position).filter(isSessionStream));
    withinFold(() => {
      for (const id of sessions) {
        // A summary this window holds is brought up to date; the others are the writer's row.
        const held = this.summaries.get(id);
        const summary = held === undefined ? undefined : caughtUp(store, held, id);
        if (summary !== undefined) this.summaries.set(id, summary);
        this.rows.set(id, overviewOf(summary ?? this.storedOrFolded(file, store, id), id));
      }
    });
    this.position = end;
    return { sessions, reset };
  }

  // The first read: every row at once, in slices with the thread given back between them (5,000
  // rows are tens of milliseconds of parsing); what the rows trail is folded.
  private async readOverview(file: LogbookDatabase, store: EventStore): Promise<Set<string>> {
    const state = await currentOverviewInSlices(file.raw, store, () => new Promise<void>((resolve) => setImmediate(resolve)));
    if (this.fileDatabase !== file) return new Set();
    this.rows = new Map(state.rows);
    this.position = state.position;
    return new Set(this.rows.keys());
  }

  // A session's stored summary brought to the store's end; its row is made from it.
  private storedOrFolded(file: LogbookDatabase, store: EventStore, sessionId: string): SessionSummaryState {
    return caughtUp(store, readCatalogPart(file.raw, sessionId) ?? initialSessionSummary, sessionId);
  }

  /** A session's full summary (read from the store the first time it is asked for), or undefined when there is no such session. */
  summary(sessionId: string): SessionSummaryState | undefined {
    const held = this.summaries.get(sessionId);
    if (held !== undefined) return held;
    const file = this.fileDatabase;
    if (file === undefined || !this.rows.has(sessionId)) return undefined;
    const summary = withinFold(() => this.storedOrFolded(file, file.store, sessionId));
    // Kept once read: at most every session's, which is what a window held before the overview.
    this.summaries.set(sessionId, summary);
    return summary;
  }

  /**
   * Reads the full summaries of the sessions `wanted` picks, in slices with the thread given back
   * between them (the editor's inline journal wants every session that edited a file: at a year
   * of history, tens of megabytes of summaries, never in one piece). Returns those now held.
   */
  async loadSummaries(wanted: (row: SessionOverview) => boolean, pause: () => Promise<void>): Promise<SessionSummaryState[]> {
    const file = this.fileDatabase;
    if (file === undefined) return [];
    const pick = (id: string): boolean => {
      const row = this.rows.get(id);
      return row !== undefined && !this.summaries.has(id) && wanted(row);
    };
    const parts = await readCatalogPartsInSlices(file.raw, pick, pause);
    if (this.fileDatabase !== file) return [];
    const held: SessionSummaryState[] = [];
    let folded = 0;
    for (const row of this.rows.values()) {
      if (!wanted(row)) continue;
      let summary = this.summaries.get(row.sessionId);
      if (summary === undefined) {
        const part = parts.get(row.sessionId);
        // A part that trails its row (events since the catalog was saved) is brought up to date.
        summary = part !== undefined && part.lastPosition >= row.lastPosition ? part : withinFold(() => this.storedOrFolded(file, file.store, row.sessionId));
        this.summaries.set(row.sessionId, summary);
        if (part === undefined || part !== summary) folded += 1;
        if (folded % 50 === 49) await pause();
      }
      held.push(summary);
    }
    return held;
  }

  /** The full summaries of the sessions whose journal has entries (what the journal views show). */
  *journaled(): Iterable<SessionSummaryState> {
    for (const row of this.rows.values()) {
      if (row.journalEntries === 0) continue;
      const summary = this.summary(row.sessionId);
      if (summary !== undefined) yield summary;
    }
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

/** The summary with the events of its stream it does not hold yet folded in. */
function caughtUp(store: EventStore, summary: SessionSummaryState, sessionId: string): SessionSummaryState {
  let s = summary;
  for (const event of store.readStream(sessionId, { from: summary.eventsFolded + 1 })) {
    if (event.globalPosition > s.lastPosition) s = applySessionEvent(s, event);
  }
  return s;
}
