import type { GroupMember, GroupSummary } from '../../../domain/groups/model';
import { READING_KIND } from '../../../protocol/group-timeline';
import type { GroupTimelineItem, GroupTimelineLane, GroupTimelineModel } from '../../../protocol/group-timeline';
import type { RecordedEvent } from '../../../store/event-store';
import { fitArrows } from './arrow-budget';
import { placeArrows } from './arrows';
import type { PlacedMember } from './arrows';
import { fitLanes } from './lane-budget';
import { laneLabel, MemberFold, shortId } from './member-lanes';
import type { MemberLanes } from './member-lanes';

// The unified timeline of a group (issue 16): one lane per member session (its lifecycle states,
// markers and main-agent calls, as the report's timeline shows them), each followed by a lane per
// subagent of that member, and the group's links as arrows between them. Members are ordered as
// their spawn tree (a parent before its children, siblings by start), so spawn arrows mostly point
// down. Pure: the streams are read by the caller. The model is bounded (lane-budget.ts,
// arrow-budget.ts), so 50k events give a few thousand items and at most a few hundred arrows.

/** One member's events, in stream order. */
export interface MemberStream {
  readonly sessionId: string;
  readonly events: readonly RecordedEvent[];
}

/** The timeline of a group whose members' streams are read whole (the CLI's export, tests). */
export function buildGroupTimeline(group: GroupSummary, streams: ReadonlyArray<MemberStream>): GroupTimelineModel {
  const folds = new Map<string, MemberFold>();
  for (const stream of streams) {
    const fold = new MemberFold(stream.sessionId);
    fold.extend(stream.events);
    folds.set(stream.sessionId, fold);
  }
  return groupTimelineOf(group, folds);
}

/**
 * The timeline of a group from its members' folds (kept and extended by the views). A member in
 * `reading` is still being read (in the store's order, so up to about the same moment for all):
 * it is drawn as far as its fold has read, then as an outline up to its last event (the group's
 * listing knows when that was); a member not read at all is an outline from its first event.
 */
export function groupTimelineOf(group: GroupSummary, folds: ReadonlyMap<string, MemberFold>, reading: ReadonlySet<string> = new Set()): GroupTimelineModel {
  const placed = new Map<string, PlacedMember>();
  const lanes: GroupTimelineLane[] = [];
  let events = 0;
  for (const member of treeOrder(group.members)) {
    const fold = folds.get(member.sessionId);
    const folded = reading.has(member.sessionId) && (fold === undefined || fold.events === 0) ? outlineLanes(member) : (fold ?? new MemberFold(member.sessionId)).lanes(member);
    placed.set(member.sessionId, { laneIndex: lanes.length, folded });
    lanes.push(...folded.lanes);
    events += folded.events;
  }
  const itemsBeforeMerge = lanes.reduce((n, l) => n + l.items.reduce((c, i) => c + i.count, 0), 0);
  // The outlines after the budget's merging: a merged run must not swallow one.
  const fitted = fitLanes(lanes);
  for (const id of reading) {
    const at = placed.get(id);
    const fold = folds.get(id);
    const member = group.members.find((m) => m.sessionId === id);
    const lane = at === undefined ? undefined : fitted[at.laneIndex];
    if (at === undefined || lane === undefined || member === undefined || fold === undefined || fold.events === 0) continue;
    fitted[at.laneIndex] = withOutline(lane, fold.lastAt, member.lastEventAt);
  }
  const { arrows: placedArrows, unplaced } = placeArrows(group.links, placed);
  let start: number | null = null;
  let end: number | null = null;
  for (const lane of fitted) {
    if (lane.span === null) continue;
    start = start === null ? lane.span.start : Math.min(start, lane.span.start);
    end = end === null ? lane.span.end : Math.max(end, lane.span.end);
  }
  const arrows = fitArrows(placedArrows, start === null || end === null ? null : { start, end });
  return {
    groupId: group.id, kind: group.kind, label: group.label, start, end, lanes: fitted, arrows,
    stats: { events, items: fitted.reduce((n, l) => n + l.items.length, 0), itemsBeforeMerge, links: placedArrows.length, unplacedLinks: unplaced, reading: reading.size },
  };
}

// A member not read yet: one bar from its first to its last event (the group's listing knows them).
function outlineLanes(member: GroupMember): MemberLanes {
  const start = member.firstEventAt;
  const span = start === null ? null : { start, end: Math.max(start, member.lastEventAt ?? start) };
  const lane: GroupTimelineLane = {
    id: member.sessionId, sessionId: member.sessionId, agentId: null, label: laneLabel(member), shortId: shortId(member.sessionId), role: member.role, depth: 0, rows: 1,
    span, items: span === null ? [] : [outlineItem(member.sessionId, span.start, span.end)], merged: 0,
  };
  return { lanes: [lane], first: null, calls: new Map(), agentAt: new Map(), events: 0 };
}

// A member read up to `readTo`: the rest of its time, to its last event, as an outline.
function withOutline(lane: GroupTimelineLane, readTo: number | null, lastAt: number | null): GroupTimelineLane {
  const from = readTo ?? lane.span?.end ?? null;
  if (from === null || lastAt === null || lastAt <= from) return lane;
  const span = { start: Math.min(lane.span?.start ?? from, from), end: lastAt };
  return { ...lane, span, items: [...lane.items, outlineItem(lane.sessionId, from, lastAt)] };
}

function outlineItem(sessionId: string, start: number, end: number): GroupTimelineItem {
  return { start, end, row: 0, layer: 'state', label: 'reading its events…', kind: READING_KIND, sessionId, position: null, count: 1 };
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
