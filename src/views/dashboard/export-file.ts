import * as vscode from 'vscode';
import type { DashboardRow } from '../../protocol/dashboard';
import { exportCsv, exportJson } from './export-text';

// Writes the dashboard's selection where the user says (a save dialog); nothing is written
// without one.

export async function exportRows(format: 'csv' | 'json', rows: readonly DashboardRow[], log: (message: string) => void): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `sessions-${new Date().toISOString().slice(0, 10)}.${format}`;
  const target = await vscode.window.showSaveDialog({
    ...(folder === undefined ? {} : { defaultUri: vscode.Uri.joinPath(folder, name) }),
    filters: format === 'csv' ? { 'CSV': ['csv'] } : { 'JSON': ['json'] },
    title: `Export ${rows.length} session${rows.length === 1 ? '' : 's'} as ${format.toUpperCase()}`,
  });
  if (target === undefined) return;
  const text = format === 'csv' ? exportCsv(rows) : exportJson(rows);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  log(`dashboard: exported ${rows.length} sessions to ${target.fsPath}`);
  void vscode.window.showInformationMessage(`Agent Logbook: exported ${rows.length} session${rows.length === 1 ? '' : 's'} to ${target.fsPath}`);
}
