import { formatDuration } from '../shared/duration';
import type { DashboardGroup, DashboardRow } from '../../src/protocol/dashboard';

// The table's columns: what each shows (text only: titles, branches and workflows are
// agent-written), its width, and the SESSION_FIELDS name it sorts by.

export interface Column {
  readonly id: string;
  readonly label: string;
  /** The field selectRows sorts by. */
  readonly sort: string;
  readonly width: number;
  readonly numeric?: boolean;
  text(r: DashboardRow): string;
  /** What a group's row shows in this column (the title column draws its own); none when absent. */
  group?(g: DashboardGroup): string;
}

const count = (n: number): string => (n === 0 ? '' : n.toLocaleString('en-US'));
const dash = (value: string | null): string => value ?? '–';

export const COLUMNS: readonly Column[] = [
  { id: 'title', label: 'Title', sort: 'title', width: 340, text: (r) => r.row.title ?? r.row.sessionId.slice(0, 8) },
  { id: 'workspace', label: 'Workspace', sort: 'workspace', width: 120, text: (r) => r.workspace, group: (g) => g.workspace },
  { id: 'branch', label: 'Branch', sort: 'branch', width: 140, text: (r) => dash(r.row.branch) },
  { id: 'workflow', label: 'Workflow', sort: 'workflow', width: 110, text: (r) => dash(r.row.workflow) },
  { id: 'state', label: 'State', sort: 'state', width: 120, text: (r) => (r.row.workflowState ?? r.row.lifecycleState).replace(/_/g, ' '), group: (g) => `active ${formatDuration(g.activeMs)}` },
  { id: 'status', label: 'Status', sort: 'status', width: 80, text: (r) => r.status, group: (g) => `${g.links} link${g.links === 1 ? '' : 's'}` },
  { id: 'started', label: 'Started', sort: 'started', width: 140, numeric: true, text: (r) => formatStarted(r.row.firstEventAt), group: (g) => formatStarted(g.firstEventAt) },
  { id: 'duration', label: 'Duration', sort: 'duration', width: 100, numeric: true, text: (r) => (r.row.firstEventAt === null ? '–' : formatDuration(r.durationMs)), group: (g) => (g.firstEventAt === null ? '–' : formatDuration(g.spanMs)) },
  { id: 'cost', label: 'Cost', sort: 'cost', width: 80, numeric: true, text: (r) => formatCost(r.costUsd), group: (g) => formatCost(g.costUsd) },
  { id: 'tokens', label: 'Tokens', sort: 'tokens', width: 90, numeric: true, text: (r) => count(r.tokens), group: (g) => count(g.tokens) },
  { id: 'events', label: 'Events', sort: 'events', width: 70, numeric: true, text: (r) => count(r.row.events) },
  { id: 'failures', label: 'Failures', sort: 'failures', width: 70, numeric: true, text: (r) => count(r.row.toolFailures), group: (g) => count(g.failures) },
  { id: 'denials', label: 'Denials', sort: 'denials', width: 70, numeric: true, text: (r) => count(r.row.denials) },
  { id: 'rejections', label: 'Rejections', sort: 'rejections', width: 80, numeric: true, text: (r) => count(r.row.rejections) },
  { id: 'iterations', label: 'Iterations', sort: 'iterations', width: 80, numeric: true, text: (r) => count(r.row.iterations) },
  { id: 'model', label: 'Model', sort: 'model', width: 170, text: (r) => dash(r.row.model) },
];

/** The columns to show: the workspace only when the window has several. */
export function visibleColumns(workspaces: number): Column[] {
  return COLUMNS.filter((c) => c.id !== 'workspace' || workspaces > 1);
}

function formatStarted(ms: number | null): string {
  if (ms === null) return '–';
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function formatCost(usd: number): string {
  if (usd === 0) return '';
  return `$${usd.toFixed(usd < 1 ? 3 : 2)}`;
}
