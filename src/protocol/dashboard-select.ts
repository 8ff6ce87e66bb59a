import { parseWhen, querySessions } from '../projections/overview/session-query';
import type { Condition, SessionListing } from '../projections/overview/session-query';
import type { SessionOverview } from '../projections/overview/session-overview';
import type { DashboardRow } from './dashboard';

// Which rows the dashboard shows, in which order: its filters become a SessionQuery for
// querySessions (the rules of `logbook sessions --where/--since/--until/--sort`), plus two it
// cannot say: free text over several fields at once, and a tag (a condition on `tags` would match
// part of a tag). No zod and no vscode here: the webview bundles this file.

/** The filters and the sort; also the UI state the webview keeps across reloads. */
export interface DashboardFilter {
  /** A day "2026-03-01" (local), inclusive; '' for none. */
  readonly from: string;
  readonly to: string;
  /** Matched case-insensitively in title, branch, workflow and session id; the host adds the sessions whose prompts hold its words. */
  readonly text: string;
  /** Exact values ('' for any; NONE for "not known"). */
  readonly state: string;
  readonly status: string;
  /** How the session ended (SessionEnd's reason, or what the fold says). */
  readonly endReason: string;
  readonly workflow: string;
  readonly branch: string;
  readonly model: string;
  readonly tag: string;
  readonly imported: '' | 'yes' | 'no';
  /** Minimums as typed ('' for none): duration in minutes, cost in dollars, the rest counts. */
  readonly minDurationMin: string;
  readonly minCost: string;
  readonly minTokens: string;
  readonly minFailures: string;
  readonly minDenials: string;
  readonly minRejections: string;
  readonly minIterations: string;
  readonly sort: DashboardSort;
}

export interface DashboardSort {
  /** A SESSION_FIELDS name, or 'workspace'. */
  readonly field: string;
  readonly descending: boolean;
}

/** The select value meaning "not known" (no branch, no workflow…). */
export const NONE = '\u0000none';

export const EMPTY_FILTER: DashboardFilter = {
  from: '', to: '', text: '', state: '', status: '', endReason: '', workflow: '', branch: '', model: '', tag: '', imported: '',
  minDurationMin: '', minCost: '', minTokens: '', minFailures: '', minDenials: '', minRejections: '', minIterations: '', sort: { field: 'started', descending: true },
};

/** A dashboard row as querySessions reads it (the parts the host left out are empty). */
export interface SelectableRow extends SessionListing {
  readonly view: DashboardRow;
}

const EMPTY_USAGE: SessionOverview['usage'] = Object.freeze({ buckets: Object.freeze({}) });

/** Wraps a row once (on arrival), so every filter pass reuses the wrapper. */
export function selectable(view: DashboardRow): SelectableRow {
  const row: SessionOverview = {
    ...view.row,
    lifecycleState: view.row.lifecycleState as SessionOverview['lifecycleState'],
    transcriptPath: null, lastPosition: 0, usage: EMPTY_USAGE,
  };
  return { row, status: view.status, durationMs: view.durationMs, tokens: view.tokens, costUsd: view.costUsd, view };
}

/** The rows the filter keeps, in its order; `byPrompt`: the keys of rows whose prompts hold the free text's words. */
export function selectRows(rows: readonly SelectableRow[], filter: DashboardFilter, now: number = Date.now(), byPrompt?: ReadonlySet<string>): SelectableRow[] {
  const needle = filter.text.trim().toLowerCase();
  const text = (s: SelectableRow): boolean => needle === '' || matchesText(s, needle) || byPrompt?.has(s.view.key) === true;
  const prefiltered = needle === '' && filter.tag === '' ? rows : rows.filter((s) => text(s) && (filter.tag === '' || s.row.tags.includes(filter.tag)));
  const since = filter.from === '' ? undefined : parseWhen(filter.from, now);
  const until = filter.to === '' ? undefined : parseWhen(filter.to, now, true);
  const sort = filter.sort.field === 'workspace' ? undefined : filter.sort;
  const kept = querySessions(prefiltered, { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }), where: conditionsOf(filter), ...(sort === undefined ? {} : { sort }) }) as SelectableRow[];
  if (filter.sort.field === 'workspace') {
    const order = filter.sort.descending ? -1 : 1;
    kept.sort((a, b) => order * a.view.workspace.localeCompare(b.view.workspace) || (b.row.firstEventAt ?? 0) - (a.row.firstEventAt ?? 0));
  }
  return kept;
}

function matchesText(s: SelectableRow, needle: string): boolean {
  for (const value of [s.row.title, s.row.branch, s.row.workflow, s.row.sessionId]) if (value !== null && value.toLowerCase().includes(needle)) return true;
  return false;
}

/** The filter's exact values and minimums as querySessions conditions. */
export function conditionsOf(filter: DashboardFilter): Condition[] {
  const where: Condition[] = [];
  const exact = (field: string, value: string): void => {
    if (value !== '') where.push({ field, op: '=', value: value === NONE ? '' : value });
  };
  exact('state', filter.state);
  exact('status', filter.status);
  exact('end', filter.endReason);
  exact('workflow', filter.workflow);
  exact('branch', filter.branch);
  exact('model', filter.model);
  if (filter.imported !== '') where.push({ field: 'imported', op: '=', value: filter.imported === 'yes' });
  const minimum = (field: string, typed: string, scale = 1): void => {
    const value = Number(typed.trim());
    if (typed.trim() !== '' && Number.isFinite(value) && value > 0) where.push({ field, op: '>=', value: value * scale });
  };
  minimum('duration', filter.minDurationMin, 60_000);
  minimum('cost', filter.minCost);
  minimum('tokens', filter.minTokens);
  minimum('failures', filter.minFailures);
  minimum('denials', filter.minDenials);
  minimum('rejections', filter.minRejections);
  minimum('iterations', filter.minIterations);
  return where;
}

/** Whether a field sorts largest (or newest) first on its first click. */
export function descendsFirst(field: string): boolean {
  return !['title', 'workspace', 'branch', 'workflow', 'state', 'status', 'model', 'session'].includes(field);
}
