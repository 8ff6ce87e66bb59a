import { lstatSync, statSync } from 'node:fs';
import type { LiveSession } from '../../domain/control/live-session';
import type { Redactor } from '../../domain/redaction/types';
import { logbookPaths } from '../../capture/paths';
import type { LogbookPaths } from '../../capture/paths';
import { isReservedStreamId } from '../../ingest/normalize';
import { ingestRedactor } from '../../ingest/redact-entry';
import type { RecordedEvent } from '../../store/event-store';
import { LogbookDatabase } from '../../store/logbook-database';
import { currentOverviewInSlices, readAllRows, storedPosition, withTail } from '../overview/overview-store';
import { overviewOf } from '../overview/session-overview';
import type { SessionOverview } from '../overview/session-overview';
import type { PriceTable } from '../pricing';
import { foldLiveSession, liveSessionOf } from './live-fold';
import type { LiveFold } from './live-fold';
import { asRecorded, readPendingEvents } from './pending-events';
import { EMPTY_FOLD, StoreCache, storeKeyOf } from './store-cache';
import type { StoredFold } from './store-cache';
import type { InboxEventCache, PendingEvent } from './pending-events';

// The live sessions of one workspace, read without writing to it: the store is opened read-only
// (as the CLI's readers open it, minus their roll-back of a killed writer's commit, which takes
// the lock and writes), and the inbox is only read. What it costs, at a year of history:
// - the overview rows, one per session (readAllRows: ~85 ms at 6,881 sessions), which pick the
//   sessions still in progress and are handed back for the history's thresholds;
// - the whole stream of each live session (its events, read a page at a time), folded into its
//   summary and signals: proportional to the live sessions' length, not the store's;
// - every entry waiting in the inbox (pending-events.ts; cached between reads when given a cache).
// A session is live when, with its waiting entries folded on, it has not ended and its last
// event is within `activeWithinMs` of `now`. A store that is missing, unreadable or damaged is a
// problem named for the workspace, never a throw.

export const DEFAULT_ACTIVE_WITHIN_MS = 24 * 60 * 60 * 1000;
/** The cap on a text field the writer applies by default (logbook.capture.maxFieldBytes). */
const DEFAULT_MAX_FIELD_BYTES = 65_536;
const PAGE = 2000;

export interface LiveReadOptions {
  readonly now: number;
  /** How recent a session's last event must be to count as live; default 24 h. */
  readonly activeWithinMs?: number;
  /** How the writer would redact waiting entries; default: the built-in detectors (pass the workspace's settings' redactor to honour them). */
  readonly redactor?: Redactor;
  readonly maxFieldBytes?: number;
  readonly prices?: PriceTable;
  /** Kept by the caller between reads of this workspace: waiting entries are then read once each. */
  readonly inboxCache?: InboxEventCache;
  /** Kept by the caller between reads: the store is then read only when it changed, and only for what changed (store-cache.ts). */
  readonly storeCache?: StoreCache;
  /** A window's main thread: every session's row is read in slices, this awaited between them (a year of history is ~100 ms of rows). */
  readonly pause?: () => Promise<void>;
}

export interface LiveRead {
  /** Most recent activity first. */
  readonly sessions: LiveSession[];
  /** Every session's overview row (the live ones as just folded), for the history's thresholds. */
  readonly rows: SessionOverview[];
  readonly problems: string[];
}

/** What the store gives the read; an empty view when there is no store. */
interface StoreView {
  readonly rows: Map<string, SessionOverview>;
  readonly end: number;
  /** The fold of the session's stored stream, and the stream's version it reached (kept in `folds`). */
  storedFold(sessionId: string): StoredFold;
  /** Which of these waiting events the store holds already (kept in `storedIds`). */
  stored(eventIds: readonly string[]): Set<string>;
  /** What this read folded and found, for the next read (store-cache.ts). */
  readonly folds: Map<string, StoredFold>;
  readonly storedIds: Set<string>;
}

const NO_STORE: StoreView = { rows: new Map(), end: 0, storedFold: () => EMPTY_FOLD, stored: () => new Set(), folds: new Map(), storedIds: new Set() };

