import * as vscode from 'vscode';
import { stateMachineWebviewMessage } from '../../protocol/state-machine';
import type { StateMachineViewState, StateMachineWebviewMessage } from '../../protocol/state-machine';
import type { PanelSpec } from '../panel-manager';

/** Placeholder spec of the state-machine panel. */
export const stateMachinePanelSpec: PanelSpec<StateMachineViewState, StateMachineWebviewMessage> = {
  viewType: 'logbook.stateMachine',
  view: 'state-machine',
  title: (key) => `StateMachine ${key.slice(0, 8)}`,
  messages: stateMachineWebviewMessage,
  snapshot: async (key) => ({ key, title: key }),
  handle: async (_key, message) => {
    await vscode.commands.executeCommand('logbook.openReport', message.sessionId);
  },
};
