import { deriveSessionStatus } from '../../domain/lifecycle-time';
import type { SessionOverview } from '../overview/session-overview';
import type { PriceTable } from '../pricing';
import { addTokenSums, tallyCost, tallyTotals } from '../overview/usage-tally';
import type { TokenSums } from '../overview/usage-tally';
import { medianAndP90 } from '../quantile';
import { BASELINE_RULE, MAX_TREND_BUCKETS } from '../../protocol/trends';
import type { TrendBucket, TrendFigures, TrendPeriod, Trends, VersionTrend, WorkflowChange } from '../../protocol/trends';
import { EMPTY_SAMPLE, pooled, regressionsOfSamples } from './baseline';
import type { Sample } from './baseline';
import { localDay, nextPeriod, periodsBetween, periodStart } from './calendar';
import { addTimes, NO_DAY } from './day-parts';
import { sortedRecord } from './figures';
import type { DayEntry, DayPart } from './day-parts';

// The trends of build-trends.ts, added up from day parts (day-parts.ts) instead of sessions: the
// same buckets, figures, versions and workflow changes, field for field (a test holds the two to
// each other). Per session only what a list and a median need is touched.

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
      if (part.sessions.some((e) => e[1] !== null)) return undefined;
      placed.push({ part, dayStart: null });
      continue;
    }
    const start = dayStartOf(part.day);
    if (start === undefined) return undefined;
    const end = nextPeriod(start, 'day');
    for (const entry of part.sessions) {
      const at = entry[1];
      if (at === null || at < start || at >= end) return undefined;
    }
    placed.push({ part, dayStart: start });
  }
  return placed;
}

/**
 * The part of some of a part's sessions (a baseline before a workflow change made mid-day): read
 * from their rows by the caller; undefined when they do not read.
 */
export type RemakePart = (sessionIds: readonly string[]) => DayPart | undefined;

/** Trends of placed parts: what trendsOfListings gives for their sessions (undefined when a part to remake did not read). */
export function trendsOfDays(placed: readonly PlacedPart[], options: DayTrendOptions & { readonly from?: number; readonly to?: number }, remake: RemakePart): Trends | undefined {
  const { by } = options;
  const buckets = new Map<number, DaySums>();
  const untimed = new DaySums();
  const totals = new DaySums();
  const versions = new Map<string, { workflow: string | null; hash: string | null; sums: DaySums }>();
  let low = Infinity;
  let high = -Infinity;
  // Every session once, with the groups it counts in: listed in start order by one sort of all.
  const members: { entry: DayEntry; groups: DaySums[] }[] = [];
  for (const { part, dayStart } of placed) {
    totals.add(part);
    const key = JSON.stringify([part.workflow, part.hash]);
    const version = versions.get(key) ?? { workflow: part.workflow, hash: part.hash, sums: new DaySums() };
    version.sums.add(part);
    versions.set(key, version);
    let groups: DaySums[];
    if (dayStart === null) {
      untimed.add(part);
      groups = [totals, untimed, version.sums];
    } else {
      const bucket = bucketOf(buckets, by === 'day' ? dayStart : periodStart(dayStart, by));
      const ofVersion = bucket.add(part, key);
      groups = [totals, bucket, ofVersion, version.sums];
      for (const entry of part.sessions) {
        const at = entry[1] as number;
        if (at < low) low = at;
        if (at > high) high = at;
      }
    }
    for (const entry of part.sessions) members.push({ entry, groups });
  }
  members.sort((a, b) => byStart(a.entry, b.entry));
  for (const { entry, groups } of members) {
    const live = isLive(entry, options);
    for (const group of groups) group.push(entry, live);
  }
  const continuous = fillAxis(buckets, low, high, options);
  const changes = workflowChanges(placed);
  const figure = (sums: DaySums): TrendFigures => sums.figures(options);
  const ordered = [...buckets].sort(([a], [b]) => a - b).map(([start, sums]) => {
    const endMs = nextPeriod(start, by);
    return { start, endMs, sums, key: localDay(start), changes: changes.filter((c) => c.atMs >= start && c.atMs < endMs) };
  });
  let unreadable = false;
  const regressions = regressionsOfSamples(
    ordered.map((b) => ({ key: b.key, sample: b.sums.sample(options), changes: b.changes, runWith: (workflow, hash) => b.sums.versionSample(workflow, hash, options) })),
    (change) => {
      const sample = sampleBefore(placed, change, options, remake);
      if (sample === undefined) unreadable = true;
      return sample ?? EMPTY_SAMPLE;
    },
  );
  if (unreadable) return undefined;
  // Versions in the order of their first session (by start, then id), as build-trends lists them.
  const versionList = [...versions.values()].map((v) => ({ ...v, first: v.sums.first() })).sort((a, b) => byStart(a.first, b.first));
  return {
    by,
    generatedAtMs: options.now,
    continuous,
    buckets: ordered.map((b, i): TrendBucket => ({ key: b.key, startMs: b.start, endMs: b.endMs, ...figure(b.sums), workflowChanges: b.changes, regressions: regressions[i] ?? [] })),
    untimed: figure(untimed),
    totals: figure(totals),
    versions: versionList.map((v): VersionTrend => {
      const f = figure(v.sums);
      const timed = v.sums.timedRange();
      return { workflow: v.workflow, hash: v.hash, firstAtMs: timed?.[0] ?? null, lastAtMs: timed?.[1] ?? null, ...f };
    }),
    workflowChanges: changes,
    baselineRule: BASELINE_RULE,
  };
}

