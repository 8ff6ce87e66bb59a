import type { Regression, RegressionFigure, TrendPeriod } from '../../protocol/trends';

// A regression in words, the same in `logbook trends`, the dashboard's strip and the HTML export:
// "cost per session $0.42 vs $0.30 (+40%) vs the 4 days before". No zod, no node: the webview bundles it.

const LABELS: Readonly<Record<RegressionFigure, string>> = {
  medianDurationMs: 'median duration',
  costPerSession: 'cost per session',
  toolFailuresPerSession: 'tool failures per session',
  denialsPerSession: 'denials per session',
  rejectionsPerSession: 'rejections per session',
};

/** What the figure is called. */
export function figureLabel(figure: RegressionFigure): string {
  return LABELS[figure];
}

/** A figure's value as it reads: a duration, dollars, or a rate. */
export function figureValue(figure: RegressionFigure, value: number): string {
  if (figure === 'medianDurationMs') return spanText(value);
  if (figure === 'costPerSession') return `$${value.toFixed(value < 1 ? 3 : 2)}`;
  return String(Math.round(value * 100) / 100);
}

/** "+40%", or "from 0" when the baseline was 0. */
export function percentText(r: Regression): string {
  return r.percent === null ? 'from 0' : `+${r.percent}%`;
}

/** What the bucket was compared with. */
export function basisText(r: Regression, by: TrendPeriod): string {
  if (r.basis.kind === 'version') return `${r.basis.workflow}'s previous version (${r.basis.fromHash.slice(0, 8)}, ${r.baselineSessions} sessions)`;
  const n = r.basis.keys.length;
  return `the ${n === 1 ? by : `${n} ${by}s`} before (${r.baselineSessions} sessions)`;
}

/** "cost per session $0.42 vs $0.30 (+40%) vs the 4 days before (12 sessions)". */
export function regressionText(r: Regression, by: TrendPeriod): string {
  return `${figureLabel(r.figure)} ${figureValue(r.figure, r.value)} vs ${figureValue(r.figure, r.baseline)} (${percentText(r)}) against ${basisText(r, by)}`;
}

function spanText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
