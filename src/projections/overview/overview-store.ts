import type { Database } from 'sql.js';
import type { EventStore, RecordedEvent } from '../../store/event-store';
import { loadSnapshot, loadSnapshotInSlices, readSnapshotHeader } from '../../store/projection-snapshots';
import type { StoredSnapshot } from '../../store/projection-snapshots';
import { withinFold } from '../fold-scope';
import { isSessionStream, SESSION_CATALOG_NAME, SESSION_CATALOG_VERSION } from '../session-catalog';
import { applySessionEvent, initialSessionSummary } from '../session-summary';
import type { SessionSummaryState } from '../session-summary';
import { overviewOf } from './session-overview';
import type { SessionOverview } from './session-overview';

// Reading the sessions overview the writer keeps (catalog-keeper.ts). The rows are derived data in
// the store file; each is checked for the fields readers rely on before it is used, and a store
// whose overview is missing, of another version or damaged is folded instead (nothing is lost:
// the events are the truth, the rows only save reading them).

/** The overview's name among stored projection snapshots (its version is the catalog's). */
export const SESSION_OVERVIEW_NAME = 'session-overview';

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
 * The overview as it stands at the store's end: the stored rows, and the sessions of any events
 * past them folded from their stored summaries. Without a usable stored overview every session is
 * folded from its first event (a store no writer of this version has written to yet).
 */
export function currentOverview(db: Database, store: EventStore): OverviewState {
  const end = store.lastGlobalPosition();
  const stored = usableOverview(db, end, loadSnapshot(db, SESSION_OVERVIEW_NAME));
  return withTail(db, store, stored ?? { position: 0, rows: new Map() }, end);
}

/** currentOverview for a window's main thread: the rows read in slices, `pause()` between them. */
export async function currentOverviewInSlices(db: Database, store: EventStore, pause: () => Promise<void>, slice = 500): Promise<OverviewState> {
  const stored = usableOverview(db, store.lastGlobalPosition(), await loadSnapshotInSlices(db, SESSION_OVERVIEW_NAME, slice, pause));
  // The store's end as it is now: the writer may have committed while the rows were read.
  return withTail(db, store, stored ?? { position: 0, rows: new Map() }, store.lastGlobalPosition());
}

/** The overview after folding the events past `state.position` (up to `end`) into the sessions they touch. */
export function withTail(db: Database, store: EventStore, state: OverviewState, end: number): OverviewState {
  if (state.position >= end) return state;
  const summaries = foldTail(db, store, state.position, end);
  const rows = new Map(state.rows);
  for (const [id, summary] of summaries) rows.set(id, overviewOf(summary, id));
  return { position: end, rows };
}

/** Full summaries of the sessions with events in (after, end], folded from their stored ones. */
export function foldTail(db: Database, store: EventStore, after: number, end: number): Map<string, SessionSummaryState> {
  const touched = new Map<string, SessionSummaryState>();
  withinFold(() => {
    for (let from = after; from < end;) {
      const events = store.readAll({ from: from + 1, to: end, limit: 5000 });
      if (events.length === 0) break;
      for (const event of events) {
        if (!isSessionStream(event.streamId)) continue;
        const id = event.streamId;
        const before = touched.get(id) ?? (after === 0 ? initialSessionSummary : readCatalogPart(db, id) ?? initialSessionSummary);
        if (before.lastPosition >= event.globalPosition) continue;
        touched.set(id, applySessionEvent(before, event));
      }
      from = (events[events.length - 1] as RecordedEvent).globalPosition;
    }
  });
  return touched;
}

function usableOverview(db: Database, end: number, stored: StoredSnapshot | undefined): OverviewState | undefined {
  if (stored === undefined || stored.version !== SESSION_CATALOG_VERSION || stored.position > end) return undefined;
  // The tail is folded from the catalog's parts: they must stand where the rows do.
  const catalog = readSnapshotHeader(db, SESSION_CATALOG_NAME);
  if (catalog === undefined || catalog.version !== stored.version || catalog.position !== stored.position) return undefined;
  const rows = new Map<string, SessionOverview>();
  for (const [sessionId, part] of stored.parts) {
    if (!isOverviewRow(part)) return undefined;
    rows.set(sessionId, part);
  }
  return { position: stored.position, rows };
}

// The fields every reader relies on, checked cheaply (5,000 rows are read at a window's start).
function isOverviewRow(part: unknown): part is SessionOverview {
  if (typeof part !== 'object' || part === null) return false;
  const row = part as Record<string, unknown>;
  return typeof row['sessionId'] === 'string' && typeof row['lastPosition'] === 'number' && typeof row['events'] === 'number'
    && typeof row['lifecycleState'] === 'string' && typeof row['usage'] === 'object' && row['usage'] !== null;
}

function isSummaryPart(part: unknown): part is SessionSummaryState {
  return typeof part === 'object' && part !== null && 'lastPosition' in part && 'lifecycle' in part && 'usage' in part;
}
