import { h } from '../shared/dom';
import { formatDuration } from '../shared/duration';
import type { Child } from '../shared/dom';
import type { ReportViewState } from '../../src/protocol/report';
import type { OverviewActions } from './overview';
import { formatClock, formatCost, formatCount } from './format';

// The overview's tables: tools, workflow records (denials, refusals, rejections, blocked stops),
// files, subagents, tokens per model, journal. Every cell is text (event strings are untrusted).

const MAX_LISTED = 200;

export function detailSections(state: ReportViewState, actions: OverviewActions): HTMLElement[] {
  const r = state.report;
  const wf = r.workflow;
  const sections: (HTMLElement | null)[] = [
    section('Tool calls per tool', 'tools-table', ['Tool', 'Calls', 'Failures', 'Denied', 'Total duration', 'Average'],
      Object.entries(r.tools.byTool).sort(([, a], [, b]) => b.calls - a.calls).map(([tool, s]) => ({
        attrs: { 'data-testid': 'tool-row', 'data-tool': tool, class: 'clickable', title: 'Show this tool\'s events', onclick: () => actions.filter({ tool: [tool] }) },
        cells: [tool, formatCount(s.calls), cls(s.failures, 'bad'), cls(s.denied, 'warn'), formatDuration(s.durationMs), s.calls === 0 ? '–' : formatDuration(s.durationMs / s.calls)],
      }))),
    section('Hook denials', 'denials-table', ['Time', 'Tool', 'State', 'Rule', 'Reason'],
      wf.hookDenials.map((d) => ({ cells: [formatClock(d.atMs), d.tool, d.state, d.rule, d.reason] }))),
    section('Refused transitions and commands', 'refused-table', ['Time', 'Move', 'Reason'],
      wf.refused.map((x) => ({ cells: [formatClock(x.atMs), x.kind === 'transition' ? `${x.from ?? '?'} → ${x.to ?? '?'}` : `${x.command}${x.code === null ? '' : ` (${x.code})`}`, x.reason] }))),
    section('Review rejections', 'rejections-table', ['Time', 'State', 'Back to', 'Notes'],
      wf.reviews.rejections.map((x) => ({ cells: [formatClock(x.atMs), x.state, x.backTo ?? '–', x.notes] }))),
    section('Blocked stops', 'stop-blocks-table', ['Time', 'State', 'Reason'],
      wf.stopBlocks.map((x) => ({ cells: [formatClock(x.atMs), x.state, x.reason] }))),
    section('Files touched', 'files-table', ['File', 'Edits', 'Last edit'],
      r.files.map((f) => ({ attrs: { 'data-testid': 'file-row' }, cells: [f.path, formatCount(f.edits), formatClock(f.lastEditAtMs)] }))),
    section('Subagents', 'subagents-table', ['Type', 'Agent', 'Duration', 'Tool calls'],
      r.subagents.map((a) => ({ cells: [a.agentType || '–', a.agentId, a.durationMs === null ? '–' : formatDuration(a.durationMs), formatCount(Object.values(a.tools).reduce((n, s) => n + s.calls, 0))] }))),
    r.usage === null ? h('p', { class: 'muted', 'data-testid': 'usage-missing' }, 'Tokens and cost: no transcript could be read for this session.')
      : section('Tokens and cost per model', 'usage-table', ['Model', 'Messages', 'Input', 'Output', 'Cache write', 'Cache read', 'Cost'],
        Object.entries(r.usage.perModel).map(([model, b]) => ({ cells: [model, formatCount(b.messages), formatCount(b.inputTokens), formatCount(b.outputTokens), formatCount(b.cacheCreationInputTokens), formatCount(b.cacheReadInputTokens), formatCost(b.costUsd)] }))),
    journal(state),
  ];
  return sections.filter((s): s is HTMLElement => s !== null);
}

interface Row {
  readonly attrs?: Readonly<Record<string, string | EventListener>>;
  readonly cells: readonly Child[];
}

function section(title: string, testid: string, headers: readonly string[], rows: readonly Row[]): HTMLElement | null {
  if (rows.length === 0) return null;
  const shown = rows.slice(0, MAX_LISTED);
  return h('section', { class: 'detail-section' },
    h('h2', {}, `${title} (${formatCount(rows.length)})`),
    h('table', { class: 'grid', 'data-testid': testid },
      h('thead', {}, h('tr', {}, ...headers.map((name) => h('th', {}, name)))),
      h('tbody', {}, ...shown.map((row) => h('tr', row.attrs ?? {}, ...row.cells.map((cell) => h('td', {}, cell)))))),
    rows.length > shown.length ? h('p', { class: 'muted' }, `… and ${formatCount(rows.length - shown.length)} more`) : null);
}

function cls(n: number, kind: string): HTMLElement {
  return h('span', { class: n > 0 ? kind : '' }, formatCount(n));
}

function journal(state: ReportViewState): HTMLElement | null {
  const entries = state.report.journal;
  if (entries.length === 0) return null;
  return h('section', { class: 'detail-section' },
    h('h2', {}, `Journal (${formatCount(entries.length)})`),
    h('ol', { class: 'journal', 'data-testid': 'journal-list' }, ...entries.slice(-MAX_LISTED).map((j) => h('li', { 'data-testid': 'journal-entry' },
      h('div', { class: 'muted' }, `${formatClock(j.atMs)} · ${j.state || '–'} · iteration ${j.iteration}${j.tags.length > 0 ? ` · ${j.tags.join(', ')}` : ''}`),
      h('div', { class: 'journal-text' }, j.text),
      j.files.length > 0 ? h('div', { class: 'muted mono' }, j.files.map((f) => (f.line === undefined ? f.path : `${f.path}:${f.line}`)).join(', ')) : null))));
}
