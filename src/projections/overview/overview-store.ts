import type { Database } from 'sql.js';
import type { EventStore } from '../../store/event-store';
import { readSnapshotHeader } from '../../store/projection-snapshots';
import { withinFold } from '../fold-scope';
import { loadCatalogSnapshot, SESSION_CATALOG_NAME, SESSION_CATALOG_VERSION, SessionCatalog } from '../session-catalog';
import { initialSessionSummary } from '../session-summary';
import { blobColumnView, readJsonArray } from '../../store/blob-column';
import { foldEventBatch } from './fold-events';
import type { SessionSummaryState } from '../session-summary';
import { overviewOf } from './session-overview';
import type { SessionOverview } from './session-overview';

// Reading the sessions overview the writer keeps (catalog-keeper.ts): one row per session in the
// session_overview table (schema 6), and a header among the projection snapshots that says up to
// which event the rows stand, at which version. The rows are derived data in the store file;
// each is checked for the fields readers rely on before it is used, and a store whose overview is
// missing, of another version or damaged is folded instead (nothing is lost: the events are the
// truth, the rows only save reading them).

/** The overview's header among stored projection snapshots (its version is the catalog's). */
export const SESSION_OVERVIEW_NAME = 'session-overview';

/** Where a listing of the latest sessions stands: the stored rows it read and the store's end. */
export interface OverviewPage {
  readonly rows: SessionOverview[];
  /** Sessions within the bounds, every one (the page may hold fewer). */
  readonly total: number;
}

/** Every session's overview row after the event at `position` (global). */
export interface OverviewState {
  readonly position: number;
  readonly rows: ReadonlyMap<string, SessionOverview>;
}

