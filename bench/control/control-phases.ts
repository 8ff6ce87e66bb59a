import { parseAlertSettings } from '../../src/domain/control/alert-settings';
import type { ControlCenter } from '../../src/control/control-center';
import { liveRowText } from '../../src/projections/control/live-row';
import { collectGarbage, msSince, progress } from '../stats';
import { fireHook, hookCommand } from './control-hooks';
import type { HookPayloads } from './control-hooks';
import type { CenterObserver } from './control-observer';
import type { BenchSession } from './control-setup';

// The measured phases of the control bench: hook fired → row updated, the idle cost, and alert
// latency for an event-driven rule (tool-failures) and a time-driven one (stuck).

/** Gap between two firings, so each is measured alone (± jitter, so the settle timer is not in phase). */
const PACE_MS = 300;
const JITTER_MS = 100;
/** A sample that has not shown by then counts as missed. */
const TIMEOUT_MS = 10_000;
/** The stuck threshold of the time-driven alert phase: 3 s. */
export const STUCK_MINUTES = 0.05;
/** Stuck samples start this far apart, overlapping (each waits STUCK_MINUTES). */
const STUCK_STAGGER_MS = 1000;

export interface Samples {
  readonly ms: readonly number[];
  readonly missed: number;
}

export interface RowLatency {
  /** Hook exit → first update showing the new last tool, by workspace label. */
  readonly byWorkspace: ReadonlyMap<string, Samples>;
  /** Spawn → row, all workspaces. */
  readonly spawnToRow: readonly number[];
  readonly hookMs: readonly number[];
}

export interface Context {
  readonly center: ControlCenter;
  readonly observer: CenterObserver;
  readonly payloads: HookPayloads;
  readonly sessions: readonly BenchSession[];
}

/** Fires a PreToolUse with a new tool name, round-robin over the sessions, and times the row's update. */
export async function measureRowLatency(ctx: Context, runs: number): Promise<RowLatency> {
  const byWorkspace = new Map<string, { ms: number[]; missed: number }>();
  const spawnToRow: number[] = [];
  const hookMs: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const session = ctx.sessions[run % ctx.sessions.length] as BenchSession;
    const tool = `Bench${run}`;
    const shown = ctx.observer.nextUpdate((snapshot) => snapshot.sessions.some((s) => s.sessionId === session.id && s.lastTool?.name === tool), TIMEOUT_MS);
    const fired = await firePreToolUse(ctx, session, tool, `toolu_bench${run}`);
    const seen = await shown;
    const samples = byWorkspace.get(session.workspace.label) ?? { ms: [], missed: 0 };
    byWorkspace.set(session.workspace.label, samples);
    hookMs.push(fired.wallMs);
    if (seen === undefined) samples.missed += 1;
    else {
      samples.ms.push(seen.at - fired.exitAt);
      spawnToRow.push(seen.at - fired.spawnAt);
    }
    if ((run + 1) % 20 === 0) progress(`control: row latency ${run + 1}/${runs}`);
    await sleep(PACE_MS + (Math.random() * 2 - 1) * JITTER_MS);
  }
  return { byWorkspace, spawnToRow, hookMs };
}

export interface IdleWindow {
  readonly label: string;
  readonly seconds: number;
  readonly cpuMs: number;
  /** CPU time ÷ wall time, in % of one core (the whole process: worker threads included). */
  readonly cpuPct: number;
  /** onUpdate calls in the window: reads (a change, a poll) and due timers. */
  readonly updates: number;
  /** The ≤ 1% goal is for the control center's own cost: not for a window with the writer in it. */
  readonly goal: boolean;
}

/** No events for `seconds`: the process's CPU time over the wall time. `redraw`: a 1 s redraw of every row, as the view does while visible. */
export async function idleWindow(ctx: Context, label: string, seconds: number, options: { readonly redraw: boolean; readonly goal: boolean }): Promise<IdleWindow> {
  const { redraw, goal } = options;
  let drawn = 0;
  const timer = redraw ? setInterval(() => {
    const snapshot = ctx.center.snapshot();
    for (const s of snapshot.sessions) drawn += liveRowText(s, Date.now()).inState.length;
  }, 1000) : undefined;
  // The earlier phases' garbage (a big history's rows, read again on every change) is not idle cost.
  collectGarbage();
  const updates = ctx.observer.updates;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await sleep(seconds * 1000);
  const used = process.cpuUsage(cpu);
  const wallMs = msSince(started);
  clearInterval(timer);
  const cpuMs = (used.user + used.system) / 1000;
  progress(`control: idle, ${label}: ${((cpuMs / wallMs) * 100).toFixed(2)}% of a core${redraw ? ` (${drawn} chars redrawn)` : ''}`);
  return { label, seconds: wallMs / 1000, cpuMs, cpuPct: (cpuMs / wallMs) * 100, updates: ctx.observer.updates - updates, goal };
}

