import { relative } from 'node:path';
import { logbookPaths } from '../capture/paths';
import { LogbookError } from '../domain/errors';
import { groupDigits } from '../domain/group-digits';
import { compareSessions, compareWithCohort } from '../projections/compare/compare-sessions';
import { cohortComparisonLines, sessionsComparisonLines } from '../projections/compare/compare-text';
import { foldForCompare } from '../projections/compare/session-fold';
import { MIN_PREFIX, resolveSessionPrefix } from '../projections/compare/session-prefix';
import { currentOverview } from '../projections/overview/overview-store';
import type { SessionOverview } from '../projections/overview/session-overview';
import { listingOf, parseWhere, querySessions } from '../projections/overview/session-query';
import type { SessionQuery } from '../projections/overview/session-query';
import type { PriceTable } from '../projections/pricing';
import type { Comparison } from '../protocol/compare';
import type { LogbookDatabase } from '../store/logbook-database';
import { UsageError } from './args';
import { printLines } from './context';
import type { CliContext } from './context';
import { defineCommand, described } from './options';
import type { OptionValues } from './options';
import { flagRule, optional, positional, sessionRule, textRule } from './option-rules';
import { buildComparePrompt } from '../projections/discuss/cross-session';
import { commandText } from './command-text';
import { openStore } from './store-snapshot';
import { sessionFilter, workspacePrices } from './session-filters';

// `logbook compare A B`: two sessions side by side (figures, timelines, tool calls, files, cost),
// each folded from its stream as the report does. `logbook compare A --cohort COND`: the session
// against the median of the sessions that meet COND (the overview rows, as `logbook sessions`
// filters them), A itself left out. The comparison itself is src/projections/compare/.

const NAMED = `its id or the start of it (at least ${MIN_PREFIX} characters; see "logbook sessions")`;

const COMPARE_OPTIONS = {
  a: described(positional(0, '<A>', sessionRule, `name the session to compare: ${NAMED}`), `the session: ${NAMED}`),
  b: described(optional(positional(1, '<B>', sessionRule, '')), 'the session to compare it with (or --cohort): the same forms as <A>'),
  cohort: described(optional(textRule(2000)), 'compare <A> with the median of these sessions: conditions as --where of "logbook sessions" takes them (e.g. "failures>0 and branch~feat"), or "all"', 'COND'),
  since: described(optional(textRule(64)), 'the cohort: sessions started since then: 2026-12-01, an ISO time, or 30m/12h/7d/2w back', 'WHEN'),
  until: described(optional(textRule(64)), 'the cohort: sessions started until then (a day counts whole)', 'WHEN'),
  json: described(flagRule, 'print the whole comparison as JSON'),
  prompt: described(flagRule, 'print a prompt for Claude instead: the differences, their evidence and the logbook commands to dig further (e.g. | claude)'),
};

type CompareOptions = OptionValues<typeof COMPARE_OPTIONS>;

export const compareCommand = defineCommand(COMPARE_OPTIONS, runCompare, (options) => {
  if (options.json && options.prompt) return 'choose one of --json and --prompt';
  if (options.b !== undefined && options.cohort !== undefined) return 'choose one of <B> (a second session) and --cohort COND';
  if (options.b === undefined && options.cohort === undefined) return 'name a second session <B>, or --cohort COND to compare <A> with the median of a cohort';
  if (options.cohort === undefined && (options.since !== undefined || options.until !== undefined)) return '--since and --until choose the cohort: give --cohort COND too';
  return options.cohort === undefined ? undefined : cohortQuery(options, Date.now()).problem;
});

async function runCompare(ctx: CliContext, options: CompareOptions): Promise<number> {
  const paths = logbookPaths(ctx.workspace);
  const database = await openStore(paths);
  if (database === undefined) {
    ctx.io.err(`no store yet at ${relative(ctx.workspace, paths.store)}: run "logbook ingest"`);
    return 1;
  }
  let comparison: Comparison;
  try {
    const now = Date.now();
    const prices = workspacePrices(ctx.workspace);
    const rows = currentOverview(database.raw, database.store).rows;
    const a = sessionNamed(rows, options.a, '<A>');
    comparison = options.b === undefined
      ? cohortComparison(rows, a, options, now, prices)
      : twoSessions(database, a, sessionNamed(rows, options.b, '<B>'), now, prices);
  } finally {
    database.close();
  }
  if (options.prompt) {
    ctx.io.out(buildComparePrompt(comparison, commandText('compare', { ...options, a: comparison.kind === 'sessions' ? comparison.a.sessionId : options.a, b: comparison.kind === 'sessions' ? comparison.b.sessionId : undefined })));
    return 0;
  }
  if (options.json) {
    ctx.io.out(JSON.stringify(comparison, null, 2));
    return 0;
  }
  await printLines(ctx.io, comparison.kind === 'sessions' ? sessionsComparisonLines(comparison, ctx.workspace) : cohortComparisonLines(comparison));
  return 0;
}

