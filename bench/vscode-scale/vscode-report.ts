import { fmtInt, fmtMs, fmtRatio, textTable } from '../stats';
import { PHASES, VSCODE_GOALS } from './vscode-bench';
import type { PhaseKey, VscodePoint } from './vscode-bench';

// Prints the VS Code side's figures as they come, and the rows of the README summary.

export function printVscode(points: readonly VscodePoint[]): void {
  console.log('\n## VS Code side: the extension host\'s store code in plain Node (longest main-thread block per phase)\n');
  const header = ['phase', ...points.flatMap((p) => [`${fmtInt(p.events)}: time`, 'longest block'])];
  const rows = PHASES.map(({ key, label }) => [label, ...points.flatMap((p) => {
    const figure = p.phases.get(key);
    return figure === undefined ? ['n/a', 'n/a'] : [fmtMs(figure.ms), fmtMs(figure.maxBlockMs)];
  })]);
  rows.push(['entry written → folded by the views, p50 / p95', ...points.flatMap((p) => [`${fmtMs(p.visible.p50)} / ${fmtMs(p.visible.p95)}`, `${p.visible.runs} runs`])]);
  console.log(textTable(header, rows, new Set(header.map((_, i) => i).filter((i) => i > 0))));
  for (const p of points) {
    console.log(`\n${fmtInt(p.events)} events (largest session ${fmtInt(p.largestSession)} events): longest synchronous store calls on the main thread`);
    console.log(p.calls.length === 0 ? '(none)' : textTable(['call', 'calls', 'longest', 'total'], p.calls.map(([name, s]) => [name, fmtInt(s.calls), fmtMs(s.maxMs), fmtMs(s.totalMs)]), new Set([1, 2, 3])));
    for (const problem of p.problems) console.log(`problem: ${problem}`);
  }
}

/** Summary rows: the VS Code goals at each size, the idle event loop's longest delay as the baseline. */
export function vscodeSummaryRows(points: readonly VscodePoint[]): string[][] {
  const rows: string[][] = [];
  const goal = (ok: boolean, text: string): string => `${text} ${ok ? '✓' : '✗'}`;
  for (const p of points) {
    const idle = p.phases.get('idle')?.maxBlockMs ?? Number.NaN;
    const activation = p.phases.get('activation');
    const worst = longestBlock(p);
    const size = `${fmtInt(p.events)} events`;
    rows.push(
      [`VS Code side, ${size}: activation → sessions tree filled`, fmtMs(activation?.ms ?? Number.NaN), `${fmtMs(idle)} idle event loop's longest delay`, 'n/a', goal((activation?.ms ?? Infinity) <= VSCODE_GOALS.treeFilledMs, `≤ ${fmtInt(VSCODE_GOALS.treeFilledMs)} ms`)],
      [`VS Code side, ${size}: hook entry written → folded by the views, p95`, fmtMs(p.visible.p95), `${fmtMs(idle)} idle event loop's longest delay`, fmtRatio(p.visible.p95 / idle), goal(p.visible.p95 <= VSCODE_GOALS.visibleP95Ms, `≤ ${VSCODE_GOALS.visibleP95Ms} ms`)],
      [`VS Code side, ${size}: longest main-thread block (${worst.label})`, fmtMs(worst.ms), `${fmtMs(idle)} idle event loop's longest delay`, fmtRatio(worst.ms / idle), goal(worst.ms <= VSCODE_GOALS.blockMs, `≤ ${VSCODE_GOALS.blockMs} ms`)],
    );
  }
  return rows;
}

function longestBlock(p: VscodePoint): { label: PhaseKey; ms: number } {
  let worst: { label: PhaseKey; ms: number } = { label: 'idle', ms: Number.NaN };
  for (const [key, figure] of p.phases) {
    if (key === 'idle') continue;
    if (!(figure.maxBlockMs <= worst.ms)) worst = { label: key, ms: figure.maxBlockMs };
  }
  return worst;
}