/** Three failures of one new tool per run; hook exit of the third → the `tool-failures` alert. */
export async function measureFailureAlerts(ctx: Context, runs: number): Promise<Samples> {
  const ms: number[] = [];
  let missed = 0;
  for (let run = 0; run < runs; run += 1) {
    const session = ctx.sessions[run % ctx.sessions.length] as BenchSession;
    const tool = `BenchFail${run}`;
    const command = hookCommand(session.workspace.hooks, 'PostToolUseFailure');
    let third: { exitAt: number } | undefined;
    let alerted: ReturnType<CenterObserver['nextAlert']> | undefined;
    for (let k = 0; k < 3; k += 1) {
      // Waited for from the third failure on: an alert before it would be a wrong one, not a fast one.
      if (k === 2) alerted = ctx.observer.nextAlert((r) => r.alert.sessionId === session.id && r.alert.data.rule === 'tool-failures' && r.alert.data.message.startsWith(`${tool} failed`), TIMEOUT_MS);
      third = await fireHook(session.workspace.path, command, ctx.payloads.json('PostToolUseFailure', session.id, session.workspace.path, { tool_name: tool, tool_use_id: `toolu_bf${run}x${k}` }));
    }
    const seen = await alerted;
    if (seen === undefined || third === undefined) missed += 1;
    else ms.push(seen.at - third.exitAt);
    await sleep(PACE_MS + (Math.random() * 2 - 1) * JITTER_MS);
  }
  return { ms, missed };
}

export interface StuckResult extends Samples {
  /** Stuck alerts raised when the tiny threshold came in (sessions already silent longer): not samples. */
  readonly atSwitch: number;
  /** Stuck alerts raised during the phase besides those two kinds: other sessions gone silent (a rule re-arming itself would show here too). */
  readonly others: number;
}

/**
 * The stuck rule with a 3 s threshold: each run gives a session a new event (a PreToolUse: the
 * agent works, so silence counts), and times the alert from its due moment (that event's time +
 * 3 s, from the alert's episode) to onAlert. `setSettings` swaps the settings every workspace reads.
 */
export async function measureStuckAlerts(ctx: Context, runs: number, setSettings: (stuckMinutes: number | undefined) => void): Promise<StuckResult> {
  const before = ctx.observer.alerts.length;
  setSettings(STUCK_MINUTES);
  await rereadAll(ctx);
  const atSwitch = ctx.observer.alerts.length - before;
  await sleep(1500);
  const thresholdMs = STUCK_MINUTES * 60_000;
  const matched = new Set<string>();
  const one = async (run: number): Promise<number | undefined> => {
    await sleep(run * STUCK_STAGGER_MS);
    const session = ctx.sessions[run % ctx.sessions.length] as BenchSession;
    let firedAt = Number.POSITIVE_INFINITY;
    // The episode is the session's last event time: ours, or later (a later event re-arms it).
    const alerted = ctx.observer.nextAlert((r) => r.alert.sessionId === session.id && r.alert.data.rule === 'stuck' && Date.parse(r.alert.data.episode) >= firedAt, TIMEOUT_MS + thresholdMs);
    const fired = await firePreToolUse(ctx, session, `BenchStuck${run}`, `toolu_bs${run}`);
    firedAt = fired.spawnAt;
    const seen = await alerted;
    if (seen === undefined) return undefined;
    matched.add(seen.value.alert.id);
    return seen.at - Math.ceil(Date.parse(seen.value.alert.data.episode) + thresholdMs);
  };
  const started = ctx.observer.alerts.length;
  const results = await Promise.all(Array.from({ length: runs }, (_, run) => one(run)));
  const others = ctx.observer.alerts.slice(started).filter((a) => a.value.alert.data.rule === 'stuck' && !matched.has(a.value.alert.id)).length;
  setSettings(undefined);
  await rereadAll(ctx);
  const ms = results.filter((r): r is number => r !== undefined);
  return { ms, missed: runs - ms.length, atSwitch, others };
}

/** The alert settings of the stuck phase: every default but the threshold. */
export function stuckSettings(minutes: number): ReturnType<typeof parseAlertSettings>['settings'] {
  return parseAlertSettings({ 'stuck.minutes': minutes }).settings;
}

// A poll (refreshAll) skips a workspace whose inbox and store did not change, settings included:
// each is read again, as a settings change must be applied.
async function rereadAll(ctx: Context): Promise<void> {
  for (const path of new Set(ctx.sessions.map((s) => s.workspace.path))) await ctx.center.refresh(path);
}

function firePreToolUse(ctx: Context, session: BenchSession, tool: string, toolUseId: string): ReturnType<typeof fireHook> {
  const { path, hooks } = session.workspace;
  return fireHook(path, hookCommand(hooks, 'PreToolUse'), ctx.payloads.json('PreToolUse', session.id, path, { tool_name: tool, tool_use_id: toolUseId }));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
