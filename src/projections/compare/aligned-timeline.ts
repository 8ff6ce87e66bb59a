import type { AlignedTimeline, AlignedTimelines, StateInterval } from '../../protocol/compare';
import type { TimelineLaneId, TimelineModel } from '../timeline';

// Two sessions' state lanes on one time scale: each interval as an offset from its own session's
// first event, and the longer duration as the scale, so "the same moment into the session" lines
// up. The lanes come from the report's timeline (timeline.ts): a lane past MAX_LANE_ITEMS is
// already merged there, so this stays bounded however long the sessions ran.

/** A session's lifecycle and workflow intervals on its own clock. */
export function alignedTimeline(model: TimelineModel): AlignedTimeline {
  const start = model.start;
  if (start === null || model.end === null) return { durationMs: 0, lifecycle: [], workflow: [] };
  return { durationMs: model.end - start, lifecycle: intervals(model, 'lifecycle', start), workflow: intervals(model, 'workflow', start) };
}

/** Both timelines, and the scale that fits both. */
export function alignTimelines(a: TimelineModel, b: TimelineModel): AlignedTimelines {
  const left = alignedTimeline(a);
  const right = alignedTimeline(b);
  return { scaleMs: Math.max(left.durationMs, right.durationMs), a: left, b: right };
}

function intervals(model: TimelineModel, lane: TimelineLaneId, start: number): StateInterval[] {
  const items = model.lanes.find((l) => l.id === lane)?.items ?? [];
  return items.map((item) => ({ state: item.kind, startMs: item.start - start, endMs: item.end - start, count: item.count }));
}
