import type { Database } from 'sql.js';
import type { EventStore } from '../../store/event-store';
import { readSnapshotHeader, saveSnapshot } from '../../store/projection-snapshots';
import { withinFold } from '../fold-scope';
import { isCatalogSnapshot, SESSION_CATALOG_NAME, SESSION_CATALOG_VERSION } from '../session-catalog';
import { initialSessionSummary } from '../session-summary';
import { foldEventBatch } from './fold-events';
import type { SessionSummaryState } from '../session-summary';
import { overviewOf } from './session-overview';
import { readCatalogPart, SESSION_OVERVIEW_NAME, storedRowsOf } from './overview-store';
import type { SessionOverview } from './session-overview';
import { keepTrendDays } from '../trends/stored-days';
import type { FoldObserver } from '../groups/link-keeper';

// The writer keeps every session's summary (the catalog) and its overview row current in the
// store, in the very transaction that appends the events they fold: a reader that sees an event
// sees the summaries that include it. Readers list sessions from the overview rows alone, and
// read one full summary only when a view needs it.
//
// A pass folds only its own events, and reads back only the stored summaries of the sessions they
// belong to (its cache keeps the recently touched ones between passes, so a live session is not
// parsed again each time). A store whose catalog is older than its events (written before this
// version, or by a writer whose catalog failed) is caught up from where its header stands; with
// no usable header at all, every session is folded from its first event once.

/** Events read back per step of a catch-up. */
const READ_BATCH = 5000;
/** Full summaries kept between passes: the sessions touched last. */
const CACHE_SIZE = 128;

export class CatalogKeeper {
  private readonly cache = new Map<string, SessionSummaryState>();
  /** Summaries of the pass in flight: they join the cache only once its transaction commits. */
  private pending = new Map<string, SessionSummaryState>();
  /** The position this keeper's last committed save reached: a store elsewhere means another writer wrote. */
  private saved: number | undefined;
  private pendingPosition: number | undefined;

  /** Another fold that reads the same events in the same pass (the links between sessions). */
  observer: FoldObserver | undefined;

  constructor(private readonly db: Database, private readonly store: EventStore) {}

  /**
   * Inside a pass's transaction, after its appends: folds every event past the stored catalog's
   * position and saves the sessions they touched (full summary and overview row) with both headers
   * at the store's end. Returns how many events it folded.
   */
  update(now: Date = new Date()): number {
    const end = this.store.lastGlobalPosition();
    const from = this.storedPosition(end);
    const observer = this.observer;
    observer?.prepare(from);
    if (from === end) {
      if (observer?.behind(end) === true) observer.finish(end);
      return 0;
    }
    const fresh = from === 0;
    const touched = new Map<string, SessionSummaryState>();
    let folded = 0;
    const start = (id: string): SessionSummaryState => (fresh ? initialSessionSummary : this.known(id));
    withinFold(() => {
      for (let after = from; after < end;) {
        const batch = foldEventBatch(this.store, touched, after, end, READ_BATCH, start, observer === undefined ? undefined : (e) => observer.observe(e));
        folded += batch.read;
        after = batch.reached;
      }
    });
    const header = { version: SESSION_CATALOG_VERSION, position: end };
    const mode = fresh ? 'replace' : 'merge';
    saveSnapshot(this.db, { name: SESSION_CATALOG_NAME, ...header }, touched, mode, now);
    // The overview's rows go to their own table (times as columns, for listings); its header
    // stands beside the catalog's. A fresh fold replaces them all, and drops rows an older
    // version kept among the snapshot parts.
    saveSnapshot(this.db, { name: SESSION_OVERVIEW_NAME, ...header }, [], mode, now);
    if (fresh) this.db.run('DELETE FROM session_overview');
    const before = fresh ? new Map<string, SessionOverview>() : storedRowsById(this.db, [...touched.keys()]);
    const rows = saveOverviewRows(this.db, touched);
    // The day parts trends add up, beside the rows they sum.
    keepTrendDays(this.db, rows, before, from, end, now);
    observer?.finish(end);
    this.pending = touched;
    this.pendingPosition = end;
    return folded;
  }

  /** Whether the stored catalog trails the store (written before this version, or by a writer whose catalog stopped). */
  get behind(): boolean {
    const end = this.store.lastGlobalPosition();
    return this.storedPosition(end) !== end || this.observer?.behind(end) === true;
  }

  /** The pass committed: what it folded is what the store now holds. */
  committed(): void {
    this.observer?.committed();
    for (const [sessionId, summary] of this.pending) {
      this.cache.delete(sessionId);
      this.cache.set(sessionId, summary);
    }
    this.pending = new Map();
    if (this.pendingPosition !== undefined) this.saved = this.pendingPosition;
    this.pendingPosition = undefined;
    while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
  }

  /** The pass rolled back: the stored summaries are as they were, and so is the cache. */
  rolledBack(): void {
    this.observer?.rolledBack();
    this.pending = new Map();
    this.pendingPosition = undefined;
  }

  /** Forgets the cache (another writer may have written since: its summaries are read again). */
  reset(): void {
    this.cache.clear();
    this.pending = new Map();
    this.saved = undefined;
    this.pendingPosition = undefined;
  }

  private known(sessionId: string): SessionSummaryState {
    return this.cache.get(sessionId) ?? readCatalogPart(this.db, sessionId) ?? initialSessionSummary;
  }

  // Where the stored catalog and overview stand: both headers this version and at one position
  // (they are saved together), not past the store's end; otherwise 0 (fold from scratch).
  private storedPosition(end: number): number {
    const catalog = readSnapshotHeader(this.db, SESSION_CATALOG_NAME);
    const overview = readSnapshotHeader(this.db, SESSION_OVERVIEW_NAME);
    const usable = catalog !== undefined && isCatalogSnapshot(catalog) && catalog.position <= end
      && overview !== undefined && overview.version === catalog.version && overview.position === catalog.position;
    // The cache holds what this keeper saved last: a catalog that stands elsewhere was written by another writer.
    if (!usable || catalog.position !== this.saved) this.cache.clear();
    return usable ? catalog.position : 0;
  }
}

function saveOverviewRows(db: Database, touched: ReadonlyMap<string, SessionSummaryState>): Map<string, SessionOverview> {
  const rows = new Map<string, SessionOverview>();
  const upsert = db.prepare('INSERT OR REPLACE INTO session_overview (session_id, first_at, last_at, row) VALUES (?, ?, ?, ?)');
  try {
    for (const [id, summary] of touched) {
      const row = overviewOf(summary, id);
      upsert.run([id, row.firstEventAt, row.lastEventAt, JSON.stringify(row)]);
      rows.set(id, row);
    }
  } finally {
    upsert.free();
  }
  return rows;
}

// The stored rows of these sessions by id; undefined when one does not read.
function storedRowsById(db: Database, ids: readonly string[]): Map<string, SessionOverview> | undefined {
  const rows = storedRowsOf(db, ids);
  return rows === undefined ? undefined : new Map(rows.map((row) => [row.sessionId, row]));
}
