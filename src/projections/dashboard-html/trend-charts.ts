import type { TrendBucket, Trends } from '../../protocol/trends';
import { escapeHtml } from '../report-html';
import { formatElapsed, stateLabel } from '../session-list';
import { regressionText } from '../trends/regression-text';
import { LIFECYCLE_STACK, lifecycleColour, statesByTime, workflowStateColour } from '../trends/state-colours';

// The exported dashboard's trends: two bar charts as inline SVG (sessions per bucket stacked by
// the share of time in each lifecycle state; time per bucket stacked by workflow state), each bar
// with its number, a ◆ where a workflow changed and a ▲ where a figure regressed; then the
// numbers of every bucket with sessions, the regressions in words. SVG's presentation attributes
// (fill, width) are not styles: the page's strict CSP allows them, where a style="" would not be.

/** Bars drawn: the latest buckets (the table of numbers lists every bucket with sessions). */
const MAX_BARS = 180;
/** A bar's width: wide with few buckets, narrower with many, so a chart fits a page (it scrolls past). */
const barWidth = (count: number): number => Math.max(14, Math.min(36, Math.floor(900 / Math.max(1, count))));
const HEIGHT = 80;
const TOP = 14;

/** The trends section: charts, legends and the table of numbers. */
export function trendsHtml(trends: Trends): string {
  if (trends.totals.sessions === 0) return '<p class="muted">No sessions selected.</p>';
  const buckets = trends.buckets.slice(-MAX_BARS);
  const cut = buckets.length < trends.buckets.length ? `<p class="muted">The charts show the latest ${MAX_BARS} of ${trends.buckets.length} ${trends.by}s; the table lists every ${trends.by} with sessions.</p>` : '';
  const lifecycleStates = LIFECYCLE_STACK.filter((s) => buckets.some((b) => (b.lifecycleMs[s] ?? 0) > 0));
  const workflowStates = statesByTime(buckets.map((b) => b.workflowMs));
  const lifecycle = chart(buckets, lifecycleStates, lifecycleColour, 'lifecycle', (b) => b.sessions, (b) => String(b.sessions), 'Sessions per ' + trends.by + ', stacked by the share of time in each lifecycle state');
  const workflow = workflowStates.length === 0 ? '' : chart(buckets, workflowStates, workflowStateColour, 'workflow', (b) => sumOf(b.workflowMs), (b) => compactSpan(sumOf(b.workflowMs)), 'Time per ' + trends.by + ' in each workflow state');
  return `${cut}<figure class="chart">${lifecycle}${legend(lifecycleStates, lifecycleColour, trends.totals.lifecycleMs)}</figure>
${workflow === '' ? '' : `<figure class="chart">${workflow}${legend(workflowStates, workflowStateColour, trends.totals.workflowMs)}</figure>`}
${numbersHtml(trends)}`;
}

function chart(buckets: readonly TrendBucket[], states: readonly string[], colour: (s: string) => string, kind: 'lifecycle' | 'workflow', size: (b: TrendBucket) => number, label: (b: TrendBucket) => string, caption: string): string {
  const most = Math.max(1, ...buckets.map(size));
  const BAR = barWidth(buckets.length);
  const width = buckets.length * BAR;
  const bars = buckets.map((b, i) => {
    const height = Math.round((size(b) / most) * HEIGHT);
    const times = kind === 'lifecycle' ? b.lifecycleMs : b.workflowMs;
    const total = sumOf(times);
    let y = TOP + HEIGHT;
    const parts: string[] = [];
    for (const state of states) {
      const ms = Object.hasOwn(times, state) ? times[state] ?? 0 : 0;
      if (ms <= 0 || total <= 0) continue;
      const h = (ms / total) * height;
      y -= h;
      parts.push(`<rect x="${i * BAR + 2}" y="${y.toFixed(2)}" width="${BAR - 4}" height="${h.toFixed(2)}" fill="${colour(state)}"><title>${escapeHtml(`${stateLabel(state)}: ${formatElapsed(ms)}`)}</title></rect>`);
    }
    if (parts.length === 0 && size(b) > 0) parts.push(`<rect x="${i * BAR + 2}" y="${TOP + HEIGHT - height}" width="${BAR - 4}" height="${height}" class="plain"/>`);
    const marks = `${b.workflowChanges.length > 0 ? '◆' : ''}${b.regressions.length > 0 ? '▲' : ''}`;
    return `<g class="bar${b.regressions.length > 0 ? ' regressed' : ''}" data-key="${b.key}"><title>${escapeHtml(bucketTitle(b))}</title>${parts.join('')}`
      + `<text x="${i * BAR + BAR / 2}" y="${TOP + HEIGHT - height - 2}" class="count">${escapeHtml(label(b))}</text>`
      + (marks === '' ? '' : `<text x="${i * BAR + BAR / 2}" y="${TOP + HEIGHT + 12}" class="mark">${marks}</text>`) + '</g>';
  }).join('');
  return `<figcaption>${escapeHtml(caption)}</figcaption><svg class="bars ${kind}" role="img" aria-label="${escapeHtml(caption)}" width="${width}" height="${TOP + HEIGHT + 16}" viewBox="0 0 ${width} ${TOP + HEIGHT + 16}">${bars}</svg>`;
}

