import * as vscode from 'vscode';
import { groupPrompt } from '../projections/groups/group-text';
import { groupFigures, groupName } from '../projections/groups/group-figures';
import { readGroupDetail } from '../read/groups';
import { allGroups, findWorkspaceGroup, groupRef, noteGroupFolder } from '../views/groups/group-source';
import type { WorkspaceGroup } from '../views/groups/group-source';
import { sendPromptToClaude } from '../views/report/claude-terminal';
import { windowPrices } from '../views/window-prices';
import type { ExtensionContext } from './context';

// Commands on a group of sessions (issue 16). They take the group from what VS Code passes (a
// Groups row of the Sessions view, { groupId, folder? } from a webview, a group id) and otherwise
// ask with a quick pick.

/** The unified timeline of a group: one lane per member, its links as arrows. */
export async function openGroupTimeline(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const found = await resolveGroup(ctx, arg);
  if (found === undefined) return;
  // The panel reads the group again on every snapshot: it grows and its members' figures move while they run.
  noteGroupFolder(found.group.id, found.workspace.paths.workspace);
  ctx.showPanel('groupTimeline', found.group.id);
}

/** "Discuss with Claude" for a group: Claude started with the group, its analysis and the commands to dig further. */
export async function discussGroup(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const found = await resolveGroup(ctx, arg);
  if (found === undefined) return;
  const store = await found.workspace.store();
  if (store === undefined) throw new Error('the store could not be read');
  const detail = readGroupDetail(store, found.group, windowPrices());
  await sendPromptToClaude(groupPrompt(detail.group, detail.analysis), found.workspace.paths.workspace);
}

async function resolveGroup(ctx: ExtensionContext, arg: unknown): Promise<WorkspaceGroup | undefined> {
  await ctx.views.settled();
  if (arg !== undefined) {
    const ref = groupRef.safeParse(arg);
    if (!ref.success) throw new Error(`not a group: ${JSON.stringify(arg)?.slice(0, 80) ?? String(arg)}`);
    const found = findWorkspaceGroup(ctx.views, ref.data);
    if (found === undefined) throw new Error(`no group ${JSON.stringify(ref.data.groupId.slice(0, 80))} in this window's logbook`);
    return found;
  }
  const all = allGroups(ctx.views);
  if (all.length === 0) {
    void vscode.window.showInformationMessage('Agent Logbook: no groups yet. Sessions form one when a session starts another (claude -p from its Bash tool), when they share a LOGBOOK_RUN name, or in an agent team.');
    return undefined;
  }
  const several = ctx.views.workspaces().length > 1;
  const picked = await vscode.window.showQuickPick(all.map((found) => ({
    label: groupName(found.group),
    description: groupFigures(found.group),
    detail: `${several ? `${found.workspace.name} · ` : ''}${found.group.id}`,
    found,
  })), { placeHolder: 'Which group of sessions?', matchOnDescription: true, matchOnDetail: true });
  return picked?.found;
}
