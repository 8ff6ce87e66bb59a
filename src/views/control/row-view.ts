import { basename } from 'node:path';
import { durationText } from '../../domain/control/alert-format';
import type { AlertRuleId } from '../../domain/control/alert-rules';
import type { LiveSession } from '../../domain/control/live-session';
import { liveRowText } from '../../projections/control/live-row';
import { oneLine } from '../../domain/one-line';

// What the control center's tree shows of a live session and of a workspace, as plain data (no
// vscode import, so the unit tests read it): label, description, the tooltip's fields, an icon by
// state, and the context value the menus key on. Every value is plain text; the tree item makes
// the tooltip Markdown with each value escaped (titles and journal entries are the agent's words).

/** A codicon id and an optional theme color id. */
export interface RowIcon {
  readonly id: string;
  readonly color?: string;
}

export interface SessionRowView {
  readonly label: string;
  readonly description: string;
  /** The tooltip's heading (the whole title) and its fields, in order: [name, plain text]. */
  readonly tooltipTitle: string;
  readonly fields: readonly (readonly [string, string])[];
  readonly icon: RowIcon;
  /** `control.session.held` or `control.session.free`: Resume or Hold in the menus. */
  readonly contextValue: string;
  readonly ariaLabel: string;
}

export interface WorkspaceRowView {
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly contextValue: string;
}

/** What the window knows of a session besides its events: an alert it told about it. */
export interface RowExtras {
  readonly lastAlert?: string;
}

const JOURNAL_TOOLTIP_CHARS = 300;
const TITLE_TOOLTIP_CHARS = 300;

export function sessionRowView(s: LiveSession, now: number, extras: RowExtras = {}): SessionRowView {
  const r = liveRowText(s, now);
  const description = [
    s.held === null ? undefined : 'held',
    r.state, r.inState, waitingText(s, r.waiting),
    r.cost === '-' ? undefined : r.cost,
    r.burn === '-' ? undefined : r.burn,
    s.branch === null ? undefined : `⎇ ${r.branch}`,
  ].filter((part): part is string => part !== undefined).join(' · ');
  const fields: [string, string][] = [
    ['Session', s.sessionId],
    ['Workspace', s.workspace],
    ['Branch', r.branch],
    ['State', `${r.state} for ${r.inState}`],
  ];
  if (s.workflowState !== null && s.workflowEnteredAt !== null) fields.push(['Workflow state', `${s.workflowState} for ${durationText(now - s.workflowEnteredAt)}`]);
  fields.push(
    ['Waiting for', r.waiting === '-' ? 'nothing' : r.waiting],
    ['Tokens', r.tokens],
    ['Cost so far', r.cost],
    ['Burn rate', r.burn],
    ['Last tool', r.lastTool],
    ['Last journal entry', s.lastJournal === null ? '-' : oneLine(s.lastJournal.text, JOURNAL_TOOLTIP_CHARS)],
    ['Running subagents', r.subagents],
  );
  if (s.held !== null) fields.push(['Held', `${oneLine(s.held.message, 200)}${s.held.at === null ? '' : ` (for ${durationText(now - s.held.at)})`}: its next tool call waits for Resume, then is denied`]);
  if (extras.lastAlert !== undefined) fields.push(['Last alert', oneLine(extras.lastAlert, 300)]);
  if (s.mutedRules.length > 0) fields.push(['Muted rules', s.mutedRules.join(', ')]);
  if (s.model !== null) fields.push(['Model', oneLine(s.model, 80)]);
  return {
    label: r.title,
    description,
    tooltipTitle: s.title === null ? r.title : oneLine(s.title, TITLE_TOOLTIP_CHARS),
    fields,
    icon: iconOf(s, extras),
    contextValue: s.held === null ? 'control.session.free' : 'control.session.held',
    ariaLabel: `${r.title}, ${description}`,
  };
}

/**
 * What the session waits for, when its state does not say it already: "waiting for permission"
 * and "subagent running" do; "idle" says the agent stopped, not that the user is waited for.
 */