function legend(states: readonly string[], colour: (s: string) => string, totals: Readonly<Record<string, number>>): string {
  const items = states.map((s) => `<li><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${colour(s)}"/></svg> <span dir="auto">${escapeHtml(stateLabel(s))}</span> <span class="muted">${formatElapsed(Object.hasOwn(totals, s) ? totals[s] ?? 0 : 0)}</span></li>`);
  return `<ul class="legend">${items.join('')}</ul>`;
}

function bucketTitle(b: TrendBucket): string {
  const lines = [`${b.key}: ${b.sessions} sessions, median ${formatElapsed(b.medianDurationMs ?? 0)}, $${b.costUsd.toFixed(2)}, ${b.toolFailures} failures, ${b.denials} denials, ${b.rejections} rejections`];
  for (const c of b.workflowChanges) lines.push(`◆ ${c.workflow} changed (${c.fromHash.slice(0, 8)} → ${c.toHash.slice(0, 8)})`);
  return lines.join('\n');
}

const HEAD = ['', 'sessions', 'median', 'p90', 'cost', 'tokens', 'failures', 'denials', 'rejections', 'iterations', 'regressions'];

/** Every bucket with sessions, newest first, and the totals. */
function numbersHtml(trends: Trends): string {
  const by = trends.by;
  const rows = trends.buckets.filter((b) => b.sessions > 0).reverse().map((b) => {
    const marks = `${b.workflowChanges.length > 0 ? ' ◆' : ''}${b.regressions.length > 0 ? ' ▲' : ''}`;
    const notes = [...b.workflowChanges.map((c) => `◆ ${c.workflow} changed (${c.fromHash.slice(0, 8)} → ${c.toHash.slice(0, 8)})`), ...b.regressions.map((r) => `▲ ${regressionText(r, by)}`)];
    return `<tr${b.regressions.length > 0 ? ' class="regressed"' : ''}><th scope="row">${escapeHtml(`${by === 'week' ? 'week of ' : ''}${b.key}${marks}`)}</th>${figureCells(b)}<td class="notes">${notes.map((n) => `<div dir="auto">${escapeHtml(n)}</div>`).join('')}</td></tr>`;
  });
  const total = `<tr class="total"><th scope="row">total</th>${figureCells(trends.totals)}<td></td></tr>`;
  return `<table class="numbers"><thead><tr>${HEAD.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}${total}</tbody></table>`;
}

function figureCells(f: Trends['totals']): string {
  const cells = [f.sessions.toLocaleString('en-US'), f.medianDurationMs === null ? '–' : formatElapsed(f.medianDurationMs), f.p90DurationMs === null ? '–' : formatElapsed(f.p90DurationMs),
    `$${f.costUsd.toFixed(2)}`, f.tokens.toLocaleString('en-US'), String(f.toolFailures), String(f.denials), String(f.rejections), String(f.iterations)];
  return cells.map((c) => `<td class="num">${escapeHtml(c)}</td>`).join('');
}

/** "55m", "3.2h": a bar's label, short enough for its width. */
function compactSpan(ms: number): string {
  if (ms <= 0) return '';
  const minutes = ms / 60_000;
  return minutes < 60 ? `${Math.max(1, Math.round(minutes))}m` : `${(minutes / 60).toFixed(minutes < 600 ? 1 : 0)}h`;
}

function sumOf(times: Readonly<Record<string, number>>): number {
  return Object.values(times).reduce((sum, ms) => sum + ms, 0);
}
