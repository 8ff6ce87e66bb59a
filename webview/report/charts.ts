import { h, svg } from '../shared/dom';
import { formatDuration } from '../shared/duration';
import { formatPercent, stateLabel } from './format';

// Time per state as horizontal SVG bars, one row per state, longest first. Each row carries its
// state and milliseconds as data attributes, so a test can compare them with the report's JSON.

export interface ChartOptions {
  readonly testid: string;
  readonly classFor: (state: string) => string;
  /** Clicking a bar filters the event log to that state. */
  readonly onPick?: (state: string) => void;
}

export function stateChart(times: Readonly<Record<string, number>>, options: ChartOptions): HTMLElement {
  const entries = Object.entries(times).filter(([, ms]) => ms > 0).sort(([, a], [, b]) => b - a);
  const total = entries.reduce((sum, [, ms]) => sum + ms, 0);
  const max = entries[0]?.[1] ?? 0;
  if (entries.length === 0) return h('div', { class: 'empty', 'data-testid': options.testid }, 'No time recorded yet.');
  return h('div', { class: 'state-chart', 'data-testid': options.testid, role: 'list' },
    ...entries.map(([state, ms]) => h('div', {
      class: `bar-row${options.onPick === undefined ? '' : ' clickable'}`, role: 'listitem', 'data-testid': 'state-bar', 'data-state': state, 'data-ms': ms,
      title: `${stateLabel(state)}: ${formatDuration(ms)} (${formatPercent(ms, total)})`,
      onclick: options.onPick === undefined ? undefined : () => options.onPick?.(state),
    },
    h('span', { class: 'bar-label' }, stateLabel(state)),
    bar(ms / max, options.classFor(state)),
    h('span', { class: 'bar-value' }, `${formatDuration(ms)} · ${formatPercent(ms, total)}`))));
}

function bar(share: number, cls: string): Element {
  return svg('svg', { class: 'bar', viewBox: '0 0 1000 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
    svg('rect', { class: 'bar-track', x: 0, y: 0, width: 1000, height: 10 }),
    svg('rect', { class: `bar-fill ${cls}`, x: 0, y: 0, width: Math.max(2, Math.round(share * 1000)), height: 10 }));
}
