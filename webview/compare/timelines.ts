import { h, svg } from '../shared/dom';
import { formatDuration } from '../shared/duration';
import type { AlignedTimeline, AlignedTimelines } from '../../src/protocol/compare';
import { axisTicks, laneBars } from './model';

// Both sessions' state lanes on one time scale (the longer session's duration): the same moment
// into each session lines up, so a longer review or a longer wait shows as a longer bar. The
// report's colours (lifecycle states by name, workflow states by a palette slot).

const LABEL_W = 150;
const WIDTH = 1000;
const ROW_H = 16;
const GAP = 6;
const AXIS_H = 22;
const LIFECYCLE = new Set(['starting', 'prompted', 'model_working', 'tool_running', 'waiting_for_permission', 'subagent_running', 'compacting', 'idle', 'ended']);

export function renderTimelines(t: AlignedTimelines): HTMLElement {
  const workflowOrder = [...new Set([...t.a.workflow, ...t.b.workflow].map((i) => i.state))];
  const lanes: [string, AlignedTimeline, 'lifecycle' | 'workflow'][] = [['A lifecycle', t.a, 'lifecycle'], ['A workflow', t.a, 'workflow'], ['B lifecycle', t.b, 'lifecycle'], ['B workflow', t.b, 'workflow']];
  const shown = lanes.filter(([, line, lane]) => lane === 'lifecycle' || line.workflow.length > 0);
  const height = AXIS_H + shown.length * (ROW_H + GAP);
  const x = (pct: number): number => LABEL_W + (pct / 100) * (WIDTH - LABEL_W - 8);
  const rows = shown.map(([label, line, lane], index) => {
    const y = AXIS_H + index * (ROW_H + GAP);
    const bars = laneBars(line[lane], t.scaleMs).map((bar) => svg('rect', {
      class: lane === 'lifecycle' ? (LIFECYCLE.has(bar.state) ? `lc-${bar.state}` : 'lc-other') : `wf-${workflowOrder.indexOf(bar.state) % 8}`,
      x: x(bar.leftPct), y, width: Math.max(0.5, x(bar.leftPct + bar.widthPct) - x(bar.leftPct)), height: ROW_H,
      'data-testid': 'compare-bar', 'data-lane': `${label.slice(0, 1)}-${lane}`, 'data-state': bar.state,
    }, svg('title', {}, `${bar.state.replace(/_/g, ' ')}: ${formatDuration(bar.endMs - bar.startMs)} from ${formatDuration(bar.startMs)}${bar.count > 1 ? ` (${bar.count} merged)` : ''}`)));
    return svg('g', { 'data-testid': 'compare-lane', 'data-lane': `${label.slice(0, 1)}-${lane}` },
      svg('text', { class: 'lane-label', x: 4, y: y + ROW_H - 4 }, `${label} (${formatDuration(line.durationMs)})`), ...bars);
  });
  const ticks = axisTicks(t.scaleMs).map((ms) => svg('g', {},
    svg('line', { class: 'tick', x1: x((ms / Math.max(1, t.scaleMs)) * 100), x2: x((ms / Math.max(1, t.scaleMs)) * 100), y1: AXIS_H - 6, y2: height }),
    svg('text', { class: 'tick-label', x: x((ms / Math.max(1, t.scaleMs)) * 100) + 2, y: AXIS_H - 9 }, ms === 0 ? '0' : formatDuration(ms))));
  return h('section', { class: 'timelines', 'data-testid': 'compare-timelines' },
    h('h2', {}, 'State timelines'),
    h('p', { class: 'muted' }, `Aligned on one scale from each session's first event: ${formatDuration(t.scaleMs)}, the longer session. Hover a bar for its state and time.`),
    svg('svg', { class: 'timeline-svg', viewBox: `0 0 ${WIDTH} ${height}`, width: '100%', role: 'img', 'aria-label': 'State timelines of both sessions on one time scale' }, ...ticks, ...rows));
}
