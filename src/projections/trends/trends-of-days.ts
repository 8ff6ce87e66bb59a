import { deriveSessionStatus } from '../../domain/lifecycle-time';
import type { SessionOverview } from '../overview/session-overview';
import type { PriceTable } from '../pricing';
import { tallyCost, tallyTotals } from '../overview/usage-tally';
import { medianAndP90 } from '../quantile';
import { BASELINE_RULE, MAX_TREND_BUCKETS } from '../../protocol/trends';
import type { TrendBucket, TrendFigures, TrendPeriod, Trends, VersionTrend, WorkflowChange } from '../../protocol/trends';
import { EMPTY_SAMPLE, pooled, regressionsOfSamples } from './baseline';
import type { Sample } from './baseline';
import { localDay, nextPeriod, periodsBetween, periodStart } from './calendar';
import { NO_DAY, startOrder } from './day-parts';
import { addStateTimes, sortedRecord, stateTimes } from './figures';
import type { StateTime } from './figures';
import type { DayPart } from './day-parts';

// The trends of build-trends.ts, added up from day parts (day-parts.ts) instead of sessions: the
// same buckets, figures, versions and workflow changes, field for field (a test holds the two to
// each other). A part's sessions are columns already in start order and days do not overlap, so
// a group's sessions are its days' columns one after another: only the parts of one day (one per
// workflow version) are merged. Per session nothing is done but what a list and a median need.

export interface DayTrendOptions {
  readonly by: TrendPeriod;
  readonly now: number;
  readonly prices: PriceTable;
  readonly silenceMs?: number;
}

/** A part placed on the reader's own calendar: the start of its day, or null for NO_DAY. */
export interface PlacedPart {
  readonly part: DayPart;
  readonly dayStart: number | null;
}

/**
 * The reader's own start of each part's day, or undefined when a part's sessions do not all start
 * within that day here (the writer ran in another time zone): the caller reads the rows instead.
 */
export function placeParts(parts: Iterable<DayPart>): PlacedPart[] | undefined {
  const placed: PlacedPart[] = [];
  for (const part of parts) {
    if (part.day === NO_DAY) {
      if (part.starts.some((at) => at !== null)) return undefined;
      placed.push({ part, dayStart: null });
      continue;
    }
    const start = dayStartOf(part.day);
    if (start === undefined) return undefined;
    const end = nextPeriod(start, 'day');
    // In start order: the first and the last bound them all.
    const low = part.starts[0];
    const high = part.starts[part.starts.length - 1];
    if (low === undefined || low === null || high === undefined || high === null || low < start || high >= end) return undefined;
    placed.push({ part, dayStart: start });
  }
  return placed;
}

/**
 * The part of some of a part's sessions (a baseline before a workflow change made mid-day): read
 * from their rows by the caller; undefined when they do not read.
 */
export type RemakePart = (sessionIds: readonly string[]) => DayPart | undefined;

/** Sessions in start order, as columns: a part's, or several parts' of one day merged. */
interface Columns {
  readonly ids: readonly string[];
  readonly starts: readonly (number | null)[];
  readonly durationsMs: readonly number[];
}

