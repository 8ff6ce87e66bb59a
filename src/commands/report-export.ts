import * as vscode from 'vscode';
import { join } from 'node:path';
import { windowPrices } from '../views/window-prices';
import { exportSessionHtml, readReportAssets } from '../views/report/export-file';
import type { ExtensionContext } from './context';
import { resolveSession } from './sessions';

/** Exports a session's report as one self-contained HTML file (asks where to save it). */
export async function exportReportHtml(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const found = await resolveSession(ctx, arg);
  const key = found?.summary.sessionId;
  if (found === undefined || key === null || key === undefined) return;
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(join(found.workspace.paths.workspace, `logbook-report-${key.slice(0, 8).replace(/[^\w-]/g, '_')}.html`)),
    filters: { HTML: ['html'] },
    saveLabel: 'Export Report',
    title: 'Export Session Report as HTML',
  });
  if (target === undefined) return;
  const store = await found.workspace.store();
  if (store === undefined) throw new Error('this workspace has no store yet');
  const exported = await exportSessionHtml(key, store.readStream(key), windowPrices(), readReportAssets(join(ctx.extensionPath, 'dist', 'webview')));
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(exported.html));
  const capped = exported.embedded < exported.total ? ` (${exported.embedded} of ${exported.total} events embedded)` : '';
  const open = 'Open in Browser';
  const picked = await vscode.window.showInformationMessage(`Agent Logbook: report exported to ${target.fsPath}${capped}.`, open);
  if (picked === open) await vscode.env.openExternal(target);
}
