import type { Database } from 'sql.js';
import type { EventStore, RecordedEvent } from '../store/event-store';
import { memberSpan } from './member-span';
import type { GroupSummary } from '../domain/groups/model';
import type { GroupAnalysis, GroupFacts } from '../domain/groups/facts';
import { currentOverview } from '../projections/overview/overview-store';
import { listingOf } from '../projections/overview/session-query';
import type { SessionListing } from '../projections/overview/session-query';
import type { PriceTable } from '../projections/pricing';
import { DEFAULT_PRICE_TABLE } from '../projections/pricing';
import { readLinkState } from '../projections/groups/link-records';
import { buildGroups } from '../projections/groups/build-groups';
import { memberFacts } from '../projections/groups/member-facts';
import { analyzeGroup } from '../projections/groups/analysis/analyze';
import { withHandoffs } from '../projections/groups/handoffs';

// The groups of a store and one group in full, for the CLI and the views alike: the links the
// writer keeps (or folds here what it has not reached), the overview rows for the members'
// figures, and, for one group, its members' streams for its file and commit hand-offs, the
// analysis and the unified timeline. A listing's links are the kept ones (spawns, messages, tasks).

export function readGroups(db: Database, store: EventStore, now: number = Date.now(), prices: PriceTable = DEFAULT_PRICE_TABLE): GroupSummary[] {
  const rows = currentOverview(db, store).rows;
  const listings = new Map<string, SessionListing>();
  for (const [id, row] of rows) listings.set(id, listingOf(row, now, prices));
  const links = readLinkState(db, store);
  return buildGroups(links.records, listings, links.linksInto);
}

/** How a group is named on the command line: its id, a run or team name, the start of its id, or a member session (its id or start). */
export function findGroup(groups: readonly GroupSummary[], given: string): { ok: true; group: GroupSummary } | { ok: false; problem: string } {
  const exact = groups.find((g) => g.id === given || (g.kind !== 'tree' && g.label === given));
  if (exact !== undefined) return { ok: true, group: exact };
  if (given.length < 4) return { ok: false, problem: `"${given}" is too short: give a group id (see "logbook groups"), a run name, or at least 4 characters of a member session's id` };
  const byStart = groups.filter((g) => g.id.startsWith(given) || g.id.slice(g.id.indexOf(':') + 1).startsWith(given) || g.members.some((m) => m.sessionId.startsWith(given)));
  if (byStart.length === 1) return { ok: true, group: byStart[0] as GroupSummary };
  if (byStart.length > 1) return { ok: false, problem: `"${given}" names ${byStart.length} groups (${byStart.slice(0, 5).map((g) => g.id).join(', ')}): give more of it` };
  return { ok: false, problem: `no group is or has a member named "${given}" (see "logbook groups")` };
}

export interface GroupDetail {
  /** The group with the file and commit hand-offs between its members among its links (handoffs.ts). */
  readonly group: GroupSummary;
  readonly facts: GroupFacts;
  readonly analysis: GroupAnalysis;
  readonly streams: ReadonlyArray<{ readonly sessionId: string; readonly events: readonly RecordedEvent[] }>;
}

/** A group's members' streams, its hand-offs, facts and analysis. */
export function readGroupDetail(store: EventStore, listed: GroupSummary, prices: PriceTable = DEFAULT_PRICE_TABLE): GroupDetail {
  const streams = readMemberStreams(store, listed.members.map((m) => m.sessionId));
  const group = withHandoffs(listed, streams);
  const facts: GroupFacts = { group, members: streams.map((s) => memberFacts(s.sessionId, s.events, prices)) };
  return { group, facts, analysis: analyzeGroup(facts), streams };
}

/** The members' whole streams, read in one pass over the store's order when that is cheaper (member-span.ts). */
export function readMemberStreams(store: EventStore, ids: readonly string[]): Array<{ readonly sessionId: string; readonly events: RecordedEvent[] }> {
  const span = memberSpan(store, ids);
  if (span === undefined || !span.onePass) return ids.map((sessionId) => ({ sessionId, events: store.readStream(sessionId) }));
  const byStream = new Map<string, RecordedEvent[]>(ids.map((id) => [id, []]));
  for (const event of store.readStreams(ids, { from: span.from, to: span.to })) byStream.get(event.streamId)?.push(event);
  return ids.map((sessionId) => ({ sessionId, events: byStream.get(sessionId) ?? [] }));
}
