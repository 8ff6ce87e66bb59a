import type { GroupSummary } from '../../domain/groups/model';
import { treeOrder } from '../../projections/groups/timeline/group-timeline';
import type { DashboardGroup } from '../../protocol/dashboard';
import { allGroups } from '../groups/group-source';
import type { LogbookViews } from '../services';
import { rowKey } from './rows';

// The dashboard's group rows (issue 16), from the groups the views keep current. A delta carries
// them only when they changed since the panel last got them.

export function dashboardGroup(folder: string, workspace: string, g: GroupSummary): DashboardGroup {
  return {
    key: rowKey(folder, g.id), groupId: g.id, folder, workspace, kind: g.kind, label: g.label,
    members: treeOrder(g.members).map((m) => ({ key: rowKey(folder, m.sessionId), role: m.role })),
    firstEventAt: g.firstEventAt, lastEventAt: g.lastEventAt, spanMs: g.spanMs, activeMs: g.activeMs,
    costUsd: g.costUsd, tokens: g.tokens, failures: g.failures, links: g.links.length,
  };
}

/** Every group of the window's workspaces, and whether they differ from what was last sent. */
export class DashboardGroups {
  private sent = '';

  /** All the groups now (a full state sends them: they become what was sent). */
  all(views: LogbookViews): DashboardGroup[] {
    const groups = read(views);
    this.sent = JSON.stringify(groups);
    return groups;
  }

  /** The groups when they changed since last sent; undefined when they did not. */
  changed(views: LogbookViews): DashboardGroup[] | undefined {
    const groups = read(views);
    const text = JSON.stringify(groups);
    if (text === this.sent) return undefined;
    this.sent = text;
    return groups;
  }
}

function read(views: LogbookViews): DashboardGroup[] {
  return allGroups(views).map(({ workspace, group }) => dashboardGroup(workspace.paths.workspace, workspace.name, group));
}
