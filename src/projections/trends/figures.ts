import type { SessionListing } from '../overview/session-query';
import type { SessionOverview } from '../overview/session-overview';
import type { TrendFigures } from '../../protocol/trends';
import { medianAndP90 } from '../quantile';
import { startOrder } from './day-parts';

// The sums of one group of sessions (a bucket, a workflow version, all of them). Each session
// is added once with the figures its overview row holds; durations are the report's (last event −
// first event), so a bucket's lifecycle times add up to its total duration as each report's do.

/** What trends read of a session's listing: the CLI's listings, or the dashboard's slimmer rows. */
export type TrendListing = Pick<SessionListing, 'status' | 'tokens' | 'costUsd'> & {
  readonly row: Pick<SessionOverview, 'sessionId' | 'firstEventAt' | 'lastEventAt' | 'denials' | 'rejections' | 'toolFailures' | 'iterations' | 'lifecycleMs' | 'workflowMs' | 'workflow' | 'workflowHash'>;
};

/** A session as trends count it: its listing and where it sits on the time axis. */
export interface TrendSession {
  readonly listing: TrendListing;
  /** Its start (first event, else last); null when it has no time at all. */
  readonly at: number | null;
  /** The start of the day or week holding `at`. */
  readonly period: number | null;
  readonly durationMs: number;
  readonly live: boolean;
  /** Its time per state as pairs, read once from the row: each session is added to three groups. */
  readonly lifecycleTimes: readonly StateTime[];
  readonly workflowTimes: readonly StateTime[];
}

/** A state and the milliseconds spent in it. */
export type StateTime = readonly [state: string, ms: number];

/** A row's time per state as pairs (own keys only, as Object.entries gives them). */
export function stateTimes(times: Readonly<Record<string, number>>): StateTime[] {
  return Object.entries(times);
}

/** A group's running sums. */
export class FigureSums {
  private readonly members: TrendSession[] = [];
  private costUsd = 0;
  private tokens = 0;
  private denials = 0;
  private rejections = 0;
  private toolFailures = 0;
  private iterations = 0;
  private live = 0;
  // Maps, not objects: a state may be named "__proto__".
  private readonly lifecycleMs = new Map<string, number>();
  private readonly workflowMs = new Map<string, number>();

  add(s: TrendSession): void {
    const row = s.listing.row;
    this.members.push(s);
    this.costUsd += s.listing.costUsd;
    this.tokens += s.listing.tokens;
    this.denials += row.denials;
    this.rejections += row.rejections;
    this.toolFailures += row.toolFailures;
    this.iterations += row.iterations;
    if (s.live) this.live += 1;
    addStateTimes(this.lifecycleMs, s.lifecycleTimes);
    addStateTimes(this.workflowMs, s.workflowTimes);
  }

  get size(): number {
    return this.members.length;
  }

  /** The sessions added, in the order they were (trends adds them by start). */
  get sessions(): readonly TrendSession[] {
    return this.members;
  }

  figures(): TrendFigures {
    const members = [...this.members].sort(byStart);
    const durations = members.map((s) => s.durationMs);
    const { median, p90 } = medianAndP90(durations);
    return {
      sessions: members.length,
      sessionIds: members.map((s) => s.listing.row.sessionId),
      live: this.live,
      totalDurationMs: durations.reduce((sum, ms) => sum + ms, 0),
      // Whole milliseconds, like every duration: an interpolation's 474000.00000000006 says nothing more.
      medianDurationMs: median === null ? null : Math.round(median),
      p90DurationMs: p90 === null ? null : Math.round(p90),
      costUsd: this.costUsd,
      tokens: this.tokens,
      lifecycleMs: sortedRecord(this.lifecycleMs),
      workflowMs: sortedRecord(this.workflowMs),
      denials: this.denials,
      rejections: this.rejections,
      toolFailures: this.toolFailures,
      iterations: this.iterations,
    };
  }
}

/** By start (no time last), then by id: the order every list of sessions in trends keeps. */
export function byStart(a: TrendSession, b: TrendSession): number {
  return startOrder(a.at, a.listing.row.sessionId, b.at, b.listing.row.sessionId);
}

/** Adds time per state, as pairs, into running sums. */
export function addStateTimes(into: Map<string, number>, times: readonly StateTime[]): void {
  for (const [state, ms] of times) into.set(state, (into.get(state) ?? 0) + ms);
}

// Code-unit order, the same on every machine; fromEntries defines own keys (even "__proto__").
export function sortedRecord(times: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...times].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
