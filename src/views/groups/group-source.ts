import * as z from 'zod';
import type { GroupSummary } from '../../domain/groups/model';
import { LiveGroups } from '../../read/live-groups';
import { MemberFolds } from '../../read/member-folds';
import type { LogbookDatabase } from '../../store/logbook-database';
import type { LogbookViews } from '../services';
import { windowPrices } from '../window-prices';
import type { WorkspaceLogbook } from '../workspace-logbook';
import type { GroupTimelineSource } from '../../read/member-folds';

// The groups the views show (sidebar, dashboard, the group commands), per workspace of the window:
// read from the database the views already hold, kept current by LiveGroups at the cost of what
// changed. A group id (run:NAME, tree:SESSION…) is unique within a workspace; with several
// folders open a command names the folder too.

/** A group and the workspace it was read from. */
export interface WorkspaceGroup {
  readonly workspace: WorkspaceLogbook;
  readonly group: GroupSummary;
}

const readers = new WeakMap<WorkspaceLogbook, { database: LogbookDatabase; live: LiveGroups; folds: MemberFolds }>();

/** A workspace's groups, newest first; none before its store was first read, or when it cannot be read. */
export function groupsOf(workspace: WorkspaceLogbook): GroupSummary[] {
  const database = workspace.held();
  if (database === undefined) return [];
  const reader = readerOf(workspace, database);
  try {
    return reader.live.groups(database.raw, database.store, workspace.overview(), windowPrices());
  } catch (error) {
    reader.live.reset();
    logOnce(`groups of ${workspace.paths.workspace} could not be read: ${(error as Error).message}`);
    return [];
  }
}

let logged = '';
let log: (message: string) => void = () => undefined;
/** Where a failed read is told (the output channel). */
export function setGroupLog(to: (message: string) => void): void {
  log = to;
}
function logOnce(message: string): void {
  if (message === logged) return;
  logged = message;
  log(message);
}

export function allGroups(views: LogbookViews): WorkspaceGroup[] {
  return views.workspaces().flatMap((workspace) => groupsOf(workspace).map((group) => ({ workspace, group })));
}

/** What the group commands accept: a group id, or an object with one (a tree row, a webview's message), and optionally its folder. */
export const groupRef = z.union([
  z.string().min(1).max(600).transform((groupId) => ({ groupId, folder: undefined as string | undefined })),
  z.object({ groupId: z.string().min(1).max(600), folder: z.string().min(1).max(4096).optional() }).passthrough().transform((o) => ({ groupId: o.groupId, folder: o.folder })),
]);
export type GroupRef = z.infer<typeof groupRef>;

export function findWorkspaceGroup(views: LogbookViews, ref: GroupRef): WorkspaceGroup | undefined {
  return allGroups(views).find((g) => g.group.id === ref.groupId && (ref.folder === undefined || g.workspace.paths.workspace === ref.folder));
}

/** A group for the unified timeline: the store its members are read from and the folds kept for them. */
async function timelineSource(found: WorkspaceGroup): Promise<GroupTimelineSource | undefined> {
  const store = await found.workspace.store();
  const database = found.workspace.held();
  if (store === undefined || database === undefined) return undefined;
  return { group: found.group, store, folds: readerOf(found.workspace, database).folds };
}

// What is read of a workspace's store; a rebuild replaced the store: what was read of the old one does not carry over.
function readerOf(workspace: WorkspaceLogbook, database: LogbookDatabase): { database: LogbookDatabase; live: LiveGroups; folds: MemberFolds } {
  let reader = readers.get(workspace);
  if (reader === undefined || reader.database !== database) {
    reader = { database, live: new LiveGroups(), folds: new MemberFolds() };
    readers.set(workspace, reader);
  }
  return reader;
}

/** The folder a group was last opened from, by group id: a group id is unique within a workspace only. */
const openedFrom = new Map<string, string>();

/** Notes the folder of a group about to be shown (a command knows it; a panel revived after a reload does not). */
export function noteGroupFolder(groupId: string, folder: string): void {
  openedFrom.set(groupId, folder);
}

/** The unified timeline's loader: the group by id, in the folder it was opened from or else the first that has it. */
export async function loadGroupTimeline(views: LogbookViews, groupId: string): Promise<GroupTimelineSource | undefined> {
  const folder = openedFrom.get(groupId);
  const found = (folder === undefined ? undefined : findWorkspaceGroup(views, { groupId, folder })) ?? findWorkspaceGroup(views, { groupId, folder: undefined });
  return found === undefined ? undefined : timelineSource(found);
}
