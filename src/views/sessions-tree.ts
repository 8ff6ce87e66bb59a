import * as vscode from 'vscode';
import { formatElapsed, groupSessions, sessionRow, stateLabel } from '../projections/session-list';
import type { SessionGroup, SessionRow } from '../projections/session-list';
import type { SessionOverview } from '../projections/overview/session-overview';
import type { LogbookChange, LogbookViews } from './services';
import { sectionChildren, sectionsOf } from './sessions-tree-sections';
import type { SectionNode, LeafNode } from './sessions-tree-sections';
import { GroupsSection } from './sessions-tree-groups';
import { setGroupLog } from './groups/group-source';
import type { GroupsTreeNode } from './sessions-tree-groups';

// The "Sessions" view: live sessions first, finished ones by day. Items are kept per session id
// and refreshed one by one when their session changes; the whole tree redraws only when a
// session appears or moves between groups (live → finished, a new day).

interface GroupNode { readonly kind: 'group'; readonly label: string; readonly live: boolean }
interface SessionNode { readonly kind: 'session'; readonly sessionId: string; row: SessionRow }
type Node = GroupNode | SessionNode | SectionNode | LeafNode | GroupsTreeNode;

export function silenceMs(): number {
  return vscode.workspace.getConfiguration('logbook').get<number>('sessions.abandonedAfterMinutes', 30) * 60_000;
}

