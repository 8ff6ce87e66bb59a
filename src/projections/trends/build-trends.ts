import type { PriceTable } from '../pricing';
import { DEFAULT_PRICE_TABLE } from '../pricing';
import type { SessionOverview } from '../overview/session-overview';
import { listingOf } from '../overview/session-query';
import type { SessionListing } from '../overview/session-query';
import { BASELINE_RULE, MAX_TREND_BUCKETS } from '../../protocol/trends';
import type { Regression, TrendBucket, TrendPeriod, Trends, VersionTrend, WorkflowChange } from '../../protocol/trends';
import { regressionsOf } from './baseline';
import { localDay, nextPeriod, periodsBetween, periodStart } from './calendar';
import { byStart, FigureSums, stateTimes } from './figures';
import type { TrendListing, TrendSession } from './figures';

// Trends across sessions, from the sessions overview alone (one row per session, never events):
// each session counts in the day or week of its start (its first event, else its last), in the
// group of its workflow version, and in the totals. The figures of a session are its report's
// (durations, time per state, denials, rejections, tool failures, iterations) and its listing's
// (tokens, cost at these prices), so trend totals equal the sums of the sessions' reports.
//
// A workflow's definition changed where a session's workflowHash differs from the previous
// session's (by start) of the same workflow, among the sessions given: the change is marked in
// the bucket of the first session with the new hash.

export interface TrendOptions {
  readonly by: TrendPeriod;
  /** The moment the trends are made: decides which sessions are still live. */
  readonly now: number;
  /** Stretch the axis to hold these times too (the bounds of a --since/--until query). */
  readonly from?: number;
  readonly to?: number;
}

/** Trends of overview rows, their cost at these prices. */
export function buildTrends(rows: Iterable<SessionOverview>, options: TrendOptions & { readonly prices?: PriceTable; readonly silenceMs?: number }): Trends {
  const listings: SessionListing[] = [];
  for (const row of rows) listings.push(listingOf(row, options.now, options.prices ?? DEFAULT_PRICE_TABLE, options.silenceMs));
  return trendsOfListings(listings, options);
}

/** Trends of listings already made (and filtered) by session-query.ts. */
export function trendsOfListings(listings: Iterable<TrendListing>, options: TrendOptions): Trends {
  const { by } = options;
  const period = periodMemo(by);
  const sessions = [...listings].map((listing) => trendSession(listing, period)).sort(byStart);
  const axis = axisOf(sessions, options);
  const buckets = new Map<number, FigureSums>(axis.starts.map((start) => [start, new FigureSums()]));
  const untimed = new FigureSums();
  const totals = new FigureSums();
  const versions = new Map<string, { workflow: string | null; hash: string | null; sums: FigureSums; first: number | null; last: number | null }>();
  for (const s of sessions) {
    totals.add(s);
    if (s.period === null) untimed.add(s);
    else bucketOf(buckets, s.period).add(s);
    const { workflow, workflowHash: hash } = s.listing.row;
    const key = JSON.stringify([workflow, hash]);
    const version = versions.get(key) ?? { workflow, hash, sums: new FigureSums(), first: s.at, last: s.at };
    version.sums.add(s);
    if (s.at !== null) version.last = s.at;
    versions.set(key, version);
  }
  const changes = workflowChanges(sessions);
  const ordered = [...buckets].sort(([a], [b]) => a - b).map(([start, sums]) => ({ start, sums, key: localDay(start), changes: changesIn(changes, start, nextPeriod(start, by)) }));
  const regressions = regressionsOf(ordered.map((b) => ({ key: b.key, sessions: b.sums.sessions, changes: b.changes })), sessions);
  return {
    by,
    generatedAtMs: options.now,
    continuous: axis.continuous,
    buckets: ordered.map((b, i) => bucket(b.start, b.sums, b.changes, regressions[i] ?? [], by)),
    untimed: untimed.figures(),
    totals: totals.figures(),
    versions: [...versions.values()].map((v): VersionTrend => ({ workflow: v.workflow, hash: v.hash, firstAtMs: v.first, lastAtMs: v.last, ...v.sums.figures() })),
    workflowChanges: changes,
    baselineRule: BASELINE_RULE,
  };
}

