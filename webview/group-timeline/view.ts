import type { GroupTimelineArrow, GroupTimelineItem, GroupTimelineLane, GroupTimelineModel } from '../../src/protocol/group-timeline';
import { groupDigits } from '../../src/domain/group-digits';
import { h, replaceChildren } from '../shared/dom';
import { formatDuration } from '../shared/duration';
import { formatClock, stateLabel } from '../report/format';
import { Palette } from './colours';
import { warmModel } from './warm';
import { drawFrame } from './draw';
import { arrowAt, AXIS_H, itemAt, LABEL_W, laneAt, layoutLanes, RIGHT } from './layout';
import type { Frame, Layout, Range } from './layout';

// The unified timeline's page: a toolbar, one canvas the size of the view (kept in place while a
// spacer as tall as all the lanes scrolls under it), and a tooltip. Zoom with the wheel (around the
// pointer) or the buttons, pan by dragging (sideways moves time, up and down scrolls the lanes) or
// with shift+wheel; a click on a bar or an arrow opens its event in its session's report.

export interface TimelineActions {
  /** An item or an arrow's end was clicked. */
  open(sessionId: string, position: number | null): void;
}

const MIN_SPAN_MS = 200;
const FIRST_FRAME_MARK = 'group-timeline-first-frame';

export class GroupTimelineView {
  private readonly canvas = h('canvas', { class: 'gt-canvas', 'data-testid': 'group-timeline-canvas' });
  private readonly spacer = h('div', { class: 'gt-spacer' });
  private readonly scroller = h('div', { class: 'gt-scroll', 'data-testid': 'group-timeline' }, this.canvas, this.spacer);
  private readonly tooltip = h('div', { class: 'gt-tooltip', role: 'tooltip', hidden: true });
  private readonly rangeText = h('span', { class: 'muted gt-range' });
  // Both hold a line of text before the first model, so that the canvas sized meanwhile (warm) keeps its size.
  private readonly status = h('span', { class: 'muted gt-status', 'data-testid': 'group-timeline-status' }, 'Waiting for the group\'s events…');
  private readonly heading = h('h2', { class: 'gt-title' }, 'Unified timeline');
  private readonly palette = new Palette(() => this.schedule());
  private model: GroupTimelineModel | undefined;
  private layout: Layout = { tops: [], heights: [], height: 0 };
  private range: Range | null = null;
  private hoverArrow: string | null = null;
  private hoverLane = -1;
  private frame = 0;
  private drawn = false;

  constructor(root: HTMLElement, private readonly actions: TimelineActions) {
    const button = (label: string, run: () => void): HTMLElement => h('button', { class: 'gt-button', type: 'button', title: label, onclick: run }, label);
    replaceChildren(root,
      h('div', { class: 'gt-head' }, this.heading, this.status),
      h('div', { class: 'gt-toolbar' },
        button('Zoom in', () => this.zoomBy(0.5)), button('Zoom out', () => this.zoomBy(2)), button('Reset', () => this.reset()),
        this.rangeText, h('span', { class: 'muted gt-hint' }, 'Wheel to zoom, drag to pan, click a bar or an arrow to open its event. Dashed arrows are inferred.')),
      this.scroller, this.tooltip);
    this.scroller.addEventListener('wheel', (event) => this.onWheel(event), { passive: false });
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.canvas.addEventListener('pointerdown', (event) => this.onPointerDown(event));
    this.canvas.addEventListener('pointermove', (event) => { if (event.buttons === 0) this.onHover(event); });
    this.canvas.addEventListener('pointerleave', () => this.hideTooltip());
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  setModel(model: GroupTimelineModel): void {
    this.model = model;
    this.layout = layoutLanes(model);
    this.spacer.style.height = `${this.layout.height + AXIS_H}px`;
    this.heading.textContent = `${model.label} · ${model.lanes.filter((l) => l.depth === 0).length} sessions`;
    const merged = model.stats.itemsBeforeMerge > model.stats.items ? `, ${groupDigits(model.stats.itemsBeforeMerge)} grouped into ${groupDigits(model.stats.items)} bars` : '';
    const sessions = model.lanes.filter((l) => l.depth === 0).length;
    const reading = model.stats.reading > 0 ? `Reading the events of ${model.stats.reading} of ${sessions} sessions (grey bars)… ` : '';
    const bundled = model.stats.links > model.arrows.length ? ` in ${groupDigits(model.arrows.length)} arrows` : '';
    this.status.textContent = `${reading}${groupDigits(model.stats.events)} events${merged}, ${groupDigits(model.stats.links)} links${bundled}${model.stats.unplacedLinks > 0 ? ` (${model.stats.unplacedLinks} to sessions outside the group)` : ''}`;
    // The first model is drawn at once, in the frame being made; later ones at the next frame.
    if (this.drawn) this.schedule();
    else this.draw();
  }

  /** A line under the title (what a click named, in an exported page). */
  showNote(message: string): void {
    this.status.textContent = message;
    this.status.classList.remove('bad');
  }

  showError(message: string): void {
    this.status.textContent = message;
    this.status.classList.add('bad');
  }

  private full(): Range | null {
    const m = this.model;
    if (m === undefined || m.start === null || m.end === null) return null;
    return { start: m.start, end: m.end - m.start < 1 ? m.start + 1000 : m.end };
  }

  private visible(): Range | null {
    const full = this.full();
    return full === null ? null : clamp(this.range ?? full, full);
  }

  private reset(): void {
    this.range = null;
    this.scroller.scrollTop = 0;
    this.schedule();
  }

  private zoomBy(factor: number, share = 0.5): void {
    const v = this.visible();
    const full = this.full();
    if (v === null || full === null) return;
    const span = Math.max(MIN_SPAN_MS, (v.end - v.start) * factor);
    const anchor = v.start + (v.end - v.start) * share;
    const next = clamp({ start: anchor - span * share, end: anchor - span * share + span }, full);
    this.range = next.end - next.start >= full.end - full.start ? null : next;
    this.schedule();
  }

  private panBy(ms: number): void {
    const v = this.visible();
    const full = this.full();
    if (v === null || full === null || this.range === null) return;
    this.range = clamp({ start: v.start + ms, end: v.end + ms }, full);
    this.schedule();
  }

  private plotWidth(): number {
    return Math.max(100, this.canvasWidth() - LABEL_W - RIGHT);
  }

  private canvasWidth(): number {
    return this.scroller.clientWidth || 900;
  }

  private onWheel(event: WheelEvent): void {
    const v = this.visible();
    if (v === null) return;
    event.preventDefault();
    if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
      this.panBy(((event.shiftKey ? event.deltaY : event.deltaX) / this.plotWidth()) * (v.end - v.start));
      return;
    }
    const x = event.clientX - this.canvas.getBoundingClientRect().left;
    this.zoomBy(event.deltaY > 0 ? 1.25 : 0.8, Math.min(1, Math.max(0, (x - LABEL_W) / this.plotWidth())));
  }

