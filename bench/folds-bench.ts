import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIVE_LOG, RECORD_MARK } from '../src/capture/inbox-log';
import { entryText, stampNow } from '../src/capture/inbox-writer';
import { logbookPaths } from '../src/capture/paths';
import type { LogbookPaths } from '../src/capture/paths';
import { LogbookWriter } from '../src/ingest/writer';
import { computeInsights } from '../src/projections/insights';
import { buildSessionReport } from '../src/projections/report';
import { SessionIndex } from '../src/projections/session-index';
import { summarizeSession } from '../src/projections/session-summary';
import { buildSessionGraphs } from '../src/projections/state-graph';
import { createTimeline, extendTimeline } from '../src/projections/state-timeline';
import { LogbookDatabase } from '../src/store/logbook-database';
import { collectGarbage, fmtInt, fmtMs, fmtRatio, fmtUs, msSince, progress, textTable } from './stats';

// Folds stay linear (issue 12): a session whose tool results never come (denied, interrupted)
// against an ordinary one of as many events, each ingested and reported at two sizes. The
// figure is the ratio of the per-event cost at the larger size to the per-event cost at the
// smaller: 1× is linear; the paired session, measured in the same run, is the baseline.
// Ingest is what `logbook ingest` runs (start, ingest, flush, archive, the idle catch-up that
// folds the session catalog once a snapshot is due, close); report is what `logbook report`
// folds (the session summary and its report), views what the report and state-machine panels fold.

export type FoldSequence = 'unmatched' | 'paired';

export interface FoldPoint {
  readonly sequence: FoldSequence;
  readonly events: number;
  readonly ingestMs: number;
  readonly reportMs: number;
  readonly viewsMs: number;
}

export interface FoldsBenchResult {
  readonly sizes: readonly [number, number];
  readonly points: readonly FoldPoint[];
}

const SESSION = 'bench-folds-session';

export async function benchFolds(input: { readonly tempDir: string; readonly sizes: readonly [number, number] }): Promise<FoldsBenchResult> {
  // Warm-up at the smaller size: every code path compiled, and the heap grown, before anything is timed.
  await measure(input.tempDir, 'unmatched', input.sizes[0]);
  await measure(input.tempDir, 'paired', input.sizes[0]);
  const points: FoldPoint[] = [];
  for (const events of input.sizes) {
    for (const sequence of ['paired', 'unmatched'] as const) points.push(await measure(input.tempDir, sequence, events));
  }
  printFolds(points);
  return { sizes: input.sizes, points };
}

/** Per-event cost at the larger size over the per-event cost at the smaller one. */
export function growth(result: FoldsBenchResult, sequence: FoldSequence, phase: 'ingestMs' | 'reportMs' | 'viewsMs'): number {
  const at = (events: number): number => {
    const point = result.points.find((p) => p.sequence === sequence && p.events === events);
    return point === undefined ? Number.NaN : point[phase] / events;
  };
  return at(result.sizes[1]) / at(result.sizes[0]);
}

