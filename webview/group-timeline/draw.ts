import type { GroupTimelineArrow, GroupTimelineLane, GroupTimelineModel } from '../../src/protocol/group-timeline';
import type { LinkKind } from '../../src/domain/groups/model';
import { formatClock } from '../report/format';
import type { Palette } from './colours';
import { arrowPath, AXIS_H, INDENT, LABEL_W, LANE_PAD, laneY, ROW_H, xOf } from './layout';
import type { Frame, Layout } from './layout';

type ArrowPath = ReturnType<typeof arrowPath>;

// One frame of the unified timeline on a 2D canvas: lanes (only those in view), their items (only
// those in the time range; an item under a pixel wide that touches the one before it in its row
// is skipped, as the report's timeline does), the arrows on top (clipped to the plot), then the
// label column and the time axis over everything. Text goes in with fillText: nothing is parsed as markup.

const STEPS = [100, 250, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5];

const ARROW_VARS: Readonly<Record<LinkKind, string>> = {
  spawn: '--vscode-charts-green', 'handoff-file': '--vscode-charts-orange', 'handoff-commit': '--vscode-charts-orange',
  'handoff-task': '--vscode-charts-purple', message: '--vscode-charts-blue',
};

export interface Highlight {
  readonly arrowId: string | null;
  readonly lane: number;
}

export function drawFrame(ctx: CanvasRenderingContext2D, model: GroupTimelineModel, layout: Layout, frame: Frame, palette: Palette, highlight: Highlight): void {
  ctx.clearRect(0, 0, frame.width, frame.height);
  ctx.font = `11px ${palette.variable('--vscode-font-family', 'system-ui, sans-serif')}`;
  ctx.textBaseline = 'middle';
  for (let i = 0; i < model.lanes.length; i += 1) {
    const top = laneY(layout, frame, i);
    const height = layout.heights[i] ?? 0;
    if (top + height < AXIS_H || top > frame.height) continue;
    drawLane(ctx, model.lanes[i] as GroupTimelineLane, top, height, frame, palette, i === highlight.lane);
  }
  // One clip for all arrows (a save, clip and restore each cost more than the arrow when there are thousands of hand-offs).
  ctx.save();
  ctx.beginPath();
  ctx.rect(LABEL_W, AXIS_H, frame.width - LABEL_W, frame.height - AXIS_H);
  ctx.clip();
  drawArrows(ctx, model.arrows, layout, frame, palette, highlight.arrowId);
  ctx.restore();
  drawLabels(ctx, model, layout, frame, palette);
  drawAxis(ctx, frame, palette);
}