export class SessionsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private groups: SessionGroup[] = [];
  private readonly groupNodes = new Map<string, GroupNode>();
  private readonly sessionNodes = new Map<string, SessionNode>();
  private readonly rowCache = new Map<string, { readonly overview: SessionOverview; readonly silence: number; readonly workspace: string; readonly row: SessionRow }>();

  /** Sessions that work together, a section after the live sessions. */
  private readonly linked: GroupsSection;

  constructor(private readonly views: LogbookViews) {
    this.linked = new GroupsSection(views);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'group': return groupItem(node, this.groups);
      case 'session': return sessionItem(node.row, this.views.workspaces().length > 1);
      case 'section': return node.item;
      case 'leaf': return node.item;
      case 'groups':
      case 'linkedGroup':
      case 'groupMember': return this.linked.item(node, this.views.workspaces().length > 1);
      default: return assertNever(node);
    }
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node === undefined) {
      this.rebuild();
      this.linked.update();
      const days: Node[] = this.groups.map((group) => this.groupNode(group));
      if (!this.linked.shown) return days;
      // Live sessions first, then the groups, then the days.
      const at = this.groups[0]?.live === true ? 1 : 0;
      return [...days.slice(0, at), this.linked.node, ...days.slice(at)];
    }
    switch (node.kind) {
      case 'group': return (this.groups.find((group) => group.label === node.label)?.rows ?? []).map((row) => this.sessionNode(row));
      case 'session': {
        const found = this.views.findSession(node.sessionId);
        return found === undefined ? [] : sectionsOf(found.summary);
      }
      case 'section': return sectionChildren(node, this.views);
      case 'leaf': return [];
      case 'groups': return this.linked.groupNodes();
      case 'linkedGroup': return this.linked.memberNodes(node);
      case 'groupMember': return [];
      default: return assertNever(node);
    }
  }

  getParent(node: Node): Node | undefined {
    if (node.kind === 'session') {
      const group = this.groups.find((g) => g.rows.some((row) => row.sessionId === node.sessionId));
      return group === undefined ? undefined : this.groupNode(group);
    }
    return undefined;
  }

  /** Redraws what a change touched: the changed sessions, or everything when the grouping moved. */
  changed(change: LogbookChange): void {
    const before = this.groups;
    this.rebuild();
    const linked = this.linked.update();
    if (change.reset || linked === 'all' || !sameShape(before, this.groups)) {
      this.emitter.fire(undefined);
      return;
    }
    if (linked === 'section') this.emitter.fire(this.linked.node);
    for (const id of change.sessions) {
      const node = this.sessionNodes.get(id);
      if (node !== undefined) this.emitter.fire(node);
    }
  }

  /** Once a second while something is live: elapsed times move, and silent sessions become abandoned. */
  tick(): void {
    const before = this.groups;
    this.rebuild();
    if (!sameShape(before, this.groups)) {
      this.emitter.fire(undefined);
      return;
    }
    for (const node of this.sessionNodes.values()) if (node.row.status === 'live' || node.row.status === 'idle') this.emitter.fire(node);
  }

  get hasLive(): boolean {
    return this.groups.some((group) => group.live);
  }

  /** The session item (for reveal and tests). */
  nodeOf(sessionId: string): Node | undefined {
    return this.sessionNodes.get(sessionId);
  }

  dispose(): void {
    this.emitter.dispose();
  }

  // At a year of history (thousands of sessions) a redraw must not redo every row: a row is made
  // again only when its session's summary changed (the catalog replaces a changed summary, never
  // edits it) or while it is live or idle (its status and elapsed time move with the clock).
  private rebuild(): void {
    const now = Date.now();
    const silence = silenceMs();
    const rows: SessionRow[] = [];
    for (const workspace of this.views.workspaces()) {
      for (const overview of workspace.overview().values()) {
        const id = overview.sessionId;
        const cached = this.rowCache.get(id);
        const fresh = cached !== undefined && cached.overview === overview && cached.silence === silence && cached.workspace === workspace.name
          && cached.row.status !== 'live' && cached.row.status !== 'idle';
        const row = fresh ? cached.row : sessionRow(workspace.name, overview, { now, silenceMs: silence });
        if (!fresh) this.rowCache.set(id, { overview, silence, workspace: workspace.name, row });
        rows.push(row);
      }
    }
    // Sessions gone (a rebuilt store, a closed folder): their rows go too.
    if (this.rowCache.size > rows.length) {
      const seen = new Set(rows.map((row) => row.sessionId));
      for (const id of this.rowCache.keys()) if (!seen.has(id)) this.rowCache.delete(id);
    }
    this.groups = groupSessions(rows, now);
    for (const row of rows) {
      const node = this.sessionNodes.get(row.sessionId);
      if (node === undefined) this.sessionNodes.set(row.sessionId, { kind: 'session', sessionId: row.sessionId, row });
      else node.row = row;
    }
  }

  private groupNode(group: SessionGroup): GroupNode {
    let node = this.groupNodes.get(group.label);
    if (node === undefined) {
      node = { kind: 'group', label: group.label, live: group.live };
      this.groupNodes.set(group.label, node);
    }
    return node;
  }

  private sessionNode(row: SessionRow): SessionNode {
    return this.sessionNodes.get(row.sessionId) ?? { kind: 'session', sessionId: row.sessionId, row };
  }
}

