import { logbookPaths } from '../capture/paths';
import { groupDigits } from '../domain/group-digits';
import { currentOverview } from '../projections/overview/overview-store';
import { listingOf, querySessions } from '../projections/overview/session-query';
import { formatElapsed } from '../projections/session-list';
import { trendsOfListings } from '../projections/trends/build-trends';
import { storedTrends } from '../projections/trends/stored-days';
import { localDay } from '../projections/trends/calendar';
import { regressionText } from '../projections/trends/regression-text';
import { BASELINE_RULE, MAX_TREND_BUCKETS, TREND_PERIODS } from '../protocol/trends';
import type { TrendFigures, Trends, VersionTrend, WorkflowChange } from '../protocol/trends';
import { printLines } from './context';
import type { CliContext } from './context';
import { defineCommand, described } from './options';
import type { OptionValues } from './options';
import { flagRule, oneOfRule, optional } from './option-rules';
import { openSnapshot } from './store-snapshot';
import { buildTrendsPrompt } from '../projections/discuss/cross-session';
import { commandText } from './command-text';
import { FILTER_OPTIONS, sessionFilter, workspacePrices } from './session-filters';

// `logbook trends`: the sessions `logbook sessions` would list (the same filters), per local day
// or week, from the overview rows alone (never an event): one line per bucket with its numbers
// aligned, or with --json the whole structure, the ids of the sessions behind every bucket included.

const TRENDS_OPTIONS = {
  by: described(optional(oneOfRule(TREND_PERIODS)), 'a bucket per local day (default) or per week from Monday', 'day|week'),
  ...FILTER_OPTIONS,
  json: described(flagRule, 'print the trends as JSON, with the ids of the sessions behind every bucket'),
  prompt: described(flagRule, 'print a prompt for Claude instead: the figures, the sessions behind them and the logbook commands to dig further (e.g. | claude)'),
};

type TrendsOptions = OptionValues<typeof TRENDS_OPTIONS>;

export const trendsCommand = defineCommand(TRENDS_OPTIONS, showTrends,
  (options) => (options.json && options.prompt ? 'choose one of --json and --prompt' : sessionFilter(options, Date.now()).problem));

async function showTrends(ctx: CliContext, options: TrendsOptions): Promise<number> {
  const now = Date.now();
  const filter = sessionFilter(options, now);
  const database = await openSnapshot(ctx, logbookPaths(ctx.workspace));
  const by = options.by ?? 'day';
  const axis = { ...(filter.from === undefined ? {} : { from: filter.from }), ...(filter.to === undefined ? {} : { to: filter.to }) };
  let trends: Trends | undefined;
  if (database !== undefined) {
    try {
      // The report's prices (the workspace's overrides included), so a bucket's cost is its reports' sum.
      const prices = workspacePrices(ctx.workspace);
      const { since, until, where } = filter.query;
      // The writer's day parts answer any query but --where; the rows answer every one.
      if (where === undefined) trends = storedTrends(database.raw, database.store, { by, now, prices, ...axis, ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) });
      if (trends === undefined) {
        const rows = currentOverview(database.raw, database.store).rows.values();
        trends = trendsOfListings(querySessions([...rows].map((row) => listingOf(row, now, prices)), filter.query), { by, now, ...axis });
      }
    } finally {
      database.close();
    }
  }
  trends ??= trendsOfListings([], { by, now, ...axis });
  if (options.prompt) {
    ctx.io.out(buildTrendsPrompt(trends, commandText('trends', options)));
    return 0;
  }
  if (options.json) {
    // One piece: the output writes it in chunks as stdout drains.
    await printLines(ctx.io, [trendsJson(roundedCosts(trends))]);
    return 0;
  }
  if (trends.totals.sessions === 0) {
    ctx.io.out(database === undefined ? 'no sessions recorded yet' : 'no matching sessions');
    return 0;
  }
  await printLines(ctx.io, trendLines(trends));
  if (!trends.continuous) ctx.io.err(`the sessions span more than ${groupDigits(MAX_TREND_BUCKETS)} ${trends.by}s: only those with sessions are shown (--by week, --since or --until for every one)`);
  return 0;
}

/**
 * The trends as JSON with one bucket, version or figure group per line: as readable as an indented
 * print for a person scrolling through days, and a tenth of its cost (an indented print of a year's
 * 1.3 MB took 20 ms of a command that must stay near a bare node start).
 */
