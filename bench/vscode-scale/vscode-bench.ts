import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { writeHookEntry } from '../hook-entry';
import { LogbookWriter } from '../../src/ingest/writer';
import { DEFAULT_PRICE_TABLE } from '../../src/projections/pricing';
import { loadSqlJsWarmedInWorker } from '../../src/store/sqljs-warm/warm-client';
import { ReportHost } from '../../src/views/report/report-host';
import { WorkspaceLogbook } from '../../src/views/workspace-logbook';
import { fmtInt, msSince, percentile, progress } from '../stats';
import { WorkloadGenerator } from '../workload';
import type { FixtureEvent } from '../workload';
import type { HistoryBuild } from '../scale/history-store';
import { BlockMeter, CallTimes } from './block-meter';
import type { CallStats } from './block-meter';
import { ExtensionHostStore } from './extension-host';

// The VS Code side at history sizes up to 1M events, in plain Node: the extension host's own
// store code (see extension-host.ts) on a copy of a cached history. For each phase a user meets
// (activation, a burst of hook entries, the flush and idle work after it, opening the report of
// the largest session, closing the window) the longest main-thread block, with an idle event
// loop's longest delay in the same process as the baseline; and hook entry written → folded by
// the views, p50 and p95.

export const VSCODE_GOALS = { visibleP95Ms: 200, treeFilledMs: 1000, blockMs: 50 } as const;

export type PhaseKey = 'idle' | 'sqljs' | 'activation' | 'afterActivation' | 'burst' | 'afterBurst' | 'latency' | 'report' | 'dispose';

export const PHASES: readonly { readonly key: PhaseKey; readonly label: string }[] = [
  { key: 'idle', label: 'idle event loop, 1 s, before the host starts (baseline)' },
  { key: 'sqljs', label: 'loading sql.js, compiled and warmed in a worker as the window does (once per window: the first size only)' },
  { key: 'activation', label: 'activation → sessions tree filled (open, catalog snapshot, catch-up)' },
  { key: 'afterActivation', label: 'the 3 s after activation (first pass, usage backfill, idle work)' },
  { key: 'burst', label: 'a 63-entry turn written to the inbox → folded by the views' },
  { key: 'afterBurst', label: 'the 2 s after it (flush, archive, full-text catch-up)' },
  { key: 'latency', label: 'single entries, one at a time (the latency runs)' },
  { key: 'report', label: 'opening the report of the largest session' },
  { key: 'dispose', label: 'closing the window (final flush, lock released)' },
];

export interface PhaseFigure {
  readonly ms: number;
  readonly maxBlockMs: number;
}

export interface VscodePoint {
  readonly events: number;
  readonly phases: ReadonlyMap<PhaseKey, PhaseFigure>;
  readonly visible: { readonly p50: number; readonly p95: number; readonly runs: number };
  readonly largestSession: number;
  /** The longest synchronous store calls made on the main thread, longest first. */
  readonly calls: readonly [string, CallStats][];
  readonly problems: readonly string[];
}

export interface VscodeBenchInput {
  readonly tempDir: string;
  readonly scaleDir: string;
  readonly fixture: readonly FixtureEvent[];
  readonly sizes: readonly number[];
  readonly runs: number;
  /** Builds the history when none of this size is cached (minutes at 1M). */
  readonly build: (events: number) => Promise<HistoryBuild>;
}

