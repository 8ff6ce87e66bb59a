import * as vscode from 'vscode';
import type { GroupMember } from '../domain/groups/model';
import { groupFigures, groupName, memberFigures, memberName } from '../projections/groups/group-figures';
import { treeOrder } from '../projections/groups/timeline/group-timeline';
import type { LogbookViews } from './services';
import { allGroups } from './groups/group-source';
import type { WorkspaceGroup } from './groups/group-source';

// The "Groups" section of the Sessions view (issue 16): sessions that work together (a run, a
// parent and the sessions its tools started, a team), each an expandable row with the group's
// totals, its members below (role and title; a click opens the member's report, and the session
// row's menu applies). Its rows are read again when the store changes; the section redraws only
// when what it shows changed. Titles, labels and paths are untrusted: labels are text, and
// tooltips are Markdown built with appendText.

export interface GroupsSectionNode { readonly kind: 'groups' }
export interface LinkedGroupNode { readonly kind: 'linkedGroup'; readonly groupId: string; readonly folder: string; found: WorkspaceGroup }
export interface GroupMemberNode { readonly kind: 'groupMember'; readonly sessionId: string; readonly groupId: string; readonly folder: string; readonly member: GroupMember }
export type GroupsTreeNode = GroupsSectionNode | LinkedGroupNode | GroupMemberNode;

/** What a new read of the groups asks of the tree: nothing, the section's rows, or the whole tree (the section appeared or went). */
export type GroupsRedraw = 'none' | 'section' | 'all';

export class GroupsSection {
  readonly node: GroupsSectionNode = { kind: 'groups' };
  private list: WorkspaceGroup[] = [];
  private readonly nodes = new Map<string, LinkedGroupNode>();
  private signature = '';

  constructor(private readonly views: LogbookViews) {}

  /** Whether the section shows (there is a group). */
  get shown(): boolean {
    return this.list.length > 0;
  }

  /** Reads the groups again. */
  update(): GroupsRedraw {
    const wasShown = this.shown;
    const next = allGroups(this.views);
    const signature = JSON.stringify(next.map(({ workspace, group }) => [workspace.paths.workspace, group.id, groupFigures(group), group.members.map((m) => [m.sessionId, m.role, m.title, memberFigures(m)])]));
    if (signature === this.signature) return 'none';
    this.signature = signature;
    this.list = next;
    const seen = new Set<string>();
    for (const found of next) {
      const key = keyOf(found.workspace.paths.workspace, found.group.id);
      seen.add(key);
      const node = this.nodes.get(key);
      if (node === undefined) this.nodes.set(key, { kind: 'linkedGroup', groupId: found.group.id, folder: found.workspace.paths.workspace, found });
      else node.found = found;
    }
    for (const key of this.nodes.keys()) if (!seen.has(key)) this.nodes.delete(key);
    return this.shown === wasShown ? 'section' : 'all';
  }

  groupNodes(): LinkedGroupNode[] {
    return this.list.map(({ workspace, group }) => this.nodes.get(keyOf(workspace.paths.workspace, group.id))).filter((n): n is LinkedGroupNode => n !== undefined);
  }

  memberNodes(node: LinkedGroupNode): GroupMemberNode[] {
    return treeOrder(node.found.group.members).map((member) => ({ kind: 'groupMember', sessionId: member.sessionId, groupId: node.groupId, folder: node.folder, member }));
  }

  item(node: GroupsTreeNode, showWorkspace: boolean): vscode.TreeItem {
    switch (node.kind) {
      case 'groups': return this.sectionItem();
      case 'linkedGroup': return groupItem(node, showWorkspace);
      case 'groupMember': return memberItem(node);
      default: {
        const never: never = node;
        throw new Error(`unexpected groups node ${JSON.stringify(never)}`);
      }
    }
  }

  private sectionItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Groups', vscode.TreeItemCollapsibleState.Expanded);
    item.id = 'groups-section';
    item.description = String(this.list.length);
    item.iconPath = new vscode.ThemeIcon('link');
    item.contextValue = 'groups';
    item.tooltip = 'Sessions that work together: a run (LOGBOOK_RUN), a session and the sessions its tools started, a team';
    return item;
  }
}

const ICONS: Readonly<Record<string, string>> = { run: 'run-all', tree: 'type-hierarchy-sub', team: 'organization' };

function groupItem(node: LinkedGroupNode, showWorkspace: boolean): vscode.TreeItem {
  const { group, workspace } = node.found;
  const live = group.members.some((m) => !m.ended);
  const item = new vscode.TreeItem(groupName(group), live ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `linked-group:${keyOf(node.folder, group.id)}`;
  item.description = [showWorkspace ? workspace.name : undefined, groupFigures(group)].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(ICONS[group.kind] ?? 'link', live ? new vscode.ThemeColor('charts.green') : undefined);
  item.contextValue = 'linkedGroup';
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown('**Group** ').appendText(`${group.id} (${group.kind})`).appendMarkdown('\n\n');
  tooltip.appendText(groupFigures(group)).appendMarkdown('\n\n');
  for (const m of treeOrder(group.members)) tooltip.appendMarkdown('- ').appendText(`${memberName(m)} · ${memberFigures(m)}`).appendMarkdown('\n');
  const exact = group.links.filter((l) => l.exact).length;
  tooltip.appendMarkdown('\n').appendText(`${group.links.length} link${group.links.length === 1 ? '' : 's'} (${exact} exact, ${group.links.length - exact} inferred)`);
  item.tooltip = tooltip;
  item.accessibilityInformation = { label: `Group ${groupName(group)}, ${groupFigures(group)}` };
  return item;
}

function memberItem(node: GroupMemberNode): vscode.TreeItem {
  const m = node.member;
  const item = new vscode.TreeItem(memberName(m), vscode.TreeItemCollapsibleState.None);
  item.id = `linked-member:${keyOf(node.folder, node.groupId)}\u0000${m.sessionId}`;
  item.description = memberFigures(m);
  item.iconPath = new vscode.ThemeIcon(m.role === 'lead' ? 'account' : m.toolFailures > 0 ? 'warning' : 'person', m.toolFailures > 0 ? new vscode.ThemeColor('charts.yellow') : undefined);
  // "session…": the session row's inline and context actions apply to a member too.
  item.contextValue = 'session.member';
  item.command = { command: 'logbook.openReport', title: 'Open Session Report', arguments: [m.sessionId] };
  const tooltip = new vscode.MarkdownString();
  if (m.title !== null) tooltip.appendText(m.title).appendMarkdown('\n\n');
  tooltip.appendMarkdown('**Session** ').appendText(m.sessionId).appendMarkdown('\n\n');
  const where = [m.worktree === null ? undefined : `worktree ${m.worktree}`, m.branch === null ? undefined : `branch ${m.branch}`].filter(Boolean);
  if (where.length > 0) tooltip.appendText(where.join(' · ')).appendMarkdown('\n\n');
  tooltip.appendText(`${m.role} · ${memberFigures(m)} · ${m.toolCalls} tool calls`);
  item.tooltip = tooltip;
  item.accessibilityInformation = { label: `Member ${memberName(m)} ${m.sessionId}, ${memberFigures(m)}` };
  return item;
}

function keyOf(folder: string, groupId: string): string {
  return `${folder}\u0000${groupId}`;
}
