import { logbookPaths } from '../capture/paths';
import { groupDigits } from '../domain/group-digits';
import type { PatternsResult } from '../protocol/patterns';
import { currentOverview, currentSummaries } from '../projections/overview/overview-store';
import { listingOf, parseWhere, querySessions } from '../projections/overview/session-query';
import { cohortPicker, isPreset } from '../projections/patterns/cohort';
import { COHORT_PRESETS, contrastCohort } from '../projections/patterns/contrast';
import { buildPatternsPrompt } from '../projections/discuss/cross-session';
import { commandText } from './command-text';
import type { PatternSession } from '../projections/patterns/contrast';
import { summarizeSession } from '../projections/session-summary';
import { formatElapsed } from '../projections/session-list';
import { printLines } from './context';
import type { CliContext } from './context';
import { defineCommand, described } from './options';
import type { OptionValues } from './options';
import { flagRule, limitRule, optional, textRule } from './option-rules';
import { tableLines } from './text-lines';
import { openSnapshot } from './store-snapshot';
import { sessionFilter, workspacePrices } from './session-filters';

// `logbook patterns --cohort C`: what the sessions of a cohort (a preset, or a --where condition)
// share far more than the rest, ranked by lift, with the sessions behind each finding; the median
// time per state on both sides; and each single-session insight rule counted across sessions.

const PRESETS = Object.keys(COHORT_PRESETS);

const PATTERNS_OPTIONS = {
  cohort: described({ ...textRule(2000), missing: `--cohort is required: one of ${PRESETS.join(', ')}, or a condition as for "logbook sessions --where"` }, `the sessions to explain: ${PRESETS.map((p) => `${p} (${COHORT_PRESETS[p]?.text ?? ''})`).join(', ')}; or a condition, e.g. "failures>=3 and branch~feat"`, 'COHORT'),
  since: described(optional(textRule(64)), 'only sessions started since then (compared with the rest of those): 2026-12-01, an ISO time, or 30m/12h/7d/2w back', 'WHEN'),
  until: described(optional(textRule(64)), 'only sessions started until then', 'WHEN'),
  limit: described(optional(limitRule), 'at most N findings (default 20)', 'N'),
  json: described(flagRule, 'print the findings as JSON, with the sessions behind each'),
  prompt: described(flagRule, 'print a prompt for Claude instead: the findings, their evidence and the logbook commands to dig further (e.g. | claude)'),
};

type PatternsOptions = OptionValues<typeof PATTERNS_OPTIONS>;

export const patternsCommand = defineCommand(PATTERNS_OPTIONS, listPatterns, (options) => problemOf(options));

function problemOf(options: PatternsOptions): string | undefined {
  if (options.json && options.prompt) return 'choose one of --json and --prompt';
  const bounds = sessionFilter({ since: options.since, until: options.until }, Date.now()).problem;
  if (bounds !== undefined) return bounds;
  if (isPreset(options.cohort)) return undefined;
  const where = parseWhere(options.cohort);
  return where.ok ? undefined : `--cohort is neither a preset (${PRESETS.join(', ')}) nor a condition: ${where.message}`;
}

async function listPatterns(ctx: CliContext, options: PatternsOptions): Promise<number> {
  const now = Date.now();
  const database = await openSnapshot(ctx, logbookPaths(ctx.workspace));
  if (database === undefined) {
    ctx.io.err('no sessions recorded yet');
    return 1;
  }
  let sessions: PatternSession[];
  try {
    const prices = workspacePrices(ctx.workspace);
    const rows = [...currentOverview(database.raw, database.store).rows.values()].map((row) => listingOf(row, now, prices));
    const listings = querySessions(rows, sessionFilter({ since: options.since, until: options.until }, now).query);
    const summaries = currentSummaries(database.raw, database.store);
    sessions = listings.map((listing) => ({
      listing,
      // A session whose stored summary did not read is folded from its events.
      summary: summaries.get(listing.row.sessionId) ?? summarizeSession(database.store.readStream(listing.row.sessionId)),
    }));
  } finally {
    database.close();
  }
  const picker = cohortPicker(options.cohort, sessions.map((s) => s.listing));
  const result = contrastCohort(options.cohort, sessions, (s) => picker.ok && picker.pick(s.listing), { now, limit: options.limit ?? 20 });
  if (options.json) {
    ctx.io.out(JSON.stringify(result, null, 2));
    return 0;
  }
  if (options.prompt) {
    ctx.io.out(buildPatternsPrompt(result, options.cohort, commandText('patterns', options)));
    return 0;
  }
  await printLines(ctx.io, textOf(result));
  return 0;
}

function* textOf(result: PatternsResult): Generator<string> {
  const size = result.cohort.sessions.length;
  yield `cohort "${result.cohort.name}": ${groupDigits(size)} session(s), against ${groupDigits(result.rest.sessions)} other(s)`;
  if (size === 0) return;
  yield '';
  yield 'what the cohort shares (lift: times more common than in the rest):';
  if (result.findings.length === 0) yield '  nothing shared by 2 sessions or more';
  else {
    yield* tableLines(['kind', 'value', 'cohort', 'rest', 'lift', 'e.g.'], result.findings.map((f) => [
      f.kind, oneLine(f.value), `${f.cohortCount} (${pct(f.support)})`, `${f.restCount} (${pct(f.restShare)})`, `${f.lift.toFixed(1)}×`, f.examples.slice(0, 2).map((id) => id.slice(0, 8)).join(' '),
    ]));
  }
  yield '';
  yield 'median time per state, cohort against rest:';
  yield* tableLines(['state', 'cohort', 'rest', 'ratio'], result.stateTimes.slice(0, 12).map((t) => [
    `${t.workflow ? 'workflow ' : ''}${t.state}`, formatElapsed(t.cohortMedianMs), formatElapsed(t.restMedianMs), t.ratio === null ? '—' : `${t.ratio.toFixed(2)}×`,
  ]));
  if (result.insights.length > 0) {
    yield '';
    yield 'single-session insights, counted across sessions:';
    yield* tableLines(['rule', 'cohort', 'rest', 'e.g.'], result.insights.map((i) => [
      i.rule, `${i.cohort} of ${size}`, `${i.rest} of ${result.rest.sessions}`, i.examples.slice(0, 2).map((id) => id.slice(0, 8)).join(' '),
    ]));
  }
}

function pct(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}
