import * as vscode from 'vscode';
import { journalWebviewMessage } from '../../protocol/journal';
import type { JournalViewState, JournalWebviewMessage } from '../../protocol/journal';
import type { PanelSpec } from '../panel-manager';

/** Placeholder spec of the journal panel. */
export const journalPanelSpec: PanelSpec<JournalViewState, JournalWebviewMessage> = {
  viewType: 'logbook.journal',
  view: 'journal',
  title: (key) => `Journal ${key.slice(0, 8)}`,
  messages: journalWebviewMessage,
  snapshot: async (key) => ({ key, title: key }),
  handle: async (_key, message) => {
    await vscode.commands.executeCommand('logbook.openReport', message.sessionId);
  },
};