export async function benchVscode(input: VscodeBenchInput): Promise<VscodePoint[]> {
  const points: VscodePoint[] = [];
  for (const events of input.sizes) {
    const build = cachedHistory(input.scaleDir, events) ?? await input.build(events);
    if (build.failed !== undefined) throw new Error(`the ${fmtInt(events)}-event history could not be built: ${build.failed.what}`);
    const workspace = join(input.tempDir, `vscode-${events}`);
    progress(`vscode: ${fmtInt(events)} events: copying ${build.workspace}`);
    cpSync(build.workspace, workspace, { recursive: true });
    // The copy leaves gigabytes of dirty pages: their writeback stalls the process for a while.
    spawnSync('sync');
    await sleep(3000);
    try {
      points.push(await measureAt(input, workspace, events));
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  }
  return points;
}

/**
 * Any cached history of this size, whichever CLI build wrote it: the host migrates an older store
 * as a user's would be, and rebuilding 1M events takes many minutes.
 */
function cachedHistory(scaleDir: string, events: number): HistoryBuild | undefined {
  if (!existsSync(scaleDir)) return undefined;
  const sameSize = new RegExp(`^h\\d+-${events}-[0-9a-f]+$`);
  for (const name of readdirSync(scaleDir).filter((n) => sameSize.test(n))) {
    const record = join(scaleDir, name, 'built.json');
    if (!existsSync(record)) continue;
    const build = JSON.parse(readFileSync(record, 'utf8')) as HistoryBuild;
    if (build.failed === undefined && existsSync(build.workspace)) return build;
  }
  return undefined;
}

async function measureAt(input: VscodeBenchInput, workspace: string, events: number): Promise<VscodePoint> {
  const paths = logbookPaths(workspace);
  const meter = new BlockMeter();
  const calls = new CallTimes();
  calls.wrap('LogbookWriter', LogbookWriter.prototype, ['ingest', 'flush', 'catchUpFullText', 'removeCommittedEntries', 'close']);
  calls.wrap('WorkspaceLogbook', WorkspaceLogbook.prototype, ['catchUp', 'readOverview', 'summary']);
  const phases = new Map<PhaseKey, PhaseFigure>();
  const measured: [PhaseKey, number, () => number][] = [];
  const keep = (key: PhaseKey, figure: { ms: number; block: () => number }): void => {
    measured.push([key, figure.ms, figure.block]);
    progress(`vscode: ${fmtInt(events)} events: ${key}: ${figure.ms.toFixed(0)} ms`);
  };
  const host = new ExtensionHostStore(paths);
  const turns = new WorkloadGenerator(input.fixture, 1);
  let largestSession = 0;
  let visible: number[] = [];
  try {
    keep('idle', await meter.during(() => sleep(1000)));
    // As the window does (src/extension.ts): sql.js compiled and warmed in a thread of its own.
    const sqlJs = await meter.during(() => loadSqlJsWarmedInWorker());
    keep('sqljs', { ms: sqlJs.ms, block: sqlJs.block });
    if (!sqlJs.value.warmed) progress(`vscode: sql.js was not warmed in a worker: ${sqlJs.value.problem ?? 'unknown'}`);
    const activation = await meter.during(() => host.activate());
    keep('activation', { ms: activation.value, block: activation.block });
    progress(`vscode: ${fmtInt(events)} events: tree filled with ${fmtInt(host.ws.overview().size)} sessions`);
    keep('afterActivation', await meter.during(() => sleep(3000)));
    const session = { id: '', written: 0 };
    keep('burst', await meter.during(async () => {
      for (let i = 0; i < input.fixture.length; i += 1) writeHookEntry(paths.inbox, turns, session);
      await folded(host, session);
    }));
    keep('afterBurst', await meter.during(() => sleep(2000)));
    keep('latency', await meter.during(async () => { visible = await latencyRuns(host, paths.inbox, turns, session, input.runs); }));
    const largest = [...host.ws.overview().values()].reduce((best, s) => (s.events > (best?.events ?? -1) ? s : best), host.ws.overview().values().next().value);
    largestSession = largest?.events ?? 0;
    keep('report', await meter.during(async () => {
      const store = await host.ws.store();
      if (store === undefined || largest?.sessionId == null) throw new Error('no store or no session to report on');
      const state = await new ReportHost(() => undefined).snapshot(largest.sessionId, store, DEFAULT_PRICE_TABLE);
      if (state === undefined) throw new Error(`no report for ${largest.sessionId}`);
    }));
  } finally {
    keep('dispose', await meter.during(() => host.dispose()));
    await sleep(100);
    meter.dispose();
    calls.dispose();
  }
  for (const [key, ms, block] of measured) phases.set(key, { ms, maxBlockMs: block() });
  return {
    events, phases, largestSession, calls: calls.longest(),
    visible: { p50: percentile(visible, 50), p95: percentile(visible, 95), runs: visible.length },
    problems: host.logs.filter((m) => /fail|could not|stopped|not written/.test(m)),
  };
}


/** Resolves when the views' catalog has folded every entry written so far for the session. */
function folded(host: ExtensionHostStore, session: { id: string; written: number }): Promise<void> {
  const done = (): boolean => (host.ws.overview().get(session.id)?.events ?? 0) >= session.written;
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const off = host.onRefreshed(() => {
      if (!done()) return;
      off();
      resolve();
    });
  });
}

async function latencyRuns(host: ExtensionHostStore, inbox: string, turns: WorkloadGenerator, session: { id: string; written: number }, runs: number): Promise<number[]> {
  const ms: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = process.hrtime.bigint();
    writeHookEntry(inbox, turns, session);
    await folded(host, session);
    ms.push(msSince(started));
    // Hooks come in bursts and pauses: vary the gap so the debounce is not in phase.
    await sleep(50 + Math.random() * 250);
  }
  return ms;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
