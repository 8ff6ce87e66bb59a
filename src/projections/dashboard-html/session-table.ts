import type { DashboardOverview } from '../../protocol/dashboard';
import { escapeHtml } from '../report-html';
import { formatElapsed, stateLabel } from '../session-list';

// The exported dashboard's table: one row per selected session, every column the dashboard and
// its CSV have. Each cell is escaped text (titles, branches, workflows, tags and models come from
// agents and repositories); a numeric or time cell carries its raw value in data-v, which the
// page's script sorts by. Without the script the table is still whole, in the dashboard's order.

/** A session as the export reads it: the dashboard's row, or a listing of `logbook sessions`. */
export interface ExportedSession {
  /** The workspace folder's name, when the export spans several. */
  readonly workspace?: string;
  readonly row: DashboardOverview;
  readonly status: string;
  readonly durationMs: number;
  readonly tokens: number;
  readonly costUsd: number;
}

/** Characters of a text cell shown (the full text of a 100 KB title helps no reader of a table). */
const MAX_CELL_CHARS = 300;

interface Cell {
  readonly text: string;
  /** The sort value of a numeric or time cell; null when unknown (sorts last). */
  readonly value?: number | null;
}

interface Column {
  readonly label: string;
  readonly numeric?: boolean;
  /** Right-to-left text reads as written, isolated from its neighbours. */
  readonly bidi?: boolean;
  read(s: ExportedSession): Cell;
}

const text = (value: string | null): Cell => ({ text: value ?? '' });
const count = (n: number): Cell => ({ text: n.toLocaleString('en-US'), value: n });

const COLUMNS: readonly Column[] = [
  { label: 'Title', bidi: true, read: (s) => text(s.row.title) },
  { label: 'Session', read: (s) => text(s.row.sessionId) },
  { label: 'Workspace', bidi: true, read: (s) => text(s.workspace ?? null) },
  { label: 'Branch', bidi: true, read: (s) => text(s.row.branch) },
  { label: 'Workflow', bidi: true, read: (s) => text(s.row.workflow) },
  { label: 'State', bidi: true, read: (s) => text(stateLabel(s.row.workflowState ?? s.row.lifecycleState)) },
  { label: 'Status', read: (s) => text(s.status) },
  { label: 'End reason', bidi: true, read: (s) => text(s.row.endReason) },
  { label: 'Model', bidi: true, read: (s) => text(s.row.model) },
  { label: 'Started', numeric: true, read: (s) => ({ text: s.row.firstEventAt === null ? '' : localTime(s.row.firstEventAt), value: s.row.firstEventAt }) },
  { label: 'Duration', numeric: true, read: (s) => ({ text: s.row.firstEventAt === null ? '' : formatElapsed(s.durationMs), value: s.durationMs }) },
  { label: 'Cost', numeric: true, read: (s) => ({ text: `$${s.costUsd.toFixed(s.costUsd < 1 ? 3 : 2)}`, value: s.costUsd }) },
  { label: 'Tokens', numeric: true, read: (s) => count(s.tokens) },
  { label: 'Events', numeric: true, read: (s) => count(s.row.events) },
  { label: 'Prompts', numeric: true, read: (s) => count(s.row.prompts) },
  { label: 'Tool calls', numeric: true, read: (s) => count(s.row.toolCalls) },
  { label: 'Failures', numeric: true, read: (s) => count(s.row.toolFailures) },
  { label: 'Denials', numeric: true, read: (s) => count(s.row.denials) },
  { label: 'Rejections', numeric: true, read: (s) => count(s.row.rejections) },
  { label: 'Iterations', numeric: true, read: (s) => count(s.row.iterations) },
  { label: 'Transitions', numeric: true, read: (s) => count(s.row.transitions) },
  { label: 'Imported', read: (s) => text(s.row.importedEvents > 0 ? 'yes' : '') },
  { label: 'Tags', bidi: true, read: (s) => text(s.row.tags.join(' ')) },
];

/** The table of sessions, in the order given; the workspace column only when there is one to show. */
export function sessionTableHtml(sessions: readonly ExportedSession[]): string {
  const columns = COLUMNS.filter((c) => c.label !== 'Workspace' || sessions.some((s) => s.workspace !== undefined));
  const head = columns.map((c) => `<th scope="col"${c.numeric === true ? ' data-type="num" class="num"' : ''} aria-sort="none">${escapeHtml(c.label)}</th>`).join('');
  const body = sessions.map((s) => `<tr data-session="${escapeHtml(s.row.sessionId)}">${columns.map((c) => cellHtml(c, c.read(s))).join('')}</tr>`).join('\n');
  return `<table id="sessions" class="sessions">
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

function cellHtml(column: Column, cell: Cell): string {
  const attributes = [
    column.numeric === true ? ' class="num"' : '',
    column.numeric === true ? ` data-v="${cell.value === null || cell.value === undefined ? '' : String(cell.value)}"` : '',
    column.bidi === true ? ' dir="auto"' : '',
  ].join('');
  const shown = clip(cell.text);
  // A cut text says so, and keeps the first 2,000 characters as a tooltip.
  const tip = cell.text.length > MAX_CELL_CHARS ? ` title="${escapeHtml(clip(cell.text, 2000))}"` : '';
  return `<td${attributes}${tip}>${escapeHtml(shown)}</td>`;
}

/** At most `max` characters and an ellipsis, never half of a surrogate pair. */
export function clip(value: string, max = MAX_CELL_CHARS): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return `${value.slice(0, end)}…`;
}

function localTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