/** Trends of placed parts: what trendsOfListings gives for their sessions (undefined when a part to remake did not read). */
export function trendsOfDays(placed: readonly PlacedPart[], options: DayTrendOptions & { readonly from?: number; readonly to?: number }, remake: RemakePart): Trends | undefined {
  const { by } = options;
  const days = daysInOrder(placed);
  const buckets = new Map<number, DaySums>();
  const untimed = new DaySums();
  const totals = new DaySums();
  const versions = new Map<string, { workflow: string | null; hash: string | null; sums: DaySums }>();
  let low = Infinity;
  let high = -Infinity;
  for (const day of days) {
    const timed = day.dayStart !== null;
    const bucket = timed ? bucketOf(buckets, by === 'day' ? day.dayStart as number : periodStart(day.dayStart as number, by)) : untimed;
    const columns = day.parts.length === 1 ? (day.parts[0] as DayPart) : merged(day.parts);
    totals.addSessions(columns);
    bucket.addSessions(columns);
    if (timed) {
      low = Math.min(low, columns.starts[0] as number);
      high = Math.max(high, columns.starts[columns.starts.length - 1] as number);
    }
    for (const part of day.parts) {
      const counted = countedPart(part, options);
      const key = JSON.stringify([part.workflow, part.hash]);
      const version = versions.get(key) ?? { workflow: part.workflow, hash: part.hash, sums: new DaySums() };
      versions.set(key, version);
      version.sums.add(counted);
      version.sums.addSessions(part);
      totals.add(counted);
      bucket.add(counted);
      // A bucket's sessions of one version, for a baseline's "after" (untimed ones have no bucket).
      if (timed) bucket.keepPart(key, counted);
    }
  }
  const continuous = fillAxis(buckets, low, high, options);
  const changes = workflowChanges(days);
  const figure = (sums: DaySums): TrendFigures => sums.figures();
  const ordered = [...buckets].sort(([a], [b]) => a - b).map(([start, sums]) => {
    const endMs = nextPeriod(start, by);
    return { start, endMs, sums, key: localDay(start), changes: changes.filter((c) => c.atMs >= start && c.atMs < endMs) };
  });
  let unreadable = false;
  const regressions = regressionsOfSamples(
    ordered.map((b) => ({ key: b.key, sample: b.sums.sample(), changes: b.changes, runWith: (workflow, hash) => b.sums.versionSample(workflow, hash) })),
    (change) => {
      const sample = sampleBefore(placed, change, options, remake);
      if (sample === undefined) unreadable = true;
      return sample ?? EMPTY_SAMPLE;
    },
  );
  if (unreadable) return undefined;
  // Versions in the order of their first session (by start, then id), as build-trends lists them.
  const versionList = [...versions.values()].sort((a, b) => a.sums.compareFirst(b.sums));
  return {
    by,
    generatedAtMs: options.now,
    continuous,
    buckets: ordered.map((b, i): TrendBucket => ({ key: b.key, startMs: b.start, endMs: b.endMs, ...figure(b.sums), workflowChanges: b.changes, regressions: regressions[i] ?? [] })),
    untimed: figure(untimed),
    totals: figure(totals),
    versions: versionList.map((v): VersionTrend => {
      const timed = v.sums.timedRange();
      return { workflow: v.workflow, hash: v.hash, firstAtMs: timed?.[0] ?? null, lastAtMs: timed?.[1] ?? null, ...figure(v.sums) };
    }),
    workflowChanges: changes,
    baselineRule: BASELINE_RULE,
  };
}

/** The parts of one day (one per workflow version), days in time order and the untimed last. */
interface Day {
  readonly dayStart: number | null;
  readonly parts: readonly DayPart[];
}

function daysInOrder(placed: readonly PlacedPart[]): Day[] {
  const byDay = new Map<number | null, DayPart[]>();
  for (const { part, dayStart } of placed) {
    const parts = byDay.get(dayStart);
    if (parts === undefined) byDay.set(dayStart, [part]);
    else parts.push(part);
  }
  return [...byDay].map(([dayStart, parts]) => ({ dayStart, parts })).sort((a, b) => (a.dayStart ?? Infinity) - (b.dayStart ?? Infinity));
}

/** The sessions of several parts of one day, in start order. */
function merged(parts: readonly DayPart[]): Columns {
  const all: { id: string; at: number | null; durationMs: number }[] = [];
  for (const p of parts) for (let i = 0; i < p.ids.length; i += 1) all.push({ id: p.ids[i] as string, at: p.starts[i] as number | null, durationMs: p.durationsMs[i] as number });
  all.sort((a, b) => startOrder(a.at, a.id, b.at, b.id));
  return { ids: all.map((e) => e.id), starts: all.map((e) => e.at), durationsMs: all.map((e) => e.durationMs) };
}

/**
 * A part as groups add it (each part is added to four groups): its records as entries, its cost
 * and tokens (both are sums over its usage buckets, so a group's are its parts' added up), and how
 * many of its sessions are live now.
 */
interface CountedPart {
  readonly part: DayPart;
  readonly live: number;
  readonly lifecycle: readonly StateTime[];
  readonly workflow: readonly StateTime[];
  readonly costUsd: number;
  readonly tokens: number;
}

