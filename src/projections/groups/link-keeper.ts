import type { Database } from 'sql.js';
import type { EventStore, RecordedEvent } from '../../store/event-store';
import { readSnapshotHeader, saveSnapshot } from '../../store/projection-snapshots';
import { LinkFold, openCalls, RECENT_EVENTS } from './link-fold';
import type { RecentEvents } from './link-fold';

// The writer keeps the links between sessions (link-fold.ts) in the store, in the transaction that
// appends the events they come from, riding on the catalog's fold (catalog-keeper.ts): the events
// are read and parsed once, for both. Its parts sit among the projection snapshots under one name,
// with a header at the position they reach. A store without that header (written before this
// version) or behind it is caught up from where the header stands, in the same pass.

export const SESSION_LINKS_NAME = 'session-links';
/** Bump when the fold's parts change meaning: the links are folded again from the first event. */
export const SESSION_LINKS_VERSION = 4;

/** Events read back per step of a catch-up. */
const READ_BATCH = 5000;
/** Parts kept in memory between passes; past it the fold reads them from the store again on use. */
const MEMORY_PARTS = 20000;

/** What the catalog keeper calls around its fold (catalog-keeper.ts). */
export interface FoldObserver {
  /** Whether this observer's stored state trails `end` (the writer then catches up at start). */
  behind(end: number): boolean;
  /** Before the catalog folds (from, end]: bring the stored state up to `from` first. */
  prepare(from: number): void;
  observe(event: RecordedEvent): void;
  /** After the fold: save what changed, with the header at `end`. */
  finish(end: number): void;
  committed(): void;
  rolledBack(): void;
}

export class LinkKeeper implements FoldObserver {
  private readonly fold: LinkFold;
  private position = 0;
  private saved: number | undefined;

  constructor(private readonly db: Database, private readonly store: EventStore) {
    this.fold = new LinkFold((key) => readLinkPart(db, key), recentEventsOf(store));
  }

  behind(end: number): boolean {
    return this.storedPosition() !== end;
  }

  prepare(from: number): void {
    let at = this.storedPosition();
    // Another writer saved since this one did: the parts in memory may be stale.
    if (at !== this.saved) this.fold.forget();
    if (at === 0 || at > from) {
      // Nothing usable stored (or it claims more than the catalog folded): from the first event.
      this.db.run('DELETE FROM projection_snapshot_parts WHERE name = ?', [SESSION_LINKS_NAME]);
      this.fold.forget();
      at = 0;
    }
    while (at < from) {
      const events = this.store.readAll({ from: at + 1, to: from, limit: READ_BATCH });
      if (events.length === 0) break;
      for (const event of events) this.fold.apply(event);
      at = (events[events.length - 1] as RecordedEvent).globalPosition;
    }
    this.position = from;
  }

  observe(event: RecordedEvent): void {
    this.fold.apply(event);
  }

  finish(end: number): void {
    // Links first, kept if the store has them already (the first sighting is the evidence); then
    // the changed parts with the header, in one savepoint with them.
    const links = this.fold.takeNewLinks();
    if (links.length > 0) {
      const insert = this.db.prepare('INSERT OR IGNORE INTO projection_snapshot_parts (name, key, state) VALUES (?, ?, ?)');
      try {
        for (const [key, link] of links) insert.run([SESSION_LINKS_NAME, key, JSON.stringify(link)]);
      } finally {
        insert.free();
      }
    }
    saveSnapshot(this.db, { name: SESSION_LINKS_NAME, version: SESSION_LINKS_VERSION, position: end }, this.fold.takeDirty(), 'merge');
    this.position = end;
  }

  committed(): void {
    this.saved = this.position;
    if (this.fold.size > MEMORY_PARTS) this.fold.forget();
  }

  rolledBack(): void {
    // What memory holds may be ahead of the store: read the parts again.
    this.fold.forget();
    this.saved = undefined;
  }

  private storedPosition(): number {
    const header = readSnapshotHeader(this.db, SESSION_LINKS_NAME);
    return header !== undefined && header.version === SESSION_LINKS_VERSION ? header.position : 0;
  }
}

/** One stored part of the links, parsed; undefined when absent or unreadable. */
export function readLinkPart(db: Database, key: string): unknown {
  const rows = db.exec('SELECT state FROM projection_snapshot_parts WHERE name = ? AND key = ?', [SESSION_LINKS_NAME, key])[0]?.values ?? [];
  const state = rows[0]?.[0];
  if (typeof state !== 'string') return undefined;
  try {
    return JSON.parse(state) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A session's latest events before a global position (at most RECENT_EVENTS), read back from the
 * store in small chunks from its end, and no further than its first open call: the call that
 * started a child is usually among the parent's last few events (it waits on the child).
 */
export function recentEventsOf(store: EventStore): RecentEvents {
  return (sessionId, before) => {
    const kept: RecordedEvent[][] = [];
    let count = 0;
    let to = store.streamVersion(sessionId);
    for (let chunks = 0; to >= 1 && count < RECENT_EVENTS && chunks < 40; chunks += 1) {
      const from = Math.max(1, to - RECENT_CHUNK + 1);
      const chunk = store.readStream(sessionId, { from, to }).filter((e) => e.globalPosition < before);
      kept.unshift(chunk);
      count += chunk.length;
      to = from - 1;
      if (chunk.length > 0 && openCalls(kept.flat()).length > 0) break;
    }
    return kept.flat().slice(-RECENT_EVENTS);
  };
}

/** Events read back per step when looking for a parent's open calls. */
const RECENT_CHUNK = 64;
