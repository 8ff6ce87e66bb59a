import * as vscode from 'vscode';
import { basename } from 'node:path';
import * as z from 'zod';
import { logbookPaths } from '../capture/paths';
import { holdSession, resumeSession } from '../control/hold';
import { muteRuleForSession } from '../control/mute';
import { durationText } from '../domain/control/alert-format';
import { ALERT_RULE_IDS, isAlertRuleId } from '../domain/control/alert-rules';
import type { AlertRuleId } from '../domain/control/alert-rules';
import type { LiveSession } from '../domain/control/live-session';
import { oneLine } from '../domain/one-line';
import { RULE_WORDS } from '../views/control/row-view';
import type { ExtensionContext } from './context';
import { openTranscript } from './sessions';

// The control center's commands (issue 15): on a row (the tree passes its node), from an alert's
// notification (a plain { workspace, sessionId } with the hold's message or the rule to mute),
// or from the palette (a pick of the sessions in progress). What VS Code passes is checked here:
// a session of a workspace the control center watches, nothing else.

const sessionTarget = z.object({ workspace: z.string().min(1).max(4096), sessionId: z.string().min(1).max(512) });
const holdArg = sessionTarget.extend({ message: z.string().trim().min(1).max(2000).optional() });
const muteArg = sessionTarget.extend({ rule: z.string().max(64).optional() });
const workspaceArg = z.object({ workspace: z.string().min(1).max(4096) });

type Target = z.infer<typeof sessionTarget>;

export const DEFAULT_HOLD_MESSAGE = 'held from VS Code';

export async function controlRefresh(ctx: ExtensionContext): Promise<void> {
  await ctx.control.refresh();
}

export async function controlOpenReport(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const target = await targetOf(ctx, arg, sessionTarget);
  if (target !== undefined && (await readable(ctx, target))) ctx.showPanel('report', target.sessionId);
}

export async function controlOpenStateMachine(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const target = await targetOf(ctx, arg, sessionTarget);
  if (target !== undefined && (await readable(ctx, target))) ctx.showPanel('stateMachine', target.sessionId);
}

export async function controlOpenTranscript(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const target = await targetOf(ctx, arg, sessionTarget);
  if (target !== undefined && (await readable(ctx, target))) await openTranscript(ctx, target.sessionId);
}

/** The workspace's folder: in the Explorer when it is open here, else the ways to get to it. */
export async function controlRevealFolder(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const parsed = workspaceArg.safeParse(arg);
  const workspace = parsed.success ? watchedWorkspace(ctx, parsed.data.workspace) : (await targetOf(ctx, arg, sessionTarget))?.workspace;
  if (workspace === undefined) return;
  const folder = ctx.control.folderOf(workspace);
  if (folder !== undefined) {
    await vscode.commands.executeCommand('revealInExplorer', folder);
    return;
  }
  const uri = vscode.Uri.file(workspace);
  const actions = { newWindow: 'Open in New Window', add: 'Add to Workspace', copy: 'Copy Path' };
  // Not awaited: the choice may come much later, and the command is done.
  void vscode.window.showInformationMessage(`Agent Logbook: ${workspace} is not open in this window.`, actions.newWindow, actions.add, actions.copy).then(async (picked) => {
    if (picked === actions.newWindow) await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
    else if (picked === actions.add) vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri });
    else if (picked === actions.copy) await vscode.env.clipboard.writeText(workspace);
  }).then(undefined, (error: unknown) => ctx.log(`logbook.controlCenter.revealFolder: ${String(error)}`));
}

/** Holds a session: its next PreToolUse waits for Resume, then is denied with the message. */
export async function controlHold(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const target = await targetOf(ctx, arg, holdArg);
  if (target === undefined) return;
  const title = titleOf(ctx, target);
  const message = target.message ?? await vscode.window.showInputBox({
    title: `Hold "${oneLine(title, 60)}"`,
    prompt: 'What the agent reads when its next tool call is denied ("held by the user: <message>")',
    value: DEFAULT_HOLD_MESSAGE,
    validateInput: (value) => (value.trim() === '' ? 'Say why, for the agent to read' : value.length > 2000 ? 'At most 2,000 characters' : undefined),
  });
  if (message === undefined) return;
  const held = holdSession(logbookPaths(target.workspace), target.sessionId, { message: message.trim(), by: 'vscode' });
  ctx.log(`control center: held ${target.sessionId} in ${target.workspace}: ${held.message}`);
  await ctx.control.refresh(target.workspace);
  vscode.window.setStatusBarMessage(`$(debug-pause) Held "${oneLine(title, 40)}": its next tool call waits up to ${durationText(held.waitMs)} for Resume, then is denied`, 8000);
}

