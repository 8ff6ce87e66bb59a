import * as vscode from 'vscode';
import { FileJournalIndex } from '../projections/file-journal';
import type { FileActivity } from '../projections/file-journal';
import { hoverMarkdown } from './inline-journal/hover';
import { activityTitle, latestNoteTitle } from './inline-journal/text';
import type { LogbookChange, LogbookViews } from './services';

// The agents' journal inside the editor, for files they touched: a CodeLens at the top (edits,
// last session and its state, latest entry) and a hover on the first line and on the lines
// entries refer to. The index is updated from the sessions each change names; the lenses are
// asked again (debounced) only when a session that touched some file changed.

const SETTING = 'logbook.inlineJournal.enabled';
const REFRESH_MS = 300;

export function registerInlineJournal(views: LogbookViews): vscode.Disposable[] {
  const index = new FileJournalIndex();
  const lenses = new vscode.EventEmitter<void>();
  let enabled = vscode.workspace.getConfiguration().get<boolean>(SETTING, true);
  let timer: NodeJS.Timeout | undefined;
  const refreshSoon = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      lenses.fire();
    }, REFRESH_MS);
  };
  for (const ws of views.workspaces()) for (const summary of ws.journaled()) index.updateSession(ws.paths.workspace, ws.name, summary);

  const onChange = (change: LogbookChange): void => {
    const ws = change.workspace;
    let touched = false;
    if (change.reset) {
      index.removeWorkspace(ws.paths.workspace);
      for (const summary of ws.journaled()) touched = index.updateSession(ws.paths.workspace, ws.name, summary) || touched;
      touched = true;
    } else {
      for (const id of change.sessions) {
        const summary = ws.summary(id);
        if (summary !== undefined) touched = index.updateSession(ws.paths.workspace, ws.name, summary) || touched;
      }
    }
    if (touched && enabled) refreshSoon();
  };

  const activityOf = (document: vscode.TextDocument): FileActivity | undefined =>
    (enabled && document.uri.scheme === 'file' ? index.lookup(document.uri.fsPath) : undefined);

  const codeLens: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lenses.event,
    provideCodeLenses: (document) => {
      const activity = activityOf(document);
      if (activity === undefined) return [];
      const top = new vscode.Range(0, 0, 0, 0);
      const result = [new vscode.CodeLens(top, {
        title: activityTitle(activity),
        tooltip: 'Agent Logbook: open the report of the session that touched this file last',
        command: 'logbook.openReport',
        arguments: activity.last === null ? [] : [activity.last.sessionId],
      })];
      const latest = activity.notes[0];
      if (latest !== undefined) {
        result.push(new vscode.CodeLens(top, { title: latestNoteTitle(latest), tooltip: 'Agent Logbook: the latest journal entry about this file (open the journal)', command: 'logbook.openJournal', arguments: [latest.sessionId] }));
      }
      return result;
    },
  };

  const hover: vscode.HoverProvider = {
    provideHover: (document, position) => {
      const activity = activityOf(document);
      if (activity === undefined) return undefined;
      if (position.line === 0) return new vscode.Hover(hoverMarkdown(activity, null), document.lineAt(0).range);
      const line = position.line + 1;
      if (!activity.notes.some((n) => n.line === line)) return undefined;
      return new vscode.Hover(hoverMarkdown(activity, line), document.lineAt(position.line).range);
    },
  };

  const selector: vscode.DocumentSelector = { scheme: 'file' };
  return [
    lenses,
    vscode.languages.registerCodeLensProvider(selector, codeLens),
    vscode.languages.registerHoverProvider(selector, hover),
    views.onDidChange((change) => {
      try {
        onChange(change);
      } catch (error) {
        views.log(`inline journal: updating failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SETTING)) return;
      enabled = vscode.workspace.getConfiguration().get<boolean>(SETTING, true);
      lenses.fire();
    }),
    { dispose: () => { if (timer !== undefined) clearTimeout(timer); } },
  ];
}
