import type { Database } from 'sql.js';
import type { SessionLink } from '../../domain/groups/model';
import type { EventStore, RecordedEvent } from '../../store/event-store';
import { readSnapshotHeader } from '../../store/projection-snapshots';
import { LinkFold, linkPartRange } from './link-fold';
import type { SessionLinkRecord } from './link-fold';
import { readLinkPart, recentEventsOf, SESSION_LINKS_NAME, SESSION_LINKS_VERSION } from './link-keeper';

// The links as the store stands: the parts the writer saved, and the events past their header
// folded here the same way (read only: nothing is saved), so a reader never waits for the writer
// and a store the writer has not linked yet (an older one) is linked in memory. Session records
// (origin, spawns) are read whole: they say which sessions form groups. The other links into a
// session are read only for the sessions a caller asks about (a group's members).

const READ_BATCH = 5000;

export interface LinkState {
  readonly records: Map<string, SessionLinkRecord>;
  /** Every link into these sessions (spawns included), oldest first. */
  linksInto(sessionIds: readonly string[]): SessionLink[];
}

export function readLinkState(db: Database, store: EventStore): LinkState {
  const records = new Map<string, SessionLinkRecord>();
  const header = readSnapshotHeader(db, SESSION_LINKS_NAME);
  const usable = header !== undefined && header.version === SESSION_LINKS_VERSION;
  if (usable) {
    const rows = db.exec("SELECT key, state FROM projection_snapshot_parts WHERE name = ? AND key >= 's:' AND key < 's;'", [SESSION_LINKS_NAME])[0]?.values ?? [];
    for (const [key, state] of rows) {
      if (typeof key !== 'string' || typeof state !== 'string') continue;
      const record = parseRecord(state);
      if (record !== undefined) records.set(key.slice(2), record);
    }
  }
  const end = store.lastGlobalPosition();
  let at = usable ? header.position : 0;
  let tail: LinkFold | undefined;
  if (at < end) {
    tail = new LinkFold((key) => (key.startsWith('s:') ? records.get(key.slice(2)) : usable ? readLinkPart(db, key) : undefined), recentEventsOf(store));
    while (at < end) {
      const events = store.readAll({ from: at + 1, to: end, limit: READ_BATCH });
      if (events.length === 0) break;
      for (const event of events) tail.apply(event);
      at = (events[events.length - 1] as RecordedEvent).globalPosition;
    }
    tail.takeNewLinks();
    for (const [key, value] of tail.takeDirty()) {
      if (key.startsWith('s:')) records.set(key.slice(2), value as SessionLinkRecord);
    }
  }
  const folded = tail;
  return {
    records,
    linksInto: (ids) => ids.flatMap((id) => {
      const links = usable ? storedLinksInto(db, id) : new Map<string, SessionLink>();
      // The store keeps a link's first sighting: the tail adds only links it does not hold.
      for (const link of folded?.linksInto(id) ?? []) if (link.kind !== 'spawn' && !links.has(link.id)) links.set(link.id, link);
      return [...(records.get(id)?.links ?? []), ...[...links.values()].sort((a, b) => a.at - b.at)];
    }),
  };
}

/** The session records only (which sessions form groups). */
export function readLinkRecords(db: Database, store: EventStore): Map<string, SessionLinkRecord> {
  return readLinkState(db, store).records;
}

/** The stored links into a session other than its spawns, by link id. */
export function storedLinksInto(db: Database, sessionId: string): Map<string, SessionLink> {
  const [from, to] = linkPartRange(sessionId);
  const rows = db.exec('SELECT state FROM projection_snapshot_parts WHERE name = ? AND key >= ? AND key < ?', [SESSION_LINKS_NAME, from, to])[0]?.values ?? [];
  const links = new Map<string, SessionLink>();
  for (const [state] of rows) {
    if (typeof state !== 'string') continue;
    try {
      const link = JSON.parse(state) as Partial<SessionLink>;
      if (typeof link.id === 'string' && typeof link.from === 'string' && Array.isArray(link.evidence)) links.set(link.id, link as SessionLink);
    } catch {
      // An unreadable part is left out; the rest of the links stand.
    }
  }
  return links;
}

function parseRecord(state: string): SessionLinkRecord | undefined {
  try {
    const value = JSON.parse(state) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const record = value as Partial<SessionLinkRecord>;
    return typeof record.sessionId === 'string' && Array.isArray(record.links) ? (value as SessionLinkRecord) : undefined;
  } catch {
    return undefined;
  }
}