export async function controlResume(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const target = await targetOf(ctx, arg, sessionTarget);
  if (target === undefined) return;
  const title = oneLine(titleOf(ctx, target), 40);
  if (!resumeSession(logbookPaths(target.workspace), target.sessionId, 'vscode')) {
    void vscode.window.showInformationMessage(`Agent Logbook: "${title}" is not held; nothing to resume.`);
    return;
  }
  ctx.log(`control center: resumed ${target.sessionId} in ${target.workspace}`);
  await ctx.control.refresh(target.workspace);
  vscode.window.setStatusBarMessage(`$(debug-continue) Resumed "${title}": its tool calls go on`, 8000);
}

/** Mutes one alert rule for one session (the workspace's other sessions keep it). */
export async function controlMuteRule(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  const target = await targetOf(ctx, arg, muteArg);
  if (target === undefined) return;
  if (target.rule !== undefined && !isAlertRuleId(target.rule)) throw new Error(`no alert rule ${JSON.stringify(target.rule.slice(0, 64))} (rules: ${ALERT_RULE_IDS.join(', ')})`);
  const rule = target.rule ?? await pickRule(sessionOf(ctx, target));
  if (rule === undefined) return;
  muteRuleForSession(logbookPaths(target.workspace), target.sessionId, rule, 'vscode');
  ctx.log(`control center: muted ${rule} for ${target.sessionId} in ${target.workspace}`);
  await ctx.control.refresh(target.workspace);
  vscode.window.setStatusBarMessage(`$(bell-slash) "${rule}" muted for "${oneLine(titleOf(ctx, target), 40)}"`, 8000);
}

async function pickRule(session: LiveSession | undefined): Promise<AlertRuleId | undefined> {
  const muted = new Set(session?.mutedRules ?? []);
  const picked = await vscode.window.showQuickPick(ALERT_RULE_IDS.filter((rule) => !muted.has(rule)).map((rule) => ({ label: rule, detail: RULE_WORDS[rule], rule })), {
    title: 'Mute an alert rule for this session', placeHolder: 'Which rule stops alerting for this session?', matchOnDetail: true,
  });
  return picked?.rule;
}

/** The session a command acts on: its argument, checked, or a pick of the sessions in progress. */
async function targetOf<T extends Target>(ctx: ExtensionContext, arg: unknown, schema: z.ZodType<T>): Promise<T | undefined> {
  const given = arg === undefined ? await pickSession(ctx) : arg;
  if (given === undefined) return undefined;
  const parsed = schema.safeParse(given);
  if (!parsed.success) throw new Error('this command takes a session of the control center');
  watchedWorkspace(ctx, parsed.data.workspace);
  return parsed.data;
}

function watchedWorkspace(ctx: ExtensionContext, workspace: string): string {
  // A hold or a mute writes into the workspace's .logbook/: only one the control center watches.
  if (!ctx.control.watched().includes(workspace)) throw new Error(`${workspace.slice(0, 200)} is not a workspace the control center watches`);
  return workspace;
}

async function pickSession(ctx: ExtensionContext): Promise<Target | undefined> {
  const rows = ctx.control.tree.sessionRows();
  if (rows.length === 0) {
    void vscode.window.showInformationMessage('Agent Logbook: no session in progress in any workspace that uses the logbook.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(rows.map(({ node, view }) => ({
    label: view.label, description: view.description, detail: `${basename(node.workspace)} · ${node.sessionId}`, target: { workspace: node.workspace, sessionId: node.sessionId },
  })), { placeHolder: 'Which session in progress?', matchOnDescription: true, matchOnDetail: true });
  return picked?.target;
}

async function readable(ctx: ExtensionContext, target: Target): Promise<boolean> {
  if ((await ctx.control.readable(target)) !== undefined) return true;
  throw new Error(`session ${target.sessionId.slice(0, 8)} of ${basename(target.workspace)} is not in that workspace's store yet; try again in a moment`);
}

function sessionOf(ctx: ExtensionContext, target: Target): LiveSession | undefined {
  return ctx.control.snapshot().sessions.find((s) => s.workspace === target.workspace && s.sessionId === target.sessionId);
}

function titleOf(ctx: ExtensionContext, target: Target): string {
  return sessionOf(ctx, target)?.title ?? `session ${target.sessionId.slice(0, 8)}`;
}
