import { formatDuration } from '../shared/duration';
import type { FigureDelta, FigureUnit, StateInterval } from '../../src/protocol/compare';

// What the Compare view derives from a Comparison before drawing: how a figure reads, and whether
// a delta is a regression. Pure (no DOM), so the unit tests check it.

/** How a delta reads: b worse than a (a regression), better, the same, or neither (more events is not worse). */
export type Verdict = 'worse' | 'better' | 'same' | 'neutral';

/** The figures where more is worse: duration, cost, failures, denials, review rejections. */
const LOWER_IS_BETTER = new Set(['durationMs', 'costUsd', 'toolFailures', 'denials', 'rejections']);

export function verdictOf(f: FigureDelta): Verdict {
  if (!LOWER_IS_BETTER.has(f.key)) return 'neutral';
  if (f.delta === 0) return 'same';
  return f.delta > 0 ? 'worse' : 'better';
}

/** The words beside a verdict (a regression reads as text too, not only as a colour). */
export function verdictText(v: Verdict): string {
  switch (v) {
    case 'worse': return '▲ worse';
    case 'better': return '▼ better';
    case 'same': return '';
    case 'neutral': return '';
    default: return v satisfies never;
  }
}

export function formatValue(unit: FigureUnit, n: number): string {
  const abs = Math.abs(n);
  switch (unit) {
    case 'ms': return formatDuration(abs);
    case 'usd': return `$${abs.toFixed(abs < 10 ? 4 : 2)}`;
    case 'count':
    case 'tokens': return Number.isInteger(abs) ? abs.toLocaleString('en-US') : abs.toFixed(1);
    default: return unit satisfies never;
  }
}

/** The delta with its sign ("+3", "−1 min 2 s", "0"). */
export function formatDelta(f: FigureDelta): string {
  if (f.delta === 0) return '0';
  return `${f.delta > 0 ? '+' : '−'}${formatValue(f.unit, f.delta)}`;
}

/** "+12.5%", "−3%", "0%", or "—" when a is 0 (no percent of nothing). */
export function formatPercent(p: number | null): string {
  if (p === null) return '—';
  if (p === 0) return '0%';
  return `${p > 0 ? '+' : '−'}${Math.abs(p).toFixed(1).replace(/\.0$/, '')}%`;
}

/** A bar of a timeline lane, in percent of the shared scale. */
export interface LaneBar {
  readonly state: string;
  readonly leftPct: number;
  readonly widthPct: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly count: number;
}

/** A lane's intervals placed on the scale both sessions share (the longer duration). */
export function laneBars(intervals: readonly StateInterval[], scaleMs: number): LaneBar[] {
  if (scaleMs <= 0) return [];
  const pct = (ms: number): number => Math.min(100, Math.max(0, (ms / scaleMs) * 100));
  return intervals.map((i) => ({ state: i.state, leftPct: pct(i.startMs), widthPct: Math.max(0, pct(i.endMs) - pct(i.startMs)), startMs: i.startMs, endMs: i.endMs, count: i.count }));
}

/** Ticks for the shared axis: about `count` round steps from 0 to the scale. */
export function axisTicks(scaleMs: number, count = 6): number[] {
  if (scaleMs <= 0) return [0];
  const steps = [1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5];
  const step = steps.find((s) => scaleMs / s <= count) ?? Math.ceil(scaleMs / count / 864e5) * 864e5;
  const ticks: number[] = [];
  for (let t = 0; t <= scaleMs; t += step) ticks.push(t);
  return ticks;
}

