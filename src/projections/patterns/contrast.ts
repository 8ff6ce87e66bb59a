import type { InsightCount, PatternFinding, PatternsResult, StateTimeFinding } from '../../protocol/patterns';
import { computeInsights } from '../insights';
import type { SessionListing } from '../overview/session-query';
import { buildSessionReport } from '../report';
import type { SessionSummaryState } from '../session-summary';
import { sessionTraits, splitTrait } from './features';
import type { SessionTraits } from './features';
import { quantile } from '../quantile';

// Cohort contrast: which traits the chosen sessions share far more than the rest do. A finding
// needs at least MIN_COUNT cohort sessions; it is ranked by lift (how many times more common it
// is in the cohort), then by support (the cohort's share that has it). Also the median time per
// state, cohort against rest, and each single-session insight rule counted across sessions.

/** One session as the contrast reads it. */
export interface PatternSession {
  readonly listing: SessionListing;
  readonly summary: SessionSummaryState;
}

export interface ContrastOptions {
  readonly now: number;
  /** Findings kept (the strongest first). */
  readonly limit?: number;
  /** A finding needs at least this many cohort sessions. */
  readonly minCount?: number;
}

const MIN_COUNT = 2;
const EXAMPLES = 5;

/** The named cohorts: what a user most often wants to explain. */
export const COHORT_PRESETS: Readonly<Record<string, { readonly text: string; readonly pick: (s: SessionListing, all: readonly SessionListing[]) => boolean }>> = {
  rejected: { text: 'reviews rejected at least once', pick: (s) => s.row.rejections >= 1 },
  costly: { text: 'cost above the 90th percentile', pick: (s, all) => s.costUsd > 0 && s.costUsd > p90Cost(all) },
  'no-session-end': { text: 'ended without SessionEnd (not running)', pick: (s) => !s.row.ended && s.status !== 'live' && s.status !== 'idle' },
  abandoned: { text: 'abandoned (silent, never ended)', pick: (s) => s.status === 'abandoned' },
  failing: { text: 'three tool failures or more', pick: (s) => s.row.toolFailures >= 3 },
};

// The 90th percentile of a list's costs, once per list: a preset picks each session of the list
// against it (thousands of sorts of thousands of costs otherwise).
const p90Costs = new WeakMap<readonly SessionListing[], number>();
function p90Cost(all: readonly SessionListing[]): number {
  let p90 = p90Costs.get(all);
  if (p90 === undefined) {
    p90 = percentile(all.map((x) => x.costUsd), 0.9);
    p90Costs.set(all, p90);
  }
  return p90;
}

/** What the contrast reads of one session: its listing, its traits and the insight rules it trips. */
export interface SessionDigest {
  readonly listing: SessionListing;
  readonly traits: SessionTraits;
  /** The single-session insight rules that fire for it (each once). */
  readonly rules: ReadonlySet<string>;
}

/**
 * One session's digest: the costly part of a contrast (its report and insights), done per session
 * so a window can digest thousands of sessions in slices with the thread given back between them.
 */
export function digestSession(s: PatternSession, now: number): SessionDigest {
  return {
    listing: s.listing,
    traits: sessionTraits(s.summary, s.listing.row),
    // The rules that read the report alone (those that also read the event log's rows, repeated
    // denials of one rule and long silences, need every event: not counted here).
    rules: new Set(computeInsights(buildSessionReport(s.summary, { now }), []).map((insight) => insight.rule)),
  };
}

export function contrastCohort(name: string, sessions: readonly PatternSession[], inCohort: (s: PatternSession) => boolean, options: ContrastOptions): PatternsResult {
  const picked = new Set(sessions.filter(inCohort).map((s) => s.listing.row.sessionId));
  return contrastDigests(name, sessions.map((s) => digestSession(s, options.now)), (d) => picked.has(d.listing.row.sessionId), options);
}

