// Trends across sessions as plain JSON: what `logbook trends --json` prints and what the Sessions
// dashboard's webview draws (charts with the numbers beside them). Built by
// src/projections/trends/ from the sessions overview, never from events. Times are epoch ms;
// buckets are local days, or local weeks starting on Monday. Every figure comes with the ids of
// the sessions behind it, so a chart's bar or a script can list them.

/** How trends group sessions by their start: a local day, or a local week from Monday. */
export type TrendPeriod = 'day' | 'week';

export const TREND_PERIODS = ['day', 'week'] as const satisfies readonly TrendPeriod[];

/** The figures of a group of sessions (a bucket, a workflow version, all of them). */
export interface TrendFigures {
  readonly sessions: number;
  /** The sessions counted here, by start (then id). */
  readonly sessionIds: readonly string[];
  /** Sessions live or idle when the trends were made: their figures may still grow. */
  readonly live: number;
  /** Durations as the report gives them (last event − first event), summed. */
  readonly totalDurationMs: number;
  /** Null without sessions. */
  readonly medianDurationMs: number | null;
  readonly p90DurationMs: number | null;
  readonly costUsd: number;
  /** Input, output, cache writes and cache reads. */
  readonly tokens: number;
  /** Milliseconds per lifecycle state and per workflow state, summed (for stacked charts). */
  readonly lifecycleMs: Readonly<Record<string, number>>;
  readonly workflowMs: Readonly<Record<string, number>>;
  readonly denials: number;
  readonly rejections: number;
  readonly toolFailures: number;
  readonly iterations: number;
}

/** Where a workflow's definition changed: the first session (by start) run with the new one. */
export interface WorkflowChange {
  readonly workflow: string;
  readonly fromHash: string;
  readonly toHash: string;
  readonly sessionId: string;
  /** The session's start. */
  readonly atMs: number;
}

/** One day or week of the time axis. */
export interface TrendBucket extends TrendFigures {
  /** Its first day, local: "2026-03-30" (a week's Monday). */
  readonly key: string;
  readonly startMs: number;
  /** Exclusive: the next bucket's start. */
  readonly endMs: number;
  /** Changes of a workflow's definition first seen in this bucket. */
  readonly workflowChanges: readonly WorkflowChange[];
  /** Its figures that got worse than their baseline past the rule of BASELINE_RULE (empty when none did, or no baseline had enough sessions). */
  readonly regressions: readonly Regression[];
}

/** The figures a baseline watches: each is worse when it is higher. */
export type RegressionFigure = 'medianDurationMs' | 'costPerSession' | 'toolFailuresPerSession' | 'denialsPerSession' | 'rejectionsPerSession';

export const REGRESSION_FIGURES = ['medianDurationMs', 'costPerSession', 'toolFailuresPerSession', 'denialsPerSession', 'rejectionsPerSession'] as const satisfies readonly RegressionFigure[];

/** What a bucket was compared with: the sessions of the workflow's previous version, or the sessions of the buckets before it. */
export type RegressionBasis =
  | { readonly kind: 'version'; readonly workflow: string; readonly fromHash: string; readonly toHash: string }
  | { readonly kind: 'buckets'; /** The keys of the buckets pooled, oldest first. */ readonly keys: readonly string[] };

/** A figure of a bucket worse than its baseline. */
export interface Regression {
  readonly figure: RegressionFigure;
  readonly baseline: number;
  readonly value: number;
  /** How much worse, in percent of the baseline (rounded); null when the baseline is 0. */
  readonly percent: number | null;
  readonly basis: RegressionBasis;
  /** The sessions on each side. */
  readonly sessions: number;
  readonly baselineSessions: number;
}

/** When a figure counts as a regression (the same rule for the CLI, the dashboard and the HTML export). */
export const BASELINE_RULE = {
  /** Buckets with sessions before a bucket that make its baseline, when no workflow changed in it. */
  precedingBuckets: 4,
  /** Worse by at least this many percent of the baseline. */
  thresholdPercent: 25,
  /** Sessions needed on each side. */
  minSessions: 3,
  /** A rate per session (failures, denials, rejections) must also grow by this much: one more in every other session, not one more in the bucket. */
  minRateStep: 0.5,
} as const;

/** The sessions run with one definition of one workflow (or with none: both null). */
export interface VersionTrend extends TrendFigures {
  readonly workflow: string | null;
  readonly hash: string | null;
  /** The first and the last start among its sessions (null when none has a time). */
  readonly firstAtMs: number | null;
  readonly lastAtMs: number | null;
}

/** Trends of a set of sessions. */
export interface Trends {
  readonly by: TrendPeriod;
  readonly generatedAtMs: number;
  /**
   * From the first bucket with a session to the last, empty ones included (zeros), so a chart's
   * axis is continuous; false when that would pass MAX_TREND_BUCKETS and only buckets with
   * sessions are listed.
   */
  readonly continuous: boolean;
  readonly buckets: readonly TrendBucket[];
  /** Sessions with no time at all: in no bucket, counted here. */
  readonly untimed: TrendFigures;
  /** Every session: the buckets' sums plus the untimed. */
  readonly totals: TrendFigures;
  /** By workflow version, in order of their first session. */
  readonly versions: readonly VersionTrend[];
  /** Every bucket's workflow changes, in time order. */
  readonly workflowChanges: readonly WorkflowChange[];
  /** The rule the buckets' regressions follow. */
  readonly baselineRule: typeof BASELINE_RULE;
}

/** At most this many buckets on a continuous axis (27 years of days). */
export const MAX_TREND_BUCKETS = 10_000;
