import { fmtInt, fmtMB, fmtMs, fmtRatio, textTable } from '../stats';
import { SCALE_ROWS, spreadOf } from './scale-bench';
import type { ScalePoint, ScaleRowKey } from './scale-bench';

// The scale section's tables: every row at every size against bare node, then each row's cost
// at the largest size against the smallest, then the Markdown rows of the summary.

/** Goals of issue 13 for the scale rows. */
export const SCALE_GOALS = { perNode: 3, rssBytes: 300e6, growth: 2, growthFrom: 10_000, growthTo: 1_000_000 } as const;

const MEASURED: readonly ScaleRowKey[] = ['ingest', 'sessions', 'report', 'search', 'trends'];

export function printScale(points: readonly ScalePoint[], reps: number): void {
  console.log(`\n## Scale: the CLI as a whole process at each history size, against bare \`node -e 0\` in the same rounds (${reps} rounds, order rotating)\n`);
  console.log(textTable(['history', 'built', '.logbook on disk', 'sessions', 'mean payload'], points.map((p) => [
    fmtInt(p.events),
    p.build.failed === undefined ? `${(p.build.buildMs / 1000).toFixed(0)} s (or cached)` : `FAILED at ${fmtInt(p.build.failed.atEvents)}: ${p.build.failed.what}`,
    Number.isNaN(p.diskBytes) ? 'n/a' : fmtMB(p.diskBytes),
    fmtInt(p.build.sessions),
    `${fmtInt(p.build.meanPayloadBytes)} B`,
  ]), new Set([0, 2, 3, 4])));
  const rows: string[][] = [];
  for (const p of points) {
    if (p.build.failed !== undefined) {
      rows.push([fmtInt(p.events), 'history build', 'failed', '', '', '', '', p.build.failed.what]);
      continue;
    }
    const node = spreadOf(p.rows.get('node'));
    for (const { key, label } of SCALE_ROWS) {
      const row = p.rows.get(key);
      const s = spreadOf(row);
      const vs = key === 'node' ? ['', ''] : [fmtRatio(s.p50 / node.p50), fmtRatio(s.p95 / node.p95)];
      rows.push([fmtInt(p.events), label, fmtMs(s.p50), fmtMs(s.p95), ...vs, Number.isNaN(s.rss) ? 'n/a' : fmtMB(s.rss), row?.failure === undefined ? '' : `FAILED: ${row.failure}`]);
    }
  }
  console.log(`\n${textTable(['events', 'row', 'median', 'p95', '× node median', '× node p95', 'peak RSS', 'note'], rows, new Set([0, 2, 3, 4, 5, 6]))}`);
  const growth = growthRows(points);
  if (growth.length > 0) {
    const [from, to] = growthSizes(points);
    console.log(`\nCost at ${fmtInt(to)} events ÷ cost at ${fmtInt(from)} (medians; goal ≤ ${SCALE_GOALS.growth}× from ${fmtInt(SCALE_GOALS.growthFrom)} to ${fmtInt(SCALE_GOALS.growthTo)}).`);
    console.log('The sizes are measured one after the other, so other work on the machine can change between them: the');
    console.log('"× node" column divides each size\'s cost by bare node\'s at that size first, which takes most of that out.\n');
    console.log(textTable(['row', `at ${fmtInt(from)}`, `at ${fmtInt(to)}`, 'ratio', 'ratio, × node', 'peak RSS ratio'], growth, new Set([1, 2, 3, 4, 5])));
  }
}

/** The smallest and the largest size where every row was measured. */
function growthSizes(points: readonly ScalePoint[]): [number, number] {
  const ok = points.filter((p) => p.build.failed === undefined && p.rows.size > 0).map((p) => p.events).sort((a, b) => a - b);
  return [ok[0] ?? Number.NaN, ok.at(-1) ?? Number.NaN];
}