/** The workspace's in-progress sessions, its waiting inbox entries folded on. Never writes to the workspace. */
export async function readLiveSessions(workspace: string, options: LiveReadOptions): Promise<LiveRead> {
  if (!isFolder(workspace)) return { sessions: [], rows: [], problems: [`${workspace}: the workspace folder no longer exists`] };
  const paths = logbookPaths(workspace);
  const problems: string[] = [];
  // The inbox before the store: an entry ingested in between is then in the store (and skipped
  // here), never in neither.
  let pending = new Map<string, PendingEvent[]>();
  try {
    pending = readPendingEvents(paths.inbox, {
      maxFieldBytes: options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES, redactor: options.redactor ?? defaultRedactor(), cache: options.inboxCache,
    });
  } catch (error) {
    problems.push(`${workspace}: cannot read the inbox ${paths.inbox}: ${messageOf(error)}`);
  }
  const cache = options.storeCache;
  const key = storeKeyOf(paths.store);
  if (cache !== undefined && cache.covers(key, pending.keys())) {
    // The store is as the last read left it: only the waiting entries are folded again.
    return { ...foldLive(workspace, cache.view(), pending, options, problems), problems };
  }
  const opened = await openReadOnly(paths);
  if (opened.kind === 'problem') return { sessions: [], rows: [], problems: [...problems, `${workspace}: ${opened.text}`] };
  if (opened.kind === 'missing') {
    const waiting = pending.size === 0 ? '' : `; entries of ${pending.size} session(s) wait in the inbox (run "logbook ingest" to store them)`;
    problems.push(`${workspace}: no store yet at ${paths.store}${waiting}`);
    return { ...foldLive(workspace, NO_STORE, pending, options, problems), problems };
  }
  const database = opened.database;
  try {
    const view = await storeView(database, problems, workspace, options);
    const read = foldLive(workspace, view, pending, options, problems);
    cache?.keep(key, view);
    return { ...read, problems };
  } catch (error) {
    return { sessions: [], rows: [], problems: [...problems, `${workspace}: cannot read the store ${paths.store}: ${messageOf(error)}`] };
  } finally {
    database.close();
  }
}

function foldLive(workspace: string, view: StoreView, pending: ReadonlyMap<string, PendingEvent[]>, options: LiveReadOptions, problems: string[]): Omit<LiveRead, 'problems'> {
  const since = options.now - (options.activeWithinMs ?? DEFAULT_ACTIVE_WITHIN_MS);
  const candidates = new Set<string>();
  for (const row of view.rows.values()) {
    if (!row.ended && row.lastEventAt !== null && row.lastEventAt >= since && !isReservedStreamId(row.sessionId)) candidates.add(row.sessionId);
  }
  for (const id of pending.keys()) candidates.add(id);
  const alreadyStored = view.stored([...pending.values()].flat().map((event) => event.eventId));
  let position = view.end;
  const sessions: LiveSession[] = [];
  const rows = new Map(view.rows);
  for (const id of candidates) {
    const waiting = (pending.get(id) ?? []).filter((event) => !alreadyStored.has(event.eventId));
    let folded: LiveFold;
    try {
      const base = view.storedFold(id);
      folded = foldLiveSession(waitingAfter(waiting, base.version, position), base.fold);
    } catch (error) {
      problems.push(`${workspace}: cannot read session ${id}: ${messageOf(error)}`);
      continue;
    }
    position += waiting.length;
    const { summary, signals } = folded;
    if (summary.eventsFolded === 0) continue;
    rows.set(id, overviewOf(summary, id));
    const last = summary.lastEventAt;
    if (summary.lifecycle.ended || last === null || last < since) continue;
    sessions.push(liveSessionOf(summary, signals, workspace, { now: options.now, ...(options.prices === undefined ? {} : { prices: options.prices }) }));
  }
  sessions.sort((a, b) => (b.lastEventAt ?? 0) - (a.lastEventAt ?? 0) || (a.sessionId < b.sessionId ? -1 : 1));
  return { sessions, rows: [...rows.values()].filter((row) => !isReservedStreamId(row.sessionId)) };
}

// The waiting entries placed after the store's end (a fold skips an event at or before a
// position it has folded).
function* waitingAfter(waiting: readonly PendingEvent[], version: number, end: number): Iterable<RecordedEvent> {
  for (const [i, event] of waiting.entries()) yield asRecorded(event, end + i + 1, version + i + 1);
}

