import type { SessionOverview } from '../overview/session-overview';
import { addTokenSums } from '../overview/usage-tally';
import type { TokenSums } from '../overview/usage-tally';
import { localDay, periodStart } from './calendar';

// Trends read per day, not per session: the writer keeps, beside the overview rows, one part per
// local day and workflow version with the sums of its sessions and a short entry per session (the
// ids, times and status a bucket lists and counts). `logbook trends` over a year of sessions then
// adds up a few hundred parts instead of parsing and adding thousands of rows.
//
// A part's day is the writer's local day of each session's start. A reader in another time zone
// would bucket differently: it checks every entry's start against its own day's bounds and reads
// the rows instead when one falls outside (stored-days.ts).

/** Sessions with no usable start (no time, or one no Date holds) share the day ''. */
export const NO_DAY = '';

/** One session in a day's part: [id, start (null without a day), duration (last − first event), last event, ended, lifecycle state]. */
export type DayEntry = readonly [sessionId: string, at: number | null, durationMs: number, lastEventAt: number | null, ended: boolean, lifecycleState: string];

/** The sessions of one day that ran one workflow version, and their figures summed. */
export interface DayPart {
  readonly day: string;
  readonly workflow: string | null;
  readonly hash: string | null;
  /** In no particular order (readers sort). */
  readonly sessions: readonly DayEntry[];
  readonly denials: number;
  readonly rejections: number;
  readonly toolFailures: number;
  readonly iterations: number;
  readonly lifecycleMs: Readonly<Record<string, number>>;
  readonly workflowMs: Readonly<Record<string, number>>;
  /** Token sums per usage bucket (`<tier>|<f or s>|<model>`): priced when read, with the reader's prices. */
  readonly usage: Readonly<Record<string, TokenSums>>;
}

/** The row's session start and its day (NO_DAY when it has none). */
export function dayOf(row: Pick<SessionOverview, 'firstEventAt' | 'lastEventAt'>): { at: number | null; day: string } {
  const start = row.firstEventAt ?? row.lastEventAt;
  // As trends count it: a time no Date can hold has no day.
  if (start === null || !Number.isFinite(periodStart(start, 'day'))) return { at: null, day: NO_DAY };
  return { at: start, day: localDay(start) };
}

/** The key of the part a row belongs in: its day and workflow version. */
export function partKeyOf(row: Pick<SessionOverview, 'firstEventAt' | 'lastEventAt' | 'workflow' | 'workflowHash'>): string {
  return partKey(dayOf(row).day, row.workflow, row.workflowHash);
}

export function partKey(day: string, workflow: string | null, hash: string | null): string {
  return `${day}\u0000${JSON.stringify([workflow, hash])}`;
}

/** The part of these rows (all of one key). */
export function dayPartOf(rows: readonly SessionOverview[]): DayPart {
  const first = rows[0];
  const lifecycleMs = new Map<string, number>();
  const workflowMs = new Map<string, number>();
  const usage = new Map<string, TokenSums>();
  let denials = 0;
  let rejections = 0;
  let toolFailures = 0;
  let iterations = 0;
  const sessions: DayEntry[] = [];
  for (const row of rows) {
    const { at } = dayOf(row);
    const { firstEventAt: f, lastEventAt: l } = row;
    sessions.push([row.sessionId, at, f === null || l === null ? 0 : l - f, l, row.ended, row.lifecycleState]);
    denials += row.denials;
    rejections += row.rejections;
    toolFailures += row.toolFailures;
    iterations += row.iterations;
    addTimes(lifecycleMs, row.lifecycleMs);
    addTimes(workflowMs, row.workflowMs);
    for (const [bucket, sums] of Object.entries(row.usage.buckets)) usage.set(bucket, addTokenSums(usage.get(bucket), sums));
  }
  return {
    day: first === undefined ? NO_DAY : dayOf(first).day,
    workflow: first?.workflow ?? null,
    hash: first?.workflowHash ?? null,
    sessions, denials, rejections, toolFailures, iterations,
    // fromEntries defines own keys: a state named "__proto__" stays a state.
    lifecycleMs: Object.fromEntries(lifecycleMs),
    workflowMs: Object.fromEntries(workflowMs),
    usage: Object.fromEntries(usage),
  };
}

/** The rows grouped into parts, by key. */
export function dayPartsOf(rows: Iterable<SessionOverview>): Map<string, DayPart> {
  const groups = new Map<string, SessionOverview[]>();
  for (const row of rows) {
    const key = partKeyOf(row);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return new Map([...groups].map(([key, group]) => [key, dayPartOf(group)]));
}

/** Adds a record of milliseconds per state into running sums (a Map: a state may be named "__proto__"). */
export function addTimes(into: Map<string, number>, times: Readonly<Record<string, number>>): void {
  for (const [state, ms] of Object.entries(times)) into.set(state, (into.get(state) ?? 0) + ms);
}

// A part read back from the store file is checked before it is added: the file is in the
// workspace, and a part that is not what the writer makes sends the reader to the rows.
const COUNT_FIELDS = ['denials', 'rejections', 'toolFailures', 'iterations'] as const;
const SUM_FIELDS = ['messages', 'inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheCreation1hInputTokens', 'cacheReadInputTokens'] as const;

export function isDayPart(value: unknown): value is DayPart {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  if (typeof p['day'] !== 'string' || !textOrNull(p['workflow']) || !textOrNull(p['hash'])) return false;
  if (!COUNT_FIELDS.every((f) => isNumber(p[f]))) return false;
  if (!isTimes(p['lifecycleMs']) || !isTimes(p['workflowMs'])) return false;
  const usage = p['usage'];
  if (typeof usage !== 'object' || usage === null || Array.isArray(usage)) return false;
  for (const sums of Object.values(usage)) {
    if (typeof sums !== 'object' || sums === null) return false;
    if (!SUM_FIELDS.every((f) => isNumber((sums as Record<string, unknown>)[f]))) return false;
  }
  const sessions = p['sessions'];
  return Array.isArray(sessions) && sessions.every(isEntry);
}

function isEntry(e: unknown): boolean {
  return Array.isArray(e) && e.length === 6 && typeof e[0] === 'string' && (e[1] === null || isNumber(e[1])) && isNumber(e[2])
    && (e[3] === null || isNumber(e[3])) && typeof e[4] === 'boolean' && typeof e[5] === 'string';
}

function isTimes(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isNumber);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function textOrNull(value: unknown): boolean {
  return value === null || typeof value === 'string';
}
