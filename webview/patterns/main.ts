import '@vscode-elements/elements/dist/vscode-button/index.js';
import './style.css';
import { connect } from '../shared/channel';
import { h, replaceChildren } from '../shared/dom';
import { parseWhere } from '../../src/projections/overview/session-query';
import type { CohortChoice, PatternsDelta, PatternsViewState, PatternsWebviewMessage } from '../../src/protocol/patterns-view';
import { renderResult } from './render';

// The Patterns panel: the user picks a cohort (a preset, a condition as for `--where`, or the rows
// the dashboard showed, which arrive as the host's `ask`); the host contrasts it with the rest of
// the window's sessions and answers with progress, then the result. The choice is UI state, kept
// with vscode.setState, and run again when the panel reloads.

interface Ui {
  readonly choice: CohortChoice;
  /** The id of the last ask taken (an ask seen again after a reload is not taken over the user's choice). */
  readonly taken: string | null;
}

const WHERE = '\u0000where';
const SHOWN = '\u0000shown';

const app = document.getElementById('app') as HTMLElement;
let state: PatternsViewState | undefined;
let run = 0;
let hasResult = false;

const channel = connect<PatternsViewState, PatternsWebviewMessage, Ui, PatternsDelta>({
  onState,
  onDelta,
  onError: (message) => showProblem(message),
});

let ui: Ui = { choice: { kind: 'preset', name: 'rejected' }, taken: null, ...(channel.restored?.ui ?? {}) };

const select = h('select', { 'data-testid': 'patterns-cohort-kind', 'aria-label': 'Cohort', onchange: () => chosen() });
const where = h('input', { class: 'where', type: 'text', 'data-testid': 'patterns-where', 'aria-label': 'Condition', placeholder: 'a condition, e.g. failures>=3 and branch~feat', spellcheck: 'false', onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === 'Enter') runWhere(); } });
const whereButton = h('button', { class: 'run', 'data-testid': 'patterns-run', onclick: () => runWhere() }, 'Find patterns');
const whereError = h('div', { class: 'where-error', 'data-testid': 'patterns-where-error', role: 'alert', hidden: true });
const status = h('span', { class: 'muted status', 'data-testid': 'patterns-status', role: 'status' }, 'Loading…');
const progress = h('progress', { 'data-testid': 'patterns-progress', max: 1, value: 0, hidden: true });
const stale = h('div', { class: 'stale', 'data-testid': 'patterns-stale', hidden: true }, 'Sessions changed since these patterns were found. ', h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); start(ui.choice); } }, 'Find them again'));
const body = h('div', { class: 'result', 'data-testid': 'patterns-result' });
const discuss = (type: 'discuss/copy' | 'discuss/terminal', label: string, title: string, secondary: boolean): HTMLElement =>
  h('vscode-button', { 'data-testid': `patterns-${type.slice(8)}`, secondary, title, disabled: true, onclick: () => { if (hasResult) channel.post({ type }); } }, label);
const copyButton = discuss('discuss/copy', 'Copy prompt', 'Copy a prompt for Claude: these findings, the sessions behind them and the logbook commands to dig further', false);
const claudeButton = discuss('discuss/terminal', 'Start Claude', 'Start `claude` with that prompt in a new terminal named "Claude"', true);
replaceChildren(app,
  h('header', { class: 'patterns-header' }, h('h1', {}, 'Patterns across sessions'), status, h('span', { class: 'spacer' }), copyButton, claudeButton),
  h('div', { class: 'cohort-bar' }, h('label', {}, 'Cohort ', select), where, whereButton),
  whereError, progress, stale, body);

function onState(next: PatternsViewState): void {
  state = next;
  fillSelect();
  const ask = next.ask;
  if (ask !== null && ask.id !== ui.taken) {
    ui = { choice: ask.cohort, taken: ask.id };
    fillSelect();
    start(ui.choice);
    return;
  }
  if (!hasResult) start(ui.choice);
}

function onDelta(delta: PatternsDelta): void {
  if (delta.type === 'stale') {
    stale.hidden = !hasResult;
    return;
  }
  if (delta.run !== run) return;
  switch (delta.type) {
    case 'progress':
      progress.hidden = false;
      progress.max = Math.max(1, delta.total);
      progress.value = delta.done;
      status.textContent = `${delta.phase === 'reading' ? 'Reading' : 'Digesting'} sessions: ${delta.done.toLocaleString('en-US')} of ${delta.total.toLocaleString('en-US')}…`;
      return;
    case 'problem':
      progress.hidden = true;
      showProblem(delta.message);
      return;
    case 'result':
      progress.hidden = true;
      hasResult = true;
      stale.hidden = true;
      for (const button of [copyButton, claudeButton]) button.removeAttribute('disabled');
      status.textContent = `${delta.view.result.cohort.sessions.length.toLocaleString('en-US')} of ${(delta.view.result.cohort.sessions.length + delta.view.result.rest.sessions).toLocaleString('en-US')} sessions in the cohort · read ${new Date(delta.view.at).toLocaleTimeString()}`;
      replaceChildren(body, renderResult(delta.view, (sessionId) => channel.post({ type: 'patterns/openReport', sessionId })));
      return;
    default:
      unreachable(delta);
  }
}

function fillSelect(): void {
  const presets = state?.presets ?? [];
  const choice = ui.choice;
  replaceChildren(select,
    ...presets.map((p) => h('option', { value: p.name, selected: choice.kind === 'preset' && choice.name === p.name }, `${p.name}: ${p.text}`)),
    h('option', { value: WHERE, selected: choice.kind === 'where' }, 'a condition…'),
    choice.kind === 'shown' ? h('option', { value: SHOWN, selected: true }, choice.label) : null);
  where.hidden = choice.kind !== 'where';
  whereButton.hidden = choice.kind !== 'where';
  if (choice.kind === 'where' && where.value === '') where.value = choice.text;
}

function chosen(): void {
  const value = select.value;
  if (value === SHOWN) return;
  if (value === WHERE) {
    where.hidden = false;
    whereButton.hidden = false;
    where.focus();
    return;
  }
  where.hidden = true;
  whereButton.hidden = true;
  start({ kind: 'preset', name: value });
}

function runWhere(): void {
  const text = where.value.trim();
  const parsed = text === '' ? { ok: false as const, message: 'type a condition, e.g. failures>=3 and branch~feat' } : parseWhere(text);
  if (!parsed.ok) {
    showProblem(parsed.message);
    return;
  }
  start({ kind: 'where', text });
}

function start(choice: CohortChoice): void {
  ui = { ...ui, choice };
  channel.persist({ key: state?.key ?? 'all', ui });
  whereError.hidden = true;
  stale.hidden = true;
  run += 1;
  status.textContent = `Reading ${(state?.sessions ?? 0).toLocaleString('en-US')} sessions…`;
  channel.post({ type: 'patterns/run', run, cohort: choice });
}

function showProblem(message: string): void {
  whereError.textContent = message;
  whereError.hidden = false;
  status.textContent = 'No patterns: see the message below the cohort.';
}

function unreachable(value: never): never {
  throw new Error(`unexpected delta ${JSON.stringify(value)}`);
}
