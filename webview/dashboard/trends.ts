import { h, replaceChildren } from '../shared/dom';
import { trendsOfListings } from '../../src/projections/trends/build-trends';
import { localDay } from '../../src/projections/trends/calendar';
import { regressionText } from '../../src/projections/trends/regression-text';
import { LIFECYCLE_STACK, statesByTime, workflowStateColour } from '../../src/projections/trends/state-colours';
import type { TrendBucket, TrendPeriod, Trends } from '../../src/protocol/trends';
import type { SelectableRow } from '../../src/protocol/dashboard-select';

// Trends of the sessions the filters keep, above the table: per day or week, a bar per bucket
// (its height the number of sessions, stacked by the share of time in each lifecycle state, or in
// each workflow state, a ◆ where a workflow's definition changed, a ▲ where a figure regressed
// against its baseline: baseline.ts) and the numbers beside them. Clicking a bucket sets the
// date filter to it, so the table lists the sessions behind it. Built here from the rows the
// webview holds (the same fold as `logbook trends`), so it follows every filter.

/** Buckets drawn (the latest); the table of numbers lists the latest with sessions. */
const MAX_BARS = 120;
const NUMBER_ROWS = 8;
const BAR_HEIGHT = 64;
/** Regressions listed under the chart (the latest). */
const REGRESSION_LINES = 3;

/** What the bars stack by. */
type Stack = 'lifecycle' | 'workflow';

export class TrendsStrip {
  readonly element: HTMLElement;
  private by: TrendPeriod = 'day';
  private stack: Stack = 'lifecycle';
  private readonly legend = h('span', { class: 'legend muted', 'data-testid': 'trend-legend' });
  private readonly regressions = h('div', { class: 'trend-regressions', 'data-testid': 'trend-regressions' });
  private readonly chart = h('div', { class: 'trend-bars', 'data-testid': 'trend-bars', role: 'list' });
  private readonly numbers = h('div', { class: 'trend-numbers' });
  private readonly summary = h('span', { class: 'muted' });
  private rows: readonly SelectableRow[] = [];

  constructor(private readonly pick: (from: string, to: string) => void, private readonly discuss: (action: 'copy' | 'terminal', by: TrendPeriod) => void) {
    const period = h('select', { 'data-testid': 'trend-by', 'aria-label': 'Trends per', onchange: (e: Event) => { this.by = (e.target as HTMLSelectElement).value === 'week' ? 'week' : 'day'; this.draw(); } },
      h('option', { value: 'day' }, 'per day'), h('option', { value: 'week' }, 'per week'));
    this.element = h('details', { class: 'trends', open: true, 'data-testid': 'trends' },
      h('summary', {}, h('strong', {}, 'Trends'), ' ', this.summary),
      h('div', { class: 'trend-body' }, h('div', { class: 'trend-controls' }, period, this.stackToggle(), this.legend, this.discussButtons()), this.chart, this.numbers, this.regressions));
  }

  /** The period the bars are drawn per (the HTML export draws the same). */
  get period(): TrendPeriod {
    return this.by;
  }

  /** "lifecycle | workflow states": two buttons, the pressed one says what the bars stack by. */
  private stackToggle(): HTMLElement {
    const choice = (stack: Stack, label: string): HTMLElement => h('button', {
      class: 'trend-toggle', 'data-testid': `trend-stack-${stack}`, 'data-stack': stack, 'aria-pressed': String(this.stack === stack),
      onclick: (e: Event) => {
        this.stack = stack;
        for (const b of (e.currentTarget as HTMLElement).parentElement?.children ?? []) b.setAttribute('aria-pressed', String(b.getAttribute('data-stack') === stack));
        this.draw();
      },
    }, label);
    return h('span', { class: 'trend-toggles', role: 'group', 'aria-label': 'Stack the bars by' }, choice('lifecycle', 'lifecycle'), choice('workflow', 'workflow states'));
  }

  // "Discuss with Claude": a prompt of these trends (built on the host from the rows shown).
  private discussButtons(): HTMLElement {
    const button = (action: 'copy' | 'terminal', label: string, title: string): HTMLElement =>
      h('button', { class: 'trend-discuss', 'data-testid': `trends-discuss-${action}`, title, onclick: () => this.discuss(action, this.by) }, label);
    return h('span', { class: 'trend-discuss-actions' }, 'Discuss with Claude: ',
      button('copy', 'Copy prompt', 'Copy a prompt for Claude: these trends, the sessions behind them and the logbook commands to dig further'),
      button('terminal', 'Start Claude', 'Start `claude` with that prompt in a new terminal named "Claude"'));
  }

  show(rows: readonly SelectableRow[]): void {
    this.rows = rows;
    this.draw();
  }

  private draw(): void {
    const trends = trendsOfListings(this.rows, { by: this.by, now: Date.now() });
    const t = trends.totals;
    this.summary.textContent = `${t.sessions.toLocaleString('en-US')} sessions · median ${duration(t.medianDurationMs)} · p90 ${duration(t.p90DurationMs)} · $${t.costUsd.toFixed(2)} · ${t.toolFailures} failures · ${t.denials} denials · ${t.rejections} rejections`;
    const buckets = trends.buckets.slice(-MAX_BARS);
    const most = Math.max(1, ...buckets.map((b) => b.sessions));
    const states = this.stack === 'lifecycle' ? LIFECYCLE_STACK.filter((s) => buckets.some((b) => (b.lifecycleMs[s] ?? 0) > 0)) : statesByTime(buckets.map((b) => b.workflowMs));
    replaceChildren(this.chart, ...buckets.map((b) => this.bar(b, most, states)));
    this.chart.scrollLeft = this.chart.scrollWidth;
    this.drawLegend(states, this.stack === 'lifecycle' ? trends.totals.lifecycleMs : trends.totals.workflowMs);
    replaceChildren(this.numbers, this.table(trends));
    this.drawRegressions(trends);
  }

