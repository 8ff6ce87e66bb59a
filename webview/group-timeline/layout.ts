import type { GroupTimelineArrow, GroupTimelineItem, GroupTimelineLane, GroupTimelineModel } from '../../src/protocol/group-timeline';

// Where things are on the canvas: lane tops (computed once per model), the time ↔ x mapping of
// the visible range, and what sits under a point (an arrow first: arrows are drawn on top).

export const LABEL_W = 230;
export const AXIS_H = 22;
export const ROW_H = 12;
export const LANE_PAD = 6;
export const INDENT = 16;
export const RIGHT = 10;

export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface Layout {
  readonly tops: readonly number[];
  readonly heights: readonly number[];
  /** Height of all lanes (below the axis). */
  readonly height: number;
}

export function layoutLanes(model: GroupTimelineModel): Layout {
  const tops: number[] = [];
  const heights: number[] = [];
  let y = 0;
  for (const lane of model.lanes) {
    tops.push(y);
    const height = Math.max(1, lane.rows) * ROW_H + LANE_PAD;
    heights.push(height);
    y += height;
  }
  return { tops, heights, height: y };
}

/** The visible frame: time range, plot width and vertical scroll. */
export interface Frame {
  readonly range: Range;
  readonly width: number;
  readonly height: number;
  readonly scrollTop: number;
}

export function xOf(frame: Frame, t: number): number {
  return LABEL_W + ((t - frame.range.start) / (frame.range.end - frame.range.start)) * (frame.width - LABEL_W - RIGHT);
}

export function timeAt(frame: Frame, x: number): number {
  return frame.range.start + ((x - LABEL_W) / (frame.width - LABEL_W - RIGHT)) * (frame.range.end - frame.range.start);
}

/** The y of a lane's top on the canvas. */
export function laneY(layout: Layout, frame: Frame, lane: number): number {
  return AXIS_H + (layout.tops[lane] ?? 0) - frame.scrollTop;
}

/** Where an arrow's end sits: the middle of its lane's first row. */
export function endY(layout: Layout, frame: Frame, lane: number): number {
  return laneY(layout, frame, lane) + LANE_PAD / 2 + ROW_H / 2;
}

/** The lane under a canvas y, or -1. */
export function laneAt(layout: Layout, frame: Frame, y: number): number {
  const inner = y - AXIS_H + frame.scrollTop;
  if (y < AXIS_H || inner < 0 || inner >= layout.height) return -1;
  let lo = 0;
  let hi = layout.tops.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((layout.tops[mid] ?? 0) <= inner) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The item under a point (a marker before the state it sits on), with a few pixels of slack. */
export function itemAt(model: GroupTimelineModel, layout: Layout, frame: Frame, x: number, y: number): { lane: GroupTimelineLane; item: GroupTimelineItem } | undefined {
  const index = laneAt(layout, frame, y);
  const lane = model.lanes[index];
  if (lane === undefined || x < LABEL_W) return undefined;
  const row = Math.floor((y - laneY(layout, frame, index) - LANE_PAD / 2) / ROW_H);
  const slack = (3 * (frame.range.end - frame.range.start)) / Math.max(1, frame.width - LABEL_W - RIGHT);
  const t = timeAt(frame, x);
  let best: GroupTimelineItem | undefined;
  let bestScore = Infinity;
  for (const item of lane.items) {
    if (item.row !== row || item.start - slack > t || item.end + slack < t) continue;
    // A point or a marker wins over the bar under it; among bars, the shortest (the most precise).
    const score = item.layer === 'marker' || item.start === item.end ? -1 : item.end - item.start;
    if (score < bestScore) {
      best = item;
      bestScore = score;
    }
  }
  return best === undefined ? undefined : { lane, item: best };
}

/** The arrow's curve, sampled (for drawing and hit testing alike). */
export function arrowPath(layout: Layout, frame: Frame, arrow: GroupTimelineArrow): { x1: number; y1: number; x2: number; y2: number; c1: number; c2: number } {
  const x1 = xOf(frame, arrow.from.at);
  const x2 = xOf(frame, arrow.to.at);
  const y1 = endY(layout, frame, arrow.from.lane);
  const y2 = endY(layout, frame, arrow.to.lane);
  // Control points bend the curve vertically: an arrow between neighbours stays readable when both ends are at one time.
  const bend = Math.max(12, Math.abs(y2 - y1) / 2);
  return { x1, y1, x2, y2, c1: y1 + Math.sign(y2 - y1 || 1) * bend, c2: y2 - Math.sign(y2 - y1 || 1) * bend };
}

export function arrowAt(model: GroupTimelineModel, layout: Layout, frame: Frame, x: number, y: number): GroupTimelineArrow | undefined {
  for (let i = model.arrows.length - 1; i >= 0; i -= 1) {
    const arrow = model.arrows[i] as GroupTimelineArrow;
    const p = arrowPath(layout, frame, arrow);
    let px = p.x1;
    let py = p.y1;
    for (let s = 1; s <= 24; s += 1) {
      const u = s / 24;
      const nx = bezier(p.x1, p.x1, p.x2, p.x2, u);
      const ny = bezier(p.y1, p.c1, p.c2, p.y2, u);
      if (distanceToSegment(x, y, px, py, nx, ny) <= 4) return arrow;
      px = nx;
      py = ny;
    }
  }
  return undefined;
}

export function bezier(a: number, b: number, c: number, d: number, u: number): number {
  const v = 1 - u;
  return v * v * v * a + 3 * v * v * u * b + 3 * v * u * u * c + u * u * u * d;
}

function distanceToSegment(x: number, y: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const length = dx * dx + dy * dy;
  const u = length === 0 ? 0 : Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / length));
  return Math.hypot(x - (x1 + u * dx), y - (y1 + u * dy));
}