function drawLane(ctx: CanvasRenderingContext2D, lane: GroupTimelineLane, top: number, height: number, frame: Frame, palette: Palette, hovered: boolean): void {
  const right = frame.width;
  if (lane.depth === 0 || hovered) {
    ctx.globalAlpha = hovered ? 0.6 : 0.25;
    ctx.fillStyle = palette.variable('--vscode-list-hoverBackground');
    ctx.fillRect(0, top, right, height);
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = palette.variable('--vscode-widget-border');
  ctx.fillRect(0, top + height - 0.5, right, 0.5);
  if (lane.span !== null && lane.depth > 0) {
    // A subagent's life: a faint band behind its calls.
    const x1 = Math.max(LABEL_W, xOf(frame, lane.span.start));
    const x2 = Math.min(right, xOf(frame, lane.span.end));
    if (x2 > x1) {
      ctx.globalAlpha = 0.18;
      ctx.fillStyle = palette.variable('--vscode-charts-green');
      ctx.fillRect(x1, top + 1, Math.max(1, x2 - x1), height - 2);
    }
  }
  const lastX = new Map<number, number>();
  const { start, end } = frame.range;
  for (const item of lane.items) {
    if (item.end < start || item.start > end) continue;
    const x1 = Math.max(LABEL_W, xOf(frame, item.start));
    const x2 = Math.min(right, xOf(frame, item.end));
    const y = top + LANE_PAD / 2 + item.row * ROW_H + 1;
    if (item.layer === 'marker') {
      const paint = palette.kind(item.kind);
      ctx.globalAlpha = 1;
      ctx.fillStyle = paint.colour;
      ctx.beginPath();
      ctx.moveTo(x1, y + 2);
      ctx.lineTo(x1 + 3, y + ROW_H - 2);
      ctx.lineTo(x1 - 3, y + ROW_H - 2);
      ctx.closePath();
      ctx.fill();
      continue;
    }
    const key = item.row * 2 + (item.layer === 'call' ? 1 : 0);
    const point = item.start === item.end;
    if (!point && x2 - x1 < 1 && (lastX.get(key) ?? -Infinity) >= x1 - 0.5) continue;
    lastX.set(key, Math.max(x2, x1 + 1));
    const paint = item.layer === 'state' ? palette.state(item.kind) : palette.kind(item.kind);
    ctx.globalAlpha = paint.alpha;
    ctx.fillStyle = paint.colour;
    ctx.fillRect(point ? x1 - 1 : x1, y, point ? 2 : Math.max(1, x2 - x1), ROW_H - 2);
  }
  ctx.globalAlpha = 1;
}

// Arrows of one look (colour, solid or dashed) go into one path, stroked once, and their dots and
// heads into another, filled once: a stroke per arrow cost more than the rest of the frame when a
// group had hundreds of hand-offs. The hovered arrow is drawn last, thicker, on top.
function drawArrows(ctx: CanvasRenderingContext2D, arrows: readonly GroupTimelineArrow[], layout: Layout, frame: Frame, palette: Palette, hovered: string | null): void {
  const looks = new Map<string, { colour: string; exact: boolean; width: number; paths: ArrowPath[] }>();
  for (const arrow of arrows) {
    const p = arrowPath(layout, frame, arrow);
    if (Math.max(p.x1, p.x2) < LABEL_W || Math.min(p.x1, p.x2) > frame.width) continue;
    if (Math.max(p.y1, p.y2) < AXIS_H || Math.min(p.y1, p.y2) > frame.height) continue;
    const on = arrow.id === hovered;
    const key = on ? 'hovered' : `${arrow.kind} ${arrow.exact}`;
    let look = looks.get(key);
    if (look === undefined) looks.set(key, (look = { colour: palette.variable(on ? '--vscode-focusBorder' : ARROW_VARS[arrow.kind]), exact: arrow.exact, width: on ? 2.5 : 1.5, paths: [] }));
    look.paths.push(p);
  }
  const hover = looks.get('hovered');
  looks.delete('hovered');
  for (const look of [...looks.values(), ...(hover === undefined ? [] : [hover])]) {
    ctx.strokeStyle = look.colour;
    ctx.fillStyle = look.colour;
    ctx.lineWidth = look.width;
    // Inferred links (hand-offs read from what the sessions did) are dashed; exact ones solid.
    ctx.setLineDash(look.exact ? [] : [5, 4]);
    ctx.beginPath();
    for (const p of look.paths) {
      ctx.moveTo(p.x1, p.y1);
      ctx.bezierCurveTo(p.x1, p.c1, p.x2, p.c2, p.x2, p.y2);
    }
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.beginPath();
    for (const p of look.paths) {
      ctx.moveTo(p.x1 + 2.5, p.y1);
      ctx.arc(p.x1, p.y1, 2.5, 0, Math.PI * 2);
      // The head points along the curve's last tangent (vertical, from c2 to the end).
      const down = p.y2 >= p.c2 ? 1 : -1;
      ctx.moveTo(p.x2, p.y2);
      ctx.lineTo(p.x2 - 4, p.y2 - down * 7);
      ctx.lineTo(p.x2 + 4, p.y2 - down * 7);
      ctx.closePath();
    }
    ctx.fill();
  }
}

function drawLabels(ctx: CanvasRenderingContext2D, model: GroupTimelineModel, layout: Layout, frame: Frame, palette: Palette): void {
  ctx.fillStyle = palette.variable('--vscode-editor-background');
  ctx.fillRect(0, AXIS_H, LABEL_W - 4, frame.height - AXIS_H);
  const foreground = palette.variable('--vscode-foreground');
  const muted = palette.variable('--vscode-descriptionForeground');
  for (let i = 0; i < model.lanes.length; i += 1) {
    const lane = model.lanes[i] as GroupTimelineLane;
    const top = laneY(layout, frame, i);
    if (top + ROW_H < AXIS_H || top > frame.height) continue;
    const x = 4 + lane.depth * INDENT;
    const y = top + LANE_PAD / 2 + ROW_H / 2;
    const tag = lane.depth === 0 ? `${lane.role} · ${lane.shortId}` : '↳';
    ctx.fillStyle = muted;
    ctx.fillText(tag, x, y);
    const after = x + ctx.measureText(tag).width + 5;
    ctx.fillStyle = lane.depth === 0 ? foreground : muted;
    ctx.fillText(fit(ctx, lane.merged > 0 ? `${lane.label} (${lane.merged} grouped)` : lane.label, LABEL_W - 10 - after), after, y);
  }
}

function drawAxis(ctx: CanvasRenderingContext2D, frame: Frame, palette: Palette): void {
  ctx.fillStyle = palette.variable('--vscode-editor-background');
  ctx.fillRect(0, 0, frame.width, AXIS_H);
  const span = frame.range.end - frame.range.start;
  const plot = frame.width - LABEL_W;
  const step = STEPS.find((s) => span / s <= plot / 90) ?? (STEPS[STEPS.length - 1] as number);
  ctx.fillStyle = palette.variable('--vscode-foreground');
  ctx.strokeStyle = palette.variable('--vscode-charts-lines');
  ctx.lineWidth = 0.5;
  for (let t = Math.ceil(frame.range.start / step) * step; t <= frame.range.end; t += step) {
    const x = xOf(frame, t);
    ctx.globalAlpha = 0.4;
    ctx.beginPath();
    ctx.moveTo(x, AXIS_H - 6);
    ctx.lineTo(x, frame.height);
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.fillText(step < 1000 ? formatClock(t) : formatClock(t).slice(0, step < 60_000 ? 8 : 5), x + 2, AXIS_H / 2 - 2);
  }
}

function fit(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (width <= 0) return '';
  if (ctx.measureText(text).width <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}
