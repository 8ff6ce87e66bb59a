import * as vscode from 'vscode';
import { renderDashboardHtml } from '../../projections/dashboard-html/page';
import type { DashboardRow } from '../../protocol/dashboard';
import type { TrendPeriod } from '../../protocol/trends';
import { writeFileDurably } from '../../store/durable-file';
import { exportCsv, exportJson } from './export-text';

// Writes the dashboard's selection where the user says (a save dialog); nothing is written
// without one. A local file is written beside its name and renamed over it (durable-file.ts):
// private (0600), never through a link planted at that name.

export type ExportFormat = 'csv' | 'json' | 'html';

/** What the HTML page shows besides the rows. */
export interface HtmlExportOptions {
  readonly by: TrendPeriod;
  /** The filters in words. */
  readonly selection: string;
}

const FILTERS: Readonly<Record<ExportFormat, Record<string, string[]>>> = { csv: { CSV: ['csv'] }, json: { JSON: ['json'] }, html: { HTML: ['html'] } };

export async function exportRows(format: ExportFormat, rows: readonly DashboardRow[], log: (message: string) => void, options: HtmlExportOptions = { by: 'day', selection: '' }): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `sessions-${new Date().toISOString().slice(0, 10)}.${format}`;
  const target = await vscode.window.showSaveDialog({
    ...(folder === undefined ? {} : { defaultUri: vscode.Uri.joinPath(folder, name) }),
    filters: FILTERS[format],
    title: `Export ${rows.length} session${rows.length === 1 ? '' : 's'} as ${format.toUpperCase()}`,
  });
  if (target === undefined) return;
  const text = exportText(format, rows, options);
  if (target.scheme === 'file') writeFileDurably(target.fsPath, text, 0o600);
  else await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  log(`dashboard: exported ${rows.length} sessions to ${target.fsPath}`);
  void vscode.window.showInformationMessage(`Agent Logbook: exported ${rows.length} session${rows.length === 1 ? '' : 's'} to ${target.fsPath}`);
}

function exportText(format: ExportFormat, rows: readonly DashboardRow[], options: HtmlExportOptions): string {
  if (format === 'csv') return exportCsv(rows);
  if (format === 'json') return exportJson(rows);
  // The workspace column only when the window has several folders.
  const several = new Set(rows.map((r) => r.workspace)).size > 1;
  const sessions = rows.map((r) => (several ? r : { row: r.row, status: r.status, durationMs: r.durationMs, tokens: r.tokens, costUsd: r.costUsd }));
  return renderDashboardHtml({ sessions, by: options.by, now: Date.now(), selection: options.selection === '' ? 'the Sessions dashboard' : `the Sessions dashboard: ${options.selection}` });
}
