import type { LifecycleStateName } from '../domain/lifecycle';
import { DEFAULT_SILENCE_MS } from '../domain/lifecycle-time';
import type { SessionStatus } from '../domain/lifecycle-time';
import { lifecycleTimes, workflowTimes } from './session-summary';
import type { SessionSummaryState } from './session-summary';
import { statusAt } from './overview/session-status';
import type { SessionOverview } from './overview/session-overview';

// What the sessions sidebar and the status bar show, as plain data (no vscode): live sessions
// first, finished ones grouped by day, each with its state, elapsed time and badges.

/** One session row. */
export interface SessionRow {
  readonly sessionId: string;
  /** The first prompt, shortened; null before one. */
  readonly title: string | null;
  readonly branch: string | null;
  readonly workflow: string | null;
  /** Recorded by `logbook import` from transcripts: no hook timings, no denials. */
  readonly imported: boolean;
  readonly workspace: string;
  readonly status: SessionStatus;
  /** The lifecycle state, and the workflow state when there is one. */
  readonly lifecycleState: LifecycleStateName;
  readonly workflowState: string | null;
  readonly startedAt: number | null;
  readonly lastEventAt: number | null;
  /** Live sessions: up to now; others: first to last event. */
  readonly elapsedMs: number;
  readonly badges: SessionBadges;
  readonly model: string | null;
}

export interface SessionBadges {
  /** Hook denials by the workflow plus permission denials. */
  readonly denials: number;
  readonly rejections: number;
  readonly failures: number;
  readonly refused: number;
}

export interface SessionGroup {
  /** "Live", "Today", "Yesterday" or a date (YYYY-MM-DD, local time). */
  readonly label: string;
  readonly live: boolean;
  readonly rows: readonly SessionRow[];
}

export interface ListOptions {
  readonly now: number;
  readonly silenceMs?: number;
}

export function sessionRow(workspace: string, row: SessionOverview, options: ListOptions): SessionRow {
  const { status, durationMs } = statusAt(row, options.now, options.silenceMs ?? DEFAULT_SILENCE_MS);
  return {
    sessionId: row.sessionId,
    title: row.title,
    branch: row.branch,
    workflow: row.workflow,
    imported: row.importedEvents > 0,
    workspace,
    status,
    lifecycleState: row.lifecycleState,
    workflowState: row.workflowState,
    startedAt: row.firstEventAt,
    lastEventAt: row.lastEventAt,
    elapsedMs: durationMs,
    badges: { denials: row.denials, rejections: row.rejections, failures: row.toolFailures, refused: row.refusals },
    model: row.model,
  };
}

/** Live (and idle) sessions first, newest activity first; then finished ones by day, newest first. */
export function groupSessions(rows: readonly SessionRow[], now: number): SessionGroup[] {
  // Ids are compared as strings, not by locale: ICU per comparison costs milliseconds over thousands of rows.
  const byRecent = [...rows].sort((a, b) => (b.lastEventAt ?? 0) - (a.lastEventAt ?? 0) || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  const live = byRecent.filter((row) => row.status === 'live' || row.status === 'idle');
  const groups: SessionGroup[] = live.length > 0 ? [{ label: 'Live', live: true, rows: live }] : [];
  const days = new Map<string, SessionRow[]>();
  // Today's and yesterday's dates once, not per row: a year of sessions is thousands of rows. The
  // rows come newest first, so a day's label is worked out once and kept while its rows follow
  // (a local date per row: 20 ms of the sidebar's first redraw at 6,881 sessions).
  const today = localDate(now);
  const yesterday = localDate(now - 86_400_000);
  let current: { start: number; end: number; label: string } | undefined;
  for (const row of byRecent) {
    if (row.status === 'live' || row.status === 'idle') continue;
    const at = row.lastEventAt ?? row.startedAt;
    if (at === null || current === undefined || !(at >= current.start && at < current.end)) current = at === null ? undefined : dayOf(at, today, yesterday);
    const label = current?.label ?? labelOfDay(at, today, yesterday);
    const day = days.get(label);
    if (day === undefined) days.set(label, [row]);
    else day.push(row);
  }
  for (const [label, dayRows] of days) groups.push({ label, live: false, rows: dayRows });
  return groups;
}

/** The local day holding `at`: its bounds and its label. */
function dayOf(at: number, today: string, yesterday: string): { start: number; end: number; label: string } {
  const d = new Date(at);
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const end = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  // A time no Date holds has NaN bounds: no time falls within them, so its label is never reused.
  return { start, end, label: labelOfDay(at, today, yesterday) };
}

/** "Today", "Yesterday", or the local date. */
export function dayLabel(at: number | null, now: number): string {
  return labelOfDay(at, localDate(now), localDate(now - 86_400_000));
}

function labelOfDay(at: number | null, today: string, yesterday: string): string {
  if (at === null) return 'Unknown day';
  const day = localDate(at);
  if (day === today) return 'Today';
  if (day === yesterday) return 'Yesterday';
  return day;
}

/** The most recently active live or idle session: what the status bar follows. */
export function activeRow(rows: readonly SessionRow[]): SessionRow | undefined {
  return rows.filter((row) => row.status === 'live' || row.status === 'idle').sort((a, b) => (b.lastEventAt ?? 0) - (a.lastEventAt ?? 0))[0];
}

/** Milliseconds per state, largest first, zero-time states left out. */
export function stateTimes(summary: SessionSummaryState): { lifecycle: [string, number][]; workflow: [string, number][] } {
  const sorted = (times: Record<string, number>): [string, number][] => Object.entries(times).filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]);
  return { lifecycle: sorted(lifecycleTimes(summary)), workflow: sorted(workflowTimes(summary)) };
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const hours = Math.floor(m / 60);
  return `${hours}h ${String(m % 60).padStart(2, '0')}m`;
}

export function stateLabel(state: string): string {
  return state.replace(/_/g, ' ');
}

function localDate(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
