import * as vscode from 'vscode';
import { selectInReport } from '../views/report/spec';
import type { ExtensionContext } from './context';
import type { FoundSession } from '../views/services';

// Commands that act on one session. They take the session from what VS Code passes (a tree item
// or a session id, e.g. from a webview link or another extension) and otherwise ask.

/** The session a command was invoked on: an id string, an object with a sessionId, or a quick pick. */
export async function resolveSession(ctx: ExtensionContext, arg: unknown): Promise<FoundSession | undefined> {
  const id = sessionIdOf(arg);
  if (id !== undefined) {
    const found = ctx.views.findSession(id);
    if (found === undefined) throw new Error(`no session ${JSON.stringify(id.slice(0, 80))} in this window's logbook`);
    return found;
  }
  await ctx.views.settled();
  const all = ctx.views.workspaces().flatMap((workspace) => [...workspace.overview().values()].map((row) => ({ workspace, row })));
  if (all.length === 0) {
    void vscode.window.showInformationMessage('Agent Logbook: no sessions recorded yet.');
    return undefined;
  }
  all.sort((a, b) => (b.row.lastEventAt ?? 0) - (a.row.lastEventAt ?? 0));
  // Sessions are recognised by their first prompt; the id, branch and workflow help tell them apart.
  const picked = await vscode.window.showQuickPick(all.map(({ workspace, row }) => ({
    label: row.title ?? row.sessionId,
    description: [row.workflowState ?? row.lifecycleState, row.branch, row.workflow].filter((part) => part !== null).join(' · '),
    detail: `${workspace.name} · ${row.sessionId} · last event ${row.lastEventAt === null ? 'unknown' : new Date(row.lastEventAt).toLocaleString()}`,
    workspace,
    sessionId: row.sessionId,
  })), { placeHolder: 'Which session? (type to search titles, branches, workflows and ids)', matchOnDescription: true, matchOnDetail: true });
  if (picked === undefined) return undefined;
  const summary = picked.workspace.summary(picked.sessionId);
  return summary === undefined ? undefined : { workspace: picked.workspace, summary };
}

function sessionIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg.length > 0) return arg;
  if (arg !== null && typeof arg === 'object' && 'sessionId' in arg && typeof arg.sessionId === 'string') return arg.sessionId;
  return undefined;
}

export async function openReport(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const found = await resolveSession(ctx, arg);
  if (!found?.summary.sessionId) return;
  // `{ sessionId, position }` (the unified timeline): the report opens with that event selected.
  const position = arg !== null && typeof arg === 'object' && 'position' in arg && typeof arg.position === 'number' && Number.isSafeInteger(arg.position) && arg.position > 0 ? arg.position : undefined;
  if (position !== undefined) selectInReport(ctx.views, found.summary.sessionId, position);
  ctx.showPanel('report', found.summary.sessionId);
}

export async function openStateMachine(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const found = await resolveSession(ctx, arg);
  if (found?.summary.sessionId) ctx.showPanel('stateMachine', found.summary.sessionId);
}

/** The journal across sessions; a session argument opens it filtered to that session. */
export async function openJournal(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  ctx.showPanel('journal', sessionIdOf(arg) ?? 'all');
}

export async function copySessionId(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const found = await resolveSession(ctx, arg);
  if (found?.summary.sessionId == null) return;
  await vscode.env.clipboard.writeText(found.summary.sessionId);
  void vscode.window.setStatusBarMessage(`Copied session id ${found.summary.sessionId}`, 3000);
}

export async function openTranscript(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const found = await resolveSession(ctx, arg);
  if (found === undefined) return;
  const path = found.summary.lifecycle.transcriptPath;
  if (path === null) throw new Error('this session\'s hooks never named a transcript');
  try {
    await vscode.window.showTextDocument(vscode.Uri.file(path), { preview: true });
  } catch (error) {
    throw new Error(`could not open the transcript ${path}: ${error instanceof Error ? error.message : String(error)} (Claude Code deletes old transcripts)`);
  }
}

export async function refreshSessions(ctx: ExtensionContext): Promise<void> {
  for (const workspace of ctx.views.workspaces()) ctx.views.refresh(workspace.paths.workspace);
  ctx.updateContextKeys();
}
