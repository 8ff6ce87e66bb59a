import type { PriceTable } from '../pricing';
import { DEFAULT_PRICE_TABLE } from '../pricing';
import { statusAt } from './session-status';
import type { SessionOverview } from './session-overview';
import { tallyCost, tallyTotals } from './usage-tally';

// Which sessions, in which order: the filters and sort of `logbook sessions` (and the dashboard),
// over overview rows only. A condition names a field, an operator and a value:
//   cost>1.5   branch~feat   state=review   imported=true   failures>=3   title~"login bug"
// Conditions are joined with " and ". Numbers compare as numbers, text case-insensitively,
// `~` means "contains".

/** A session's row with what the overview does not store but derives (status, duration, totals, cost). */
export interface SessionListing {
  readonly row: SessionOverview;
  readonly status: string;
  readonly durationMs: number;
  readonly tokens: number;
  readonly costUsd: number;
}

type FieldValue = string | number | boolean | null;

/** The fields a condition or a sort may name, each with what it reads. */
export const SESSION_FIELDS: Readonly<Record<string, (s: SessionListing) => FieldValue>> = {
  session: (s) => s.row.sessionId,
  title: (s) => s.row.title,
  branch: (s) => s.row.branch,
  workflow: (s) => s.row.workflow,
  state: (s) => s.row.workflowState ?? s.row.lifecycleState,
  lifecycle: (s) => s.row.lifecycleState,
  status: (s) => s.status,
  end: (s) => s.row.endReason,
  model: (s) => s.row.model,
  started: (s) => s.row.firstEventAt,
  last: (s) => s.row.lastEventAt,
  duration: (s) => s.durationMs,
  events: (s) => s.row.events,
  prompts: (s) => s.row.prompts,
  tools: (s) => s.row.toolCalls,
  failures: (s) => s.row.toolFailures,
  denials: (s) => s.row.denials,
  rejections: (s) => s.row.rejections,
  refusals: (s) => s.row.refusals,
  iterations: (s) => s.row.iterations,
  compactions: (s) => s.row.compactions,
  subagents: (s) => s.row.subagents,
  files: (s) => s.row.filesTouched,
  tokens: (s) => s.tokens,
  cost: (s) => s.costUsd,
  imported: (s) => s.row.importedEvents > 0,
  tags: (s) => s.row.tags.join(','),
};

const OPERATORS = ['>=', '<=', '!=', '=', '>', '<', '~'] as const;
type Operator = (typeof OPERATORS)[number];

export interface Condition {
  readonly field: string;
  readonly op: Operator;
  /** Text as given; numbers, times (epoch ms), spans (ms) and booleans as read for their field. */
  readonly value: string | number | boolean;
}

type FieldKind = 'text' | 'count' | 'time' | 'span' | 'boolean';
const FIELD_KINDS: Readonly<Record<string, FieldKind>> = {
  started: 'time', last: 'time', duration: 'span', imported: 'boolean',
  events: 'count', prompts: 'count', tools: 'count', failures: 'count', denials: 'count', rejections: 'count', refusals: 'count',
  iterations: 'count', compactions: 'count', subagents: 'count', files: 'count', tokens: 'count', cost: 'count',
};

export interface SessionQuery {
  /** Sessions that started at or after (epoch ms). */
  readonly since?: number;
  /** Sessions that started at or before (epoch ms). */
  readonly until?: number;
  readonly where?: readonly Condition[];
  readonly sort?: { readonly field: string; readonly descending: boolean };
  readonly limit?: number;
}

/** Reads "field op value and field op value"; the message names the part that does not read. */
export function parseWhere(text: string): { ok: true; conditions: Condition[] } | { ok: false; message: string } {
  const conditions: Condition[] = [];
  for (const part of text.split(/\s+and\s+/i)) {
    const match = /^\s*([a-z]+)\s*(>=|<=|!=|=|>|<|~)\s*(.*?)\s*$/i.exec(part);
    if (match === null) return { ok: false, message: `"${part.trim()}" is not "field op value" (op: ${OPERATORS.join(' ')})` };
    const [, field = '', op = '=', raw = ''] = match;
    const name = field.toLowerCase();
    if (!Object.hasOwn(SESSION_FIELDS, name)) return { ok: false, message: `unknown field "${field}" in "${part.trim()}" (fields: ${Object.keys(SESSION_FIELDS).join(', ')})` };
    const text = raw.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
    const kind = FIELD_KINDS[name] ?? 'text';
    const value = kind === 'text' || op === '~' ? text : valueOf(kind, text);
    if (value === undefined) return { ok: false, message: `${name} needs ${KIND_TEXT[kind]}, got "${text}" in "${part.trim()}"` };
    conditions.push({ field: name, op: op as Operator, value });
  }
  return { ok: true, conditions };
}

