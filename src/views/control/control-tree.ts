import * as vscode from 'vscode';
import type { ControlSnapshot } from '../../control/control-center';
import type { LiveSession } from '../../domain/control/live-session';
import type { AlertLedger } from './alert-ledger';
import { groupByWorkspace, sessionRowView, workspaceRowView } from './row-view';
import type { SessionRowView } from './row-view';

// The "Control Center" view (issue 15): every session in progress of every workspace that uses
// the logbook on this machine, grouped by workspace (the window's own folders first). Redrawn
// whole from the engine's snapshot: a handful of live sessions, never the history. A row's
// element is what the commands get: its workspace and session id (and the session as last read).

/** A workspace's group. */
export interface ControlWorkspaceNode {
  readonly kind: 'workspace';
  readonly workspace: string;
}

/** A live session's row; the commands take `workspace` and `sessionId` from it. */
export interface ControlSessionNode {
  readonly kind: 'session';
  readonly workspace: string;
  readonly sessionId: string;
  readonly session: LiveSession;
}

export type ControlNode = ControlWorkspaceNode | ControlSessionNode;

export class ControlTree implements vscode.TreeDataProvider<ControlNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ControlNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private snapshot: ControlSnapshot = { sessions: [], problems: [], at: Date.now() };
  private groups: { workspace: string; sessions: LiveSession[] }[] = [];

  constructor(private readonly openHere: (workspace: string) => boolean, private readonly ledger: AlertLedger) {}

  /** New rows from the engine. */
  update(snapshot: ControlSnapshot): void {
    this.snapshot = snapshot;
    this.groups = groupByWorkspace(snapshot.sessions, this.openHere);
    this.emitter.fire(undefined);
  }

  /** Times in state move on: every row again. */
  tick(): void {
    if (this.snapshot.sessions.length > 0) this.emitter.fire(undefined);
  }

  get sessionCount(): number {
    return this.snapshot.sessions.length;
  }

  getTreeItem(node: ControlNode): vscode.TreeItem {
    return node.kind === 'workspace' ? this.workspaceItem(node) : sessionItem(node, sessionRowView(node.session, Date.now(), this.extrasOf(node.session)));
  }

  getChildren(node?: ControlNode): ControlNode[] {
    if (node === undefined) return this.groups.map((group) => ({ kind: 'workspace', workspace: group.workspace }));
    if (node.kind === 'session') return [];
    const group = this.groups.find((g) => g.workspace === node.workspace);
    return (group?.sessions ?? []).map((session) => ({ kind: 'session', workspace: session.workspace, sessionId: session.sessionId, session }));
  }

  getParent(node: ControlNode): ControlNode | undefined {
    return node.kind === 'session' ? { kind: 'workspace', workspace: node.workspace } : undefined;
  }

  /** The rows as the tree shows them (tests, and the commands' pick when called without a row). */
  sessionRows(): { node: ControlSessionNode; view: SessionRowView }[] {
    const now = Date.now();
    return this.groups.flatMap((group) => group.sessions.map((session) => ({
      node: { kind: 'session' as const, workspace: session.workspace, sessionId: session.sessionId, session },
      view: sessionRowView(session, now, this.extrasOf(session)),
    })));
  }

  dispose(): void {
    this.emitter.dispose();
  }

  private extrasOf(session: LiveSession): { lastAlert?: string } {
    const lastAlert = this.ledger.latestFor(session.workspace, session.sessionId);
    return lastAlert === undefined ? {} : { lastAlert };
  }

  private workspaceItem(node: ControlWorkspaceNode): vscode.TreeItem {
    const count = this.groups.find((g) => g.workspace === node.workspace)?.sessions.length ?? 0;
    const view = workspaceRowView(node.workspace, count, this.openHere(node.workspace));
    const item = new vscode.TreeItem(view.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `control-workspace:${node.workspace}`;
    item.description = view.description;
    item.tooltip = view.tooltip;
    item.contextValue = view.contextValue;
    item.resourceUri = vscode.Uri.file(node.workspace);
    item.iconPath = vscode.ThemeIcon.Folder;
    return item;
  }
}

function sessionItem(node: ControlSessionNode, view: SessionRowView): vscode.TreeItem {
  // A TreeItem's label and description are text, never markup.
  const item = new vscode.TreeItem(view.label, vscode.TreeItemCollapsibleState.None);
  item.id = `control-session:${node.workspace}:${node.sessionId}`;
  item.description = view.description;
  item.iconPath = new vscode.ThemeIcon(view.icon.id, view.icon.color === undefined ? undefined : new vscode.ThemeColor(view.icon.color));
  item.contextValue = view.contextValue;
  item.tooltip = tooltipOf(view);
  item.accessibilityInformation = { label: view.ariaLabel };
  item.command = { command: 'logbook.controlCenter.openReport', title: 'Open Report', arguments: [node] };
  return item;
}

/** Every field, each value escaped: Markdown only for the names. */
function tooltipOf(view: SessionRowView): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString(undefined, false);
  tooltip.isTrusted = false;
  tooltip.appendMarkdown('**').appendText(view.tooltipTitle).appendMarkdown('**\n\n');
  for (const [name, value] of view.fields) tooltip.appendMarkdown(`*${name}:* `).appendText(value).appendMarkdown('  \n');
  return tooltip;
}
