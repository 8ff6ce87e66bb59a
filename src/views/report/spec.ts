import * as vscode from 'vscode';
import { windowPrices } from '../window-prices';
import { reportWebviewMessage } from '../../protocol/report';
import type { ReportViewState, ReportWebviewMessage } from '../../protocol/report';
import type { PanelHandle, PanelSpec } from '../panel-manager';
import type { LogbookViews } from '../services';
import { copyPrompt, existingFolder, sendPromptToClaude } from './claude-terminal';
import { ReportHost } from './report-host';

// The session report panel (viewType logbook.report, one per session id). The host keeps the event
// log's query and window per session; every message changes that state and asks for a snapshot.

let host: ReportHost | undefined;

function reportHost(services: LogbookViews): ReportHost {
  host ??= new ReportHost((message) => services.log(`report: ${message}`));
  return host;
}

/** Selects an event (global position) in a session's report before it is shown: the unified timeline opens events this way. */
export function selectInReport(services: LogbookViews, sessionId: string, position: number): void {
  reportHost(services).ui(sessionId).selected = position;
}

export const reportPanelSpec: PanelSpec<ReportViewState, ReportWebviewMessage> = {
  viewType: 'logbook.report',
  view: 'report',
  title: (key) => `Report ${key.slice(0, 8)}`,
  messages: reportWebviewMessage,
  snapshot: async (key, services) => {
    const store = await services.findSession(key)?.workspace.store();
    if (store === undefined) return undefined;
    return reportHost(services).snapshot(key, store, windowPrices());
  },
  handle: async (key, message, panel, services) => handleMessage(key, message, panel, services),
  // A scroll, a filter or a selection changes only the log: the rest is resent when the session
  // gets events (its revision is the session's last position).
  reusable: { keys: ['report', 'timeline', 'insights', 'prompt'], revision: (state) => state.revision },
};

async function handleMessage(key: string, message: ReportWebviewMessage, panel: PanelHandle<ReportViewState>, services: LogbookViews): Promise<void> {
  const reports = reportHost(services);
  const ui = reports.ui(key);
  switch (message.type) {
    case 'log/query':
      Object.assign(ui, { query: message.query, offset: message.offset, limit: message.limit });
      return panel.refresh();
    case 'log/window':
      Object.assign(ui, { offset: message.offset, limit: message.limit });
      return panel.refresh();
    case 'log/select':
      ui.selected = message.position;
      return panel.refresh();
    case 'discuss/copy':
      return copyPrompt(await promptOf(key, reports, services));
    case 'discuss/terminal': {
      const found = services.findSession(key);
      return sendPromptToClaude(await promptOf(key, reports, services), existingFolder(found?.summary.lifecycle.cwd) ?? found?.workspace.paths.workspace);
    }
    case 'export/html':
      await vscode.commands.executeCommand('logbook.exportReportHtml', key);
      return;
    default: {
      const never: never = message;
      throw new Error(`unhandled report message ${JSON.stringify(never)}`);
    }
  }
}

// The prompt the view shows; built on demand if no snapshot was made yet (never from webview text).
async function promptOf(key: string, reports: ReportHost, services: LogbookViews): Promise<string> {
  const known = reports.prompt(key);
  if (known !== undefined) return known;
  await reportPanelSpec.snapshot(key, services);
  const built = reports.prompt(key);
  if (built === undefined) throw new Error(`no report for session ${key.slice(0, 80)}`);
  return built;
}
