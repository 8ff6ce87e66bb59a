import * as vscode from 'vscode';
import { buildSessionGraphs } from '../../projections/state-graph';
import { eventsInState } from '../../projections/state-timeline';
import type { StateTimeline } from '../../projections/state-timeline';
import { MAX_STATE_EVENTS, stateMachineWebviewMessage } from '../../protocol/state-machine';
import type { MachineKind, StateEventsView, StateMachineViewState, StateMachineWebviewMessage } from '../../protocol/state-machine';
import type { PanelSpec } from '../panel-manager';
import type { LogbookViews } from '../services';
import { currentDefinition, TimelineCache } from './timelines';

// The state-machine panel (key = session id). The host folds the session once (TimelineCache),
// builds both graphs and, for the state the user clicked, the events spent in it. The selection
// lives here, per key, so every snapshot stays complete; the webview re-sends it after a reload.

interface Selection {
  readonly machine: MachineKind;
  readonly state: string | null;
}

export function createStateMachinePanelSpec(): PanelSpec<StateMachineViewState, StateMachineWebviewMessage> {
  const caches = new WeakMap<LogbookViews, TimelineCache>();
  const selections = new Map<string, Selection>();
  const cacheOf = (views: LogbookViews): TimelineCache => {
    let cache = caches.get(views);
    if (cache === undefined) {
      cache = new TimelineCache();
      caches.set(views, cache);
    }
    return cache;
  };
  return {
    viewType: 'logbook.stateMachine',
    view: 'state-machine',
    title: (key) => `State Machine ${key.slice(0, 8)}`,
    messages: stateMachineWebviewMessage,
    snapshot: async (key, views) => {
      const found = await cacheOf(views).get(views, key);
      if (found === undefined) return undefined;
      const { timeline, workspace } = found;
      const graphs = buildSessionGraphs(timeline, () => currentDefinition(workspace.paths));
      const s = timeline.summary;
      return {
        key,
        sessionId: key,
        workspace: workspace.name,
        lifecycleState: s.lifecycle.state,
        workflowState: s.workflow.state.current,
        lastEventAt: s.lastEventAt,
        lifecycle: graphs.lifecycle,
        workflow: graphs.workflow,
        workflowNote: graphs.workflowNote,
        selection: selectionView(timeline, selections.get(key)),
      };
    },
    handle: async (key, message, panel) => {
      switch (message.type) {
        case 'openReport':
          await vscode.commands.executeCommand('logbook.openReport', message.sessionId);
          return;
        case 'selectState':
          if (message.clear === true) selections.delete(key);
          else selections.set(key, { machine: message.machine, state: message.state });
          panel.refresh();
          return;
        default:
          unreachable(message);
      }
    },
  };
}

/** The state-machine panel spec registered by Panels. */
export const stateMachinePanelSpec = createStateMachinePanelSpec();

function selectionView(timeline: StateTimeline, selection: Selection | undefined): StateEventsView | null {
  if (selection === undefined) return null;
  const all = eventsInState(timeline, selection.machine, selection.state);
  const events = all.slice(-MAX_STATE_EVENTS).map(({ position, streamPosition, type, at, summary }) => ({ position, streamPosition, type, at, summary }));
  return { machine: selection.machine, state: selection.state, total: all.length, events };
}

function unreachable(value: never): never {
  throw new Error(`unexpected message ${JSON.stringify(value)}`);
}