function waitingText(s: LiveSession, waiting: string): string | undefined {
  if (s.waitingFor === null) return undefined;
  if (s.waitingFor === 'permission' && s.lifecycleState === 'waiting_for_permission') return undefined;
  if (s.waitingFor === 'subagent' && s.lifecycleState === 'subagent_running') return undefined;
  if (s.waitingFor === 'input' && s.lifecycleState === 'idle') return 'waits for your input';
  return `waits for ${waiting}`;
}

/**
 * A session's icon: what needs the user first (held by them, an alert told, their permission,
 * their next prompt), then what the agent is doing.
 */
export function iconOf(s: LiveSession, extras: RowExtras = {}): RowIcon {
  if (s.held !== null) return { id: 'debug-pause', color: 'charts.orange' };
  if (s.waitingFor === 'permission') return { id: 'bell-dot', color: 'charts.yellow' };
  if (extras.lastAlert !== undefined) return { id: 'warning', color: 'charts.yellow' };
  if (s.waitingFor === 'input') return { id: 'comment-discussion', color: 'charts.blue' };
  switch (s.lifecycleState) {
    case 'subagent_running': return { id: 'type-hierarchy-sub', color: 'charts.green' };
    case 'tool_running': return { id: 'tools', color: 'charts.green' };
    case 'compacting': return { id: 'fold', color: 'charts.purple' };
    case 'model_working': case 'prompted': case 'starting': return { id: 'pulse', color: 'charts.green' };
    case 'waiting_for_permission': return { id: 'bell-dot', color: 'charts.yellow' };
    case 'idle': return { id: 'comment-discussion', color: 'charts.blue' };
    case 'ended': return { id: 'pass' };
    default: return { id: 'circle-outline' };
  }
}

/** A workspace's group row: its folder's name, how many sessions run there, whether this window has it open. */
export function workspaceRowView(workspace: string, sessions: number, openHere: boolean): WorkspaceRowView {
  const where = openHere ? 'open in this window' : 'not open in this window';
  return {
    label: basename(workspace) || workspace,
    description: `${sessions} in progress · ${where}`,
    tooltip: `${workspace}\n${sessions} session(s) in progress; ${where}`,
    contextValue: openHere ? 'control.workspace.open' : 'control.workspace.other',
  };
}

/** Sessions grouped by workspace: the window's own folders first, then by latest activity. */
export function groupByWorkspace(sessions: readonly LiveSession[], openHere: (workspace: string) => boolean): { workspace: string; sessions: LiveSession[] }[] {
  const groups = new Map<string, LiveSession[]>();
  for (const s of sessions) {
    const list = groups.get(s.workspace);
    if (list === undefined) groups.set(s.workspace, [s]);
    else list.push(s);
  }
  const latest = (list: readonly LiveSession[]): number => Math.max(...list.map((s) => s.lastEventAt ?? 0));
  return [...groups.entries()]
    .map(([workspace, list]) => ({ workspace, sessions: list }))
    .sort((a, b) => Number(openHere(b.workspace)) - Number(openHere(a.workspace)) || latest(b.sessions) - latest(a.sessions) || (a.workspace < b.workspace ? -1 : 1));
}

/** One line per rule for the "Mute Rule" pick. */
export const RULE_WORDS: Readonly<Record<AlertRuleId, string>> = {
  'time-in-state': 'too long in one state (its p90 here, or a set number of minutes)',
  waiting: 'waited too long for your permission or your next prompt',
  'tool-failures': 'the same tool failed several times in a row',
  'denial-loop': 'the same rule denied several calls in a row',
  'review-rejections': 'review rejected the work several times',
  stuck: 'no event for too long',
  'compaction-loop': 'compacted several times within a short while',
  'session-budget': 'the session spent more than its budget',
  'burn-rate': 'spends faster than the set rate per hour',
  'daily-budget': "the workspace's day spent more than its budget",
};