  private onPointerDown(event: PointerEvent): void {
    if (event.button !== 0) return;
    const origin = this.visible();
    const startX = event.clientX;
    const startY = event.clientY;
    const startScroll = this.scroller.scrollTop;
    let moved = false;
    this.hideTooltip();
    const move = (e: PointerEvent): void => {
      if (Math.abs(e.clientX - startX) + Math.abs(e.clientY - startY) > 4) moved = true;
      if (!moved) return;
      this.scroller.scrollTop = startScroll - (e.clientY - startY);
      const full = this.full();
      if (origin !== null && full !== null && this.range !== null) {
        const ms = ((startX - e.clientX) / this.plotWidth()) * (origin.end - origin.start);
        this.range = clamp({ start: origin.start + ms, end: origin.end + ms }, full);
      }
      this.schedule();
    };
    const up = (e: PointerEvent): void => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      if (!moved) this.onClick(e);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  private onClick(event: PointerEvent): void {
    const hit = this.hit(event);
    if (hit === undefined) return;
    if ('arrow' in hit) this.actions.open(hit.arrow.to.sessionId, hit.arrow.to.position ?? hit.arrow.from.position);
    else this.actions.open(hit.item.sessionId, hit.item.position);
  }

  private onHover(event: PointerEvent): void {
    const hit = this.hit(event);
    const arrowId = hit !== undefined && 'arrow' in hit ? hit.arrow.id : null;
    const lane = this.model === undefined ? -1 : laneAt(this.layout, this.currentFrame(), this.point(event).y);
    if (arrowId !== this.hoverArrow || lane !== this.hoverLane) {
      this.hoverArrow = arrowId;
      this.hoverLane = lane;
      this.schedule();
    }
    if (hit === undefined) {
      this.hideTooltip();
      return;
    }
    this.canvas.style.cursor = 'pointer';
    this.tooltip.textContent = 'arrow' in hit ? arrowText(hit.arrow, this.model) : itemText(hit.lane, hit.item);
    this.tooltip.hidden = false;
    const box = this.scroller.getBoundingClientRect();
    this.tooltip.style.left = `${Math.min(event.clientX + 12, box.right - 320)}px`;
    this.tooltip.style.top = `${event.clientY + 14}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
    this.canvas.style.cursor = '';
  }

  private point(event: PointerEvent): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  private hit(event: PointerEvent): { arrow: GroupTimelineArrow } | { lane: GroupTimelineLane; item: GroupTimelineItem } | undefined {
    const model = this.model;
    if (model === undefined || this.visible() === null) return undefined;
    const { x, y } = this.point(event);
    const frame = this.currentFrame();
    const arrow = arrowAt(model, this.layout, frame, x, y);
    return arrow !== undefined ? { arrow } : itemAt(model, this.layout, frame, x, y);
  }

  private currentFrame(): Frame {
    const range = this.visible() ?? { start: 0, end: 1 };
    return { range, width: this.canvasWidth(), height: this.scroller.clientHeight || 600, scrollTop: this.scroller.scrollTop };
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const started = performance.now();
    try {
      this.drawNow();
    } finally {
      // The bench reads how long each redraw took (zoom, pan) to say whether the view stays fluid.
      if (document.body.hasAttribute('data-bench')) benchDraws.push(performance.now() - started);
    }
  }

  /**
   * What a first draw would pay for when the model comes, done while the page waits for it (the
   * host builds the model meanwhile): the canvas sized to the view (a layout), its context, the
   * theme's colours (a style pass), and one drawing of a made-up group (warm.ts) that compiles the
   * drawing code and readies text, paths and the local time zone (the axis). Nothing is left on the
   * canvas.
   */
  warm(): void {
    const ctx = this.canvas.getContext('2d');
    if (this.model !== undefined || ctx === null) return;
    const frame = this.currentFrame();
    this.fit(ctx, frame);
    this.palette.warm();
    const model = warmModel();
    const range = { start: model.start ?? 0, end: model.end ?? 1 };
    drawFrame(ctx, model, layoutLanes(model), { ...frame, range, scrollTop: 0 }, this.palette, { arrowId: 'x', lane: 0 });
    ctx.clearRect(0, 0, frame.width, frame.height);
  }

  /** The canvas is the size of the view, in device pixels. */
  private fit(ctx: CanvasRenderingContext2D, frame: Frame): void {
    const ratio = window.devicePixelRatio || 1;
    const [w, hgt] = [Math.round(frame.width * ratio), Math.round(frame.height * ratio)];
    if (this.canvas.width !== w || this.canvas.height !== hgt) {
      this.canvas.width = w;
      this.canvas.height = hgt;
      this.canvas.style.width = `${frame.width}px`;
      this.canvas.style.height = `${frame.height}px`;
      // The spacer alone sets the scroll height: the canvas takes no room in the flow.
      this.canvas.style.marginBottom = `-${frame.height}px`;
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  private drawNow(): void {
    const model = this.model;
    const v = this.visible();
    const ctx = this.canvas.getContext('2d');
    if (model === undefined || ctx === null) return;
    const frame = this.currentFrame();
    this.fit(ctx, frame);
    if (v === null) {
      ctx.clearRect(0, 0, frame.width, frame.height);
      this.rangeText.textContent = 'No timed events in this group yet.';
    } else {
      this.rangeText.textContent = `${formatClock(v.start)} – ${formatClock(v.end)} (${formatDuration(v.end - v.start)})`;
      drawFrame(ctx, model, this.layout, frame, this.palette, { arrowId: this.hoverArrow, lane: this.hoverLane });
    }
    if (!this.drawn) {
      this.drawn = true;
      performance.mark(FIRST_FRAME_MARK);
      // The bench reads the time from the title (bench/groups/timeline-bench.ts).
      if (document.body.hasAttribute('data-bench')) document.title = `first-frame ${performance.now().toFixed(1)}`;
    }
  }
}

/** Redraw times under the bench (bench/groups/timeline-bench.ts reads them as window.__groupTimelineDraws). */
const benchDraws: number[] = [];
(window as unknown as { __groupTimelineDraws: number[] }).__groupTimelineDraws = benchDraws;

function itemText(lane: GroupTimelineLane, item: GroupTimelineItem): string {
  const when = `${formatClock(item.start)}${item.end > item.start ? ` – ${formatClock(item.end)} (${formatDuration(item.end - item.start)})` : ''}`;
  const what = item.count > 1 ? `${item.label} (mostly ${stateLabel(item.kind)})` : `${stateLabel(item.label)}${item.kind === item.label ? '' : ` · ${stateLabel(item.kind)}`}`;
  const where = lane.depth === 0 ? `${lane.label} (${lane.shortId})` : `${lane.label} in ${lane.sessionId.slice(0, 8)}`;
  return `${what}\n${when}\n${where}${item.position === null ? '' : ` · event #${item.position}`}`;
}

function arrowText(arrow: GroupTimelineArrow, model: GroupTimelineModel | undefined): string {
  const name = (lane: number): string => model?.lanes[lane]?.label ?? '?';
  return `${arrow.label}\n${name(arrow.from.lane)} → ${name(arrow.to.lane)}\n${arrow.exact ? 'exact' : 'inferred'} · ${formatClock(arrow.from.at)} → ${formatClock(arrow.to.at)}`;
}

function clamp(r: Range, full: Range): Range {
  const span = Math.min(r.end - r.start, full.end - full.start);
  const start = Math.min(Math.max(r.start, full.start), full.end - span);
  return { start, end: start + span };
}
