import type { Database } from 'sql.js';
import type { GroupSummary } from '../domain/groups/model';
import type { EventStore } from '../store/event-store';
import { readSnapshotHeader } from '../store/projection-snapshots';
import type { SessionOverview } from '../projections/overview/session-overview';
import { listingOf } from '../projections/overview/session-query';
import type { SessionListing } from '../projections/overview/session-query';
import type { PriceTable } from '../projections/pricing';
import { buildGroups } from '../projections/groups/build-groups';
import type { SessionLinkRecord } from '../projections/groups/link-fold';
import { readLinkPart, SESSION_LINKS_NAME, SESSION_LINKS_VERSION } from '../projections/groups/link-keeper';
import { readLinkState, storedLinksInto } from '../projections/groups/link-records';
import type { LinkState } from '../projections/groups/link-records';

// The groups of one workspace for a window that stays open (the sidebar, the dashboard): the same
// answer as readGroups (read/groups.ts), kept current at the cost of what changed. The writer saves
// a session's link record (its origin and the spawns into it) in the transaction that appends its
// events, so once every record was read, a new event only asks for the records of the sessions it
// touched. The other links kept at ingest (messages, tasks) are parts of their own (link-fold.ts),
// read for the members of groups when the groups are built again. The members' figures come from
// the overview rows the window already holds, never from a second read of them. A store whose
// links the writer has not kept (older, or behind) is read whole, as readGroups does.

export class LiveGroups {
  private records: Map<string, SessionLinkRecord> | undefined;
  /** A whole read's state while the writer's parts trail the store (its tail folded here). */
  private tail: LinkState | undefined;
  private position = -1;
  /** Whether `records` are the writer's parts at `position` (then only touched sessions are read again). */
  private parts = false;
  private built: { readonly position: number; readonly prices: string; readonly groups: GroupSummary[] } | undefined;

  /** The groups as the store stands, newest first; the same array while nothing changed. */
  groups(db: Database, store: EventStore, rows: ReadonlyMap<string, SessionOverview>, prices: PriceTable, now: number = Date.now()): GroupSummary[] {
    const records = this.read(db, store);
    const pricesKey = JSON.stringify(prices);
    if (this.built !== undefined && this.built.position === this.position && this.built.prices === pricesKey) return this.built.groups;
    const listings = new Map<string, SessionListing>();
    const add = (id: string): void => {
      if (listings.has(id)) return;
      const row = rows.get(id);
      if (row !== undefined) listings.set(id, listingOf(row, now, prices));
    };
    for (const [id, record] of records) {
      add(id);
      for (const link of record.links) {
        add(link.from);
        add(link.to);
      }
    }
    // Links other than spawns are parts of their own: read for the members of groups only.
    const tail = this.tail;
    const groups = buildGroups(records, listings, (ids) => (tail !== undefined ? tail.linksInto(ids) : ids.flatMap((id) => [...(records.get(id)?.links ?? []), ...storedLinksInto(db, id).values()])));
    this.built = { position: this.position, prices: pricesKey, groups };
    return groups;
  }

  /** Forgets everything (a store replaced by another). */
  reset(): void {
    this.records = undefined;
    this.tail = undefined;
    this.position = -1;
    this.parts = false;
    this.built = undefined;
  }

  private read(db: Database, store: EventStore): ReadonlyMap<string, SessionLinkRecord> {
    const end = store.lastGlobalPosition();
    if (this.records !== undefined && end === this.position) return this.records;
    const header = readSnapshotHeader(db, SESSION_LINKS_NAME);
    const current = header !== undefined && header.version === SESSION_LINKS_VERSION && header.position === end;
    if (this.records === undefined || !this.parts || !current || end < this.position) {
      const state = readLinkState(db, store);
      this.records = state.records;
      this.tail = current ? undefined : state;
    } else {
      this.tail = undefined;
      const next = new Map(this.records);
      for (const id of store.streamsAfter(this.position)) {
        const record = asRecord(readLinkPart(db, `s:${id}`));
        if (record === undefined) next.delete(id);
        else next.set(id, record);
      }
      this.records = next;
    }
    this.position = end;
    this.parts = current;
    return this.records;
  }
}

function asRecord(value: unknown): SessionLinkRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<SessionLinkRecord>;
  return typeof record.sessionId === 'string' && Array.isArray(record.links) ? (value as SessionLinkRecord) : undefined;
}
