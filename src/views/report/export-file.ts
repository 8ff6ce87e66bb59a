import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDiscussPrompt } from '../../projections/discuss-prompt';
import { computeInsights } from '../../projections/insights';
import type { PriceTable } from '../../projections/pricing';
import { buildSessionReport } from '../../projections/report';
import { buildStaticReport, renderReportHtml } from '../../projections/report-html';
import type { ReportAssets } from '../../projections/report-html';
import { SessionIndex } from '../../projections/session-index';
import type { RecordedEvent } from '../../store/event-store';

// The HTML export shared by `logbook report --html` and the VS Code command (no vscode import):
// fold the session, read its tokens, render the static page with the webview's built renderer.

/** Reads the report renderer from a built dist/webview folder, with the codicon font inlined. */
export function readReportAssets(webviewDir: string): ReportAssets {
  const file = (name: string): string => join(webviewDir, name);
  if (!existsSync(file('report.js'))) throw new Error(`the report renderer is not built (${file('report.js')} is missing): run "npm run build"`);
  const font = readFileSync(file('codicon.ttf')).toString('base64');
  const codicons = readFileSync(file('codicon.css'), 'utf8').replace(/url\((["']?)\.\/codicon\.ttf[^)"']*\1\)/g, `url("data:font/ttf;base64,${font}")`);
  return { script: readFileSync(file('report.js'), 'utf8'), styles: [codicons, readFileSync(file('webview.css'), 'utf8'), readFileSync(file('report.css'), 'utf8')] };
}

/** The first of these folders that holds a built report renderer. */
export function findWebviewDir(candidates: readonly string[]): string {
  return candidates.find((dir) => existsSync(join(dir, 'report.js'))) ?? candidates[0] ?? 'dist/webview';
}

export interface ExportedReport {
  readonly html: string;
  readonly embedded: number;
  readonly total: number;
}

/** One self-contained HTML file for a session's events. */
export async function exportSessionHtml(key: string, events: readonly RecordedEvent[], prices: PriceTable, assets: ReportAssets, now: number = Date.now()): Promise<ExportedReport> {
  const index = new SessionIndex(key);
  index.extend(events);
  const usage = index.usage(prices);
  const report = buildSessionReport(index.summary, { now, importedEvents: index.importedEvents, ...(usage === undefined ? {} : { usage }) });
  const insights = computeInsights(report, index.rows);
  const data = buildStaticReport({ key, report, timeline: index.timeline(), insights, prompt: buildDiscussPrompt(report, insights), rows: index.rows, events });
  return { html: renderReportHtml(data, assets), embedded: data.events.length, total: data.totalEvents };
}
