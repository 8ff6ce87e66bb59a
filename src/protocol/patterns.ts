// Patterns across sessions (cohort contrast): what the `logbook patterns` command prints as JSON
// and what a view renders. Plain JSON; every figure names the sessions behind it.

/** What kind of trait a finding is about. */
export type FeatureKind =
  | 'workflow-step' | 'workflow-path' | 'lifecycle-step' | 'tool' | 'failing-tool' | 'denial-rule'
  | 'folder' | 'title-word' | 'model' | 'end-reason';

/** A trait far more (or less) common in the cohort than in the rest. */
export interface PatternFinding {
  readonly kind: FeatureKind;
  readonly value: string;
  /** Cohort sessions with it, and their share of the cohort (the support). */
  readonly cohortCount: number;
  readonly support: number;
  /** The same in the rest of the sessions. */
  readonly restCount: number;
  readonly restShare: number;
  /** support ÷ restShare, the rest's share smoothed (+1 session) so a trait absent from the rest stays finite. */
  readonly lift: number;
  /** Up to five cohort sessions that have it. */
  readonly examples: readonly string[];
}

/** Median time in a state, cohort against the rest. */
export interface StateTimeFinding {
  readonly state: string;
  readonly workflow: boolean;
  readonly cohortMedianMs: number;
  readonly restMedianMs: number;
  /** cohort ÷ rest (null when the rest's median is 0). */
  readonly ratio: number | null;
}

/** A single-session insight rule counted across sessions. */
export interface InsightCount {
  readonly rule: string;
  readonly cohort: number;
  readonly rest: number;
  readonly examples: readonly string[];
}

export interface PatternsResult {
  readonly cohort: { readonly name: string; readonly sessions: readonly string[] };
  readonly rest: { readonly sessions: number };
  readonly findings: readonly PatternFinding[];
  readonly stateTimes: readonly StateTimeFinding[];
  readonly insights: readonly InsightCount[];
}
