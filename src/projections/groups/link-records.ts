import type { Database } from 'sql.js';
import type { EventStore, RecordedEvent } from '../../store/event-store';
import { readSnapshotHeader } from '../../store/projection-snapshots';
import { LinkFold } from './link-fold';
import type { SessionLinkRecord } from './link-fold';
import { readLinkPart, SESSION_LINKS_NAME, SESSION_LINKS_VERSION } from './link-keeper';

// Every session's link record as the store stands: the parts the writer saved, and the events past
// their header folded here the same way (read only: nothing is saved), so a reader never waits for
// the writer and a store the writer has not linked yet (an older one) is linked in memory.

const READ_BATCH = 5000;

export function readLinkRecords(db: Database, store: EventStore): Map<string, SessionLinkRecord> {
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
  if (at >= end) return records;
  const fold = new LinkFold((key) => (key.startsWith('s:') ? records.get(key.slice(2)) : usable ? readLinkPart(db, key) : undefined));
  while (at < end) {
    const events = store.readAll({ from: at + 1, to: end, limit: READ_BATCH });
    if (events.length === 0) break;
    for (const event of events) fold.apply(event);
    at = (events[events.length - 1] as RecordedEvent).globalPosition;
  }
  for (const [key, value] of fold.takeDirty()) {
    if (key.startsWith('s:')) records.set(key.slice(2), value as SessionLinkRecord);
  }
  return records;
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
