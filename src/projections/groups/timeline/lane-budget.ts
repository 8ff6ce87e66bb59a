import type { GroupTimelineItem, GroupTimelineLane } from '../../../protocol/group-timeline';
import { longestKind, worstKind } from '../../timeline';

// The unified timeline's bound. Each lane comes from the report's TimelineBuilder, which already
// merges past MAX_LANE_ITEMS (3000) per lane; twenty sessions would still send tens of thousands of
// items. So the whole group gets a budget, shared between lanes in proportion to what they hold
// (with a floor, so a quiet lane keeps its shape), and a lane over its share merges runs of
// neighbours in each row, with the report's rule: a run of states shows the state it spent most
// time in, a run of calls or markers the worst outcome it holds.

/** Items in a whole group timeline, at most (a few thousand: one message, one fluid canvas). */
export const GROUP_MAX_ITEMS = 6000;
/** No lane is cut below this many items. */
const LANE_FLOOR = 60;

/** The lanes with their items merged to fit `budget` in all (lanes at or under their share are unchanged). */
export function fitLanes(lanes: readonly GroupTimelineLane[], budget = GROUP_MAX_ITEMS): GroupTimelineLane[] {
  const total = lanes.reduce((n, l) => n + l.items.length, 0);
  if (total <= budget) return [...lanes];
  return lanes.map((l) => capLane(l, Math.max(LANE_FLOOR, Math.floor((budget * l.items.length) / total))));
}

function capLane(lane: GroupTimelineLane, cap: number): GroupTimelineLane {
  if (lane.items.length <= cap) return lane;
  const size = Math.ceil(lane.items.length / cap);
  // Runs are taken within one row of one layer: a state never merges with a call.
  const runs = new Map<string, GroupTimelineItem[]>();
  for (const item of lane.items) {
    const key = `${item.layer}:${item.row}`;
    const run = runs.get(key);
    if (run === undefined) runs.set(key, [item]);
    else run.push(item);
  }
  const items: GroupTimelineItem[] = [];
  for (const row of runs.values()) {
    row.sort((a, b) => a.start - b.start);
    for (let i = 0; i < row.length; i += size) items.push(merge(row.slice(i, i + size)));
  }
  items.sort((a, b) => a.start - b.start || a.row - b.row);
  const before = lane.items.reduce((n, i) => n + i.count, 0);
  return { ...lane, items, merged: before };
}

function merge(run: readonly GroupTimelineItem[]): GroupTimelineItem {
  const first = run[0] as GroupTimelineItem;
  if (run.length === 1) return first;
  let end = first.end;
  let count = 0;
  for (const i of run) {
    end = Math.max(end, i.end);
    count += i.count;
  }
  const kind = first.layer === 'state' ? longestKind(run) : worstKind(run);
  const noun = first.layer === 'state' ? 'states' : first.layer === 'call' ? 'calls' : 'markers';
  return { ...first, end, kind, count, label: `${count} ${noun}` };
}
