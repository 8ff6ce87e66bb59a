import { fmtInt, fmtMs, fmtRatio, percentile, median, textTable } from '../stats';
import { WITH_WRITER, WRITER_ALONE } from './control-bench';
import type { ControlResult } from './control-bench';
import type { Samples } from './control-phases';
import { STUCK_MINUTES } from './control-phases';

// The control section's tables (printed as it ends) and its rows of the bench's summary.

/** Issue 15's goals for the control center. */
export const CONTROL_GOALS = { openRowMs: 200, otherRowMs: 500, idlePct: 1, alertMs: 1000 } as const;

interface Spread {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly missed: number;
}

function spread(samples: Samples): Spread {
  const { ms, missed } = samples;
  return { n: ms.length, p50: median(ms), p95: percentile(ms, 95), max: ms.length === 0 ? Number.NaN : Math.max(...ms), missed };
}

function pooled(result: ControlResult, open: boolean): Samples {
  const labels = new Set(result.workspaces.filter((w) => w.open === open).map((w) => w.label));
  const ms: number[] = [];
  let missed = 0;
  for (const [label, samples] of result.latency.byWorkspace) {
    if (!labels.has(label)) continue;
    ms.push(...samples.ms);
    missed += samples.missed;
  }
  return { ms, missed };
}

const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

export function printControl(result: ControlResult): void {
  const history = result.historyDir === undefined
    ? 'small histories (3 ended sessions per workspace; --control-history DIR copies a big one as ws3)'
    : `ws3 is a copy of ${result.historyDir}`;
  console.log(`\n## Control center (issue 15): 20 live sessions in 3 workspaces, the engine of \`logbook watch\` and the view, in this process; ${history}\n`);
  console.log(textTable(['workspace', 'role', 'history', 'live', 'sessions read', 'one refresh', 'its read', 'its thresholds + day cost'], result.workspaces.map((w) => [
    w.label, w.open ? 'open: a LiveIngest writes its store' : 'no writer: entries wait in the inbox', w.history, fmtInt(w.live), fmtInt(w.rows), fmtMs(w.refreshMs), fmtMs(w.readMs), fmtMs(w.thresholdsMs),
  ]), new Set([3, 4, 5, 6, 7])));
  console.log(`(medians; a refresh is what every change of the workspace costs: the read (store and inbox), the history's thresholds and the day's cost over every session, the rules, the snapshot. The first read of all three took ${fmtMs(result.startMs)}.)`);

  const row = (label: string, s: Spread, goal: string): string[] => [label, fmtInt(s.n), fmtMs(s.p50), fmtMs(s.p95), fmtMs(s.max), s.missed === 0 ? '' : fmtInt(s.missed), goal];
  const open = spread(pooled(result, true));
  const others = spread(pooled(result, false));
  const rows = [
    row('open workspace', open, `p95 ≤ ${CONTROL_GOALS.openRowMs} ms: ${met(open.p95 <= CONTROL_GOALS.openRowMs && open.missed === 0)}`),
    row('other workspaces', others, `p95 ≤ ${CONTROL_GOALS.otherRowMs} ms: ${met(others.p95 <= CONTROL_GOALS.otherRowMs && others.missed === 0)}`),
    ...result.workspaces.map((w) => row(`  ${w.label}`, spread(result.latency.byWorkspace.get(w.label) ?? { ms: [], missed: 0 }), '')),
    row('spawn → row updated, all', spread({ ms: result.latency.spawnToRow, missed: 0 }), ''),
    row('hook wall time (spawn → exit)', spread({ ms: result.latency.hookMs, missed: 0 }), ''),
  ];
  console.log(`\nHook fired → row updated: ${result.runs} PreToolUse with a new tool name, round-robin over the 20 sessions, ~300 ms apart; from the hook's exit (stamped by its shell) to the first onUpdate whose row shows the tool.\n`);
  console.log(textTable(['', 'runs', 'p50', 'p95', 'max', 'missed', 'goal'], rows, new Set([1, 2, 3, 4, 5])));

  console.log(`\nIdle: no hook events; the process's CPU time ÷ wall time (worker threads included).\n`);
  console.log(textTable(['window', 'seconds', 'CPU', '% of one core', 'updates', 'goal'], result.idle.map((w) => [
    w.label, w.seconds.toFixed(1), fmtMs(w.cpuMs), `${w.cpuPct.toFixed(2)}%`, fmtInt(w.updates), w.goal ? `≤ ${CONTROL_GOALS.idlePct}%: ${met(w.cpuPct <= CONTROL_GOALS.idlePct)}` : 'informational',
  ]), new Set([1, 2, 3, 4])));
  const share = shareBesideWriter(result);
  if (share !== undefined) console.log(`The control center's share beside the writer (first window less the last): ${share.pct.toFixed(2)}% of a core, ${share.reads} updates in ${result.idle[0]?.seconds.toFixed(0) ?? '?'} s: reads of the open workspace on what the idle writer changes in .logbook/ (goal ≤ ${CONTROL_GOALS.idlePct}%: ${met(share.pct <= CONTROL_GOALS.idlePct)}).`);
  console.log(`A poll every ${result.pollEveryMs / 1000} s (a few stats per workspace, a read where something changed): ${fmtMs(result.pollCpuMs)} of CPU each, ${pollPct(result).toFixed(3)}% of a core on average (in a window only when one fell in it).`);

  const failures = spread(result.failures);
  const stuck = spread(result.stuck);
  console.log(`\nAlert latency (goal ≤ ${CONTROL_GOALS.alertMs} ms):\n`);
  console.log(textTable(['rule', 'runs', 'p50', 'p95', 'max', 'missed', 'goal'], [
    row('tool-failures: third failure\'s hook exit → onAlert', failures, met(failures.p95 <= CONTROL_GOALS.alertMs && failures.missed === 0)),
    row(`stuck (${STUCK_MINUTES * 60} s): due moment (last event + threshold) → onAlert`, stuck, met(stuck.p95 <= CONTROL_GOALS.alertMs && stuck.missed === 0)),
  ], new Set([1, 2, 3, 4, 5])));
  console.log(`Stuck alerts besides the runs: ${result.stuck.atSwitch} when the ${STUCK_MINUTES * 60} s threshold came in (sessions silent longer already), ${result.stuck.others} more during the runs${result.stuck.others > 0 ? ' (sessions other than the runs\' that fell silent during them; an alert does not move a session\'s last event, so no alert arms the next)' : ''}.`);
  if (result.problems.length > 0) console.log(`\nProblems the control center reported (first 5 of ${result.problems.length}):\n${result.problems.slice(0, 5).map((p) => `- ${p}`).join('\n')}`);
  console.log(`The open workspace's LiveIngest said: ${result.writerLog.length === 0 ? 'nothing' : result.writerLog.slice(0, 5).join(' · ')}`);
}