/** The stored full summary of one session, when the catalog is this version's and its part reads. */
export function readCatalogPart(db: Database, sessionId: string): SessionSummaryState | undefined {
  const header = readSnapshotHeader(db, SESSION_CATALOG_NAME);
  if (header === undefined || header.version !== SESSION_CATALOG_VERSION) return undefined;
  const rows = db.exec('SELECT state FROM projection_snapshot_parts WHERE name = ? AND key = ?', [SESSION_CATALOG_NAME, sessionId])[0]?.values ?? [];
  const state = rows[0]?.[0];
  if (typeof state !== 'string') return undefined;
  try {
    const part = JSON.parse(state) as unknown;
    return isSummaryPart(part) ? part : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every session's full summary as it stands at the store's end: the stored catalog, and the
 * events past it folded on (without a usable catalog, every session folded from its first
 * event). For readers that want every session whole (patterns, the workflow's announcements).
 */
export function currentSummaries(db: Database, store: EventStore): ReadonlyMap<string, SessionSummaryState> {
  const catalog = new SessionCatalog();
  const stored = loadCatalogSnapshot(db, store.lastGlobalPosition());
  if (stored !== undefined) catalog.restore(stored);
  catalog.catchUp(store);
  return catalog.all();
}

/**
 * The stored full summaries of the catalog, read `slice` at a time in key order with `pause()`
 * between slices; `wanted` picks which to parse. A part that does not read is left out (its
 * session is folded when asked for).
 */
export async function readCatalogPartsInSlices(db: Database, wanted: (sessionId: string) => boolean, pause: () => Promise<void>, slice = 200): Promise<Map<string, SessionSummaryState>> {
  const parts = new Map<string, SessionSummaryState>();
  const header = readSnapshotHeader(db, SESSION_CATALOG_NAME);
  if (header === undefined || header.version !== SESSION_CATALOG_VERSION) return parts;
  let after = '';
  for (;;) {
    const rows = db.exec('SELECT key, state FROM projection_snapshot_parts WHERE name = ? AND key > ? ORDER BY key LIMIT ?', [SESSION_CATALOG_NAME, after, slice])[0]?.values ?? [];
    for (const [key, state] of rows) {
      if (typeof key !== 'string') continue;
      after = key;
      if (typeof state !== 'string' || !wanted(key)) continue;
      try {
        const part = JSON.parse(state) as unknown;
        if (isSummaryPart(part)) parts.set(key, part);
      } catch {
        // Left out: read again (and folded) when a view asks for this session.
      }
    }
    if (rows.length < slice) return parts;
    await pause();
  }
}

/**
 * The overview as it stands at the store's end: the stored rows, and the sessions of any events
 * past them folded from their stored summaries. Without a usable stored overview every session is
 * folded from its first event (a store no writer of this version has written to yet).
 */
export function currentOverview(db: Database, store: EventStore): OverviewState {
  const end = store.lastGlobalPosition();
  const position = storedPosition(db, end);
  const rows = position === undefined ? undefined : readAllRows(db);
  return withTail(db, store, rows === undefined || position === undefined ? { position: 0, rows: new Map() } : { position, rows: byId(rows) }, end);
}

/** currentOverview for a window's main thread: the rows read in slices, `pause()` between them. */
export async function currentOverviewInSlices(db: Database, store: EventStore, pause: () => Promise<void>, slice = 25, budgetMs = ROW_SLICE_BUDGET_MS): Promise<OverviewState> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const position = storedPosition(db, store.lastGlobalPosition());
    if (position === undefined) break;
    const rows = await readRowsInSlices(db, slice, pause, budgetMs);
    // A commit between two slices moves the header: the rows are read again, never mixed.
    if (rows !== undefined && storedPosition(db, store.lastGlobalPosition()) === position) {
      return withTailInSlices(db, store, { position, rows: byId(rows) }, store.lastGlobalPosition(), pause);
    }
    if (rows === undefined) break;
  }
  // The store's end as it is now: the writer may have committed while the rows were read.
  return withTailInSlices(db, store, { position: 0, rows: new Map() }, store.lastGlobalPosition(), pause);
}

async function withTailInSlices(db: Database, store: EventStore, state: OverviewState, end: number, pause: () => Promise<void>): Promise<OverviewState> {
  return state.position >= end ? state : withSummaries(state, await foldTailInSlices(db, store, state.position, end, pause), end);
}

/**
 * The latest sessions (by last activity, or by start with `by: 'first'`), at most `limit`, started
 * within [since, until]: read through the table's indexes, so a year of sessions costs what the
 * page holds. Sessions with events past the stored rows are folded and take their place.
 */
export function latestSessions(db: Database, store: EventStore, options: { by: 'last' | 'first'; descending: boolean; limit: number; since?: number; until?: number }): OverviewPage | undefined {
  const end = store.lastGlobalPosition();
  const position = storedPosition(db, end);
  if (position === undefined) return undefined;
  const column = options.by === 'last' ? 'last_at' : 'first_at';
  const bounds: string[] = [];
  const params: (number | string)[] = [];
  if (options.since !== undefined) { bounds.push('COALESCE(first_at, last_at) >= ?'); params.push(options.since); }
  if (options.until !== undefined) { bounds.push('COALESCE(first_at, last_at) <= ?'); params.push(options.until); }
  const where = bounds.length === 0 ? '' : ` WHERE ${bounds.join(' AND ')}`;
  // The index's own order (SQLite puts unknown times first going up, last going down): no sort.
  const direction = options.descending ? 'DESC' : 'ASC';
  const order = `${column} ${direction}, session_id ${direction}`;
  const stored = readRows(db, `SELECT row FROM session_overview${where} ORDER BY ${order} LIMIT ?`, [...params, options.limit]);
  if (stored === undefined) return undefined;
  const total = Number(db.exec(`SELECT COUNT(*) FROM session_overview${where}`, params)[0]?.values[0]?.[0] ?? 0);
  if (position === end) return { rows: stored, total };
  // Sessions that moved since the rows were saved: their folded rows replace the stored ones, and
  // the page is ordered and cut again (a moved session's times only grow).
  const moved = withTail(db, store, { position, rows: new Map() }, end).rows;
  const rows = byId(stored);
  let added = 0;
  for (const [id, row] of moved) {
    const started = row.firstEventAt ?? row.lastEventAt;
    const inside = (options.since === undefined || (started !== null && started >= options.since)) && (options.until === undefined || (started !== null && started <= options.until));
    // A session the table did not hold yet adds to the count (one that did was counted, and its start never moves).
    if (inside && (db.exec('SELECT 1 FROM session_overview WHERE session_id = ?', [id])[0]?.values.length ?? 0) === 0) added += 1;
    if (inside) rows.set(id, row);
    else rows.delete(id);
  }
  const at = (row: SessionOverview): number | null => (options.by === 'last' ? row.lastEventAt : row.firstEventAt);
  // As the index orders: unknown times lowest.
  const ordered = [...rows.values()].sort((x, y) => {
    const up = (at(x) ?? -Infinity) - (at(y) ?? -Infinity) || (x.sessionId < y.sessionId ? -1 : x.sessionId > y.sessionId ? 1 : 0);
    return options.descending ? -up : up;
  });
  return { rows: ordered.slice(0, options.limit), total: total + added };
}

/** The overview after folding the events past `state.position` (up to `end`) into the sessions they touch. */
export function withTail(db: Database, store: EventStore, state: OverviewState, end: number): OverviewState {
  return state.position >= end ? state : withSummaries(state, foldTail(db, store, state.position, end), end);
}

// The rows with those of the sessions just folded put in their place.
function withSummaries(state: OverviewState, summaries: ReadonlyMap<string, SessionSummaryState>, end: number): OverviewState {
  const rows = new Map(state.rows);
  for (const [id, summary] of summaries) rows.set(id, overviewOf(summary, id));
  return { position: end, rows };
}

/** Full summaries of the sessions with events in (after, end], folded from their stored ones. */
export function foldTail(db: Database, store: EventStore, after: number, end: number): Map<string, SessionSummaryState> {
  const touched = new Map<string, SessionSummaryState>();
  const start = storedStart(db, after);
  withinFold(() => {
    for (let from = after; from < end;) from = foldEventBatch(store, touched, from, end, 5000, start).reached;
  });
  return touched;
}

/**
 * foldTail for a window's main thread: a thousand events at a time with the thread given back
 * between them. A store whose rows a writer has not made yet (just upgraded: the worker refolds
 * them) would otherwise hold the window for the whole history.
 */
export async function foldTailInSlices(db: Database, store: EventStore, after: number, end: number, pause: () => Promise<void>, batch = 1000): Promise<Map<string, SessionSummaryState>> {
  const touched = new Map<string, SessionSummaryState>();
  const start = storedStart(db, after);
  for (let from = after; from < end;) {
    // One fold run per slice: what a slice hands out is never changed in place by the next.
    from = withinFold(() => foldEventBatch(store, touched, from, end, batch, start).reached);
    if (from < end) await pause();
  }
  return touched;
}

// Where a session not folded yet starts: its stored summary when the fold resumes past stored
// parts, nothing when it folds from the first event.
function storedStart(db: Database, after: number): (sessionId: string) => SessionSummaryState {
  return (id) => (after === 0 ? initialSessionSummary : readCatalogPart(db, id) ?? initialSessionSummary);
}

// The position the stored rows stand at, when the table is there and the header is this
// version's, at one position with the catalog's (the tail is folded from its parts), not past the end.
export function storedPosition(db: Database, end: number): number | undefined {
  const overview = readSnapshotHeader(db, SESSION_OVERVIEW_NAME);
  if (overview === undefined || overview.version !== SESSION_CATALOG_VERSION || overview.position > end) return undefined;
  const catalog = readSnapshotHeader(db, SESSION_CATALOG_NAME);
  if (catalog === undefined || catalog.version !== overview.version || catalog.position !== overview.position) return undefined;
  return hasOverviewTable(db) ? overview.position : undefined;
}

/** Whether the store has the session_overview table (schema 6: a reader may meet an older store). */
function hasOverviewTable(db: Database): boolean {
  return (db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session_overview'")[0]?.values.length ?? 0) > 0;
}

/** The stored rows of these sessions (those it has), checked; undefined when one does not read. */
export function storedRowsOf(db: Database, sessionIds: readonly string[]): SessionOverview[] | undefined {
  const rows: SessionOverview[] = [];
  // In chunks under SQLite's limit of bound parameters.
  for (let from = 0; from < sessionIds.length; from += 500) {
    const chunk = sessionIds.slice(from, from + 500);
    const read = readRows(db, `SELECT row FROM session_overview WHERE session_id IN (${chunk.map(() => '?').join(', ')})`, chunk);
    if (read === undefined) return undefined;
    rows.push(...read);
  }
  return rows;
}

// Rows read and checked; undefined when one does not read (the caller folds instead).
function readRows(db: Database, sql: string, params: (number | string)[]): SessionOverview[] | undefined {
  const rows: SessionOverview[] = [];
  const statement = db.prepare(sql);
  try {
    statement.bind(params);
    while (statement.step()) {
      const row = parsedRow(statement.get()[0]);
      if (row === undefined) return undefined;
      rows.push(row);
    }
  } finally {
    statement.free();
  }
  return rows;
}

// Every row at once, as bytes joined into one JSON array and parsed in one piece: sql.js decodes
// a TEXT value in JS on the WASM heap, several times slower than Node decodes a copied buffer (at
// 6,881 rows: about 45 ms for the bytes and 40 for the text, against 220 as strings).
/** Every stored row, checked; undefined when one does not read. */
export function readAllRows(db: Database): SessionOverview[] | undefined {
  const parsed = readJsonArray(db, ALL_ROWS);
  if (parsed === undefined) return undefined;
  const rows: SessionOverview[] = [];
  for (const row of parsed) {
    if (!isOverviewRow(row)) return undefined;
    rows.push(row);
  }
  return rows;
}

const ALL_ROWS = 'SELECT CAST(row AS BLOB) FROM session_overview';

/**
 * How long a slice of rows may hold the thread before it is given back: pages of 25 rows are read
 * until this much time has passed, so a slow or busy machine makes smaller slices (a fixed 500
 * rows held VS Code's thread 60–100 ms at a window's start, in code V8 runs for the first time).
 */
export const ROW_SLICE_BUDGET_MS = 10;

async function readRowsInSlices(db: Database, slice: number, pause: () => Promise<void>, budgetMs: number): Promise<SessionOverview[] | undefined> {
  const rows: SessionOverview[] = [];
  let after = '';
  let since = performance.now();
  for (;;) {
    const page = readRowPage(db, after, slice);
    if (page === undefined) return undefined;
    rows.push(...page.rows);
    if (page.rows.length < slice) return rows;
    after = page.last;
    if (performance.now() - since >= budgetMs) {
      await pause();
      since = performance.now();
    }
  }
}

const ROW_PAGE = 'SELECT session_id, CAST(row AS BLOB) FROM session_overview WHERE session_id > ? ORDER BY session_id LIMIT ?';

/** The rows after `after` by id, at most `limit`, each decoded by Node (see readAllRows). */
function readRowPage(db: Database, after: string, limit: number): { rows: SessionOverview[]; last: string } | undefined {
  const rows: SessionOverview[] = [];
  let last = after;
  const statement = db.prepare(ROW_PAGE);
  try {
    statement.bind([after, limit]);
    const view = blobColumnView(db, statement, ROW_PAGE);
    while (statement.step()) {
      const values = view === undefined ? statement.get() : undefined;
      const idBytes = view?.(0);
      const id = values === undefined ? (idBytes === undefined ? undefined : Buffer.from(idBytes.buffer, idBytes.byteOffset, idBytes.byteLength).toString('utf8')) : values[0];
      const bytes = values === undefined ? view?.(1) : values[1];
      const row = bytes instanceof Uint8Array ? parsedRow(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) : undefined;
      if (row === undefined || typeof id !== 'string') return undefined;
      rows.push(row);
      last = id;
    }
  } finally {
    statement.free();
  }
  return { rows, last };
}

function parsedRow(text: unknown): SessionOverview | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const row = JSON.parse(text) as unknown;
    return isOverviewRow(row) ? row : undefined;
  } catch {
    return undefined;
  }
}

