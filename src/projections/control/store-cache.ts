import { lstatSync } from 'node:fs';
import type { Database } from 'sql.js';
import type { EventStore } from '../../store/event-store';
import { storedPosition, storedRowsOf } from '../overview/overview-store';
import type { SessionOverview } from '../overview/session-overview';
import { initialSessionSummary } from '../session-summary';
import { initialLiveSignals } from './live-fold';
import type { LiveFold } from './live-fold';

// What one read of a workspace's store leaves for the next (live-reader.ts), so the control
// center's cost follows what changed, not the history: at a year of history a full read is ~100 ms
// (every session's row), and a workspace with no writer running changes only in its inbox.
// - The store file unchanged (same size and time): nothing is read from it; the waiting entries
//   are folded again on top of each live session's stored fold.
// - The store changed, and its writer's rows are current: the events stored since are read to
//   learn which sessions they touched; only those sessions' rows and streams are read.
// - Anything else (no rows of this version yet, rows behind the store): a full read.

/** A session's stored stream, folded, and the stream version the fold reached. */
export interface StoredFold {
  readonly fold: LiveFold;
  readonly version: number;
}

export const EMPTY_FOLD: StoredFold = { fold: { summary: initialSessionSummary, signals: initialLiveSignals }, version: 0 };

/** The store file's size and time: what a commit changes. Empty when there is no file. */
export function storeKeyOf(store: string): string {
  const stat = lstatSync(store, { throwIfNoEntry: false });
  return stat === undefined ? '' : `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
}

/** What a read's store view leaves behind (live-reader.ts fills it). */
export interface StoreRead {
  readonly rows: ReadonlyMap<string, SessionOverview>;
  readonly end: number;
  readonly folds: ReadonlyMap<string, StoredFold>;
  readonly storedIds: ReadonlySet<string>;
}

export class StoreCache {
  private key = '';
  private read: StoreRead | undefined;

  /** Whether the last read still answers: the same store file, and every session with waiting entries either folded then or not in the store. */
  covers(key: string, waitingSessions: Iterable<string>): boolean {
    const read = this.read;
    if (read === undefined || key === '' || key !== this.key) return false;
    for (const id of waitingSessions) {
      if (!read.folds.has(id) && read.rows.has(id)) return false;
    }
    return true;
  }

  /** The last read as a store view (nothing is read from the store). */
  view(): StoreRead & { storedFold: (id: string) => StoredFold; stored: (ids: readonly string[]) => Set<string>; rows: Map<string, SessionOverview>; folds: Map<string, StoredFold>; storedIds: Set<string> } {
    const read = this.read as StoreRead;
    return {
      rows: new Map(read.rows),
      end: read.end,
      storedFold: (id) => read.folds.get(id) ?? EMPTY_FOLD,
      // An entry the store did not hold then, it does not hold now: the file is the same.
      stored: (ids) => new Set(ids.filter((id) => read.storedIds.has(id))),
      folds: new Map(read.folds),
      storedIds: new Set(read.storedIds),
    };
  }

  /** Keeps a read made with the store file as `key` said it was before the read. */
  keep(key: string, read: StoreRead): void {
    this.key = key;
    this.read = { rows: new Map(read.rows), end: read.end, folds: new Map(read.folds), storedIds: new Set(read.storedIds) };
  }

  /** The sessions with events stored since the last read, or undefined when that cannot be told (no read yet, a store that went back). */
  changedSince(store: EventStore, end: number): ReadonlySet<string> | undefined {
    const read = this.read;
    if (read === undefined || end < read.end) return undefined;
    const touched = new Set<string>();
    for (let from = read.end + 1; from <= end;) {
      const page = store.readAll({ from, to: end, limit: 2000 });
      if (page.length === 0) break;
      for (const event of page) touched.add(event.streamId);
      from = (page[page.length - 1]?.globalPosition ?? end) + 1;
    }
    return touched;
  }

  /** The last read's rows with the touched sessions' rows read again, when the writer's stored rows are current; else undefined (a full read). */
  rowsAfter(db: Database, end: number, touched: ReadonlySet<string>): Map<string, SessionOverview> | undefined {
    const read = this.read;
    if (read === undefined || storedPosition(db, end) !== end) return undefined;
    const fresh = storedRowsOf(db, [...touched]);
    if (fresh === undefined) return undefined;
    const rows = new Map(read.rows);
    for (const row of fresh) rows.set(row.sessionId, row);
    return rows;
  }

  /**
   * A session's stored fold from the last read, to fold the events stored since onto (the caller
   * reads them from its version on); none when the read is a full one (`touched` undefined).
   */
  foldOf(sessionId: string, touched: ReadonlySet<string> | undefined): StoredFold | undefined {
    return touched === undefined ? undefined : this.read?.folds.get(sessionId);
  }
}
