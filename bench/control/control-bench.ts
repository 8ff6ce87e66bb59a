import { logbookPaths } from '../../src/capture/paths';
import { ControlCenter, dayCostOf, DEFAULT_CONTROL_SETTINGS } from '../../src/control/control-center';
import { historyThresholds } from '../../src/domain/control/alert-thresholds';
import type { WorkspaceControlSettings } from '../../src/control/control-center';
import { LiveIngest } from '../../src/ingest/live-ingest';
import { InboxEventCache } from '../../src/projections/control/pending-events';
import { readLiveSessions } from '../../src/projections/control/live-reader';
import { median, msSince, progress } from '../stats';
import type { FixtureEvent } from '../workload';
import { HookPayloads } from './control-hooks';
import { CenterObserver } from './control-observer';
import { idleWindow, measureFailureAlerts, measureRowLatency, measureStuckAlerts, sleep, STUCK_MINUTES, stuckSettings } from './control-phases';
import type { Context, IdleWindow, RowLatency, Samples, StuckResult } from './control-phases';
import { setUpWorkspaces, startSessions } from './control-setup';
import type { BenchWorkspace } from './control-setup';

// Issue 15's goals for the control center, measured on the engine both `logbook watch` and the
// VS Code view run (src/control/control-center.ts), in this process, over 3 workspaces with 20 live
// sessions: hook fired → row updated (the open workspace, whose inbox a LiveIngest writes into its
// store as in VS Code, and the others, whose entries wait in their inbox as for a headless loop),
// the cost while idle, and how soon an alert follows its condition. Hooks run as Claude Code runs
// them, as processes of their own; nothing here is timed by a test.

export interface ControlBenchInput {
  readonly root: string;
  readonly tempDir: string;
  readonly fixture: readonly FixtureEvent[];
  /** PreToolUse firings timed until the row shows them. */
  readonly runs: number;
  /** Runs of each alert rule. */
  readonly alertRuns: number;
  /** Length of each idle window. */
  readonly idleSeconds: number;
  /** A cached workspace with a big history, copied as the third workspace. */
  readonly historyDir: string | undefined;
}

export interface WorkspaceFigures {
  readonly label: string;
  readonly open: boolean;
  readonly history: string;
  readonly live: number;
  /** Overview rows (sessions) the read goes through. */
  readonly rows: number;
  /** One `refresh(workspace)` of the control center (read, thresholds, rules, publish): median wall ms. */
  readonly refreshMs: number;
  /** readLiveSessions alone, its inbox cache warm: median wall ms. */
  readonly readMs: number;
  /** The history's thresholds and the day's cost over those rows, done in every refresh: median ms. */
  readonly thresholdsMs: number;
}

export interface ControlResult {
  readonly historyDir: string | undefined;
  readonly workspaces: readonly WorkspaceFigures[];
  /** ControlCenter.start(): the first read of every workspace. */
  readonly startMs: number;
  readonly runs: number;
  readonly latency: RowLatency;
  readonly idle: readonly IdleWindow[];
  /** CPU ms of one poll of every workspace (refreshAll: stats, and a read where something changed). */
  readonly pollCpuMs: number;
  readonly pollEveryMs: number;
  readonly failures: Samples;
  readonly stuck: StuckResult;
  readonly problems: readonly string[];
  /** What the open workspace's LiveIngest logged. */
  readonly writerLog: readonly string[];
}

export const WITH_WRITER = 'ControlCenter + the open workspace\'s LiveIngest';
export const WRITER_ALONE = 'the open workspace\'s LiveIngest alone (ControlCenter disposed)';

/** ControlCenter's default poll (control-center.ts DEFAULT_POLL_MS; not exported). */
const POLL_EVERY_MS = 30_000;

