import type { TimedSpan } from '../../src/views/timings/host-timings';
import { fmtInt, fmtMs, fmtRatio, percentile, textTable } from '../stats';
import { VSCODE_GOALS } from '../vscode-scale/vscode-bench';
import type { RealPhaseKey, RealResult } from './protocol';
import type { VscodeRealPoint } from './vscode-real-bench';

// The figures of a real VS Code window, from the raw spans its extension host recorded: per phase
// the longest main-thread block and our work inside it (the timed synchronous calls, store and
// tree redraws, that ran during the block), the idle phase of the same window as the baseline.

const LABELS: readonly { readonly key: RealPhaseKey; readonly label: string }[] = [
  { key: 'activation', label: 'activation (activate() → tree filled and writer started)' },
  { key: 'afterActivation', label: 'the 3 s after it (writer\'s first pass, idle work)' },
  { key: 'idle', label: 'idle, 2 s (baseline)' },
  { key: 'burst', label: 'a 63-entry turn written → folded by the views' },
  { key: 'afterBurst', label: 'the 2 s after it (flush, archive)' },
  { key: 'latency', label: 'single entries, one at a time (the latency runs)' },
];

export interface PhaseBlocks {
  readonly ms: number;
  /** The longest block that began in the phase. */
  readonly block: number;
  /** The longest timed call (store, tree redraw) that ran inside that block, if any. */
  readonly storeInBlock: TimedSpan | undefined;
  /** The longest timed call of the phase. */
  readonly longestStore: TimedSpan | undefined;
}

export function phaseBlocks(result: RealResult, key: RealPhaseKey): PhaseBlocks | undefined {
  const span = result.phases.find((p) => p.key === key);
  if (span === undefined) return undefined;
  const inPhase = (s: TimedSpan): boolean => s.from >= span.from && s.from < span.to;
  const longest = (spans: readonly TimedSpan[]): TimedSpan | undefined => spans.reduce<TimedSpan | undefined>((best, s) => (s.ms > (best?.ms ?? -1) ? s : best), undefined);
  const block = longest(result.blocks.filter(inPhase));
  const storeInBlock = block === undefined ? undefined : longest(result.calls.filter((c) => c.from >= block.from && c.from + c.ms <= block.from + block.ms + 0.5));
  return { ms: span.to - span.from, block: block?.ms ?? 0, storeInBlock, longestStore: longest(result.calls.filter(inPhase)) };
}

export interface ActivationFigures {
  readonly sqlJs: number;
  readonly caughtUp: number;
  readonly treeFilled: number;
  readonly activated: number;
  /** VS Code read no tree before the catalog caught up: the view may have shown late, and the tree's figure include the wait for it. */
  readonly viewLate: boolean;
}

export function activationFigures(result: RealResult): ActivationFigures {
  const at = (mark: string): number => (result.marks[mark] ?? Number.NaN) - result.activateStart;
  const caughtUpAt = result.marks['catalogCaughtUp'] ?? Number.POSITIVE_INFINITY;
  const read = result.treeReads.find((r) => r.rows > 0 && r.at >= caughtUpAt);
  return {
    sqlJs: at('sqlJsLoaded'), caughtUp: at('catalogCaughtUp'), activated: at('activated'),
    treeFilled: read === undefined ? Number.NaN : read.at - result.activateStart,
    viewLate: !result.treeReads.some((r) => r.at < caughtUpAt),
  };
}

const storeText = (s: TimedSpan | undefined): string => (s === undefined ? 'none' : `${fmtMs(s.ms)} ${s.label}`);
/** Blocks this long in activation are listed with what ran in them. */
const LISTED_BLOCK_MS = 100;