function trendSession(listing: TrendListing, period: PeriodOf): TrendSession {
  const { firstEventAt: first, lastEventAt: last } = listing.row;
  const start = first ?? last;
  const startPeriod = start === null ? Number.NaN : period(start);
  // A time no Date can hold has no day: counted apart, with the sessions that have no time.
  const timed = Number.isFinite(startPeriod);
  return {
    listing,
    at: timed ? start : null,
    period: timed ? startPeriod : null,
    // The report's duration: from the first event to the last, whatever the session's status.
    durationMs: first === null || last === null ? 0 : last - first,
    live: listing.status === 'live' || listing.status === 'idle',
    lifecycleTimes: stateTimes(listing.row.lifecycleMs),
    workflowTimes: stateTimes(listing.row.workflowMs),
  };
}

type PeriodOf = (ms: number) => number;

/**
 * periodStart with the last period remembered: local-time conversions are most of its cost, and
 * consecutive sessions mostly start in the same day or week.
 */
function periodMemo(by: TrendPeriod): PeriodOf {
  let start = Number.NaN;
  let end = Number.NaN;
  return (ms) => {
    if (ms >= start && ms < end) return start;
    const found = periodStart(ms, by);
    if (Number.isFinite(found)) {
      start = found;
      end = nextPeriod(found, by);
    }
    return found;
  };
}

/** The buckets' starts: every period from the first to the last, or only those with sessions when that is too many. */
function axisOf(sessions: readonly TrendSession[], options: TrendOptions): { starts: number[]; continuous: boolean } {
  const { by } = options;
  const times: number[] = [];
  for (const s of sessions) if (s.at !== null) times.push(s.at);
  if (times.length === 0) return { starts: [], continuous: true };
  // Sorted by start: the first and last timed sessions bound the axis, with the query's bounds.
  let low = times[0] as number;
  let high = times[times.length - 1] as number;
  if (options.from !== undefined && Number.isFinite(periodStart(options.from, by))) low = Math.min(low, options.from);
  if (options.to !== undefined && Number.isFinite(periodStart(options.to, by))) high = Math.max(high, options.to);
  const count = periodsBetween(low, high, by);
  if (!(count <= MAX_TREND_BUCKETS)) return { starts: [], continuous: false };
  const starts: number[] = [];
  for (let start = periodStart(low, by), end = periodStart(high, by); start <= end; start = nextPeriod(start, by)) starts.push(start);
  return { starts, continuous: true };
}

function bucketOf(buckets: Map<number, FigureSums>, start: number): FigureSums {
  let sums = buckets.get(start);
  if (sums === undefined) {
    sums = new FigureSums();
    buckets.set(start, sums);
  }
  return sums;
}

function bucket(start: number, sums: FigureSums, changes: readonly WorkflowChange[], regressions: readonly Regression[], by: TrendPeriod): TrendBucket {
  return { key: localDay(start), startMs: start, endMs: nextPeriod(start, by), ...sums.figures(), workflowChanges: changes, regressions };
}

function changesIn(changes: readonly WorkflowChange[], start: number, end: number): WorkflowChange[] {
  return changes.filter((c) => c.atMs >= start && c.atMs < end);
}

/** Where each workflow's hash differs from its previous session's, sessions in start order. */
function workflowChanges(sessions: readonly TrendSession[]): WorkflowChange[] {
  const lastHash = new Map<string, string>();
  const changes: WorkflowChange[] = [];
  for (const s of sessions) {
    const { workflow, workflowHash: hash, sessionId } = s.listing.row;
    if (workflow === null || hash === null || s.at === null) continue;
    const previous = lastHash.get(workflow);
    if (previous !== undefined && previous !== hash) changes.push({ workflow, fromHash: previous, toHash: hash, sessionId, atMs: s.at });
    lastHash.set(workflow, hash);
  }
  return changes;
}