async function storeView(database: LogbookDatabase, problems: string[], workspace: string, options: LiveReadOptions): Promise<StoreView> {
  const store = database.store;
  const end = store.lastGlobalPosition();
  const cache = options.storeCache;
  const changed = cache?.changedSince(store, end);
  const rows = (changed === undefined ? undefined : cache?.rowsAfter(database.raw, end, changed)) ?? await overviewRows(database, end, problems, workspace, options);
  const folds = new Map<string, StoredFold>();
  const storedIds = new Set<string>();
  return {
    rows,
    end,
    // A session the last read folded, and no event of it stored since: its fold as it was; one
    // with events since: those folded on; else its whole stream.
    storedFold: (id) => {
      let fold = cache?.foldOf(id, changed);
      const version = store.streamVersion(id);
      if (fold === undefined || fold.version > version) fold = EMPTY_FOLD;
      if (fold.version < version) fold = { fold: foldLiveSession(pages(fold.version + 1, (from) => store.readStream(id, { from, limit: PAGE })), fold.fold), version };
      folds.set(id, fold);
      return fold;
    },
    stored: (ids) => {
      const found = ids.length === 0 ? new Set<string>() : store.existingEventIds(ids);
      for (const id of found) storedIds.add(id);
      return found;
    },
    folds,
    storedIds,
  };
}

/** Every session's row as it stands at the store's end (the stored rows, sessions past them folded on). */
async function overviewRows(database: LogbookDatabase, end: number, problems: string[], workspace: string, options: LiveReadOptions): Promise<Map<string, SessionOverview>> {
  const db = database.raw;
  const position = storedPosition(db, end);
  // Sliced, the rows may reach past `end` (a commit between slices): the next read folds from `end` on again, which only repeats work.
  if (position !== undefined && options.pause !== undefined) return new Map((await currentOverviewInSlices(db, database.store, options.pause)).rows);
  const stored = position === undefined ? undefined : readAllRows(db);
  if (position !== undefined && stored !== undefined) {
    return new Map(withTail(db, database.store, { position, rows: new Map(stored.map((row) => [row.sessionId, row])) }, end).rows);
  }
  // No rows a writer of this version made (a store it has not opened since an upgrade): the
  // sessions active lately are found from the streams table instead, and history waits.
  problems.push(`${workspace}: the store has no current session overview yet (a writer of this version makes it when it next runs): history thresholds are not available`);
  const since = options.now - (options.activeWithinMs ?? DEFAULT_ACTIVE_WITHIN_MS);
  const rows = new Map<string, SessionOverview>();
  for (const stream of database.store.streams()) {
    const last = Date.parse(stream.lastOccurredAt);
    if (isReservedStreamId(stream.streamId) || !(last >= since)) continue;
    // A stand-in the fold replaces: only its id, its time and "not ended" are read.
    rows.set(stream.streamId, placeholderRow(stream.streamId, last));
  }
  return rows;
}

function* pages(first: number, read: (from: number) => RecordedEvent[]): Iterable<RecordedEvent> {
  for (let from = first; ; from += PAGE) {
    const page = read(from);
    yield* page;
    if (page.length < PAGE) return;
  }
}

type Opened = { readonly kind: 'open'; readonly database: LogbookDatabase } | { readonly kind: 'missing' } | { readonly kind: 'problem'; readonly text: string };

async function openReadOnly(paths: LogbookPaths): Promise<Opened> {
  try {
    if (lstatSync(paths.store, { throwIfNoEntry: false }) === undefined) return { kind: 'missing' };
    const outcome = await LogbookDatabase.open(paths.store);
    if (outcome.ok) return { kind: 'open', database: outcome.database };
    if (outcome.problem.kind === 'missing') return { kind: 'missing' };
    if (outcome.problem.kind === 'interrupted') {
      return { kind: 'problem', text: `the store ${paths.store} has a commit a killed writer left half done: the next writer rolls it back (open the workspace in VS Code, or run "logbook ingest" there)` };
    }
    return { kind: 'problem', text: `the store ${paths.store} cannot be read (${outcome.problem.reason}): run "logbook ingest" there, which moves it aside and rebuilds it` };
  } catch (error) {
    return { kind: 'problem', text: `cannot open the store ${paths.store}: ${messageOf(error)}` };
  }
}

let builtIn: Redactor | undefined;

// The built-in detectors, compiled once: a waiting entry is never shown with a secret the writer would take out.
function defaultRedactor(): Redactor {
  builtIn ??= ingestRedactor({}).redactor;
  return builtIn;
}

function placeholderRow(sessionId: string, lastEventAt: number): SessionOverview {
  return {
    sessionId, title: null, branch: null, workflow: null, workflowState: null, workflowHash: null, lifecycleState: 'starting', ended: false,
    endReason: null, model: null, transcriptPath: null, firstEventAt: null, lastEventAt, lastPosition: 0, events: 0, prompts: 0, toolCalls: 0,
    toolFailures: 0, denials: 0, rejections: 0, refusals: 0, iterations: 0, transitions: 0, compactions: 0, subagents: 0, filesTouched: 0,
    journalEntries: 0, tags: [], importedEvents: 0, lifecycleMs: {}, workflowMs: {}, usage: { buckets: {} },
  };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