/** The control center's own idle cost beside the open workspace's writer: the window with both less the writer's alone. */
function shareBesideWriter(result: ControlResult): { pct: number; reads: number } | undefined {
  const both = result.idle.find((w) => w.label === WITH_WRITER);
  const alone = result.idle.find((w) => w.label === WRITER_ALONE);
  return both === undefined || alone === undefined ? undefined : { pct: both.cpuPct - alone.cpuPct, reads: both.updates };
}

function pollPct(result: ControlResult): number {
  return (result.pollCpuMs / result.pollEveryMs) * 100;
}

/** Rows for the bench's Markdown summary (Measure, Agent Logbook, Baseline, Ratio, Goal). */
export function controlSummaryRows(result: ControlResult): string[][] {
  const goal = (ok: boolean, text: string): string => `${text} ${ok ? '✓' : '✗'}`;
  const scope = result.historyDir === undefined ? 'small histories' : 'ws3 a 1M-event history copy';
  const hook = percentile(result.latency.hookMs, 95);
  const open = spread(pooled(result, true));
  const others = spread(pooled(result, false));
  const failures = spread(result.failures);
  const stuck = spread(result.stuck);
  const rows: string[][] = [
    [`Control center: hook fired → row updated p95, open workspace (20 live sessions in 3 workspaces, ${scope}; ${open.n} runs)`, fmtMs(open.p95), `${fmtMs(hook)} hook wall time p95`, fmtRatio(open.p95 / hook), goal(open.p95 <= CONTROL_GOALS.openRowMs && open.missed === 0, `≤ ${CONTROL_GOALS.openRowMs} ms`)],
    [`Control center: hook fired → row updated p95, other workspaces (${others.n} runs)`, fmtMs(others.p95), `${fmtMs(hook)} hook wall time p95`, fmtRatio(others.p95 / hook), goal(others.p95 <= CONTROL_GOALS.otherRowMs && others.missed === 0, `≤ ${CONTROL_GOALS.otherRowMs} ms`)],
  ];
  for (const w of result.idle) {
    rows.push([`Control center idle CPU, ${w.label} (${w.seconds.toFixed(0)} s)`, `${w.cpuPct.toFixed(2)}% of a core`, `${fmtMs(w.cpuMs)} CPU over ${w.seconds.toFixed(0)} s`, '', w.goal ? goal(w.cpuPct <= CONTROL_GOALS.idlePct, `≤ ${CONTROL_GOALS.idlePct}%`) : 'informational']);
  }
  const share = shareBesideWriter(result);
  if (share !== undefined) rows.push([`Control center idle CPU beside the open workspace's writer (the window with both less the writer's alone; ${share.reads} reads)`, `${share.pct.toFixed(2)}% of a core`, '', '', goal(share.pct <= CONTROL_GOALS.idlePct, `≤ ${CONTROL_GOALS.idlePct}%`)]);
  rows.push(
    [`Control center: the ${result.pollEveryMs / 1000} s poll of every workspace, averaged`, `${pollPct(result).toFixed(3)}% of a core`, `${fmtMs(result.pollCpuMs)} CPU per poll`, '', 'informational'],
    [`Alert latency p95, tool-failures (third failure's hook exit → alert; ${failures.n} runs)`, fmtMs(failures.p95), `${fmtMs(hook)} hook wall time p95`, fmtRatio(failures.p95 / hook), goal(failures.p95 <= CONTROL_GOALS.alertMs && failures.missed === 0, `≤ ${CONTROL_GOALS.alertMs} ms`)],
    [`Alert latency p95, stuck at ${STUCK_MINUTES * 60} s (due moment → alert; ${stuck.n} runs)`, fmtMs(stuck.p95), '', '', goal(stuck.p95 <= CONTROL_GOALS.alertMs && stuck.missed === 0, `≤ ${CONTROL_GOALS.alertMs} ms`)],
  );
  return rows;
}
