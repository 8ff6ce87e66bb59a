import * as vscode from 'vscode';
import { journalViewState } from '../../projections/journal-list';
import type { JournalSource } from '../../projections/journal-list';
import type { JournalRecord } from '../../projections/session-summary';
import { journalWebviewMessage } from '../../protocol/journal';
import type { JournalViewState, JournalWebviewMessage } from '../../protocol/journal';
import type { PanelSpec } from '../panel-manager';
import type { LogbookChange, LogbookViews } from '../services';
import { openJournalFile } from './open-file';

// The journal browser (key 'all', or a session id for the initial filter). Every snapshot holds
// the whole journal; a change redraws an open panel only when some session's journal grew (the
// summaries are immutable, so an unchanged journal is the very same array).

export function createJournalPanelSpec(): PanelSpec<JournalViewState, JournalWebviewMessage> {
  const seen = new Map<string, Map<string, readonly JournalRecord[]>>();
  return {
    viewType: 'logbook.journal',
    view: 'journal',
    title: (key) => (key === 'all' ? 'Journal' : `Journal ${key.slice(0, 8)}`),
    messages: journalWebviewMessage,
    snapshot: async (key, views) => {
      const journals = new Map<string, readonly JournalRecord[]>();
      for (const ws of views.workspaces()) for (const summary of ws.journaled()) journals.set(`${ws.paths.workspace}\u0000${summary.sessionId ?? ''}`, summary.journal);
      seen.set(key, journals);
      return journalViewState(key, sources(views));
    },
    affects: (key, change) => change.reset || journalChanged(seen.get(key), change),
    handle: async (_key, message, _panel, views) => {
      switch (message.type) {
        case 'openReport':
          await vscode.commands.executeCommand('logbook.openReport', message.sessionId);
          return;
        case 'openFile':
          await openJournalFile(views, message.sessionId, message.path, message.line);
          return;
        default:
          unreachable(message);
      }
    },
  };
}

/** The journal panel spec registered by Panels. */
export const journalPanelSpec = createJournalPanelSpec();

function sources(views: LogbookViews): JournalSource[] {
  return views.workspaces().map((ws) => ({ folder: ws.paths.workspace, workspace: ws.name, sessions: ws.journaled() }));
}

function journalChanged(before: ReadonlyMap<string, readonly JournalRecord[]> | undefined, change: LogbookChange): boolean {
  if (before === undefined) return true;
  for (const id of change.sessions) {
    // A journal only grows: a session without entries has none to show (and is not read).
    if ((change.workspace.overview().get(id)?.journalEntries ?? 0) === 0) continue;
    const journal = change.workspace.summary(id)?.journal ?? [];
    const known = before.get(`${change.workspace.paths.workspace}\u0000${id}`);
    if (known === undefined ? journal.length > 0 : known !== journal) return true;
  }
  return false;
}

function unreachable(value: never): never {
  throw new Error(`unexpected message ${JSON.stringify(value)}`);
}
