// What `logbook compare` prints with --json, and what a compare view would show: two sessions side
// by side, or one session against the median of a cohort. Plain JSON: times are epoch ms offsets
// or ISO strings, money in USD. Every delta reads "b − a", its percent is of a (null when a is 0:
// no percent of nothing). Two sessions: a is the first named, b the second. A cohort: a is the
// cohort's median (the baseline), b the session, so a delta says how the session differs from the
// cohort's typical one.

/** Bumped when a field changes meaning or goes away (adding a field does not bump it). */
export const COMPARE_VERSION = 1;

/** The unit of a figure: how a view formats it. */
export type FigureUnit = 'count' | 'ms' | 'tokens' | 'usd';

/** One figure of both sides and how far apart they are. */
export interface FigureDelta {
  /** Stable name: `durationMs`, `toolFailures`… or `lifecycleMs.<state>`, `workflowMs.<state>`. */
  readonly key: string;
  /** For people: "duration", "tool failures", "time working", "time in review". */
  readonly label: string;
  readonly unit: FigureUnit;
  readonly a: number;
  readonly b: number;
  /** b − a. */
  readonly delta: number;
  /** (b − a) / a × 100, rounded to 0.1; null when a is 0. */
  readonly percent: number | null;
}

/** Who a side is: enough to recognise the session. */
export interface ComparedSession {
  readonly sessionId: string;
  readonly title: string | null;
  readonly branch: string | null;
  readonly workflow: string | null;
  readonly status: string;
  readonly startedAt: string | null;
}

/** The baseline of a cohort comparison: which sessions, and how they were chosen. */
export interface ComparedCohort {
  /** The --cohort condition as given ("all": every session). */
  readonly condition: string;
  readonly since: string | null;
  readonly until: string | null;
  /** How many sessions the medians are of (the compared session is never one of them). */
  readonly sessions: number;
  /** Their ids, so every median traces to the sessions behind it. */
  readonly sessionIds: readonly string[];
}

/** One state's interval, as offsets from its session's first event. */
export interface StateInterval {
  readonly state: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Intervals merged into this one when the session had too many to draw; 1 otherwise. */
  readonly count: number;
}

/** A session's states on its own clock: 0 is its first event. */
export interface AlignedTimeline {
  readonly durationMs: number;
  readonly lifecycle: readonly StateInterval[];
  readonly workflow: readonly StateInterval[];
}

/** Both sessions' timelines on one scale: the longer duration. */
export interface AlignedTimelines {
  readonly scaleMs: number;
  readonly a: AlignedTimeline;
  readonly b: AlignedTimeline;
}

export type SequenceRunKind = 'same' | 'onlyA' | 'onlyB';

/** Consecutive tool calls that are in both sequences, or only in one. */
export interface SequenceRun {
  readonly kind: SequenceRunKind;
  /** Index of the run's first call in A's (B's) sequence; for a run only in B, where A stood. */
  readonly aIndex: number;
  readonly bIndex: number;
  readonly tools: readonly string[];
}

/** The main agents' tool calls (PreToolUse, in order) as a longest-common-subsequence diff. */
export interface ToolSequenceDiff {
  /** Calls in each session's main agent (every one, also past the cap). */
  readonly aCalls: number;
  readonly bCalls: number;
  /** Calls diffed per session: the first `cap`. */
  readonly cap: number;
  /** True when a sequence was longer than the cap: its tail is not diffed. */
  readonly truncated: boolean;
  /** Length of the longest common subsequence. */
  readonly common: number;
  readonly onlyA: number;
  readonly onlyB: number;
  readonly runs: readonly SequenceRun[];
}

/** Files changed (Write, Edit…) in both sessions, or in one. Sorted paths. */
export interface FilesCompared {
  readonly both: readonly string[];
  readonly onlyA: readonly string[];
  readonly onlyB: readonly string[];
}

/** Cost and tokens of one model or agent in a session. */
export interface CostShare {
  readonly costUsd: number;
  readonly tokens: number;
  readonly messages: number;
}

/** One model (or kind of agent) in both sessions; null where a session did not use it. */
export interface CostRow {
  /** The model id, or "main" / the subagent's type for agents. */
  readonly key: string;
  readonly a: CostShare | null;
  readonly b: CostShare | null;
  /** b − a in USD (a side without it counts 0). */
  readonly deltaUsd: number;
}

/** Cost per model and per agent, from the sessions' UsageRecorded events (as the report has it). */
export interface CostsCompared {
  readonly perModel: readonly CostRow[];
  /** The main agent, and subagents summed by their type (their ids differ from session to session). */
  readonly perAgent: readonly CostRow[];
  /** Models with tokens but no price, in either session: their cost counts 0. */
  readonly unpricedModels: readonly string[];
}

/** `logbook compare A B --json`. */
export interface SessionsComparison {
  readonly compareVersion: number;
  readonly kind: 'sessions';
  readonly a: ComparedSession;
  readonly b: ComparedSession;
  readonly figures: readonly FigureDelta[];
  readonly timelines: AlignedTimelines;
  readonly tools: ToolSequenceDiff;
  readonly files: FilesCompared;
  readonly costs: CostsCompared;
}

/** `logbook compare A --cohort COND --json`: a is the cohort's median, b the session. */
export interface CohortComparison {
  readonly compareVersion: number;
  readonly kind: 'cohort';
  readonly a: ComparedCohort;
  readonly b: ComparedSession;
  readonly figures: readonly FigureDelta[];
}

export type Comparison = SessionsComparison | CohortComparison;