function countedPart(part: DayPart, options: DayTrendOptions): CountedPart {
  let live = 0;
  // Live or idle at the trends' moment, as a listing's status says.
  for (const [, lastEventAt, state] of part.open) {
    const status = deriveSessionStatus({ ended: false, state: state as SessionOverview['lifecycleState'], lastEventAt }, options.now, options.silenceMs);
    if (status === 'live' || status === 'idle') live += 1;
  }
  const totals = tallyTotals({ buckets: part.usage });
  return {
    part, live, lifecycle: stateTimes(part.lifecycleMs), workflow: stateTimes(part.workflowMs),
    costUsd: tallyCost({ buckets: part.usage }, options.prices).costUsd,
    tokens: totals.inputTokens + totals.outputTokens + totals.cacheCreationInputTokens + totals.cacheReadInputTokens,
  };
}

/** The sessions run with a change's previous definition, started before the change. */
function sampleBefore(placed: readonly PlacedPart[], change: WorkflowChange, options: DayTrendOptions, remake: RemakePart): Sample | undefined {
  const samples: Sample[] = [];
  for (const { part } of placed) {
    if (part.workflow !== change.workflow || part.hash !== change.fromHash) continue;
    // In start order: the sessions before the change are a prefix.
    let before = 0;
    while (before < part.starts.length && part.starts[before] !== null && (part.starts[before] as number) < change.atMs) before += 1;
    if (before === 0) continue;
    const whole = before === part.ids.length ? part : remake(part.ids.slice(0, before));
    if (whole === undefined) return undefined;
    const sums = new DaySums();
    sums.add(countedPart(whole, options));
    sums.addSessions(whole);
    samples.push(sums.sample());
  }
  return pooled(samples);
}

/** The sums of the parts added to one group, and its sessions' columns in start order. */
class DaySums {
  private readonly columns: Columns[] = [];
  private count = 0;
  private denials = 0;
  private rejections = 0;
  private toolFailures = 0;
  private iterations = 0;
  private live = 0;
  private readonly lifecycleMs = new Map<string, number>();
  private readonly workflowMs = new Map<string, number>();
  private costUsd = 0;
  private tokens = 0;

  /** Per workflow version (JSON of [workflow, hash]): its parts, summed when a baseline's "after" asks. */
  private readonly versionParts = new Map<string, CountedPart[]>();
  private durations: number[] | undefined;

  /** Adds a part's sums (its sessions come through addSessions, in start order). */
  add(counted: CountedPart): void {
    const { part } = counted;
    this.denials += part.denials;
    this.rejections += part.rejections;
    this.toolFailures += part.toolFailures;
    this.iterations += part.iterations;
    this.live += counted.live;
    addStateTimes(this.lifecycleMs, counted.lifecycle);
    addStateTimes(this.workflowMs, counted.workflow);
    this.costUsd += counted.costUsd;
    this.tokens += counted.tokens;
  }

  /** Sessions after those added so far (later starts). */
  addSessions(columns: Columns): void {
    if (columns.ids.length === 0) return;
    this.columns.push(columns);
    this.count += columns.ids.length;
  }

  /** Keeps a part added to these under its workflow version (JSON of [workflow, hash]), in start order. */
  keepPart(key: string, counted: CountedPart): void {
    const parts = this.versionParts.get(key);
    if (parts === undefined) this.versionParts.set(key, [counted]);
    else parts.push(counted);
  }

  /** What a baseline reads of these sessions. */
  sample(): Sample {
    return {
      count: this.count, durations: this.allDurations(), costUsd: this.costUsd,
      toolFailures: this.toolFailures, denials: this.denials, rejections: this.rejections,
    };
  }

  /** The sample of these sessions run with one workflow version (only buckets with a workflow change ask). */
  versionSample(workflow: string, hash: string): Sample {
    const parts = this.versionParts.get(JSON.stringify([workflow, hash]));
    if (parts === undefined) return EMPTY_SAMPLE;
    const sums = new DaySums();
    for (const counted of parts) {
      sums.add(counted);
      sums.addSessions(counted.part);
    }
    return sums.sample();
  }

  /** By the first session of each (start, then id); an empty group last. */
  compareFirst(other: DaySums): number {
    const a = this.columns[0];
    const b = other.columns[0];
    if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
    return startOrder(a.starts[0] as number | null, a.ids[0] as string, b.starts[0] as number | null, b.ids[0] as string);
  }

