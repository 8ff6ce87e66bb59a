import * as vscode from 'vscode';
import { activeRow, formatElapsed, sessionRow, stateLabel } from '../projections/session-list';
import type { SessionRow } from '../projections/session-list';
import type { LogbookViews } from './services';
import { silenceMs } from './sessions-tree';

// The active session (the live or idle one that did something last): its state and elapsed time;
// a click opens its report. Hidden when no session is in progress.

function currentRow(views: LogbookViews): SessionRow | undefined {
  const now = Date.now();
  const rows: SessionRow[] = [];
  for (const workspace of views.workspaces()) for (const overview of workspace.overview().values()) rows.push(sessionRow(workspace.name, overview, { now, silenceMs: silenceMs() }));
  return activeRow(rows);
}

export function registerStatusBar(views: LogbookViews): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('logbook.activeSession', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Agent Logbook: active session';
  const update = (): void => {
    const row = currentRow(views);
    if (row === undefined) {
      item.hide();
      return;
    }
    const state = row.workflowState === null ? stateLabel(row.lifecycleState) : `${row.workflowState} · ${stateLabel(row.lifecycleState)}`;
    // The title (the session's first prompt) tells which session; the bar keeps only its start.
    const title = row.title === null ? '' : `${Array.from(row.title).length > 32 ? `${Array.from(row.title).slice(0, 31).join('')}…` : row.title} · `;
    item.text = `$(${row.status === 'live' ? 'pulse' : 'debug-pause'}) ${title.replace(/\$\(/g, '$\u200b(')}${state} · ${formatElapsed(row.elapsedMs)}`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**Agent Logbook** — session ').appendText(row.sessionId).appendMarkdown('\n\n');
    if (row.title !== null) tooltip.appendText(row.title).appendMarkdown('\n\n');
    tooltip.appendText(`${row.status}, ${state}, ${formatElapsed(row.elapsedMs)}; ${row.badges.denials} denied, ${row.badges.rejections} rejected, ${row.badges.failures} tool failures`).appendMarkdown('\n\nClick to open the session report.');
    item.tooltip = tooltip;
    item.command = { command: 'logbook.openReport', title: 'Open Session Report', arguments: [row.sessionId] };
    item.accessibilityInformation = { label: `Agent Logbook: session ${row.status}, ${state}` };
    item.show();
  };
  const timer = setInterval(update, 1000);
  update();
  return [item, views.onDidChange(update), { dispose: () => clearInterval(timer) }];
}
