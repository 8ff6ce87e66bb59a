import * as vscode from 'vscode';
import type { ExtensionContext } from './context';

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
  const answer = await vscode.window.showWarningMessage('Rebuild the store from the raw segments? The current file is kept as a backup.', { modal: true }, 'Rebuild');
  if (answer !== 'Rebuild') return;
  await ctx.restartIngest(paths);
}

export async function showLog(ctx: ExtensionContext): Promise<void> {
  ctx.output.show(true);
}