function twoSessions(database: LogbookDatabase, a: string, b: string, now: number, prices: PriceTable): Comparison {
  if (a === b) throw new UsageError(`<A> and <B> name the same session ${a}: name two sessions, or compare one with --cohort COND`);
  const fold = (id: string): ReturnType<typeof foldForCompare> => foldForCompare(id, database.store.readStream(id), prices);
  return compareSessions(fold(a), fold(b), { now, prices });
}

function cohortComparison(rows: ReadonlyMap<string, SessionOverview>, a: string, options: CompareOptions, now: number, prices: PriceTable): Comparison {
  const session = rows.get(a);
  if (session === undefined) throw new LogbookError('SESSION_UNKNOWN', `no session ${a} in the store (see "logbook sessions")`);
  const others = [...rows.values()].filter((row) => row.sessionId !== a).map((row) => listingOf(row, now, prices));
  const cohort = querySessions(others, cohortQuery(options, now).query);
  const comparison = compareWithCohort(listingOf(session, now, prices), cohort, {
    condition: options.cohort ?? 'all', since: options.since ?? null, until: options.until ?? null,
  });
  if (comparison === undefined) throw new LogbookError('COHORT_EMPTY', `no session other than ${a} meets the cohort ${JSON.stringify(options.cohort ?? 'all')}${options.since === undefined && options.until === undefined ? '' : ' within --since/--until'}: see "logbook sessions --where" for what it selects`);
  return comparison;
}

/** The session a name means; a UsageError (exit 2) when it is too short or ambiguous, a LogbookError (1) when no session has it. */
function sessionNamed(rows: ReadonlyMap<string, SessionOverview>, given: string, label: string): string {
  const match = resolveSessionPrefix(rows.keys(), given);
  if (match.ok) return match.sessionId;
  const quoted = JSON.stringify(given);
  switch (match.problem) {
    case 'short': throw new UsageError(`${label} ${quoted} is not a whole session id, and a start of one needs at least ${MIN_PREFIX} characters`);
    case 'ambiguous': throw new UsageError(`${label} ${quoted} is the start of ${groupDigits(match.candidates.length)} sessions: ${candidatesText(rows, match.candidates)}; give more of the id`);
    case 'unknown': throw new LogbookError('SESSION_UNKNOWN', `no session in the store is or starts with ${quoted} (see "logbook sessions")`);
    default: return match.problem satisfies never;
  }
}

const CANDIDATES_SHOWN = 10;

function candidatesText(rows: ReadonlyMap<string, SessionOverview>, ids: readonly string[]): string {
  const named = ids.slice(0, CANDIDATES_SHOWN).map((id) => {
    const title = rows.get(id)?.title;
    return title === null || title === undefined ? id : `${id} (${title.length > 40 ? `${title.slice(0, 39)}…` : title})`;
  });
  return `${named.join(', ')}${ids.length > CANDIDATES_SHOWN ? ` and ${groupDigits(ids.length - CANDIDATES_SHOWN)} more` : ''}`;
}

// The cohort as a sessions query; "all" is every session (within --since/--until).
function cohortQuery(options: CompareOptions, now: number): { query: SessionQuery; problem?: string } {
  const condition = options.cohort?.trim();
  const bounds = sessionFilter({ since: options.since, until: options.until }, now);
  if (bounds.problem !== undefined) return { query: {}, problem: bounds.problem };
  const where = condition === undefined || condition.toLowerCase() === 'all' ? undefined : parseWhere(condition);
  if (where !== undefined && !where.ok) return { query: {}, problem: `--cohort: ${where.message}` };
  return { query: { ...bounds.query, ...(where?.ok === true ? { where: where.conditions } : {}), sort: { field: 'started', descending: false } } };
}