/** The contrast of digested sessions: `inCohort` picks the cohort, the others are the rest. */
export function contrastDigests(name: string, digests: readonly SessionDigest[], inCohort: (d: SessionDigest) => boolean, options: ContrastOptions): PatternsResult {
  const cohort = digests.filter(inCohort);
  const ids = new Set(cohort.map((s) => s.listing.row.sessionId));
  const rest = digests.filter((s) => !ids.has(s.listing.row.sessionId));
  return {
    cohort: { name, sessions: cohort.map((s) => s.listing.row.sessionId) },
    rest: { sessions: rest.length },
    findings: findings(cohort, rest, options),
    stateTimes: stateTimes(cohort, rest),
    insights: insightCounts(cohort, rest),
  };
}

function findings(cohort: readonly SessionDigest[], rest: readonly SessionDigest[], options: ContrastOptions): PatternFinding[] {
  const minCount = options.minCount ?? MIN_COUNT;
  const inCohort = new Map<string, string[]>();
  for (const s of cohort) {
    for (const trait of s.traits) {
      const holders = inCohort.get(trait);
      if (holders === undefined) inCohort.set(trait, [s.listing.row.sessionId]);
      else holders.push(s.listing.row.sessionId);
    }
  }
  const inRest = new Map<string, number>();
  for (const s of rest) {
    for (const trait of s.traits) if (inCohort.has(trait)) inRest.set(trait, (inRest.get(trait) ?? 0) + 1);
  }
  const out: PatternFinding[] = [];
  for (const [trait, holders] of inCohort) {
    if (holders.length < minCount) continue;
    const restCount = inRest.get(trait) ?? 0;
    const support = holders.length / cohort.length;
    const restShare = rest.length === 0 ? 0 : restCount / rest.length;
    const lift = support / ((restCount + 1) / (rest.length + 1));
    const { kind, value } = splitTrait(trait);
    out.push({ kind, value, cohortCount: holders.length, support, restCount, restShare, lift, examples: holders.slice(0, EXAMPLES) });
  }
  out.sort((a, b) => b.lift - a.lift || b.support - a.support || a.kind.localeCompare(b.kind) || (a.value < b.value ? -1 : 1));
  return out.slice(0, options.limit ?? 20);
}

function stateTimes(cohort: readonly SessionDigest[], rest: readonly SessionDigest[]): StateTimeFinding[] {
  const out: StateTimeFinding[] = [];
  for (const workflow of [false, true]) {
    const times = (s: SessionDigest): Readonly<Record<string, number>> => (workflow ? s.listing.row.workflowMs : s.listing.row.lifecycleMs);
    const states = new Set([...cohort, ...rest].flatMap((s) => Object.keys(times(s))));
    for (const state of states) {
      const ms = (s: SessionDigest): number => (Object.hasOwn(times(s), state) ? times(s)[state] ?? 0 : 0);
      const cohortMedianMs = median(cohort.map(ms));
      const restMedianMs = median(rest.map(ms));
      if (cohortMedianMs === 0 && restMedianMs === 0) continue;
      out.push({ state, workflow, cohortMedianMs, restMedianMs, ratio: restMedianMs === 0 ? null : cohortMedianMs / restMedianMs });
    }
  }
  return out.sort((a, b) => (b.ratio ?? Infinity) - (a.ratio ?? Infinity) || b.cohortMedianMs - a.cohortMedianMs);
}

function insightCounts(cohort: readonly SessionDigest[], rest: readonly SessionDigest[]): InsightCount[] {
  const counts = new Map<string, { cohort: number; rest: number; examples: string[] }>();
  const count = (s: SessionDigest, side: 'cohort' | 'rest'): void => {
    for (const rule of s.rules) {
      const entry = counts.get(rule) ?? { cohort: 0, rest: 0, examples: [] };
      entry[side] += 1;
      if (side === 'cohort' && entry.examples.length < EXAMPLES) entry.examples.push(s.listing.row.sessionId);
      counts.set(rule, entry);
    }
  };
  for (const s of cohort) count(s, 'cohort');
  for (const s of rest) count(s, 'rest');
  return [...counts].map(([rule, c]) => ({ rule, ...c })).sort((a, b) => b.cohort - a.cohort || b.rest - a.rest || a.rule.localeCompare(b.rule));
}

function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** The value at rank q (0–1), interpolated as every view across sessions does; 0 for none. */
export function percentile(values: readonly number[], q: number): number {
  return quantile(values, q) ?? 0;
}