  /** The first and last start among timed sessions. */
  timedRange(): [number, number] | undefined {
    let low = Infinity;
    let high = -Infinity;
    for (const c of this.columns) {
      const first = c.starts[0];
      if (first === null || first === undefined) continue;
      low = Math.min(low, first);
      high = Math.max(high, c.starts[c.starts.length - 1] as number);
    }
    return low === Infinity ? undefined : [low, high];
  }

  figures(): TrendFigures {
    const durations = this.allDurations();
    const { median, p90 } = medianAndP90(durations);
    let totalDurationMs = 0;
    for (const ms of durations) totalDurationMs += ms;
    return {
      sessions: this.count,
      sessionIds: this.columns.length === 1 ? [...(this.columns[0] as Columns).ids] : this.columns.flatMap((c) => c.ids),
      live: this.live,
      totalDurationMs,
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

  private allDurations(): number[] {
    this.durations ??= this.columns.length === 1 ? [...(this.columns[0] as Columns).durationsMs] : this.columns.flatMap((c) => c.durationsMs);
    return this.durations;
  }

}

/** Empty buckets between the first and the last (and the query's bounds), as build-trends' axis; false when too many. */
function fillAxis(buckets: Map<number, DaySums>, low: number, high: number, options: { by: TrendPeriod; from?: number; to?: number }): boolean {
  if (low === Infinity) return true;
  const { by } = options;
  if (options.from !== undefined && Number.isFinite(periodStart(options.from, by))) low = Math.min(low, options.from);
  if (options.to !== undefined && Number.isFinite(periodStart(options.to, by))) high = Math.max(high, options.to);
  if (!(periodsBetween(low, high, by) <= MAX_TREND_BUCKETS)) return false;
  for (let start = periodStart(low, by), end = periodStart(high, by); start <= end; start = nextPeriod(start, by)) bucketOf(buckets, start);
  return true;
}

function bucketOf(buckets: Map<number, DaySums>, start: number): DaySums {
  let sums = buckets.get(start);
  if (sums === undefined) {
    sums = new DaySums();
    buckets.set(start, sums);
  }
  return sums;
}

/**
 * Where each workflow's hash differs from its previous session's, sessions in start order. Within
 * a part every session has the same hash: only a part's first session can be a change, unless the
 * day also has another version of the workflow (then that day's sessions are walked in order).
 */
function workflowChanges(days: readonly Day[]): WorkflowChange[] {
  const lastHash = new Map<string, string>();
  const changes: { change: WorkflowChange; at: number }[] = [];
  const note = (workflow: string, hash: string, id: string, at: number): void => {
    const previous = lastHash.get(workflow);
    if (previous !== undefined && previous !== hash) changes.push({ change: { workflow, fromHash: previous, toHash: hash, sessionId: id, atMs: at }, at });
    lastHash.set(workflow, hash);
  };
  for (const day of days) {
    if (day.dayStart === null) continue;
    const byWorkflow = new Map<string, DayPart[]>();
    for (const part of day.parts) {
      if (part.workflow === null || part.hash === null || part.ids.length === 0) continue;
      byWorkflow.set(part.workflow, [...(byWorkflow.get(part.workflow) ?? []), part]);
    }
    for (const [workflow, parts] of byWorkflow) {
      if (parts.length === 1) {
        const part = parts[0] as DayPart;
        note(workflow, part.hash as string, part.ids[0] as string, part.starts[0] as number);
        continue;
      }
      const runs = parts.flatMap((p) => p.ids.map((id, i) => ({ id, at: p.starts[i] as number, hash: p.hash as string })));
      runs.sort((a, b) => startOrder(a.at, a.id, b.at, b.id));
      for (const run of runs) note(workflow, run.hash, run.id, run.at);
    }
  }
  // All workflows' changes in start order, as one walk over every session would list them.
  changes.sort((a, b) => startOrder(a.at, a.change.sessionId, b.at, b.change.sessionId));
  return changes.map((c) => c.change);
}

/** The local midnight starting a "2026-03-30" day, or undefined for anything else. */
function dayStartOf(day: string): number | undefined {
  const match = /^(\d{4,6})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(y, m - 1, d).getTime();
  return Number.isFinite(start) && localDay(start) === day ? start : undefined;
}
