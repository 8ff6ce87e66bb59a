import '@vscode-elements/elements/dist/vscode-button/index.js';
import './style.css';
import { connect } from '../shared/channel';
import { h, replaceChildren } from '../shared/dom';
import type { ComparedSession } from '../../src/protocol/compare';
import type { CompareViewState, CompareWebviewMessage } from '../../src/protocol/compare-view';
import { renderFigures } from './figures';
import { renderCosts, renderFiles, renderTools } from './sections';
import { renderTimelines } from './timelines';

// The Compare view: two sessions (A, B) or a session (B) against the median of a cohort (A), as
// `logbook compare` has them: who each side is, every figure with its delta, and for two sessions
// the aligned state timelines, the tool-call diff, the files and the cost per model and agent.
// Everything from a session (titles, branches, tool names, paths) goes in as text only.

/** Longer titles are cut for the header (the whole first prompt is in the report). */
const MAX_TITLE = 300;

const app = document.getElementById('app') as HTMLElement;

const channel = connect<CompareViewState, CompareWebviewMessage>({
  onState: (state) => {
    channel.persist({ key: state.key });
    render(state);
  },
  onError: (message) => app.prepend(h('div', { class: 'error-banner', 'data-testid': 'error', role: 'alert' }, message)),
});
replaceChildren(app, h('p', { class: 'muted' }, 'Comparing…'));

function render(state: CompareViewState): void {
  const c = state.comparison;
  const status = h('span', { class: 'muted', 'data-testid': 'discuss-status', role: 'status' });
  const discuss = h('div', { class: 'toolbar discuss' },
    h('vscode-button', { 'data-testid': 'compare-copy-prompt', title: 'Copy a prompt for Claude with these differences, their evidence and the logbook commands to dig further', onclick: () => { channel.post({ type: 'discuss/copy' }); status.textContent = 'Prompt copied.'; } }, 'Copy prompt'),
    h('vscode-button', { secondary: true, 'data-testid': 'compare-start-claude', title: 'Start `claude` with that prompt in a new terminal named "Claude"', onclick: () => channel.post({ type: 'discuss/terminal' }) }, 'Start Claude'),
    status);
  const header = h('header', { class: 'compare-header' },
    h('h1', {}, c.kind === 'sessions' ? 'Compare two sessions' : 'Compare a session with its cohort'),
    h('div', { class: 'sides' },
      c.kind === 'sessions' ? side('A', c.a) : cohortSide(state.cohortLabel ?? 'the median of the cohort', c.a.sessions),
      side('B', c.b)),
    h('p', { class: 'muted' }, 'Δ is B − A; its percent is of A. ▲ worse marks a regression: B took longer, cost more, or had more tool failures, denials or review rejections than A.'),
    discuss);
  if (c.kind === 'cohort') {
    replaceChildren(app, header, renderFigures(c.figures, 'A (median)', 'B'));
    return;
  }
  replaceChildren(app, header,
    renderFigures(c.figures, 'A', 'B'),
    renderTimelines(c.timelines),
    renderTools(c.tools),
    renderFiles(c.files),
    renderCosts('Cost per model', 'compare-cost-model', c.costs.perModel),
    renderCosts('Cost per agent', 'compare-cost-agent', c.costs.perAgent),
    c.costs.unpricedModels.length === 0 ? null : h('p', { class: 'muted' }, `No price for ${c.costs.unpricedModels.join(', ')}: counted as $0.`));
}

function side(name: string, s: ComparedSession): HTMLElement {
  const title = s.title ?? '(no prompt)';
  return h('div', { class: 'side', 'data-testid': `compare-side-${name.toLowerCase()}`, 'data-session': s.sessionId },
    h('div', { class: 'side-name' }, name),
    h('div', { class: 'side-title', dir: 'auto', title: title.slice(0, MAX_TITLE), 'data-testid': 'compare-title' }, title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE)}…` : title),
    h('div', { class: 'side-meta muted' },
      h('a', { href: '#', class: 'session-link', 'data-testid': 'compare-open-report', title: 'Open this session\'s report', onclick: (e: Event) => { e.preventDefault(); channel.post({ type: 'openReport', sessionId: s.sessionId }); } }, s.sessionId),
      s.branch === null ? null : h('span', { dir: 'auto' }, ` · branch ${s.branch}`),
      s.workflow === null ? null : h('span', { dir: 'auto' }, ` · workflow ${s.workflow}`),
      ` · ${s.status}`,
      s.startedAt === null ? null : ` · started ${new Date(s.startedAt).toLocaleString()}`));
}

function cohortSide(label: string, sessions: number): HTMLElement {
  return h('div', { class: 'side', 'data-testid': 'compare-side-a', 'data-sessions': sessions },
    h('div', { class: 'side-name' }, 'A'),
    h('div', { class: 'side-title', dir: 'auto' }, label),
    h('div', { class: 'side-meta muted' }, `Each figure of A is the median over these ${sessions.toLocaleString('en-US')} session${sessions === 1 ? '' : 's'}; the session B is never one of them.`));
}
