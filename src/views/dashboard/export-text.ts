import type { DashboardRow } from '../../protocol/dashboard';

// The dashboard's export: the selected rows as CSV (RFC 4180: CRLF lines, fields with a comma, a
// quote or a line break quoted, quotes doubled) or JSON. Titles, branches and tags are
// agent-written, and a spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a
// formula: such text cells get a leading apostrophe. Numbers stay numbers.

type Cell = string | number | boolean | null;

/** The exported columns: a header and what each row holds. */
const COLUMNS: readonly (readonly [header: string, read: (r: DashboardRow) => Cell])[] = [
  ['session', (r) => r.row.sessionId],
  ['workspace', (r) => r.workspace],
  ['title', (r) => r.row.title],
  ['branch', (r) => r.row.branch],
  ['workflow', (r) => r.row.workflow],
  ['state', (r) => r.row.workflowState ?? r.row.lifecycleState],
  ['lifecycle', (r) => r.row.lifecycleState],
  ['status', (r) => r.status],
  ['endReason', (r) => r.row.endReason],
  ['model', (r) => r.row.model],
  ['started', (r) => isoOrNull(r.row.firstEventAt)],
  ['lastEvent', (r) => isoOrNull(r.row.lastEventAt)],
  ['durationMs', (r) => r.durationMs],
  ['costUsd', (r) => Math.round(r.costUsd * 1e6) / 1e6],
  ['tokens', (r) => r.tokens],
  ['events', (r) => r.row.events],
  ['prompts', (r) => r.row.prompts],
  ['toolCalls', (r) => r.row.toolCalls],
  ['toolFailures', (r) => r.row.toolFailures],
  ['denials', (r) => r.row.denials],
  ['rejections', (r) => r.row.rejections],
  ['refusals', (r) => r.row.refusals],
  ['iterations', (r) => r.row.iterations],
  ['transitions', (r) => r.row.transitions],
  ['imported', (r) => r.row.importedEvents > 0],
  ['tags', (r) => r.row.tags.join(' ')],
];

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** One record per row, keyed by the CSV's headers (the JSON export). */
export function exportRecords(rows: readonly DashboardRow[]): Record<string, Cell>[] {
  return rows.map((row) => Object.fromEntries(COLUMNS.map(([header, read]) => [header, read(row)])));
}

export function exportJson(rows: readonly DashboardRow[]): string {
  return `${JSON.stringify(exportRecords(rows), null, 2)}\n`;
}

/** RFC 4180 CSV with a header line; a UTF-8 byte order mark first, so spreadsheets read non-ASCII text right. */
export function exportCsv(rows: readonly DashboardRow[]): string {
  const lines = [COLUMNS.map(([header]) => csvCell(header)).join(',')];
  for (const row of rows) lines.push(COLUMNS.map(([, read]) => csvCell(read(row))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** One CSV field: text that a spreadsheet would run as a formula is defused, then quoted when needed. */
export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