function growthRows(points: readonly ScalePoint[]): string[][] {
  const [from, to] = growthSizes(points);
  if (!(to > from)) return [];
  const at = (events: number): ScalePoint => points.find((p) => p.events === events) as ScalePoint;
  const nodeFrom = spreadOf(at(from).rows.get('node')).p50;
  const nodeTo = spreadOf(at(to).rows.get('node')).p50;
  return SCALE_ROWS.map(({ key, label }) => {
    const a = spreadOf(at(from).rows.get(key));
    const b = spreadOf(at(to).rows.get(key));
    const againstNode = key === 'node' ? '' : fmtRatio(b.p50 / nodeTo / (a.p50 / nodeFrom));
    return [label, fmtMs(a.p50), fmtMs(b.p50), fmtRatio(b.p50 / a.p50), againstNode, fmtRatio(b.rss / a.rss)];
  });
}

/** Rows for the bench's Markdown summary (Measure, Agent Logbook, Baseline, Ratio, Goal). */
export function scaleSummaryRows(points: readonly ScalePoint[]): string[][] {
  const goal = (ok: boolean, text: string): string => `${text} ${ok ? '✓' : '✗'}`;
  const rows: string[][] = [];
  for (const p of points) {
    if (p.build.failed !== undefined) {
      rows.push([`History of ${fmtInt(p.events)} events`, 'failed', '', '', `${p.build.failed.what} (stopped at ${fmtInt(p.build.failed.atEvents)} events)`]);
      continue;
    }
    const node = spreadOf(p.rows.get('node'));
    for (const key of MEASURED) {
      const row = p.rows.get(key);
      const label = SCALE_ROWS.find((r) => r.key === key)?.label ?? key;
      if (row?.failure !== undefined) {
        rows.push([`${label} at ${fmtInt(p.events)} events`, 'failed', '', '', row.failure]);
        continue;
      }
      const s = spreadOf(row);
      const ratio = s.p50 / node.p50;
      rows.push([`${label} at ${fmtInt(p.events)} events, median`, fmtMs(s.p50), `${fmtMs(node.p50)} \`node -e 0\``, fmtRatio(ratio), goal(ratio <= SCALE_GOALS.perNode, `≤ ${SCALE_GOALS.perNode}×`)]);
      rows.push([`${label} at ${fmtInt(p.events)} events, peak RSS`, fmtMB(s.rss), `${fmtMB(node.rss)} \`node -e 0\``, fmtRatio(s.rss / node.rss), goal(s.rss <= SCALE_GOALS.rssBytes, `≤ ${fmtMB(SCALE_GOALS.rssBytes)}`)]);
    }
  }
  const [from, to] = growthSizes(points);
  if (to > from) {
    const at = (events: number): ScalePoint => points.find((p) => p.events === events) as ScalePoint;
    const full = from === SCALE_GOALS.growthFrom && to === SCALE_GOALS.growthTo;
    const nodeFrom = spreadOf(at(from).rows.get('node')).p50;
    const nodeTo = spreadOf(at(to).rows.get('node')).p50;
    for (const key of MEASURED) {
      const a = spreadOf(at(from).rows.get(key));
      const b = spreadOf(at(to).rows.get(key));
      const label = SCALE_ROWS.find((r) => r.key === key)?.label ?? key;
      const ratio = b.p50 / a.p50;
      const normalized = `; ${fmtRatio(b.p50 / nodeTo / (a.p50 / nodeFrom))} with each against its own \`node -e 0\``;
      rows.push([`${label}, cost at ${fmtInt(to)} ÷ at ${fmtInt(from)} events`, fmtMs(b.p50), `${fmtMs(a.p50)} at ${fmtInt(from)}`, fmtRatio(ratio), `${full ? goal(ratio <= SCALE_GOALS.growth, `≤ ${SCALE_GOALS.growth}×`) : `goal ≤ ${SCALE_GOALS.growth}× is for 1M ÷ 10k`}${normalized}`]);
    }
  }
  return rows;
}