/** The sessions run with a change's previous definition, started before the change. */
function sampleBefore(placed: readonly PlacedPart[], change: WorkflowChange, options: DayTrendOptions, remake: RemakePart): Sample | undefined {
  let sample = EMPTY_SAMPLE;
  for (const { part } of placed) {
    if (part.workflow !== change.workflow || part.hash !== change.fromHash) continue;
    const before = part.sessions.filter((e) => e[1] !== null && e[1] < change.atMs);
    if (before.length === 0) continue;
    const whole = before.length === part.sessions.length ? part : remake(before.map((e) => e[0]));
    if (whole === undefined) return undefined;
    sample = pooled(sample, partSample(whole, options));
  }
  return sample;
}

function partSample(part: DayPart, options: DayTrendOptions): Sample {
  const sums = new DaySums();
  sums.add(part);
  for (const entry of part.sessions) sums.push(entry, false);
  return sums.sample(options);
}

/** The sums of the parts added to one group. */
class DaySums {
  private readonly entries: DayEntry[] = [];
  private denials = 0;
  private rejections = 0;
  private toolFailures = 0;
  private iterations = 0;
  private readonly lifecycleMs = new Map<string, number>();
  private readonly workflowMs = new Map<string, number>();
  private readonly usage = new Map<string, TokenSums>();

  /** Per workflow version (JSON of [workflow, hash]): the same sums, for a baseline's "after". */
  private readonly versions = new Map<string, DaySums>();
  private cost: number | undefined;
  private readonly ids: string[] = [];
  private readonly durations: number[] = [];
  private live = 0;

  /** Adds a part's sums (its sessions come through push, in start order); with `versionKey`, to that version's sums too, which it returns. */
  add(part: DayPart, versionKey?: string): DaySums {
    let version: DaySums = this;
    if (versionKey !== undefined) {
      version = this.versions.get(versionKey) ?? new DaySums();
      this.versions.set(versionKey, version);
      version.add(part);
    }
    this.denials += part.denials;
    this.rejections += part.rejections;
    this.toolFailures += part.toolFailures;
    this.iterations += part.iterations;
    addTimes(this.lifecycleMs, part.lifecycleMs);
    addTimes(this.workflowMs, part.workflowMs);
    for (const [bucket, sums] of Object.entries(part.usage)) this.usage.set(bucket, addTokenSums(this.usage.get(bucket), sums));
    return version;
  }

  /** A session of these sums: pushed in start order (then id), with whether it is live now. */
  push(entry: DayEntry, live: boolean): void {
    this.entries.push(entry);
    this.ids.push(entry[0]);
    this.durations.push(entry[2]);
    if (live) this.live += 1;
  }

