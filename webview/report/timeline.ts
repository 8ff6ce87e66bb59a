import { h, replaceChildren, svg } from '../shared/dom';
import { formatDuration } from '../shared/duration';
import type { TimelineItem, TimelineLane, TimelineModel } from '../../src/projections/timeline';
import { codicon } from './codicon';
import { formatClock, kindClass, lifecycleClass, stateLabel, workflowClass } from './format';

// The timeline tab: one SVG, lanes of bars under a time axis. Zoom with the wheel (around the
// pointer) or the buttons, pan by dragging or with shift+wheel. Only items inside the visible
// range are drawn, and items thinner than a pixel that touch the previous one in their row are
// skipped, so a session with thousands of calls stays fast.

export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface TimelineActions {
  select(position: number): void;
  zoomed(range: Range | null): void;
}

const LABEL_W = 160;
const AXIS_H = 24;
const ROW_H = 14;
const LANE_GAP = 10;
const RIGHT = 12;
const MIN_SPAN_MS = 200;
const STEPS = [100, 250, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5];

export class TimelineView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly rangeText: HTMLElement;
  private model: TimelineModel | undefined;
  private workflowOrder: readonly string[] = [];
  private range: Range | null = null;
  private frame = 0;

  constructor(private readonly actions: TimelineActions) {
    this.canvas = h('div', { class: 'timeline-canvas', 'data-testid': 'timeline-canvas' });
    this.rangeText = h('span', { class: 'muted', 'data-testid': 'timeline-range' });
    const button = (testid: string, icon: string, label: string, run: () => void): HTMLElement =>
      h('vscode-button', { secondary: true, 'data-testid': testid, title: label, 'aria-label': label, onclick: run }, codicon(icon), ` ${label}`);
    this.element = h('section', { class: 'timeline', 'data-testid': 'timeline' },
      h('div', { class: 'toolbar' },
        button('timeline-zoom-in', 'zoom-in', 'Zoom in', () => this.zoomBy(0.5)),
        button('timeline-zoom-out', 'zoom-out', 'Zoom out', () => this.zoomBy(2)),
        button('timeline-zoom-reset', 'screen-full', 'Whole session', () => this.setRange(null)),
        this.rangeText,
        h('span', { class: 'muted hint' }, 'Wheel to zoom, drag or shift+wheel to pan, click a bar to see its event.')),
      this.canvas);
    this.canvas.addEventListener('wheel', (event) => this.onWheel(event), { passive: false });
    this.canvas.addEventListener('pointerdown', (event) => this.onDrag(event));
    new ResizeObserver(() => this.schedule()).observe(this.canvas);
  }

  setModel(model: TimelineModel, workflowOrder: readonly string[]): void {
    this.model = model;
    this.workflowOrder = workflowOrder;
    this.schedule();
  }

  setRange(range: Range | null, notify = true): void {
    this.range = range;
    if (notify) this.actions.zoomed(range);
    this.schedule();
  }

  private full(): Range | null {
    const m = this.model;
    if (m === undefined || m.start === null || m.end === null) return null;
    // A session of one instant still gets a second to draw in.
    return { start: m.start, end: m.end - m.start < 1 ? m.start + 1000 : m.end };
  }

  private visible(): Range | null {
    const full = this.full();
    if (full === null) return null;
    const r = this.range ?? full;
    return clamp(r, full);
  }

  private zoomBy(factor: number, anchorShare = 0.5): void {
    const v = this.visible();
    const full = this.full();
    if (v === null || full === null) return;
    const span = Math.max(MIN_SPAN_MS, (v.end - v.start) * factor);
    const anchor = v.start + (v.end - v.start) * anchorShare;
    const next = clamp({ start: anchor - span * anchorShare, end: anchor - span * anchorShare + span }, full);
    this.setRange(next.end - next.start >= full.end - full.start ? null : next);
  }

  private pan(ms: number): void {
    const v = this.visible();
    const full = this.full();
    if (v === null || full === null || this.range === null) return;
    this.setRange(clamp({ start: v.start + ms, end: v.end + ms }, full));
  }

  private onWheel(event: WheelEvent): void {
    const v = this.visible();
    if (v === null) return;
    event.preventDefault();
    const width = this.plotWidth();
    if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
      this.pan(((event.shiftKey ? event.deltaY : event.deltaX) / width) * (v.end - v.start));
      return;
    }
    const share = Math.min(1, Math.max(0, (event.offsetX - LABEL_W) / width));
    this.zoomBy(event.deltaY > 0 ? 1.25 : 0.8, share);
  }

  private onDrag(event: PointerEvent): void {
    const v = this.visible();
    if (v === null || this.range === null || event.button !== 0) return;
    const startX = event.clientX;
    const origin = v;
    const move = (e: PointerEvent): void => {
      const full = this.full();
      const ms = ((startX - e.clientX) / this.plotWidth()) * (origin.end - origin.start);
      if (full !== null) this.setRange(clamp({ start: origin.start + ms, end: origin.end + ms }, full), false);
    };
    const up = (): void => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      this.actions.zoomed(this.range);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  private plotWidth(): number {
    return Math.max(100, (this.canvas.clientWidth || 900) - LABEL_W - RIGHT);
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const model = this.model;
    const v = this.visible();
    if (model === undefined || v === null) {
      replaceChildren(this.canvas, h('div', { class: 'empty' }, 'No timed events yet.'));
      return;
    }
    this.rangeText.textContent = `${formatClock(v.start)} – ${formatClock(v.end)} (${formatDuration(v.end - v.start)})`;
    const width = this.plotWidth();
    const x = (t: number): number => LABEL_W + ((t - v.start) / (v.end - v.start)) * width;
    const parts: Element[] = [axis(v, x, width)];
    let y = AXIS_H;
    for (const lane of model.lanes) {
      const height = lane.rows * ROW_H;
      parts.push(this.lane(lane, v, x, y));
      y += height + LANE_GAP;
    }
    replaceChildren(this.canvas, svg('svg', { class: 'timeline-svg', width: LABEL_W + width + RIGHT, height: y, role: 'img', 'aria-label': 'Session timeline' }, ...parts));
  }

  private lane(lane: TimelineLane, v: Range, x: (t: number) => number, top: number): Element {
    const group = svg('g', { class: `tl-lane lane-${lane.id}`, 'data-testid': 'timeline-lane', 'data-lane': lane.id });
    const label = lane.merged > 0 ? `${lane.label} (${lane.merged} grouped)` : lane.label;
    group.appendChild(svg('text', { class: 'tl-lane-label', x: 4, y: top + Math.min(ROW_H, lane.rows * ROW_H) - 3 }, label));
    group.appendChild(svg('line', { class: 'tl-lane-rule', x1: LABEL_W, x2: x(v.end), y1: top + lane.rows * ROW_H + LANE_GAP / 2, y2: top + lane.rows * ROW_H + LANE_GAP / 2 }));
    const lastX = new Map<number, number>();
    for (const item of lane.items) {
      if (item.end < v.start || item.start > v.end) continue;
      const x1 = Math.max(LABEL_W, x(item.start));
      const x2 = Math.min(x(v.end), x(item.end));
      const point = item.start === item.end;
      // Sub-pixel neighbours collapse into the pixel already drawn.
      if (!point && x2 - x1 < 1 && (lastX.get(item.row) ?? -Infinity) >= x1 - 0.5) continue;
      lastX.set(item.row, Math.max(x2, x1 + 1));
      const y = top + item.row * ROW_H + 1;
      group.appendChild(svg('rect', {
        class: `tl-item ${this.itemClass(lane, item)}${point ? ' tl-point' : ''}`, 'data-testid': 'timeline-item', 'data-kind': item.kind,
        'data-position': item.position ?? undefined, x: point ? x1 - 1.5 : x1, y, width: point ? 3 : Math.max(1, x2 - x1), height: ROW_H - 2, rx: 2,
      }, svg('title', {}, tooltip(item))));
    }
    group.addEventListener('click', (event) => {
      const position = (event.target as Element).getAttribute('data-position');
      if (position !== null) this.actions.select(Number(position));
    });
    return group;
  }

  private itemClass(lane: TimelineLane, item: TimelineItem): string {
    if (lane.id === 'lifecycle') return lifecycleClass(item.kind);
    if (lane.id === 'workflow') return workflowClass(item.kind, this.workflowOrder);
    return kindClass(item.kind);
  }
}

