import { resolve } from 'node:path';
import { logbookPaths } from '../capture/paths';
import { groupDigits } from '../domain/group-digits';
import { currentOverview, latestSessions } from '../projections/overview/overview-store';
import type { LogbookDatabase } from '../store/logbook-database';
import { listingOf, parseSort, querySessions } from '../projections/overview/session-query';
import type { PriceTable } from '../projections/pricing';
import type { SessionListing, SessionQuery } from '../projections/overview/session-query';
import { formatElapsed } from '../projections/session-list';
import { renderDashboardHtml } from '../projections/dashboard-html/page';
import { TREND_PERIODS } from '../protocol/trends';
import { writeFileDurably } from '../store/durable-file';
import { commandText } from './command-text';
import { searchSessions, sessionFound } from '../projections/overview/prompt-search';
import type { SessionSearch } from '../projections/overview/prompt-search';
import { searchTokens } from '../projections/event-log';
import { printLines } from './context';
import type { CliContext } from './context';
import { defineCommand, described } from './options';
import type { OptionValues } from './options';
import { flagRule, limitRule, oneOfRule, optional, textRule, writableFileRule } from './option-rules';
import { jsonArrayLines, tableLines } from './text-lines';
import { openSnapshot } from './store-snapshot';
import { FILTER_OPTIONS, sessionFilter, workspacePrices } from './session-filters';

// `logbook sessions`: every session from the overview rows the writer keeps (no event is folded
// unless the rows trail the store), filtered, sorted and limited, as a table or as JSON.

/** Rows the table shows unless told otherwise: a terminal holds a screenful, not a year. */
const TABLE_LIMIT = 100;

const SESSIONS_OPTIONS = {
  ...FILTER_OPTIONS,
  search: described(optional(textRule(500)), 'only sessions with these words (each the start of a word, all of them) in a prompt, the title, the branch or the workflow', 'WORDS'),
  sort: described(optional(textRule(64)), 'the order, by one field (default: the latest activity first)', 'FIELD[:asc|desc]'),
  limit: described(optional(limitRule), `at most N sessions (default for the table: ${TABLE_LIMIT}; --json: all)`, 'N'),
  all: described(flagRule, 'every session that matches, in the table too'),
  json: described(flagRule, 'print the sessions as JSON'),
  html: described(flagRule, 'print the sessions as one self-contained HTML page instead: the table (sortable) and their trends, regressions marked'),
  out: described(optional(writableFileRule), 'with --html: write the page to FILE (private, 0600) instead of printing it', 'FILE'),
  by: described(optional(oneOfRule(TREND_PERIODS)), "with --html: the trends' buckets, a local day (default) or a week from Monday", 'day|week'),
};

type SessionsOptions = OptionValues<typeof SESSIONS_OPTIONS>;

export const sessionsCommand = defineCommand(SESSIONS_OPTIONS, listSessions, (options) => {
  if (options.all && options.limit !== undefined) return 'choose one of --all and --limit';
  if (options.search !== undefined && searchTokens(options.search).length === 0) return `--search needs a word (letters or digits), got "${options.search}"`;
  if (options.json && options.html) return 'choose one of --json and --html';
  if (!options.html && options.out !== undefined) return '--out goes with --html';
  if (!options.html && options.by !== undefined) return '--by goes with --html';
  return queryOf(options, Date.now()).problem;
});

function queryOf(options: SessionsOptions, now: number): { query: SessionQuery; problem?: string } {
  const filter = sessionFilter(options, now);
  if (filter.problem !== undefined) return { query: {}, problem: filter.problem };
  const sort = options.sort === undefined ? undefined : parseSort(options.sort);
  if (sort !== undefined && !sort.ok) return { query: {}, problem: `--sort: ${sort.message}` };
  return { query: { ...filter.query, ...(sort?.ok === true ? { sort: sort.sort } : {}) } };
}

/** How many sessions to show: --limit, else all for --json, --html or --all, else a screenful. */
function limitOf(options: SessionsOptions): number | undefined {
  return options.limit ?? (options.json || options.html || options.all ? undefined : TABLE_LIMIT);
}