function byId(rows: readonly SessionOverview[]): Map<string, SessionOverview> {
  return new Map(rows.map((row) => [row.sessionId, row]));
}

// The fields every reader relies on, checked cheaply (5,000 rows are read at a window's start):
// the store is a file in the workspace, and a row that is not what the writer makes (damaged, or
// planted) makes the reader fold from the events instead of showing it.
const TEXT_OR_NULL = ['title', 'branch', 'workflow', 'workflowState', 'workflowHash', 'endReason', 'model'] as const;
const TIME_OR_NULL = ['firstEventAt', 'lastEventAt'] as const;
const COUNTS = ['lastPosition', 'events', 'prompts', 'toolCalls', 'toolFailures', 'denials', 'rejections', 'refusals', 'iterations', 'transitions',
  'compactions', 'subagents', 'filesTouched', 'journalEntries', 'importedEvents'] as const;
const RECORDS = ['lifecycleMs', 'workflowMs', 'usage'] as const;

function isOverviewRow(part: unknown): part is SessionOverview {
  if (typeof part !== 'object' || part === null) return false;
  const row = part as Record<string, unknown>;
  return typeof row['sessionId'] === 'string' && typeof row['lifecycleState'] === 'string' && typeof row['ended'] === 'boolean'
    && Array.isArray(row['tags'])
    && TEXT_OR_NULL.every((key) => row[key] === null || typeof row[key] === 'string')
    && TIME_OR_NULL.every((key) => row[key] === null || typeof row[key] === 'number')
    && COUNTS.every((key) => typeof row[key] === 'number')
    && RECORDS.every((key) => typeof row[key] === 'object' && row[key] !== null);
}

function isSummaryPart(part: unknown): part is SessionSummaryState {
  return typeof part === 'object' && part !== null && 'lastPosition' in part && 'lifecycle' in part && 'usage' in part;
}
