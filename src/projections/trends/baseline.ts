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

/** What a baseline reads of a group of sessions: enough for every figure it watches. */
export interface Sample {
  readonly count: number;
  /** Each session's duration (any order). */
  readonly durations: readonly number[];
  /** Summed over the sessions. */
  readonly costUsd: number;
  readonly toolFailures: number;
  readonly denials: number;
  readonly rejections: number;
}

export const EMPTY_SAMPLE: Sample = { count: 0, durations: [], costUsd: 0, toolFailures: 0, denials: 0, rejections: 0 };

/** Many samples as one (their durations copied once). */
export function pooled(samples: readonly Sample[]): Sample {
  const durations: number[] = [];
  let count = 0;
  let costUsd = 0;
  let toolFailures = 0;
  let denials = 0;
  let rejections = 0;
  for (const s of samples) {
    for (const ms of s.durations) durations.push(ms);
    count += s.count;
    costUsd += s.costUsd;
    toolFailures += s.toolFailures;
    denials += s.denials;
    rejections += s.rejections;
  }
  return { count, durations, costUsd, toolFailures, denials, rejections };
}

/** The sample of sessions as trends hold them (sums in their order). */
export function sampleOf(sessions: readonly TrendSession[]): Sample {
  const durations: number[] = [];
  let costUsd = 0;
  let toolFailures = 0;
  let denials = 0;
  let rejections = 0;
  for (const s of sessions) {
    const row = s.listing.row;
    durations.push(s.durationMs);
    costUsd += s.listing.costUsd;
    toolFailures += row.toolFailures;
    denials += row.denials;
    rejections += row.rejections;
  }
  return { count: sessions.length, durations, costUsd, toolFailures, denials, rejections };
}

/** A bucket as the baseline reads it: its sample, the workflow changes in it, and its sample of one workflow version. */
export interface BucketSample {
  readonly key: string;
  readonly sample: Sample;
  readonly changes: readonly WorkflowChange[];
  runWith(workflow: string, hash: string): Sample;
}

/** A bucket as the baseline reads it. */
export interface BucketSessions {
  readonly key: string;
  readonly sessions: readonly TrendSession[];
  readonly changes: readonly WorkflowChange[];
}

/** For each bucket (in time order), its regressions. `all` is every session given to trends, by start. */
export function regressionsOf(buckets: readonly BucketSessions[], all: readonly TrendSession[]): Regression[][] {
  return regressionsOfSamples(buckets.map((b) => ({
    key: b.key, sample: sampleOf(b.sessions), changes: b.changes,
    runWith: (workflow, hash) => sampleOf(b.sessions.filter((s) => runWith(s, workflow, hash))),
  })), (change) => sampleOf(all.filter((s) => runWith(s, change.workflow, change.fromHash) && s.at !== null && s.at < change.atMs)));
}

/**
 * For each bucket (in time order), its regressions; `before(change)` is the sample of the sessions
 * run with a change's previous definition, started before it.
 */
export function regressionsOfSamples(buckets: readonly BucketSample[], before: (change: WorkflowChange) => Sample): Regression[][] {
  // The last buckets with sessions, kept as the axis goes: one pass, whatever its length (10,000 days).
  const preceding: BucketSample[] = [];
  return buckets.map((bucket) => {
    const found = versionRegressions(bucket, before) ?? bucketRegressions(bucket, preceding);
    if (bucket.sample.count > 0) {
      preceding.push(bucket);
      if (preceding.length > BASELINE_RULE.precedingBuckets) preceding.shift();
    }
    return found;
  });
}

/** Against each changed workflow's previous version; undefined when no change had enough sessions. */
function versionRegressions(bucket: BucketSample, before: (change: WorkflowChange) => Sample): Regression[] | undefined {
  let compared = false;
  const found: Regression[] = [];
  for (const change of bucket.changes) {
    const after = bucket.runWith(change.workflow, change.toHash);
    const baseline = before(change);
    if (!enough(after, baseline)) continue;
    compared = true;
    found.push(...compare(after, baseline, { kind: 'version', workflow: change.workflow, fromHash: change.fromHash, toHash: change.toHash }));
  }
  return compared ? found : undefined;
}

/** Against the pooled sessions of `preceding`: the buckets with sessions just before it. */
function bucketRegressions(bucket: BucketSample, preceding: readonly BucketSample[]): Regression[] {
  // Counted before anything is pooled: most days of a quiet axis have too few sessions to compare.
  let count = 0;
  for (const b of preceding) count += b.sample.count;
  if (bucket.sample.count < BASELINE_RULE.minSessions || count < BASELINE_RULE.minSessions) return [];
  const baseline = pooled(preceding.map((b) => b.sample));
  return compare(bucket.sample, baseline, { kind: 'buckets', keys: preceding.map((b) => b.key) });
}

function runWith(s: TrendSession, workflow: string, hash: string): boolean {
  return s.listing.row.workflow === workflow && s.listing.row.workflowHash === hash;
}

function enough(value: Sample, baseline: Sample): boolean {
  return value.count >= BASELINE_RULE.minSessions && baseline.count >= BASELINE_RULE.minSessions;
}

function compare(value: Sample, baseline: Sample, basis: RegressionBasis): Regression[] {
  const found: Regression[] = [];
  for (const figure of REGRESSION_FIGURES) {
    const now = figureOf(value, figure);
    const before = figureOf(baseline, figure);
    const percent = worseBy(figure, now, before);
    if (percent === undefined) continue;
    found.push({ figure, baseline: before, value: now, percent, basis, sessions: value.count, baselineSessions: baseline.count });
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
export function figureOf(sample: Sample, figure: RegressionFigure): number {
  const n = sample.count;
  if (n === 0) return 0;
  switch (figure) {
    case 'medianDurationMs':
      return Math.round(quantile(sample.durations, 0.5) ?? 0);
    case 'costPerSession':
      return Math.round((sample.costUsd / n) * 1e6) / 1e6;
    case 'toolFailuresPerSession':
      return Math.round((sample.toolFailures / n) * 1e4) / 1e4;
    case 'denialsPerSession':
      return Math.round((sample.denials / n) * 1e4) / 1e4;
    case 'rejectionsPerSession':
      return Math.round((sample.rejections / n) * 1e4) / 1e4;
    default:
      return unreachable(figure);
  }
}

function unreachable(value: never): never {
  throw new Error(`unknown figure ${String(value)}`);
}
