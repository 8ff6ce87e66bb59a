import * as vscode from 'vscode';
import { reportWebviewMessage } from '../../protocol/report';
import type { ReportViewState, ReportWebviewMessage } from '../../protocol/report';
import type { PanelSpec } from '../panel-manager';

/** Placeholder spec of the report panel. */
export const reportPanelSpec: PanelSpec<ReportViewState, ReportWebviewMessage> = {
  viewType: 'logbook.report',
  view: 'report',
  title: (key) => `Report ${key.slice(0, 8)}`,
  messages: reportWebviewMessage,
  snapshot: async (key) => ({ key, title: key }),
  handle: async (_key, message) => {
    await vscode.commands.executeCommand('logbook.openReport', message.sessionId);
  },
};
