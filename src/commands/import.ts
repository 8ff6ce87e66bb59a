import * as vscode from 'vscode';
import { existsSync, realpathSync } from 'node:fs';
import type { LogbookPaths } from '../capture/paths';
import { projectTranscriptsDir } from '../ingest/import/claude-projects';
import { importTranscripts } from '../ingest/import/importer';
import type { ImportStore, SessionOutcome } from '../ingest/import/importer';
import { badLineText, sessionLine, totalLine, totalsOf } from '../ingest/import/import-text';
import { LogbookDatabase } from '../store/logbook-database';
import type { ExtensionContext } from './context';

// Logbook: Import Earlier Sessions (`logbook import` in VS Code): the sessions that ran before the
// hooks were installed, from the workspace's Claude Code transcripts, under a progress
// notification; every session and every unreadable line is told in the output channel.

/** globalState key: the import was offered once after hooks were installed. */
export const IMPORT_OFFERED_KEY = 'logbook.importOffered';

export async function importEarlierSessions(ctx: ExtensionContext): Promise<void> {
  const paths = await ctx.pickWorkspace();
  if (paths === undefined) return;
  const dir = projectTranscriptsDir(realWorkspace(paths.workspace));
  if (!existsSync(dir)) {
    void vscode.window.showInformationMessage(`Agent Logbook: no Claude Code transcripts for this workspace at ${dir}: nothing to import.`);
    return;
  }
  const sessions = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Agent Logbook: importing earlier sessions' },
    async (progress) => {
      const found = await importWith(paths, dir, (session) => progress.report({ message: session.sessionId }));
      progress.report({ message: 'recording' });
      await ctx.ingestFor(paths)?.ingestNow();
      return found;
    },
  );
  for (const session of sessions) {
    ctx.log(`${paths.workspace}: ${sessionLine(session)}`);
    for (const bad of session.badLines) ctx.log(`${paths.workspace}: ${badLineText(bad)}`);
  }
  const totals = totalsOf(sessions);
  ctx.log(`${paths.workspace}: ${totalLine(totals)}`);
  const shown = `Agent Logbook: ${totalLine(totals)}.`;
  const show = totals.unreadableLines > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  if ((await show(shown, 'Show Log')) === 'Show Log') ctx.output.show(true);
}

/** Offers the import once (remembered in globalState), after hooks were installed. */
export async function offerImportOnce(ctx: ExtensionContext): Promise<void> {
  if (ctx.globalState.get<boolean>(IMPORT_OFFERED_KEY) === true) return;
  await ctx.globalState.update(IMPORT_OFFERED_KEY, true);
  const answer = await vscode.window.showInformationMessage('Agent Logbook: record the Claude Code sessions that ran here before the hooks were installed, from their transcripts?', 'Import Earlier Sessions');
  if (answer === 'Import Earlier Sessions') await vscode.commands.executeCommand('logbook.importEarlierSessions');
}

// A read-only view of the store (the writer, in this window's worker or elsewhere, records the entries).
async function importWith(paths: LogbookPaths, dir: string, onSession: (s: SessionOutcome) => void): Promise<SessionOutcome[]> {
  const opened = await LogbookDatabase.open(paths.store);
  const store: ImportStore | undefined = opened.ok ? opened.database.store : undefined;
  try {
    return importTranscripts(dir, paths.inbox, store, { afterSession: onSession }).sessions;
  } finally {
    if (opened.ok) opened.database.close();
  }
}

// Claude Code names the folder after the real path of the directory it ran in.
function realWorkspace(workspace: string): string {
  try {
    return realpathSync(workspace);
  } catch {
    return workspace;
  }
}