  /** Each state with its colour and its time over the buckets shown (the numbers beside the chart). */
  private drawLegend(states: readonly string[], totals: Readonly<Record<string, number>>): void {
    if (states.length === 0) {
      replaceChildren(this.legend, this.stack === 'workflow' ? 'no time in workflow states' : '');
      return;
    }
    replaceChildren(this.legend, ...states.map((s) => {
      const item = h('span', { class: `swatch lc-${s}`, 'data-state': s, dir: 'auto' }, `${s.replace(/_/g, ' ')} ${duration(Object.hasOwn(totals, s) ? totals[s] ?? 0 : 0)}`);
      if (this.stack === 'workflow') item.style.setProperty('--swatch', workflowStateColour(s));
      return item;
    }));
  }

  private bar(b: TrendBucket, most: number, states: readonly string[]): HTMLElement {
    const times = this.stack === 'lifecycle' ? b.lifecycleMs : b.workflowMs;
    const total = Object.values(times).reduce((sum, ms) => sum + ms, 0);
    const stack = h('div', { class: 'trend-stack' });
    stack.style.height = `${Math.round((b.sessions / most) * BAR_HEIGHT)}px`;
    for (const state of states) {
      const ms = Object.hasOwn(times, state) ? times[state] ?? 0 : 0;
      if (ms <= 0 || total <= 0) continue;
      const part = h('div', { class: `seg lc-${state}`, 'data-state': state });
      if (this.stack === 'workflow') part.style.background = workflowStateColour(state);
      part.style.flexGrow = String(ms / total);
      stack.append(part);
    }
    const changes = b.workflowChanges.map((c) => `${c.workflow} changed (${c.fromHash.slice(0, 8)} → ${c.toHash.slice(0, 8)})`);
    const notes = [...changes, ...b.regressions.map((r) => `▲ ${regressionText(r, this.by)}`)];
    const label = `${b.key}: ${b.sessions} sessions, median ${duration(b.medianDurationMs)}, $${b.costUsd.toFixed(2)}, ${b.toolFailures} failures${notes.length === 0 ? '' : `; ${notes.join('; ')}`}`;
    const marks = `${changes.length > 0 ? '◆' : ''}${b.regressions.length > 0 ? '▲' : ''}`;
    return h('button', {
      class: `trend-bar${b.sessions === 0 ? ' empty' : ''}${b.regressions.length > 0 ? ' regressed' : ''}`, role: 'listitem', title: label, 'aria-label': label,
      'data-testid': 'trend-bucket', 'data-key': b.key, 'data-sessions': b.sessions, 'data-regressions': b.regressions.length, disabled: b.sessions === 0,
      onclick: () => this.pickBucket(b),
    }, h('span', { class: 'trend-count' }, b.sessions > 0 ? String(b.sessions) : ''), stack, marks === '' ? null : h('span', { class: 'trend-mark' }, marks));
  }

  /** The latest regressions in words, each a link to its bucket's sessions. */
  private drawRegressions(trends: Trends): void {
    const lines = trends.buckets.filter((b) => b.regressions.length > 0).slice(-REGRESSION_LINES).reverse()
      .flatMap((b) => b.regressions.map((r) => h('div', { class: 'pick', 'data-key': b.key, dir: 'auto', onclick: () => this.pickBucket(b) }, `▲ ${this.by === 'week' ? 'week of ' : ''}${b.key}: ${regressionText(r, this.by)}`)));
    replaceChildren(this.regressions, ...lines);
  }

  private table(trends: Trends): HTMLElement {
    const rows = trends.buckets.filter((b) => b.sessions > 0).slice(-NUMBER_ROWS).reverse();
    const head = ['', 'sessions', 'median', 'p90', 'cost', 'tokens', 'failures', 'denials', 'rejections', 'iterations'];
    return h('table', { class: 'trend-table', 'data-testid': 'trend-table' },
      h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
      h('tbody', {}, ...rows.map((b) => h('tr', { class: `pick${b.regressions.length > 0 ? ' regressed' : ''}`, 'data-key': b.key, onclick: () => this.pickBucket(b), title: b.regressions.map((r) => `▲ ${regressionText(r, this.by)}`).join('\n') || null },
        h('td', {}, `${this.by === 'week' ? 'week of ' : ''}${b.key}${b.workflowChanges.length > 0 ? ' ◆' : ''}${b.regressions.length > 0 ? ' ▲' : ''}`),
        ...[String(b.sessions), duration(b.medianDurationMs), duration(b.p90DurationMs), `$${b.costUsd.toFixed(2)}`, b.tokens.toLocaleString('en-US'),
          String(b.toolFailures), String(b.denials), String(b.rejections), String(b.iterations)].map((c) => h('td', { class: 'num' }, c))))));
  }

  private pickBucket(b: TrendBucket): void {
    this.pick(b.key, localDay(b.endMs - 1));
  }
}

function duration(ms: number | null): string {
  if (ms === null) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