function groupItem(node: GroupNode, groups: readonly SessionGroup[]): vscode.TreeItem {
  const count = groups.find((group) => group.label === node.label)?.rows.length ?? 0;
  // Live and today's sessions are what one looks for: open; older days stay folded.
  const open = node.live || node.label === 'Today';
  const item = new vscode.TreeItem(node.label, open ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `group:${node.label}`;
  item.description = `${count}`;
  item.contextValue = 'group';
  item.iconPath = new vscode.ThemeIcon(node.live ? 'pulse' : 'calendar');
  return item;
}

const STATUS_ICONS: Readonly<Record<SessionRow['status'], [string, string | undefined]>> = {
  live: ['pulse', 'charts.green'],
  idle: ['debug-pause', undefined],
  ended: ['pass', undefined],
  abandoned: ['warning', 'charts.yellow'],
};

function sessionItem(row: SessionRow, showWorkspace: boolean): vscode.TreeItem {
  // A session is recognised by its first prompt (a TreeItem label is text, never markup).
  const item = new vscode.TreeItem(row.title ?? row.sessionId.slice(0, 8), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `session:${row.sessionId}`;
  const state = row.workflowState === null ? stateLabel(row.lifecycleState) : `${row.workflowState} · ${stateLabel(row.lifecycleState)}`;
  const badges = badgeText(row);
  item.description = [showWorkspace ? row.workspace : undefined, state, formatElapsed(row.elapsedMs), row.branch ?? undefined, badges, row.imported ? 'imported' : undefined].filter(Boolean).join(' · ');
  const [icon, color] = STATUS_ICONS[row.status];
  item.iconPath = new vscode.ThemeIcon(icon, color === undefined ? undefined : new vscode.ThemeColor(color));
  item.contextValue = `session.${row.status}`;
  const tooltip = new vscode.MarkdownString();
  if (row.title !== null) tooltip.appendText(row.title).appendMarkdown('\n\n');
  tooltip.appendMarkdown('**Session** ').appendText(row.sessionId).appendMarkdown('\n\n');
  const where = [row.branch === null ? undefined : `branch ${row.branch}`, row.workflow === null ? undefined : `workflow ${row.workflow}`, row.imported ? 'imported from transcripts (no hook timings, no denials)' : undefined].filter(Boolean);
  if (where.length > 0) tooltip.appendText(where.join(' · ')).appendMarkdown('\n\n');
  tooltip.appendText(`${row.status} · ${state} · ${formatElapsed(row.elapsedMs)}${row.model === null ? '' : ` · ${row.model}`}`).appendMarkdown('\n\n');
  tooltip.appendText(`${row.badges.denials} denied · ${row.badges.rejections} rejected · ${row.badges.failures} tool failures · ${row.badges.refused} refused transitions`);
  item.tooltip = tooltip;
  item.accessibilityInformation = { label: `Session ${row.title ?? ''} ${row.sessionId}, ${row.status}, ${state}, ${badges}` };
  return item;
}

function badgeText(row: SessionRow): string {
  const parts: string[] = [];
  if (row.badges.denials > 0) parts.push(`⊘${row.badges.denials}`);
  if (row.badges.rejections > 0) parts.push(`↩${row.badges.rejections}`);
  if (row.badges.failures > 0) parts.push(`✗${row.badges.failures}`);
  return parts.join(' ');
}

/**
 * Whether two groupings hold the same sessions in the same groups and order: then a redraw of
 * the changed sessions' items is enough. (Compared in place: joining every id into one string
 * cost a quarter of a megabyte at 6,881 sessions, once a second while a session is live.)
 */
function sameShape(a: readonly SessionGroup[], b: readonly SessionGroup[]): boolean {
  if (a.length !== b.length) return false;
  for (let g = 0; g < a.length; g += 1) {
    const x = a[g] as SessionGroup;
    const y = b[g] as SessionGroup;
    if (x.label !== y.label || x.rows.length !== y.rows.length) return false;
    for (let i = 0; i < x.rows.length; i += 1) if ((x.rows[i] as SessionRow).sessionId !== (y.rows[i] as SessionRow).sessionId) return false;
  }
  return true;
}

function assertNever(node: never): never {
  throw new Error(`unexpected tree node ${JSON.stringify(node)}`);
}

export function registerSessionsTree(views: LogbookViews): { tree: SessionsTree; disposables: vscode.Disposable[] } {
  setGroupLog((message) => views.log(message));
  const tree = new SessionsTree(views);
  const view = vscode.window.createTreeView('logbook.sessions', { treeDataProvider: tree, showCollapseAll: true });
  const timer = setInterval(() => { if (view.visible && tree.hasLive) tree.tick(); }, 1000);
  return {
    tree,
    disposables: [
      tree,
      view,
      views.onDidChange((change) => tree.changed(change)),
      vscode.workspace.onDidChangeConfiguration((event) => { if (event.affectsConfiguration('logbook.sessions')) tree.tick(); }),
      { dispose: () => clearInterval(timer) },
    ],
  };
}
