import { h } from '../shared/dom';
import type { CostRow, CostShare, FilesCompared, ToolSequenceDiff } from '../../src/protocol/compare';
import { formatValue } from './model';

// The parts of a two-session comparison after its figures: the main agents' tool calls diffed,
// the files each changed, cost per model and per agent. Tool names and paths are recorded text.

/** Runs of the diff drawn; the rest is counted. */
const MAX_RUNS = 300;
const TOOLS_PER_RUN = 40;
const MAX_FILES = 200;

export function renderTools(d: ToolSequenceDiff): HTMLElement {
  const runs = d.runs.slice(0, MAX_RUNS);
  return h('section', { class: 'tools', 'data-testid': 'compare-tools' },
    h('h2', {}, 'Tool calls of the main agents'),
    h('p', { 'data-testid': 'compare-tools-summary' }, `${d.common} in the same order, ${d.onlyA} only in A, ${d.onlyB} only in B (A made ${d.aCalls}, B made ${d.bCalls}).`,
      d.truncated ? ` Only the first ${d.cap} calls of each are diffed.` : ''),
    h('ol', { class: 'runs' }, ...runs.map((run) => h('li', { class: `run ${run.kind}`, 'data-testid': 'compare-run', 'data-kind': run.kind },
      h('span', { class: 'run-kind' }, run.kind === 'same' ? `both (${run.tools.length})` : run.kind === 'onlyA' ? `only A (${run.tools.length})` : `only B (${run.tools.length})`),
      ...run.tools.slice(0, TOOLS_PER_RUN).map((tool) => h('span', { class: 'tool', dir: 'auto' }, tool)),
      run.tools.length > TOOLS_PER_RUN ? h('span', { class: 'muted' }, `… ${run.tools.length - TOOLS_PER_RUN} more`) : null))),
    d.runs.length > MAX_RUNS ? h('p', { class: 'muted' }, `${d.runs.length - MAX_RUNS} more runs not drawn.`) : null);
}

export function renderFiles(f: FilesCompared): HTMLElement {
  const column = (title: string, testid: string, paths: readonly string[]): HTMLElement => h('div', { class: 'file-column', 'data-testid': testid, 'data-count': paths.length },
    h('h3', {}, `${title} (${paths.length})`),
    paths.length === 0 ? h('p', { class: 'muted' }, 'none') : h('ul', {}, ...paths.slice(0, MAX_FILES).map((p) => h('li', { class: 'path', dir: 'auto', title: p }, p))),
    paths.length > MAX_FILES ? h('p', { class: 'muted' }, `… ${paths.length - MAX_FILES} more`) : null);
  return h('section', { class: 'files', 'data-testid': 'compare-files' },
    h('h2', {}, 'Files changed'),
    h('div', { class: 'file-columns' }, column('In both', 'files-both', f.both), column('Only A', 'files-only-a', f.onlyA), column('Only B', 'files-only-b', f.onlyB)));
}

export function renderCosts(title: string, testid: string, rows: readonly CostRow[]): HTMLElement {
  const share = (s: CostShare | null): string => (s === null ? '–' : `${formatValue('usd', s.costUsd)} · ${formatValue('tokens', s.tokens)} tok`);
  return h('section', { class: 'costs', 'data-testid': testid },
    h('h2', {}, title),
    rows.length === 0 ? h('p', { class: 'muted' }, 'No usage recorded (no transcript read for either session).') : h('table', { class: 'figure-table' },
      h('thead', {}, h('tr', {}, h('th', { class: 'label' }, ''), h('th', {}, 'A'), h('th', {}, 'B'), h('th', {}, 'Δ cost'))),
      h('tbody', {}, ...rows.map((r) => h('tr', { 'data-testid': 'compare-cost', 'data-key': r.key, class: r.deltaUsd > 0 ? 'v-worse' : '' },
        h('td', { class: 'label', dir: 'auto' }, r.key),
        h('td', { class: 'num' }, share(r.a)),
        h('td', { class: 'num' }, share(r.b)),
        h('td', { class: 'num' }, `${r.deltaUsd > 0 ? '+' : r.deltaUsd < 0 ? '−' : ''}${formatValue('usd', r.deltaUsd)}${r.deltaUsd > 0 ? ' ▲ worse' : ''}`))))));
}