export async function benchControl(input: ControlBenchInput): Promise<ControlResult> {
  progress(`control: setting up 3 workspaces${input.historyDir === undefined ? ' with small histories' : `, the third a copy of ${input.historyDir}`}`);
  const workspaces = setUpWorkspaces(input);
  const open = workspaces.find((w) => w.open) as BenchWorkspace;
  const payloads = new HookPayloads(input.fixture);
  const observer = new CenterObserver();
  const logged: string[] = [];
  let settings: WorkspaceControlSettings = DEFAULT_CONTROL_SETTINGS;
  const center = new ControlCenter({
    workspaces: () => workspaces.map((w) => w.path), settingsOf: () => settings, source: 'vscode',
    onUpdate: observer.onUpdate, onAlert: observer.onAlert,
  });
  let writer = await startWriter(open, logged);
  try {
    const started = process.hrtime.bigint();
    await center.start();
    const startMs = msSince(started);
    progress('control: starting 20 live sessions through the installed hooks');
    const sessions = await startSessions(workspaces, payloads);
    const ready = await observer.shown((snapshot) => sessions.every((s) => snapshot.sessions.some((r) => r.sessionId === s.id)), 30_000);
    if (ready === undefined) throw new Error(`the control center did not show the 20 live sessions within 30 s (it shows ${observer.last?.sessions.length ?? 0}); problems: ${(observer.last?.problems ?? []).join('; ')}`);
    const ctx: Context = { center, observer, payloads, sessions };
    progress(`control: ${input.runs} PreToolUse firings, each timed until its row shows it`);
    const latency = await measureRowLatency(ctx, input.runs);
    const figures = await workspaceFigures(center, workspaces);

    progress(`control: idle windows of ${input.idleSeconds} s`);
    await sleep(3000);
    const idle = [await idleWindow(ctx, WITH_WRITER, input.idleSeconds, { redraw: false, goal: false })];
    await writer.close();
    await sleep(2000);
    idle.push(await idleWindow(ctx, 'ControlCenter alone', input.idleSeconds, { redraw: false, goal: true }));
    idle.push(await idleWindow(ctx, 'ControlCenter + a 1 s redraw of every row (the view while visible)', input.idleSeconds, { redraw: true, goal: true }));
    const pollCpuMs = await pollCost(center);

    writer = await startWriter(open, logged);
    progress(`control: ${input.alertRuns} runs of three failures of one tool (tool-failures)`);
    const failures = await measureFailureAlerts(ctx, input.alertRuns);
    progress(`control: ${input.alertRuns} runs of the stuck rule at ${STUCK_MINUTES * 60} s`);
    const stuck = await measureStuckAlerts(ctx, input.alertRuns, (minutes) => {
      settings = minutes === undefined ? DEFAULT_CONTROL_SETTINGS : { ...DEFAULT_CONTROL_SETTINGS, alerts: stuckSettings(minutes) };
    });
    const problems = [...new Set(observer.last?.problems ?? [])];
    // The writer's own idle cost, to tell the control center's share of the first window.
    center.dispose();
    await sleep(3000);
    idle.push(await idleWindow(ctx, WRITER_ALONE, input.idleSeconds, { redraw: false, goal: false }));
    return { historyDir: input.historyDir, workspaces: figures, startMs, runs: input.runs, latency, idle, pollCpuMs, pollEveryMs: POLL_EVERY_MS, failures, stuck, problems, writerLog: [...new Set(logged)] };
  } finally {
    center.dispose();
    await writer.close();
  }
}

/** The writer VS Code runs for the open workspace, with the extension's default settings. */
async function startWriter(workspace: BenchWorkspace, logged: string[]): Promise<LiveIngest> {
  const live = new LiveIngest(logbookPaths(workspace.path), {
    owner: 'vscode', maxFieldBytes: () => 65_536, debounceMs: () => 100, flushDebounceMs: () => 500, log: (message) => logged.push(message),
  });
  await live.start();
  if (!live.isWriter) logged.push(`not the writer of ${workspace.path}: its inbox was not ingested`);
  return live;
}

/** Where a change's time goes: one refresh of each workspace, and the read inside it. */
async function workspaceFigures(center: ControlCenter, workspaces: readonly BenchWorkspace[]): Promise<WorkspaceFigures[]> {
  const figures: WorkspaceFigures[] = [];
  for (const workspace of workspaces) {
    const refresh: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const started = process.hrtime.bigint();
      await center.refresh(workspace.path);
      refresh.push(msSince(started));
    }
    const cache = new InboxEventCache();
    const reads: number[] = [];
    let last: Awaited<ReturnType<typeof readLiveSessions>> | undefined;
    for (let i = 0; i < 4; i += 1) {
      const started = process.hrtime.bigint();
      last = await readLiveSessions(workspace.path, { now: Date.now(), inboxCache: cache });
      // The first read fills the cache; the control center's reads find it full.
      if (i > 0) reads.push(msSince(started));
    }
    const rows = last?.rows ?? [];
    const thresholds: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const started = process.hrtime.bigint();
      historyThresholds(rows, DEFAULT_CONTROL_SETTINGS.alerts);
      dayCostOf(rows, Date.now());
      thresholds.push(msSince(started));
    }
    figures.push({
      label: workspace.label, open: workspace.open, history: workspace.history, live: last?.sessions.length ?? 0, rows: rows.length,
      refreshMs: median(refresh), readMs: median(reads), thresholdsMs: median(thresholds),
    });
  }
  return figures;
}

/** CPU ms of one poll of every workspace (refreshAll, as the poll timer runs it), the median of three. */
async function pollCost(center: ControlCenter): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const cpu = process.cpuUsage();
    await center.refreshAll();
    const used = process.cpuUsage(cpu);
    samples.push((used.user + used.system) / 1000);
  }
  return median(samples);
}
