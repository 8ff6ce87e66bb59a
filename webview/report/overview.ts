import { h } from '../shared/dom';
import { formatDuration } from '../shared/duration';
import type { Child } from '../shared/dom';
import type { InsightFilter } from '../../src/projections/insights';
import type { ReportViewState } from '../../src/protocol/report';
import { stateChart } from './charts';
import { detailSections } from './details';
import { formatCost, formatCount, formatDateTime, lifecycleClass, workflowClass } from './format';

// The overview tab: the session's numbers as cards (each with data-testid="overview-…" and its raw
// value in data-value), time per state charts, then the detail tables.

export interface OverviewActions {
  /** Shows the events behind a number in the log. */
  filter(filter: InsightFilter): void;
}

export function renderOverview(state: ReportViewState, actions: OverviewActions): HTMLElement {
  const r = state.report;
  const wf = r.workflow;
  const t = r.tools.totals;
  const usage = r.usage;
  const hasWorkflow = wf.name !== null;
  const cards: Child[] = [
    card('duration', 'Duration', formatDuration(r.durationMs), r.durationMs),
    card('status', 'Status', r.lifecycle.endReason === null ? r.status : `${r.status} (${r.lifecycle.endReason})`, r.status),
    card('events', 'Events', formatCount(r.counts.events), r.counts.events),
    card('prompts', 'Prompts', formatCount(r.counts.prompts), r.counts.prompts, () => actions.filter({ type: ['UserPromptSubmit'] })),
    card('tool-calls', 'Tool calls', formatCount(t.calls), t.calls, () => actions.filter({ type: ['PreToolUse'] })),
    card('tool-failures', 'Tool failures', formatCount(t.failures), t.failures, () => actions.filter({ outcome: ['failed'], type: ['PostToolUseFailure'] })),
    card('tool-denied', 'Calls denied', formatCount(t.denied), t.denied, () => actions.filter({ outcome: ['denied'] })),
    card('files', 'Files touched', formatCount(r.counts.filesTouched), r.counts.filesTouched),
    card('subagents', 'Subagents', formatCount(r.counts.subagents), r.counts.subagents, () => actions.filter({ type: ['SubagentStart'] })),
    card('compactions', 'Compactions', formatCount(r.counts.compactions), r.counts.compactions, () => actions.filter({ type: ['PreCompact'] })),
    card('journal', 'Journal entries', formatCount(r.counts.journalEntries), r.counts.journalEntries, () => actions.filter({ type: ['JournalEntryWritten'] })),
    card('tokens', 'Tokens', usage === null ? '–' : formatCount(usage.totals.totalTokens), usage === null ? '' : usage.totals.totalTokens),
    card('cost', usage !== null && usage.unpricedModels.length > 0 ? 'Cost (lower bound)' : 'Cost', usage === null ? '–' : formatCost(usage.costUsd), usage === null ? '' : usage.costUsd),
  ];
  const workflowCards: Child[] = hasWorkflow ? [
    card('workflow-state', 'Workflow state', wf.state ?? '–', wf.state ?? ''),
    card('iterations', 'Iterations', formatCount(wf.iteration), wf.iteration),
    card('rejections', 'Review rejections', formatCount(wf.reviews.rejected), wf.reviews.rejected, () => actions.filter({ outcome: ['rejected'] })),
    card('denials', 'Hook denials', formatCount(wf.hookDenials.length), wf.hookDenials.length, () => actions.filter({ type: ['HookDenied'] })),
    card('refused', 'Refused transitions', formatCount(wf.refused.length), wf.refused.length, () => actions.filter({ outcome: ['refused'] })),
    card('stop-blocks', 'Blocked stops', formatCount(wf.stopBlocks.length), wf.stopBlocks.length, () => actions.filter({ outcome: ['blocked'] })),
  ] : [
    // Without a workflow these are zero, but the numbers stay where tests and readers look for them.
    card('iterations', 'Iterations', '0', 0), card('rejections', 'Review rejections', '0', 0),
    card('denials', 'Hook denials', formatCount(wf.hookDenials.length), wf.hookDenials.length), card('refused', 'Refused transitions', formatCount(wf.refused.length), wf.refused.length),
  ];
  const wfOrder = Object.keys(wf.timePerStateMs);
  return h('section', { class: 'overview', 'data-testid': 'overview' },
    // The session's first prompt names it (text from the session: set as text, its direction its own).
    r.title === null ? null : h('h1', { class: 'session-title', dir: 'auto', 'data-testid': 'session-title' }, r.title),
    h('div', { class: 'muted session-times' }, `Started ${formatDateTime(r.startedAtMs)} · last event ${formatDateTime(r.lastEventAtMs)}${r.branch === null ? '' : ` · branch ${r.branch}`}${hasWorkflow ? ` · workflow ${wf.name ?? ''}` : ''}`),
    h('div', { class: 'cards' }, ...cards),
    h('div', { class: 'cards' }, ...workflowCards),
    h('div', { class: 'charts' },
      h('div', { class: 'chart' }, h('h2', {}, 'Time per lifecycle state'),
        stateChart(r.lifecycle.timePerStateMs, { testid: 'chart-lifecycle', classFor: lifecycleClass, onPick: (s) => actions.filter({ state: [s] }) })),
      hasWorkflow ? h('div', { class: 'chart' }, h('h2', {}, 'Time per workflow state'),
        stateChart(wf.timePerStateMs, { testid: 'chart-workflow', classFor: (s) => workflowClass(s, wfOrder), onPick: (s) => actions.filter({ workflow: [s] }) })) : null),
    ...detailSections(state, actions));
}

function card(id: string, label: string, shown: string, value: string | number, onClick?: () => void): HTMLElement {
  return h('div', {
    class: `card${onClick === undefined ? '' : ' clickable'}`, 'data-testid': `overview-${id}`, 'data-value': String(value),
    role: onClick === undefined ? undefined : 'button', tabindex: onClick === undefined ? undefined : 0,
    title: onClick === undefined ? undefined : 'Show these events in the log',
    onclick: onClick === undefined ? undefined : () => onClick(),
    onkeydown: onClick === undefined ? undefined : ((event: Event) => { if ((event as KeyboardEvent).key === 'Enter') onClick(); }),
  }, h('div', { class: 'value' }, shown), h('div', { class: 'label' }, label));
}