/** Activation's long blocks, each with the marks reached and the store calls made inside it: what held the thread. */
export function activationBlocks(result: RealResult): string[] {
  const span = result.phases.find((p) => p.key === 'activation');
  if (span === undefined) return [];
  const rel = (at: number): string => `${fmtInt(at - result.activateStart)} ms`;
  return result.blocks.filter((b) => b.from >= span.from && b.from < span.to && b.ms >= LISTED_BLOCK_MS).map((b) => {
    const inside = (at: number): boolean => at >= b.from && at <= b.from + b.ms;
    const marks = Object.entries(result.marks).filter(([, at]) => inside(at)).map(([name]) => name);
    const calls = result.calls.filter((c) => inside(c.from)).map((c) => `${c.label} ${fmtMs(c.ms)}`);
    return `  ${rel(b.from)} + ${fmtMs(b.ms)}: ${[...marks.map((m) => `mark ${m}`), ...calls].join(', ') || 'no mark, no timed call'}`;
  });
}

export function printVscodeReal(points: readonly VscodeRealPoint[]): void {
  console.log('\n## VS Code side in a real VS Code (code-server, the extension host\'s own timings)\n');
  for (const p of points) {
    if (p.result === undefined) {
      console.log(`${fmtInt(p.events)} events: failed: ${p.failed ?? 'no result'}`);
      continue;
    }
    const r = p.result;
    const a = activationFigures(r);
    console.log(`${fmtInt(p.events)} events, ${fmtInt(r.sessionsInCatalog)} sessions: activate() → sql.js loaded ${fmtMs(a.sqlJs)}, → catalog caught up ${fmtMs(a.caughtUp)}, → tree filled ${fmtMs(a.treeFilled)}${a.viewLate ? ' (VS Code read no tree before the catch-up: the side bar may have opened late)' : ''}, → activate() returned ${fmtMs(a.activated)}`);
    const rows = LABELS.map(({ key, label }) => {
      const f = phaseBlocks(r, key);
      return f === undefined ? [label, 'n/a', 'n/a', 'n/a', 'n/a'] : [label, fmtMs(f.ms), fmtMs(f.block), storeText(f.storeInBlock), storeText(f.longestStore)];
    });
    console.log(textTable(['phase', 'time', 'longest block', 'our call in that block', 'longest timed call'], rows, new Set([1, 2])));
    // The floor of "tree filled": no data source can fill the tree before VS Code first asks for it.
    console.log(`VS Code's reads of the tree's top level (ms after activate(): rows): ${r.treeReads.slice(0, 6).map((t) => `${fmtInt(t.at - r.activateStart)}: ${fmtInt(t.rows)}`).join(', ') || 'none'}; marks: ${Object.entries(r.marks).map(([k, v]) => `${k} ${fmtInt(v - r.activateStart)}`).join(', ')}`);
    console.log(`activation's blocks of ${LISTED_BLOCK_MS} ms or more (from activate()'s start), with what ran in them:`);
    for (const line of activationBlocks(r)) console.log(line);
    console.log(`entry written → folded by the views: p50 ${fmtMs(percentile(r.visibleMs, 50))}, p95 ${fmtMs(percentile(r.visibleMs, 95))}, max ${fmtMs(Math.max(...r.visibleMs))} (${r.visibleMs.length} runs)`);
    console.log(r.dashboard === undefined ? 'Sessions dashboard: no first paint reported\n' : `Sessions dashboard: the command → its table painted with ${fmtInt(r.dashboard.rows)} rows: ${fmtMs(r.dashboard.firstPaintMs)}${r.dashboard.webviewMs === undefined ? '' : `, of which ${fmtMs(r.dashboard.webviewMs)} in the webview from the state's arrival to the painted frame`}${r.dashboard.allRowsMs === undefined ? '' : `; every row (${fmtInt(r.dashboard.allRows ?? 0)}) shown ${fmtMs(r.dashboard.allRowsMs)} after the command`}\n`);
  }
}

/** Summary rows: the issue's three VS Code goals per size, the idle phase of the same window as the blocks' baseline. */
/** Issue 14's goal for a filter or sort change of the dashboard. */
const DASHBOARD_CHANGE_MS = 100;

/** Issue 14's goal for the dashboard at 5,000 sessions (1M events). */
const DASHBOARD_FIRST_PAINT_MS = 300;

export function vscodeRealSummaryRows(points: readonly VscodeRealPoint[]): string[][] {
  const rows: string[][] = [];
  const goal = (ok: boolean, text: string): string => `${text} ${ok ? '✓' : '✗'}`;
  for (const p of points) {
    const size = `real VS Code, ${fmtInt(p.events)} events`;
    if (p.result === undefined) {
      rows.push([`${size}`, 'failed', '', '', p.failed ?? '']);
      continue;
    }
    const r = p.result;
    const a = activationFigures(r);
    const idle = phaseBlocks(r, 'idle')?.block ?? Number.NaN;
    const p95 = percentile(r.visibleMs, 95);
    rows.push(
      [`${size}: activation → sessions tree filled`, fmtMs(a.treeFilled), `${fmtMs(a.sqlJs)} of it loading sql.js`, 'n/a', goal(a.treeFilled <= VSCODE_GOALS.treeFilledMs, `≤ ${fmtInt(VSCODE_GOALS.treeFilledMs)} ms`)],
      [`${size}: hook entry written → folded by the views, p95 (${r.visibleMs.length} runs)`, fmtMs(p95), `${fmtMs(percentile(r.visibleMs, 50))} p50`, 'n/a', goal(p95 <= VSCODE_GOALS.visibleP95Ms, `≤ ${VSCODE_GOALS.visibleP95Ms} ms`)],
    );
    if (r.dashboard !== undefined) {
      const floor = r.dashboard.emptyWebviewMs;
      rows.push([`${size}: Open Sessions Dashboard → first paint (${fmtInt(r.dashboard.rows)} rows)`, fmtMs(r.dashboard.firstPaintMs),
        floor === undefined ? 'n/a' : `${fmtMs(floor)} an empty webview's first paint`, floor === undefined ? 'n/a' : `${(r.dashboard.firstPaintMs / floor).toFixed(2)}×`,
        goal(r.dashboard.firstPaintMs <= DASHBOARD_FIRST_PAINT_MS, `≤ ${DASHBOARD_FIRST_PAINT_MS} ms`)]);
      if (r.dashboard.allRowsMs !== undefined) rows.push([`${size}: Open Sessions Dashboard → every row (${fmtInt(r.dashboard.allRows ?? 0)})`, fmtMs(r.dashboard.allRowsMs), 'n/a', 'n/a', 'no goal']);
      for (const [what, samples] of [['sort', r.dashboard.sortMs], ['filter', r.dashboard.filterMs]] as const) {
        if (samples === undefined || samples.length === 0) continue;
        const worst = Math.max(...samples);
        rows.push([`${size}: dashboard ${what} change over every row, slowest of ${samples.length}`, fmtMs(worst), 'n/a', 'n/a', goal(worst <= DASHBOARD_CHANGE_MS, `≤ ${DASHBOARD_CHANGE_MS} ms`)]);
      }
    }
    for (const key of ['activation', 'burst', 'afterBurst', 'latency'] as const) {
      const f = phaseBlocks(r, key);
      if (f === undefined) continue;
      const store = f.longestStore?.ms ?? 0;
      rows.push([`${size}: longest main-thread block, ${key} (our call in it; longest timed call)`, `${fmtMs(f.block)} (${f.storeInBlock === undefined ? 'none' : fmtMs(f.storeInBlock.ms)}; ${storeText(f.longestStore)})`, `${fmtMs(idle)} idle, same window`, fmtRatio(f.block / idle), goal(store <= VSCODE_GOALS.blockMs, `our call ≤ ${VSCODE_GOALS.blockMs} ms`)]);
    }
  }
  return rows;
}