  /** What a baseline reads of these sessions. */
  sample(options: DayTrendOptions): Sample {
    return {
      count: this.entries.length, durations: this.durations, costUsd: this.costUsd(options),
      toolFailures: this.toolFailures, denials: this.denials, rejections: this.rejections,
    };
  }

  private costUsd(options: DayTrendOptions): number {
    this.cost ??= tallyCost({ buckets: Object.fromEntries(this.usage) }, options.prices).costUsd;
    return this.cost;
  }

  versionSample(workflow: string, hash: string, options: DayTrendOptions): Sample {
    return this.versions.get(JSON.stringify([workflow, hash]))?.sample(options) ?? EMPTY_SAMPLE;
  }

  /** The first entry by start (then id), or undefined when empty. */
  first(): DayEntry | undefined {
    return this.entries[0];
  }

  /** The first and last start among timed entries. */
  timedRange(): [number, number] | undefined {
    let low = Infinity;
    let high = -Infinity;
    for (const e of this.entries) {
      const at = e[1];
      if (at === null) continue;
      if (at < low) low = at;
      if (at > high) high = at;
    }
    return low === Infinity ? undefined : [low, high];
  }

  figures(options: DayTrendOptions): TrendFigures {
    const durations = this.durations;
    const { median, p90 } = medianAndP90(durations);
    const buckets = Object.fromEntries(this.usage);
    const totals = tallyTotals({ buckets });
    let totalDurationMs = 0;
    for (const ms of durations) totalDurationMs += ms;
    return {
      sessions: this.ids.length,
      sessionIds: this.ids,
      live: this.live,
      totalDurationMs,
      medianDurationMs: median === null ? null : Math.round(median),
      p90DurationMs: p90 === null ? null : Math.round(p90),
      costUsd: this.costUsd(options),
      tokens: totals.inputTokens + totals.outputTokens + totals.cacheCreationInputTokens + totals.cacheReadInputTokens,
      lifecycleMs: sortedRecord(this.lifecycleMs),
      workflowMs: sortedRecord(this.workflowMs),
      denials: this.denials,
      rejections: this.rejections,
      toolFailures: this.toolFailures,
      iterations: this.iterations,
    };
  }
}

/** Live or idle at the trends' moment, as a listing's status says. */
function isLive(e: DayEntry, options: DayTrendOptions): boolean {
  const status = deriveSessionStatus({ ended: e[4], state: e[5] as SessionOverview['lifecycleState'], lastEventAt: e[3] }, options.now, options.silenceMs);
  return status === 'live' || status === 'idle';
}

/** By start (no time last), then by id: build-trends' byStart over entries. */
function byStart(a: DayEntry | undefined, b: DayEntry | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (a[1] !== b[1]) return a[1] === null ? 1 : b[1] === null ? -1 : a[1] - b[1];
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
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

/** Where each workflow's hash differs from its previous session's, sessions in start order. */
function workflowChanges(placed: readonly PlacedPart[]): WorkflowChange[] {
  const runs: { entry: DayEntry; workflow: string; hash: string }[] = [];
  for (const { part } of placed) {
    if (part.workflow === null || part.hash === null) continue;
    for (const entry of part.sessions) if (entry[1] !== null) runs.push({ entry, workflow: part.workflow, hash: part.hash });
  }
  runs.sort((a, b) => byStart(a.entry, b.entry));
  const lastHash = new Map<string, string>();
  const changes: WorkflowChange[] = [];
  for (const { entry, workflow, hash } of runs) {
    const previous = lastHash.get(workflow);
    if (previous !== undefined && previous !== hash) changes.push({ workflow, fromHash: previous, toHash: hash, sessionId: entry[0], atMs: entry[1] as number });
    lastHash.set(workflow, hash);
  }
  return changes;
}

/** The local midnight starting a "2026-03-30" day, or undefined for anything else. */
function dayStartOf(day: string): number | undefined {
  const match = /^(\d{4,6})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(y, m - 1, d).getTime();
  return Number.isFinite(start) && localDay(start) === day ? start : undefined;
}
