import * as vscode from 'vscode';
import type { ExtensionContext } from './context';
import type { RebuildOutcome } from '../ingest/open-store';
import { rebuildSummary, somethingUnread } from '../ingest/rebuild-report';

export async function ingestNow(ctx: ExtensionContext): Promise<void> {
  const paths = await ctx.pickWorkspace();
  if (paths === undefined) return;
  const live = ctx.ingestFor(paths);
  const report = await live?.ingestNow();
  if (report === undefined) {
    void vscode.window.showInformationMessage('Agent Logbook: another window or process is ingesting this workspace.');
    return;
  }
  void vscode.window.showInformationMessage(`Agent Logbook: ingested ${report.appended} event(s).`);
}

export async function rebuildStore(ctx: ExtensionContext): Promise<void> {
  const paths = await ctx.pickWorkspace();
  if (paths === undefined) return;
  const answer = await vscode.window.showWarningMessage('Rebuild the store from the raw segments? The current file is kept beside it (and stays in place if the rebuilt one would hold fewer events).', { modal: true }, 'Rebuild');
  if (answer !== 'Rebuild') return;
  let outcome: RebuildOutcome;
  try {
    outcome = await ctx.restartIngest(paths);
  } catch (error) {
    ctx.log(`${paths.workspace}: the rebuild failed: ${(error as Error).message}; the store was left as it was`);
    void showWithLog(ctx, vscode.window.showErrorMessage, `Agent Logbook: the rebuild failed (${(error as Error).message}); the store was left as it was.`);
    return;
  }
  const summary = `Agent Logbook: ${rebuildSummary(outcome)}. ${outcome.messages[0] ?? ''}`;
  const worrying = outcome.kept === 'current' || somethingUnread(outcome);
  void showWithLog(ctx, worrying ? vscode.window.showWarningMessage : vscode.window.showInformationMessage, summary);
}

/** A notification with a button that opens the log, where every message of the rebuild is. */
async function showWithLog(ctx: ExtensionContext, show: (message: string, ...items: string[]) => Thenable<string | undefined>, message: string): Promise<void> {
  if ((await show(message, 'Show Log')) === 'Show Log') ctx.output.show(true);
}

export async function showLog(ctx: ExtensionContext): Promise<void> {
  ctx.output.show(true);
}