async function listSessions(ctx: CliContext, options: SessionsOptions): Promise<number> {
  const now = Date.now();
  const database = await openSnapshot(ctx, logbookPaths(ctx.workspace));
  let listings: SessionListing[] = [];
  let total = 0;
  if (database !== undefined) {
    try {
      const search = options.search === undefined ? undefined : searchSessions(database.store, options.search);
      if (search !== undefined && search.byPrompt === undefined) ctx.io.err('prompts are not indexed in this store yet (its writer adds them when it next opens it): searched titles, branches and workflows');
      ({ listings, total } = select(database, queryOf(options, now).query, limitOf(options), now, workspacePrices(ctx.workspace), search));
    } finally {
      database.close();
    }
  }
  if (options.json) {
    await printLines(ctx.io, jsonArrayLines(listings.map(jsonOf)));
    return 0;
  }
  if (options.html) return writeHtml(ctx, options, listings, now);
  if (listings.length === 0) {
    ctx.io.out(database === undefined ? 'no sessions recorded yet' : 'no matching sessions');
    return 0;
  }
  const rows = listings.map((s) => [
    s.row.sessionId.slice(0, 8), s.row.firstEventAt === null ? '?' : localTime(s.row.firstEventAt), formatElapsed(s.durationMs),
    s.row.workflowState ?? s.row.lifecycleState, `$${s.costUsd.toFixed(2)}`, String(s.row.events), s.row.branch ?? '', oneLine(s.row.title ?? ''),
  ]);
  await printLines(ctx.io, tableLines(['session', 'started', 'duration', 'state', 'cost', 'events', 'branch', 'title'], rows));
  if (listings.length < total) ctx.io.err(`${listings.length} of ${groupDigits(total)} matching sessions shown: --limit N or --all for more, --since, --until or --where to choose`);
  return 0;
}

/** The page on stdout, or in --out FILE: written beside it and renamed over it, so never through a link planted at that name. */
async function writeHtml(ctx: CliContext, options: SessionsOptions, listings: readonly SessionListing[], now: number): Promise<number> {
  const html = renderDashboardHtml({ sessions: listings, by: options.by ?? 'day', now, selection: commandText('sessions', { ...options, out: undefined }) });
  if (options.out === undefined) {
    await printLines(ctx.io, html.split('\n'));
    return 0;
  }
  const out = resolve(options.out);
  writeFileDurably(out, html, 0o600);
  ctx.io.out(`wrote ${out} (${groupDigits(listings.length)} session${listings.length === 1 ? '' : 's'})`);
  return 0;
}

// A listing by time alone (the default, or --sort started/last) reads only the rows it shows,
// through the table's indexes; a condition or another order needs every row.
function select(database: LogbookDatabase, query: SessionQuery, limit: number | undefined, now: number, prices: PriceTable, search?: SessionSearch): { listings: SessionListing[]; total: number } {
  const sort = query.sort ?? { field: 'last', descending: true };
  if (query.where === undefined && search === undefined && (sort.field === 'last' || sort.field === 'started')) {
    const page = latestSessions(database.raw, database.store, {
      by: sort.field === 'last' ? 'last' : 'first', descending: sort.descending, limit: limit ?? -1,
      ...(query.since === undefined ? {} : { since: query.since }), ...(query.until === undefined ? {} : { until: query.until }),
    });
    if (page !== undefined) return { listings: querySessions(page.rows.map((row) => listingOf(row, now, prices)), { ...query, ...(limit === undefined ? {} : { limit }) }), total: page.total };
  }
  const rows = [...currentOverview(database.raw, database.store).rows.values()];
  const all = (search === undefined ? rows : rows.filter((row) => sessionFound(search, row))).map((row) => listingOf(row, now, prices));
  const kept = querySessions(all, query);
  return { listings: limit === undefined ? kept : kept.slice(0, limit), total: kept.length };
}

function jsonOf(s: SessionListing): Record<string, unknown> {
  // Token sums per model and tier are the writer's bookkeeping: the totals and the cost stand for them.
  const { usage: _usage, firstEventAt, lastEventAt, ...row } = s.row;
  return {
    ...row,
    status: s.status,
    startedAt: iso(firstEventAt),
    lastEventAt: iso(lastEventAt),
    durationMs: s.durationMs,
    tokens: s.tokens,
    costUsd: Math.round(s.costUsd * 1e6) / 1e6,
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function localTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// A title is one line already (session-title.ts); a row from an older store may not be.
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}