async function measure(tempDir: string, sequence: FoldSequence, events: number): Promise<FoldPoint> {
  const dir = join(tempDir, `folds-${sequence}-${events}`);
  mkdirSync(dir, { recursive: true });
  try {
    const paths = logbookPaths(dir);
    progress(`folds: ${fmtInt(events)} events, ${sequence === 'unmatched' ? 'PreToolUse without results' : 'PreToolUse and PostToolUse pairs'}`);
    fillLog(paths, sequence, events);
    collectGarbage();
    const ingestMs = await ingest(paths, events);
    const opened = await LogbookDatabase.open(paths.store);
    if (!opened.ok) throw new Error(`the bench store did not open: ${JSON.stringify(opened.problem)}`);
    try {
      const stream = opened.database.store.readStream(SESSION);
      collectGarbage();
      const t0 = process.hrtime.bigint();
      buildSessionReport(summarizeSession(stream), { now: Date.now() });
      const reportMs = msSince(t0);
      collectGarbage();
      const t1 = process.hrtime.bigint();
      const index = new SessionIndex(SESSION);
      index.extend(stream);
      index.timeline();
      computeInsights(buildSessionReport(index.summary, { now: Date.now() }), index.rows);
      const timeline = createTimeline();
      extendTimeline(timeline, stream);
      buildSessionGraphs(timeline);
      const viewsMs = msSince(t1);
      return { sequence, events, ingestMs, reportMs, viewsMs };
    } finally {
      opened.database.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The hook's records, written in one go (the hook's fsync per append is not what is measured).
function fillLog(paths: LogbookPaths, sequence: FoldSequence, events: number): void {
  const records: string[] = [];
  const add = (payload: Record<string, unknown>): void => {
    records.push(`${String.fromCharCode(RECORD_MARK)}${entryText(stampNow(), 'hook', String(payload['hook_event_name']), JSON.stringify(payload))}`);
  };
  add({ session_id: SESSION, hook_event_name: 'SessionStart', source: 'startup' });
  add({ session_id: SESSION, hook_event_name: 'UserPromptSubmit', prompt: 'go' });
  for (let i = 0; records.length < events; i += 1) {
    const call = { session_id: SESSION, tool_name: 'Edit', tool_input: { file_path: `/w/src/file-${i}.ts`, old_string: 'a', new_string: 'b' }, tool_use_id: `toolu_${i}` };
    add({ ...call, hook_event_name: 'PreToolUse' });
    if (sequence === 'paired' && records.length < events) add({ ...call, hook_event_name: 'PostToolUse', tool_response: { ok: true }, duration_ms: 12 });
  }
  mkdirSync(paths.inbox, { recursive: true });
  writeFileSync(join(paths.inbox, LIVE_LOG), records.join(''));
}

async function ingest(paths: LogbookPaths, events: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const started = await LogbookWriter.start(paths, 'bench', { maxFieldBytes: 65_536 });
  if (!started.ok) throw new Error('could not take the ingest lock of a fresh bench workspace');
  const writer = started.writer;
  try {
    const report = writer.ingest();
    writer.flush();
    await writer.removeCommittedEntries();
    if (writer.catchUpFullText() > 0) writer.flush();
    if (report.appended !== events) throw new Error(`ingest appended ${report.appended} events, expected ${events}`);
    if (writer.catalogProblem !== undefined) throw new Error(writer.catalogProblem);
  } finally {
    writer.close();
  }
  return msSince(t0);
}

function printFolds(points: readonly FoldPoint[]): void {
  console.log('\n## Folds: PreToolUse without results against PreToolUse/PostToolUse pairs\n');
  const rows = points.map((p) => [
    p.sequence === 'unmatched' ? 'without results' : 'pairs', fmtInt(p.events),
    fmtMs(p.ingestMs), fmtUs(p.ingestMs / p.events), fmtMs(p.reportMs), fmtUs(p.reportMs / p.events), fmtMs(p.viewsMs), fmtUs(p.viewsMs / p.events),
  ]);
  console.log(textTable(['Session', 'Events', 'Ingest', 'per event', 'Report', 'per event', 'Views', 'per event'], rows, new Set([1, 2, 3, 4, 5, 6, 7])));
}

/** The summary rows: the growth of the per-event cost for the unmatched session, against the pairs'. */
export function foldRows(result: FoldsBenchResult): string[][] {
  const [small, large] = result.sizes;
  return (['ingestMs', 'reportMs', 'viewsMs'] as const).map((phase) => {
    const unmatched = growth(result, 'unmatched', phase);
    const paired = growth(result, 'paired', phase);
    const what = phase === 'ingestMs' ? 'Ingest' : phase === 'reportMs' ? 'Report' : 'Report and state-machine views';
    return [`${what}: per-event cost at ${fmtInt(large)} ÷ at ${fmtInt(small)} events, PreToolUse without results`, fmtRatio(unmatched), `${fmtRatio(paired)} PreToolUse/PostToolUse pairs`, fmtRatio(unmatched / paired), 'informational (1× is linear)'];
  });
}
