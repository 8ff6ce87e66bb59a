import '../shared/elements';
import './style.css';
import { connect } from '../shared/channel';
import { h, replaceChildren } from '../shared/dom';
import { formatDuration } from '../shared/duration';
import type { MachineKind, StateGraphView, StateMachineUiState, StateMachineViewState, StateMachineWebviewMessage } from '../../src/protocol/state-machine';
import { drawDiagram } from './diagram';
import { drawEventsList } from './events-list';

// The state-machine view: a toggle between the lifecycle and the workflow, the diagram, and the
// events of the state the user picked. Snapshots come whole from the host; the UI state (machine,
// selection) is kept with the snapshot so a reloaded panel draws at once and asks for it again.

const app = document.getElementById('app') as HTMLElement;
let state: StateMachineViewState | undefined;
let ui: StateMachineUiState = { machine: 'lifecycle', selected: null };

const channel = connect<StateMachineViewState, StateMachineWebviewMessage, StateMachineUiState>({
  onState: (next) => {
    state = next;
    // A selection made before a reload (or a machine the session no longer has) is re-checked here.
    if (ui.machine === 'workflow' && next.workflow === null) ui = { machine: 'lifecycle', selected: null };
    save();
    render();
  },
  onError: (message) => {
    const banner = h('div', { class: 'error-banner', 'data-testid': 'error' }, message);
    if (state === undefined) replaceChildren(app, banner);
    else app.prepend(banner);
  },
});

if (channel.restored !== undefined) {
  state = channel.restored.snapshot;
  ui = channel.restored.ui ?? ui;
  render();
  if (ui.selected !== null || ui.outside === true) channel.post({ type: 'selectState', machine: ui.machine, state: ui.outside === true ? null : ui.selected });
}

function save(): void {
  if (state !== undefined) channel.persist({ key: state.key, snapshot: state, ui });
}

function choose(machine: MachineKind, selected: string | null, outside = false): void {
  const same = ui.machine === machine && ui.selected === selected && (ui.outside === true) === outside;
  ui = same ? { machine, selected: null } : { machine, selected, outside };
  save();
  render();
  channel.post(same ? { type: 'selectState', machine, state: null, clear: true } : { type: 'selectState', machine, state: outside ? null : selected });
}

function switchMachine(machine: MachineKind): void {
  if (ui.machine === machine) return;
  const hadSelection = ui.selected !== null || ui.outside === true;
  ui = { machine, selected: null };
  save();
  render();
  if (hadSelection) channel.post({ type: 'selectState', machine, state: null, clear: true });
}

function render(): void {
  if (state === undefined) {
    replaceChildren(app, h('div', { class: 'empty' }, 'Loading…'));
    return;
  }
  const s = state;
  const graph: StateGraphView = ui.machine === 'workflow' && s.workflow !== null ? s.workflow : s.lifecycle;
  const selection = s.selection !== null && s.selection.machine === graph.machine && (ui.selected !== null || ui.outside === true) ? s.selection : null;
  replaceChildren(app,
    header(s),
    toggle(s),
    h('div', { class: 'current-line' },
      h('span', { class: 'muted' }, `${graph.title} · current state: `),
      h('strong', { 'data-testid': 'current-state', 'data-machine': graph.machine }, graph.current ?? 'none'),
      h('span', { class: 'muted' }, ` · total ${formatDuration(graph.totalTimeMs)}`),
      graph.machine === 'workflow' ? h('a', { class: 'link outside', 'data-testid': 'state-outside', onclick: () => choose('workflow', null, true) }, 'events before the workflow') : null),
    graph.machine === 'workflow' && s.workflowNote !== null ? h('div', { class: 'muted note' }, s.workflowNote) : null,
    ...graph.notes.map((note) => h('div', { class: 'muted note', 'data-testid': 'graph-note' }, note)),
    h('div', { class: 'diagram-wrap' }, drawDiagram(graph, ui.outside === true ? null : ui.selected, { select: (id) => choose(graph.machine, id) })),
    legend(),
    selection === null ? null : drawEventsList(selection, () => choose(selection.machine, ui.selected, ui.outside === true)),
  );
}

function header(s: StateMachineViewState): HTMLElement {
  return h('header', { class: 'sm-header' },
    h('h1', {}, 'State machine'),
    h('span', { class: 'mono muted', 'data-testid': 'session-id' }, s.sessionId),
    h('span', { class: 'muted' }, ` · ${s.workspace}`),
    h('a', { class: 'link', 'data-testid': 'open-report', onclick: () => channel.post({ type: 'openReport', sessionId: s.sessionId }) }, 'Open report'));
}

function toggle(s: StateMachineViewState): HTMLElement {
  const button = (machine: MachineKind, label: string, disabled: boolean): HTMLElement => h('vscode-button', {
    'data-testid': `machine-${machine}`, 'aria-pressed': String(ui.machine === machine), secondary: ui.machine !== machine, disabled,
    onclick: () => { if (!disabled) switchMachine(machine); },
  }, label);
  return h('div', { class: 'machine-toggle', 'data-testid': 'machine-toggle', role: 'group', 'aria-label': 'Machine' },
    button('lifecycle', 'Lifecycle', false),
    button('workflow', s.workflow === null ? 'Workflow (none)' : `Workflow${s.workflowState === null ? '' : ` · ${s.workflowState}`}`, s.workflow === null));
}

function legend(): HTMLElement {
  return h('div', { class: 'legend muted' },
    'Shade: share of the time · ×N: transitions taken · red: refused moves, denied tool uses, blocked stops, rejected reviews · dashed edge: not taken, or not allowed by the definition. Click a state to list its events.');
}
