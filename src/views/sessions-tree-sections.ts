import * as vscode from 'vscode';
import { isAbsolute, join } from 'node:path';
import { formatElapsed, stateLabel } from '../projections/session-list';
import type { SessionSummaryState } from '../projections/session-summary';
import { stateChanges } from '../projections/state-changes';
import type { LogbookViews } from './services';

// The children of a session in the sidebar: state timeline, journal entries, tool failures,
// subagents. Event text is shown as plain labels and tooltips (TreeItem labels are not HTML).

export type SectionKind = 'timeline' | 'journal' | 'failures' | 'subagents';
export interface SectionNode { readonly kind: 'section'; readonly section: SectionKind; readonly sessionId: string; readonly item: vscode.TreeItem }
export interface LeafNode { readonly kind: 'leaf'; readonly item: vscode.TreeItem }

/** Most state changes listed under "State timeline"; the report has them all. */
const TIMELINE_LIMIT = 200;

export function sectionsOf(summary: SessionSummaryState): SectionNode[] {
  const id = summary.sessionId ?? '?';
  const failures = Object.values(summary.tools.all).reduce((sum, t) => sum + t.failures, 0);
  const subagents = Object.keys(summary.subagents).length;
  const make = (section: SectionKind, label: string, icon: string, count: number | undefined): SectionNode => {
    const item = new vscode.TreeItem(label, count === 0 ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `${section}:${id}`;
    item.iconPath = new vscode.ThemeIcon(icon);
    if (count !== undefined) item.description = String(count);
    item.contextValue = `section.${section}`;
    return { kind: 'section', section, sessionId: id, item };
  };
  return [
    make('timeline', 'State timeline', 'history', undefined),
    make('journal', 'Journal', 'book', summary.journal.length),
    make('failures', 'Tool failures', 'error', failures),
    make('subagents', 'Subagents', 'organization', subagents),
  ];
}

export async function sectionChildren(node: SectionNode, views: LogbookViews): Promise<LeafNode[]> {
  const found = views.findSession(node.sessionId);
  if (found === undefined) return [];
  const summary = found.summary;
  switch (node.section) {
    case 'timeline': return timelineLeaves(await views.readStream(node.sessionId), node.sessionId);
    case 'journal': return journalLeaves(summary, found.workspace.paths.workspace);
    case 'failures': return failureLeaves(summary);
    case 'subagents': return subagentLeaves(summary);
    default: return assertNever(node.section);
  }
}

function leaf(label: string, description: string, icon: string, tooltip?: string, command?: vscode.Command): LeafNode {
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.description = description;
  item.iconPath = new vscode.ThemeIcon(icon);
  if (tooltip !== undefined) item.tooltip = tooltip;
  if (command !== undefined) item.command = command;
  return { kind: 'leaf', item };
}

function timelineLeaves(events: Parameters<typeof stateChanges>[0], sessionId: string): LeafNode[] {
  const changes = stateChanges(events);
  const shown = changes.slice(-TIMELINE_LIMIT);
  const leaves = shown.map((change) => leaf(
    change.machine === 'workflow' ? `⇒ ${change.state}` : stateLabel(change.state),
    `${clock(change.at)}${change.durationMs === null ? '' : ` · ${formatElapsed(change.durationMs)}`}`,
    change.machine === 'workflow' ? 'arrow-right' : 'circle-small',
    `${change.machine} state ${change.state} from event #${change.globalPosition}`,
  ));
  if (changes.length > shown.length) {
    leaves.unshift(leaf(`${changes.length - shown.length} earlier changes`, 'open the report for all', 'ellipsis', undefined, { command: 'logbook.openReport', title: 'Open Session Report', arguments: [sessionId] }));
  }
  return leaves;
}

function journalLeaves(summary: SessionSummaryState, workspace: string): LeafNode[] {
  return [...summary.journal].reverse().map((entry) => {
    const file = entry.files[0];
    const command: vscode.Command = file === undefined
      ? { command: 'logbook.openJournal', title: 'Open Journal', arguments: [summary.sessionId] }
      : { command: 'vscode.open', title: 'Open File', arguments: [vscode.Uri.file(isAbsolute(file.path) ? file.path : join(workspace, file.path)), { selection: new vscode.Range(Math.max(0, (file.line ?? 1) - 1), 0, Math.max(0, (file.line ?? 1) - 1), 0) }] };
    const tags = entry.tags.length > 0 ? ` · ${entry.tags.map((tag) => `#${tag}`).join(' ')}` : '';
    return leaf(firstLine(entry.text), `${entry.state} · it. ${entry.iteration} · ${clock(entry.at)}${tags}`, 'note', entry.text, command);
  });
}

function failureLeaves(summary: SessionSummaryState): LeafNode[] {
  return Object.entries(summary.tools.all)
    .filter(([, stats]) => stats.failures > 0)
    .sort((a, b) => b[1].failures - a[1].failures || a[0].localeCompare(b[0]))
    .map(([tool, stats]) => leaf(tool, `${stats.failures} of ${stats.calls} failed`, 'error', undefined, { command: 'logbook.openReport', title: 'Open Session Report', arguments: [summary.sessionId] }));
}

function subagentLeaves(summary: SessionSummaryState): LeafNode[] {
  return Object.values(summary.subagents)
    .sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0))
    .map((agent) => {
      const calls = Object.values(agent.tools).reduce((sum, t) => sum + t.calls, 0);
      const tools = Object.entries(agent.tools).map(([tool, t]) => `${tool}: ${t.calls}${t.failures > 0 ? ` (${t.failures} failed)` : ''}`).join('\n');
      return leaf(agent.agentType, `${agent.durationMs === null ? 'running' : formatElapsed(agent.durationMs)} · ${calls} tool call${calls === 1 ? '' : 's'}`, 'hubot', `${agent.agentId}\n${tools}`);
    });
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function clock(at: number | null): string {
  return at === null ? '?' : new Date(at).toLocaleTimeString();
}

function assertNever(value: never): never {
  throw new Error(`unexpected section ${String(value)}`);
}
