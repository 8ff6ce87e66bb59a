import { spawnSync } from 'node:child_process';
import { cpSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { pendingEntries } from '../../src/ingest/pending-entries';
import { fmtInt, median, percentile, progress, yieldToEventLoop } from '../stats';
import { WorkloadGenerator } from '../workload';
import type { FixtureEvent } from '../workload';
import { SEARCH_TERM } from './history-mix';
import { historyWorkspace } from './history-store';
import type { HistoryBuild } from './history-store';
import { describeFailure, NodeRunner } from './timed-process';
import type { TimedProcess } from './timed-process';

// Every everyday operation as the CLI process a user runs (`node dist/logbook.js …`), on
// workspaces holding 10k to 1M events, each timed side by side with bare `node -e 0` in the same
// rounds (the order rotates every round), with the peak RSS of each process.

export type ScaleRowKey = 'node' | 'ingest' | 'sessions' | 'report' | 'search' | 'trends';

export const SCALE_ROWS: readonly { readonly key: ScaleRowKey; readonly label: string }[] = [
  { key: 'node', label: '`node -e 0` (baseline)' },
  { key: 'ingest', label: '`logbook ingest` of a new 63-event turn (written by the installed hooks)' },
  { key: 'sessions', label: '`logbook sessions`' },
  { key: 'report', label: '`logbook report S --json`' },
  { key: 'search', label: `\`logbook events --search ${SEARCH_TERM} --limit 20\`` },
  { key: 'trends', label: '`logbook trends --json` (every session, by day)' },
];

export interface RowSamples {
  readonly ms: readonly number[];
  readonly peakRssBytes: readonly number[];
  /** Why the row stopped, when a run of it failed. */
  readonly failure?: string;
}

export interface ScalePoint {
  readonly events: number;
  readonly build: HistoryBuild;
  /** Bytes under .logbook/ before the measured runs (store, segments, everything). */
  readonly diskBytes: number;
  readonly rows: ReadonlyMap<ScaleRowKey, RowSamples>;
}

export interface ScaleBenchInput {
  readonly root: string;
  readonly tempDir: string;
  readonly scaleDir: string;
  readonly fixture: readonly FixtureEvent[];
  readonly sizes: readonly number[];
  readonly reps: number;
  readonly chunk: number;
}

export async function benchScale(input: ScaleBenchInput): Promise<ScalePoint[]> {
  const runner = new NodeRunner(input.tempDir);
  const points: ScalePoint[] = [];
  for (const events of input.sizes) {
    const build = await historyWorkspace({ root: input.root, scaleDir: input.scaleDir, fixture: input.fixture, events, runner, chunk: input.chunk });
    if (build.failed !== undefined) {
      progress(`scale: ${fmtInt(events)} events: the history could not be built: ${build.failed.what}`);
      points.push({ events, build, diskBytes: Number.NaN, rows: new Map() });
      continue;
    }
    // Ingest changes the workspace: the runs work on a copy, the cache stays the history it says.
    const workspace = join(input.tempDir, `scale-${events}`);
    progress(`scale: ${fmtInt(events)} events: copying the cached workspace`);
    cpSync(build.workspace, workspace, { recursive: true });
    // The copy's dirty pages (4 GB at 1M events) are written back before anything is timed: the
    // kernel's writeback otherwise runs under the first rounds and moves every row by up to 20%.
    const synced = Date.now();
    spawnSync('sync', [], { stdio: 'ignore' });
    progress(`scale: ${fmtInt(events)} events: the copy written back to disk in ${fmtInt(Date.now() - synced)} ms before the runs`);
    // The new turn is written by the hooks the project's installer puts in (what Claude Code runs).
    const install = await runner.run([join(input.root, 'dist', 'logbook.js'), 'install-hooks', '--workspace', workspace], workspace);
    if (install.code !== 0) throw new Error(`logbook install-hooks failed in ${workspace}: ${describeFailure(install)}`);
    const diskBytes = treeBytes(logbookPaths(workspace).dir);
    points.push({ events, build, diskBytes, rows: await measureAt(input, runner, workspace, build) });
    rmSync(workspace, { recursive: true, force: true });
  }
  return points;
}

async function measureAt(input: ScaleBenchInput, runner: NodeRunner, workspace: string, build: HistoryBuild): Promise<Map<ScaleRowKey, RowSamples>> {
  const cli = join(input.root, 'dist', 'logbook.js');
  const turns = new WorkloadGenerator(input.fixture, 1);
  const hooks = installedHooks(workspace);
  const args: Record<ScaleRowKey, readonly string[]> = {
    node: ['-e', '0'],
    ingest: [cli, 'ingest', '--workspace', workspace],
    sessions: [cli, 'sessions', '--workspace', workspace],
    report: [cli, 'report', build.reportSession, '--json', '--workspace', workspace],
    search: [cli, 'events', '--search', SEARCH_TERM, '--limit', '20', '--workspace', workspace],
    trends: [cli, 'trends', '--json', '--workspace', workspace],
  };
  const samples = new Map<ScaleRowKey, { ms: number[]; peakRssBytes: number[]; failure?: string }>(SCALE_ROWS.map((r) => [r.key, { ms: [], peakRssBytes: [] }]));
  // Round 0 is a warm-up (page cache, a first full-text catch-up): run, checked, not kept.
  for (let round = 0; round <= input.reps; round += 1) {
    for (let k = 0; k < SCALE_ROWS.length; k += 1) {
      const key = (SCALE_ROWS[(round + k) % SCALE_ROWS.length] as (typeof SCALE_ROWS)[number]).key;
      const row = samples.get(key) as { ms: number[]; peakRssBytes: number[]; failure?: string };
      if (row.failure !== undefined) continue;
      const fired = key === 'ingest' ? fireTurn(workspace, input.fixture, turns, hooks) : undefined;
      if (typeof fired === 'number' && round === 0) progress(`scale: ${fmtInt(build.events)} events: the new turn's ${input.fixture.length} events ran ${fired} hook commands`);
      const run = await runner.run(args[key], workspace);
      const failure = (typeof fired === 'string' ? fired : undefined) ?? failureOf(key, run) ?? (key === 'ingest' ? leftInInbox(workspace) : undefined);
      if (failure !== undefined) {
        row.failure = failure;
        progress(`scale: ${fmtInt(build.events)} events: ${key} failed: ${failure}`);
        continue;
      }
      if (round > 0) {
        row.ms.push(run.ms);
        row.peakRssBytes.push(run.peakRssBytes);
      }
    }
    progress(`scale: ${fmtInt(build.events)} events: round ${round}/${input.reps}${round === 0 ? ' (warm-up)' : ''}`);
    await yieldToEventLoop();
  }
  return new Map(samples);
}

/** A run that printed nothing did nothing worth timing (an empty store answers fast). */
function failureOf(key: ScaleRowKey, run: TimedProcess): string | undefined {
  if (run.code !== 0 || run.signal !== null) return describeFailure(run);
  if (key !== 'node' && key !== 'ingest' && run.stdoutBytes === 0) return 'printed nothing';
  return undefined;
}

function leftInInbox(workspace: string): string | undefined {
  const left = pendingEntries(logbookPaths(workspace).inbox).length;
  return left === 0 ? undefined : `exit 0, but ${left} entries are still in the inbox`;
}

/** The command of every hook the installer registered, by event, as Claude Code would run it. */
export function installedHooks(workspace: string): ReadonlyMap<string, readonly string[]> {
  const settings = JSON.parse(readFileSync(join(workspace, '.claude', 'settings.local.json'), 'utf8')) as { hooks?: Record<string, { hooks?: { command?: unknown }[] }[]> };
  const commands = new Map<string, string[]>();
  for (const [event, matchers] of Object.entries(settings.hooks ?? {})) {
    commands.set(event, matchers.flatMap((m) => (m.hooks ?? []).map((h) => h.command)).filter((c): c is string => typeof c === 'string'));
  }
  return commands;
}

/**
 * One more turn of a new session (the fixture's 63 events with new ids), each payload handed to
 * the installed hook commands through `sh -c` with CLAUDE_PROJECT_DIR set, as Claude Code does.
 * Returns how many hooks ran, or why one failed.
 */
export function fireTurn(workspace: string, fixture: readonly FixtureEvent[], turns: WorkloadGenerator, hooks: ReadonlyMap<string, readonly string[]>): number | string {
  const env = { ...process.env, CLAUDE_PROJECT_DIR: workspace };
  let fired = 0;
  for (let i = 0; i < fixture.length; i += 1) {
    const event = turns.next();
    for (const command of hooks.get(event.hookEvent) ?? []) {
      const run = spawnSync('sh', ['-c', command], { cwd: workspace, env, input: event.json, encoding: 'utf8', timeout: 60_000 });
      if (run.status !== 0) return `the ${event.hookEvent} hook (${command}) exited ${String(run.status)}: ${(run.stderr ?? '').trim().slice(0, 300)}`;
      fired += 1;
    }
  }
  return fired === 0 ? 'no hook of the turn is installed' : fired;
}

function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? treeBytes(path) : lstatSync(path).size;
  }
  return total;
}

/** Median and p95 of a row, NaN when it has no samples. */
export function spreadOf(row: RowSamples | undefined): { p50: number; p95: number; rss: number } {
  if (row === undefined || row.ms.length === 0) return { p50: Number.NaN, p95: Number.NaN, rss: Number.NaN };
  return { p50: median(row.ms), p95: percentile(row.ms, 95), rss: Math.max(...row.peakRssBytes) };
}
