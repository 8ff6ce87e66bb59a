import { BASELINE_RULE, REGRESSION_FIGURES } from '../../protocol/trends';
import type { Regression, RegressionBasis, RegressionFigure, WorkflowChange } from '../../protocol/trends';
import { quantile } from '../quantile';
import type { TrendSession } from './figures';

// A baseline for every bucket, and the figures that got worse than it (Braintrust's and Langfuse's
// experiment views compare a run with a baseline; here every day or week is compared, unasked).
//
// The baseline of a bucket:
// - where a workflow's definition changed in it, the sessions run with the previous definition
//   (started before the change) against the bucket's sessions run with the new one: "before and
//   after" of that change, whatever else ran the same days. One comparison per change.
// - else, or when no change has enough sessions on both sides, the sessions of the
//   BASELINE_RULE.precedingBuckets buckets with sessions before it, pooled: a bucket of one
//   session weighs as one session, not as a quarter of the baseline, and empty days are skipped
//   (a weekend does not make Monday's baseline empty).
// A figure is a regression when it is worse (higher) by BASELINE_RULE.thresholdPercent or more of
// the baseline, with BASELINE_RULE.minSessions sessions or more on each side: fewer are noise. A
// rate per session (failures, denials, rejections) must also grow by minRateStep (one more in
// every other session): 0.4 → 0.5 denials per session is +25%, and one denial. From a baseline of
// 0 a rate has no percent and counts on that step alone; duration and cost from 0 never do.

/** A bucket as the baseline reads it. */
export interface BucketSessions {
  readonly key: string;
  readonly sessions: readonly TrendSession[];
  readonly changes: readonly WorkflowChange[];
}

/** For each bucket (in time order), its regressions. `all` is every session given to trends, by start. */
export function regressionsOf(buckets: readonly BucketSessions[], all: readonly TrendSession[]): Regression[][] {
  // The last buckets with sessions, kept as the axis goes: one pass, whatever its length (10,000 days).
  const preceding: BucketSessions[] = [];
  return buckets.map((bucket) => {
    const found = versionRegressions(bucket, all) ?? bucketRegressions(bucket, preceding);
    if (bucket.sessions.length > 0) {
      preceding.push(bucket);
      if (preceding.length > BASELINE_RULE.precedingBuckets) preceding.shift();
    }
    return found;
  });
}

/** Against each changed workflow's previous version; undefined when no change had enough sessions. */
function versionRegressions(bucket: BucketSessions, all: readonly TrendSession[]): Regression[] | undefined {
  let compared = false;
  const found: Regression[] = [];
  for (const change of bucket.changes) {
    const after = bucket.sessions.filter((s) => runWith(s, change.workflow, change.toHash));
    const before = all.filter((s) => runWith(s, change.workflow, change.fromHash) && s.at !== null && s.at < change.atMs);
    if (!enough(after, before)) continue;
    compared = true;
    found.push(...compare(after, before, { kind: 'version', workflow: change.workflow, fromHash: change.fromHash, toHash: change.toHash }));
  }
  return compared ? found : undefined;
}

/** Against the pooled sessions of `preceding`: the buckets with sessions just before it. */
function bucketRegressions(bucket: BucketSessions, preceding: readonly BucketSessions[]): Regression[] {
  const pooled = preceding.flatMap((b) => b.sessions);
  if (!enough(bucket.sessions, pooled)) return [];
  return compare(bucket.sessions, pooled, { kind: 'buckets', keys: preceding.map((b) => b.key) });
}

function runWith(s: TrendSession, workflow: string, hash: string): boolean {
  return s.listing.row.workflow === workflow && s.listing.row.workflowHash === hash;
}

function enough(value: readonly TrendSession[], baseline: readonly TrendSession[]): boolean {
  return value.length >= BASELINE_RULE.minSessions && baseline.length >= BASELINE_RULE.minSessions;
}

function compare(value: readonly TrendSession[], baseline: readonly TrendSession[], basis: RegressionBasis): Regression[] {
  const found: Regression[] = [];
  for (const figure of REGRESSION_FIGURES) {
    const now = figureOf(value, figure);
    const before = figureOf(baseline, figure);
    const percent = worseBy(figure, now, before);
    if (percent === undefined) continue;
    found.push({ figure, baseline: before, value: now, percent, basis, sessions: value.length, baselineSessions: baseline.length });
  }
  return found;
}

/** How many percent worse `value` is than `baseline` (null from 0), or undefined when it is not a regression. */
function worseBy(figure: RegressionFigure, value: number, baseline: number): number | null | undefined {
  const rate = figure !== 'medianDurationMs' && figure !== 'costPerSession';
  if (rate && value - baseline < BASELINE_RULE.minRateStep) return undefined;
  if (baseline <= 0) return rate ? null : undefined;
  const percent = ((value - baseline) / baseline) * 100;
  // A hair under the threshold from float noise (1.25 × 0.1 is 0.12500000000000003) still counts.
  return percent >= BASELINE_RULE.thresholdPercent - 1e-9 ? Math.round(percent) : undefined;
}

/** A figure of a group of sessions, rounded as it is shown (whole ms, micro-dollars, 1/10,000 of an event). */
export function figureOf(sessions: readonly TrendSession[], figure: RegressionFigure): number {
  const n = sessions.length;
  if (n === 0) return 0;
  const mean = (read: (s: TrendSession) => number): number => sessions.reduce((sum, s) => sum + read(s), 0) / n;
  switch (figure) {
    case 'medianDurationMs':
      return Math.round(quantile(sessions.map((s) => s.durationMs), 0.5) ?? 0);
    case 'costPerSession':
      return Math.round(mean((s) => s.listing.costUsd) * 1e6) / 1e6;
    case 'toolFailuresPerSession':
      return Math.round(mean((s) => s.listing.row.toolFailures) * 1e4) / 1e4;
    case 'denialsPerSession':
      return Math.round(mean((s) => s.listing.row.denials) * 1e4) / 1e4;
    case 'rejectionsPerSession':
      return Math.round(mean((s) => s.listing.row.rejections) * 1e4) / 1e4;
    default:
      return unreachable(figure);
  }
}

function unreachable(value: never): never {
  throw new Error(`unknown figure ${String(value)}`);
}
