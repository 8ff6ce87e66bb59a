import type { GroupMember, GroupSummary } from '../../../domain/groups/model';
import type { GroupTimelineLane, GroupTimelineModel } from '../../../protocol/group-timeline';
import type { RecordedEvent } from '../../../store/event-store';
import { arrowAsks, placeArrows } from './arrows';
import type { PlacedMember } from './arrows';
import { fitLanes } from './lane-budget';
import { memberLanes } from './member-lanes';

// The unified timeline of a group (issue 16): one lane per member session (its lifecycle states,
// markers and main-agent calls, as the report's timeline shows them), each followed by a lane per
// subagent of that member, and the group's links as arrows between them. Members are ordered as
// their spawn tree (a parent before its children, siblings by start), so spawn arrows mostly point
// down. Pure: the streams are read by the caller. The model is bounded (lane-budget.ts), so 50k
// events give a few thousand items.

/** One member's events, in stream order. */
export interface MemberStream {
  readonly sessionId: string;
  readonly events: readonly RecordedEvent[];
}

export function buildGroupTimeline(group: GroupSummary, streams: ReadonlyArray<MemberStream>): GroupTimelineModel {
  const bySession = new Map(streams.map((s) => [s.sessionId, s.events]));
  const asks = arrowAsks(group.links);
  const none = { toolUseIds: new Set<string>(), positions: new Set<number>() };
  const placed = new Map<string, PlacedMember>();
  const lanes: GroupTimelineLane[] = [];
  let events = 0;
  for (const member of treeOrder(group.members)) {
    const folded = memberLanes(member, bySession.get(member.sessionId) ?? [], asks.get(member.sessionId) ?? none);
    placed.set(member.sessionId, { laneIndex: lanes.length, folded });
    lanes.push(...folded.lanes);
    events += folded.events;
  }
  const itemsBeforeMerge = lanes.reduce((n, l) => n + l.items.reduce((c, i) => c + i.count, 0), 0);
  const fitted = fitLanes(lanes);
  const { arrows, unplaced } = placeArrows(group.links, placed);
  let start: number | null = null;
  let end: number | null = null;
  for (const lane of fitted) {
    if (lane.span === null) continue;
    start = start === null ? lane.span.start : Math.min(start, lane.span.start);
    end = end === null ? lane.span.end : Math.max(end, lane.span.end);
  }
  return {
    groupId: group.id, kind: group.kind, label: group.label, start, end, lanes: fitted, arrows,
    stats: { events, items: fitted.reduce((n, l) => n + l.items.length, 0), itemsBeforeMerge, unplacedLinks: unplaced },
  };
}

/** Parents before their children (depth first), roots and siblings by first event, then id. */
export function treeOrder(members: readonly GroupMember[]): GroupMember[] {
  const ids = new Set(members.map((m) => m.sessionId));
  const children = new Map<string | null, GroupMember[]>();
  for (const m of members) {
    const parent = m.parentSessionId !== null && ids.has(m.parentSessionId) && m.parentSessionId !== m.sessionId ? m.parentSessionId : null;
    const list = children.get(parent);
    if (list === undefined) children.set(parent, [m]);
    else list.push(m);
  }
  const byStart = (a: GroupMember, b: GroupMember): number => (a.firstEventAt ?? Infinity) - (b.firstEventAt ?? Infinity) || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0);
  const ordered: GroupMember[] = [];
  const seen = new Set<string>();
  const visit = (m: GroupMember): void => {
    if (seen.has(m.sessionId)) return;
    seen.add(m.sessionId);
    ordered.push(m);
    for (const child of [...(children.get(m.sessionId) ?? [])].sort(byStart)) visit(child);
  };
  for (const root of [...(children.get(null) ?? [])].sort(byStart)) visit(root);
  // A cycle of parents has no root: its members still get lanes.
  for (const m of [...members].sort(byStart)) visit(m);
  return ordered;
}
