import { groupDigits } from '../../domain/group-digits';
import type { CohortComparison, ComparedSession, CostRow, FigureDelta, FilesCompared, SessionsComparison, ToolSequenceDiff } from '../../protocol/compare';
import { formatElapsed } from '../session-list';

// Compare as text, for a terminal: who the sides are, the figures as aligned rows (A, B, Δ, Δ%),
// then files, the tool-call diff and cost per model and agent in a few lines each. Titles and
// paths are recorded text: flattened to one line and shortened, never interpreted.

const FIRST_FEW = 5;
const TOOLS_SHOWN = 8;

/** The lines of a comparison of two sessions; paths under `root` are shown relative to it. */
export function sessionsComparisonLines(c: SessionsComparison, root?: string): string[] {
  return [
    sideLine('A', c.a), sideLine('B', c.b), '',
    ...figureTable(c.figures, 'A', 'B'), '',
    ...filesLines(c.files, root), '',
    ...toolLines(c.tools), '',
    ...costLines('cost per model', c.costs.perModel),
    ...costLines('cost per agent', c.costs.perAgent),
    ...(c.costs.unpricedModels.length === 0 ? [] : [`no price for ${c.costs.unpricedModels.join(', ')}: counted as $0`]),
  ];
}

/** The lines of a session against a cohort's median. */
export function cohortComparisonLines(c: CohortComparison): string[] {
  const bounds = [c.a.since === null ? '' : ` since ${c.a.since}`, c.a.until === null ? '' : ` until ${c.a.until}`].join('');
  return [
    c.a.condition.trim().toLowerCase() === 'all'
      ? `A  the median of the ${groupDigits(c.a.sessions)} other session${c.a.sessions === 1 ? '' : 's'}${bounds}`
      : `A  the median of ${groupDigits(c.a.sessions)} session${c.a.sessions === 1 ? '' : 's'} where ${oneLine(c.a.condition, 200)}${bounds} (the session itself left out)`,
    sideLine('B', c.b), '',
    ...figureTable(c.figures, 'A median', 'B'),
  ];
}

function sideLine(name: string, s: ComparedSession): string {
  const beside = [s.branch === null ? '' : `branch ${oneLine(s.branch, 60)}`, s.workflow === null ? '' : `workflow ${oneLine(s.workflow, 60)}`, s.status].filter((t) => t !== '');
  return `${name}  ${s.sessionId}  ${oneLine(s.title ?? '(no prompt)', 80)}  (${beside.join(', ')})`;
}

function figureTable(figures: readonly FigureDelta[], aName: string, bName: string): string[] {
  const rows = [['figure', aName, bName, 'Δ', 'Δ%'], ...figures.map((f) => [oneLine(f.label, 60), value(f, f.a), value(f, f.b), signed(f), percent(f.percent)])];
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  // Figures read left to right, numbers line up on the right.
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd());
}

function value(f: FigureDelta, n: number): string {
  switch (f.unit) {
    case 'ms': return span(Math.abs(n));
    case 'usd': return dollars(Math.abs(n));
    case 'count':
    case 'tokens': return Number.isInteger(n) ? groupDigits(Math.abs(n)) : Math.abs(n).toFixed(1);
    default: return String(n);
  }
}

function signed(f: FigureDelta): string {
  if (f.delta === 0) return '0';
  return `${f.delta > 0 ? '+' : '−'}${value(f, f.delta)}`;
}

function percent(p: number | null): string {
  if (p === null) return '—';
  return p === 0 ? '0%' : `${p > 0 ? '+' : '−'}${Math.abs(p).toFixed(1)}%`;
}

// Sessions differ by seconds as often as by hours: below a minute, tenths of a second.
function span(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return ms < 60_000 ? `${(Math.floor(ms / 100) / 10).toFixed(1)}s` : formatElapsed(ms);
}

function dollars(n: number): string {
  return `$${n >= 1 ? n.toFixed(2) : n.toFixed(4)}`;
}

function filesLines(files: FilesCompared, root: string | undefined): string[] {
  const show = (label: string, paths: readonly string[]): string[] => {
    if (paths.length === 0) return [];
    const more = paths.length > FIRST_FEW ? ` … ${groupDigits(paths.length - FIRST_FEW)} more` : '';
    return [`  ${label.padEnd(7)} ${paths.slice(0, FIRST_FEW).map((p) => oneLine(relativeTo(root, p), 120)).join(', ')}${more}`];
  };
  return [
    `files changed: ${groupDigits(files.both.length)} in both, ${groupDigits(files.onlyA.length)} only in A, ${groupDigits(files.onlyB.length)} only in B`,
    ...show('both:', files.both), ...show('only A:', files.onlyA), ...show('only B:', files.onlyB),
  ];
}

function toolLines(t: ToolSequenceDiff): string[] {
  const differing = t.runs.filter((run) => run.kind !== 'same');
  const cut = t.truncated ? ` (the first ${groupDigits(t.cap)} of each diffed)` : '';
  const lines = [
    `main agent's tool calls: ${groupDigits(t.aCalls)} in A, ${groupDigits(t.bCalls)} in B${cut}; ${groupDigits(t.common)} in common, ${groupDigits(t.onlyA)} only in A, ${groupDigits(t.onlyB)} only in B (${groupDigits(differing.length)} run${differing.length === 1 ? ' differs' : 's differ'})`,
  ];
  for (const run of differing.slice(0, FIRST_FEW)) {
    const where = run.kind === 'onlyA' ? `only A at call ${run.aIndex + 1}:` : `only B at call ${run.bIndex + 1}:`;
    const more = run.tools.length > TOOLS_SHOWN ? ` … ${groupDigits(run.tools.length - TOOLS_SHOWN)} more` : '';
    lines.push(`  ${where} ${run.tools.slice(0, TOOLS_SHOWN).map((name) => oneLine(name, 40)).join(' ')}${more}`);
  }
  if (differing.length > FIRST_FEW) lines.push(`  … ${groupDigits(differing.length - FIRST_FEW)} more runs (--json has them all)`);
  return lines;
}

function costLines(title: string, rows: readonly CostRow[]): string[] {
  if (rows.length === 0) return [`${title}: no usage recorded`];
  const cells = rows.map((r) => [oneLine(r.key, 60), r.a === null ? '—' : dollars(r.a.costUsd), r.b === null ? '—' : dollars(r.b.costUsd), r.deltaUsd === 0 ? '0' : `${r.deltaUsd > 0 ? '+' : '−'}${dollars(Math.abs(r.deltaUsd))}`]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((row) => (row[i] ?? '').length), ['', 'A', 'B', 'Δ'][i]?.length ?? 0));
  const line = (row: readonly string[]): string => `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`;
  return [`${title}:`, line(['', 'A', 'B', 'Δ']).trimEnd(), ...cells.map(line)];
}

function relativeTo(root: string | undefined, path: string): string {
  if (root === undefined) return path;
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

// Recorded text on one line (no control or line-breaking characters), at most `max` characters.
function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