function trendsJson(trends: Trends): string {
  const list = (items: readonly unknown[]): string => (items.length === 0 ? '[]' : `[\n  ${items.map((item) => JSON.stringify(item)).join(',\n  ')}\n]`);
  const fields = Object.entries(trends).map(([key, value]) => `${JSON.stringify(key)}: ${Array.isArray(value) ? list(value) : JSON.stringify(value)}`);
  return `{\n${fields.join(',\n')}\n}`;
}

// Sums of costs carry float noise (0.30000000000000004): a micro-dollar is precise enough. Rounded
// in a copy before JSON.stringify, which is several times slower with a replacer function.
function roundedCosts(trends: Trends): Trends {
  const round = <F extends TrendFigures>(f: F): F => ({ ...f, costUsd: Math.round(f.costUsd * 1e6) / 1e6 });
  return { ...trends, buckets: trends.buckets.map(round), untimed: round(trends.untimed), totals: round(trends.totals), versions: trends.versions.map(round) };
}

const FIGURE_HEADER = ['sessions', 'median', 'p90', 'cost', 'tokens', 'denials', 'rejections', 'failures', 'iterations'];

function figureCells(f: TrendFigures): string[] {
  const span = (ms: number | null): string => (ms === null ? '-' : formatElapsed(ms));
  return [
    groupDigits(f.sessions), span(f.medianDurationMs), span(f.p90DurationMs), `$${f.costUsd.toFixed(2)}`, groupDigits(f.tokens),
    groupDigits(f.denials), groupDigits(f.rejections), groupDigits(f.toolFailures), groupDigits(f.iterations),
  ];
}

/** Marks a bucket with regressions in the table; the list after it says which. */
const REGRESSION_MARK = '▲';

/** The buckets, the untimed and the totals; the regressions; then the workflow versions when any session ran one. */
function* trendLines(trends: Trends): Generator<string> {
  const rows = trends.buckets.map((b) => [`${b.key}${b.regressions.length > 0 ? ` ${REGRESSION_MARK}` : ''}`, ...figureCells(b), b.workflowChanges.map(changeText).join('; ')]);
  if (trends.untimed.sessions > 0) rows.push(['no time', ...figureCells(trends.untimed), '']);
  rows.push(['total', ...figureCells(trends.totals), trends.workflowChanges.length === 0 ? '' : `${trends.workflowChanges.length} workflow change${trends.workflowChanges.length === 1 ? '' : 's'}`]);
  yield* alignedLines([trends.by === 'week' ? 'week of' : 'day', ...FIGURE_HEADER, 'workflow changes'], rows, true);
  yield* regressionLines(trends);
  if (!trends.versions.some((v) => v.workflow !== null)) return;
  yield '';
  yield* alignedLines(['workflow version', 'first', ...FIGURE_HEADER], trends.versions.map((v) => [versionText(v), v.firstAtMs === null ? '?' : localDay(v.firstAtMs), ...figureCells(v)]));
}

function* regressionLines(trends: Trends): Generator<string> {
  const marked = trends.buckets.filter((b) => b.regressions.length > 0);
  if (marked.length === 0) return;
  const rule = BASELINE_RULE;
  yield '';
  yield `${REGRESSION_MARK} regressions: ${rule.thresholdPercent}% worse or more than the ${rule.precedingBuckets} ${trends.by}s with sessions before, or than the workflow's previous version where it changed (${rule.minSessions}+ sessions on each side)`;
  for (const b of marked) for (const r of b.regressions) yield `${b.key}  ${regressionText(r, trends.by)}`;
}

const short = (hash: string): string => hash.slice(0, 8);

function changeText(c: WorkflowChange): string {
  return `* ${c.workflow} ${short(c.fromHash)}→${short(c.toHash)} (${c.sessionId.slice(0, 8)})`;
}

function versionText(v: VersionTrend): string {
  if (v.workflow === null) return '(no workflow)';
  return `${v.workflow}@${v.hash === null ? '?' : short(v.hash)}`;
}

/** A table: the first column left-aligned, the numbers right-aligned, and with `textLast` a last column of free text. */
function* alignedLines(header: readonly string[], rows: readonly string[][], textLast = false): Generator<string> {
  const widths = header.map((h) => h.length);
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  const last = header.length - 1;
  const line = (cells: readonly string[]): string => cells.map((cell, i) => {
    if (i === 0) return cell.padEnd(widths[i] ?? 0);
    if (i === last && textLast) return cell;
    return cell.padStart(widths[i] ?? 0);
  }).join('  ').trimEnd();
  yield line(header);
  for (const row of rows) yield line(row);
}
