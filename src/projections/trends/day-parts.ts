import type { SessionOverview } from '../overview/session-overview';
import { addTokenSums } from '../overview/usage-tally';
import type { TokenSums } from '../overview/usage-tally';
import { localDay, periodStart } from './calendar';

// Trends read per day, not per session: the writer keeps, beside the overview rows, one part per
// local day and workflow version with the sums of its sessions and, per session, what a bucket
// lists and counts (id, start, duration; last event and state while it has not ended).
// `logbook trends` over a year of sessions then adds up a few hundred parts instead of parsing
// and adding thousands of rows.
//
// A part's day is the writer's local day of each session's start. A reader in another time zone
// would bucket differently: it checks the part's first and last start against its own day's
// bounds and reads the rows instead when one falls outside (stored-days.ts).

/** Sessions with no usable start (no time, or one no Date holds) share the day ''. */
export const NO_DAY = '';

/**
 * A session of a day's part that has not ended: [index in the part, last event, lifecycle state].
 * Whether it counts as live depends on the reader's moment; an ended one never does.
 */
export type OpenEntry = readonly [index: number, lastEventAt: number | null, lifecycleState: string];

/**
 * The sessions of one day that ran one workflow version, and their figures summed. The sessions
 * are stored as columns in start order (then id), as trends list them: a reader adds up a year of
 * parts by concatenating, never sorting thousands of sessions or parsing an array per session.
 */
export interface DayPart {
  readonly day: string;
  readonly workflow: string | null;
  readonly hash: string | null;
  /** The sessions' ids, by start (null last), then id. */
  readonly ids: readonly string[];
  /** Each session's start (null only in the NO_DAY part). */
  readonly starts: readonly (number | null)[];
  /** Each session's duration (last − first event). */
  readonly durationsMs: readonly number[];
  /** The sessions that have not ended. */
  readonly open: readonly OpenEntry[];
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

/** Trends' order of sessions: by start (no time last), then by id. */
export function startOrder(atA: number | null, idA: string, atB: number | null, idB: string): number {
  if (atA !== atB) return atA === null ? 1 : atB === null ? -1 : atA - atB;
  return idA < idB ? -1 : idA > idB ? 1 : 0;
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
  const placed = rows.map((row) => ({ row, at: dayOf(row).at })).sort((a, b) => startOrder(a.at, a.row.sessionId, b.at, b.row.sessionId));
  const ids: string[] = [];
  const starts: (number | null)[] = [];
  const durationsMs: number[] = [];
  const open: OpenEntry[] = [];
  for (const { row, at } of placed) {
    const { firstEventAt: f, lastEventAt: l } = row;
    if (!row.ended) open.push([ids.length, l, row.lifecycleState]);
    ids.push(row.sessionId);
    starts.push(at);
    durationsMs.push(f === null || l === null ? 0 : l - f);
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
    ids, starts, durationsMs, open, denials, rejections, toolFailures, iterations,
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
function addTimes(into: Map<string, number>, times: Readonly<Record<string, number>>): void {
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
  return hasColumns(p);
}

// The columns: of one length, in start order, each open entry naming a session of the part.
function hasColumns(p: Record<string, unknown>): boolean {
  const { ids, starts, durationsMs, open } = p;
  if (!Array.isArray(ids) || !Array.isArray(starts) || !Array.isArray(durationsMs) || !Array.isArray(open)) return false;
  const n = ids.length;
  if (starts.length !== n || durationsMs.length !== n || open.length > n) return false;
  for (let i = 0; i < n; i += 1) {
    const id: unknown = ids[i];
    const at: unknown = starts[i];
    if (typeof id !== 'string' || (at !== null && !isNumber(at)) || !isNumber(durationsMs[i])) return false;
    if (i > 0 && startOrder(starts[i - 1] as number | null, ids[i - 1] as string, at, id) >= 0) return false;
  }
  let previous = -1;
  for (const e of open as unknown[]) {
    if (!Array.isArray(e) || e.length !== 3 || !Number.isInteger(e[0]) || (e[0] as number) <= previous || (e[0] as number) >= n) return false;
    if ((e[1] !== null && !isNumber(e[1])) || typeof e[2] !== 'string') return false;
    previous = e[0] as number;
  }
  return true;
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