function axis(v: Range, x: (t: number) => number, width: number): Element {
  const span = v.end - v.start;
  const step = STEPS.find((s) => span / s <= width / 90) ?? (STEPS[STEPS.length - 1] as number);
  const group = svg('g', { class: 'tl-axis' });
  for (let t = Math.ceil(v.start / step) * step; t <= v.end; t += step) {
    group.appendChild(svg('line', { class: 'tl-tick', x1: x(t), x2: x(t), y1: AXIS_H - 6, y2: 100000 }));
    group.appendChild(svg('text', { class: 'tl-tick-label', x: x(t) + 2, y: AXIS_H - 10 }, step < 1000 ? formatClock(t) : formatClock(t).slice(0, step < 60_000 ? 8 : 5)));
  }
  return group;
}

function tooltip(item: TimelineItem): string {
  const when = `${formatClock(item.start)}${item.end > item.start ? ` – ${formatClock(item.end)} (${formatDuration(item.end - item.start)})` : ''}`;
  return `${stateLabel(item.label)}${item.kind === item.label ? '' : ` · ${stateLabel(item.kind)}`}\n${when}`;
}

function clamp(r: Range, full: Range): Range {
  const span = Math.min(r.end - r.start, full.end - full.start);
  const start = Math.min(Math.max(r.start, full.start), full.end - span);
  return { start, end: start + span };
}
