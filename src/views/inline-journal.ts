import * as vscode from 'vscode';
import { FileJournalIndex } from '../projections/file-journal';
import type { FileActivity } from '../projections/file-journal';
import { hoverMarkdown } from './inline-journal/hover';
import { activityTitle, latestNoteTitle } from './inline-journal/text';
import type { SessionOverview } from '../projections/overview/session-overview';
import type { SessionSummaryState } from '../projections/session-summary';
import type { LogbookChange, LogbookViews } from './services';
import type { WorkspaceLogbook } from './workspace-logbook';

// The agents' journal inside the editor, for files they touched: a CodeLens at the top (edits,
// last session and its state, latest entry) and a hover on the first line and on the lines
// entries refer to. The index is updated from the sessions each change names; the lenses are
// asked again (debounced) only when a session that touched some file changed.

const SETTING = 'logbook.inlineJournal.enabled';
const REFRESH_MS = 300;
/** Sessions indexed between two pauses of a workspace's first read. */
const INDEX_SLICE = 100;

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
  // Sessions that edited a file or wrote a journal entry: the only ones a file can show.
  const shows = (row: SessionOverview): boolean => row.filesTouched > 0 || row.journalEntries > 0;
  const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  // A workspace's sessions read whole (its first read, a rebuilt store): their summaries come
  // in slices, in the background; a later change names a few sessions, read as they come.
  const loading = new Map<string, Promise<void>>();
  const loadAll = (ws: WorkspaceLogbook): void => {
    const key = ws.paths.workspace;
    const run = (loading.get(key) ?? Promise.resolve()).then(async () => {
      const summaries = await ws.loadSummaries(shows, pause);
      index.removeWorkspace(key);
      // Indexed in slices too: thousands of sessions' files are seconds of work in one piece.
      for (let i = 0; i < summaries.length; i += 1) {
        index.updateSession(key, ws.name, summaries[i] as SessionSummaryState);
        if (i % INDEX_SLICE === INDEX_SLICE - 1) await pause();
      }
      if (enabled) refreshSoon();
    }).catch((error: unknown) => views.log(`${key}: the inline journal could not read the sessions: ${String(error)}`));
    loading.set(key, run);
  };
  for (const ws of views.workspaces()) if (ws.overview().size > 0) loadAll(ws);

  const onChange = (change: LogbookChange): void => {
    const ws = change.workspace;
    const manyAtOnce = change.reset || change.sessions.size > 50;
    if (manyAtOnce) {
      loadAll(ws);
      return;
    }
    let touched = false;
    for (const id of change.sessions) {
      const row = ws.overview().get(id);
      if (row === undefined || !shows(row)) continue;
      const summary = ws.summary(id);
      if (summary !== undefined) touched = index.updateSession(ws.paths.workspace, ws.name, summary) || touched;
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