const KIND_TEXT: Readonly<Record<FieldKind, string>> = {
  text: 'text', count: 'a number', time: 'a day (2026-12-01) or an ISO time', span: 'a duration (90s, 30m, 2h, 1d) or milliseconds', boolean: 'true or false',
};

function valueOf(kind: Exclude<FieldKind, 'text'>, text: string): number | boolean | undefined {
  switch (kind) {
    case 'count': return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
    case 'boolean': return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'time': return /^\d{4}-\d{2}-\d{2}/.test(text) ? parseWhen(text, 0) : undefined;
    case 'span': {
      const span = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text);
      if (span === null) return undefined;
      return Number(span[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(span[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h' | 'd'];
    }
    default: return undefined;
  }
}

/** "field", "field:asc" or "field:desc" (numbers and times sort newest or largest first by default). */
export function parseSort(text: string): { ok: true; sort: { field: string; descending: boolean } } | { ok: false; message: string } {
  const [field = '', direction] = text.toLowerCase().split(':');
  if (!Object.hasOwn(SESSION_FIELDS, field)) return { ok: false, message: `unknown field "${field}" (fields: ${Object.keys(SESSION_FIELDS).join(', ')})` };
  if (direction !== undefined && direction !== 'asc' && direction !== 'desc') return { ok: false, message: `"${direction}" is not asc or desc` };
  return { ok: true, sort: { field, descending: direction !== 'asc' } };
}

/** The listing of one row: status at `now`, duration, token total and cost with these prices. */
export function listingOf(row: SessionOverview, now: number, prices: PriceTable = DEFAULT_PRICE_TABLE, silenceMs?: number): SessionListing {
  const { status, durationMs } = statusAt(row, now, silenceMs);
  const totals = tallyTotals(row.usage);
  return {
    row,
    status,
    durationMs,
    tokens: totals.inputTokens + totals.outputTokens + totals.cacheCreationInputTokens + totals.cacheReadInputTokens,
    costUsd: tallyCost(row.usage, prices).costUsd,
  };
}

/** The sessions the query keeps, in its order (default: the latest activity first). */
export function querySessions(listings: Iterable<SessionListing>, query: SessionQuery): SessionListing[] {
  const kept: SessionListing[] = [];
  for (const s of listings) {
    const started = s.row.firstEventAt ?? s.row.lastEventAt;
    if (query.since !== undefined && (started === null || started < query.since)) continue;
    if (query.until !== undefined && (started === null || started > query.until)) continue;
    if (query.where !== undefined && !query.where.every((c) => holds(s, c))) continue;
    kept.push(s);
  }
  const sort = query.sort ?? { field: 'last', descending: true };
  const read = SESSION_FIELDS[sort.field] ?? SESSION_FIELDS['last'];
  if (read !== undefined) kept.sort((a, b) => compareValues(read(a), read(b), sort.descending) || a.row.sessionId.localeCompare(b.row.sessionId));
  return query.limit === undefined ? kept : kept.slice(0, query.limit);
}

function holds(s: SessionListing, c: Condition): boolean {
  const actual = SESSION_FIELDS[c.field]?.(s) ?? null;
  if (c.op === '~') return actual !== null && String(actual).toLowerCase().includes(String(c.value).toLowerCase());
  const wanted = typeof c.value === 'string' ? c.value.toLowerCase() : c.value;
  const have = typeof actual === 'string' ? actual.toLowerCase() : actual;
  // Not known (no branch, no time): only "= " (nothing) or "!= something" holds.
  if (have === null) return c.op === '!=' ? wanted !== '' : c.op === '=' && (wanted === '' || wanted === 'null');
  switch (c.op) {
    case '=': return have === wanted;
    case '!=': return have !== wanted;
    case '>': return have > wanted;
    case '>=': return have >= wanted;
    case '<': return have < wanted;
    case '<=': return have <= wanted;
    default: return false;
  }
}

// Unknown values (null) sort last either way.
function compareValues(a: FieldValue, b: FieldValue, descending: boolean): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const order = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return descending ? -order : order;
}

/**
 * "2026-12-01" (a local day: its start, or with `endOfDay` its end), an ISO time, or a span back
 * from now ("30m", "12h", "7d", "2w"); undefined when it reads as none of these.
 */
export function parseWhen(text: string, now: number, endOfDay = false): number | undefined {
  const trimmed = text.trim();
  const span = /^(\d{1,6})([mhdw])$/.exec(trimmed);
  if (span !== null) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[span[2] as 'm' | 'h' | 'd' | 'w'];
    return now - Number(span[1]) * unit;
  }
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (day !== null) {
    const start = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])).getTime();
    return endOfDay ? start + 86_400_000 - 1 : start;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? at : undefined;
}
