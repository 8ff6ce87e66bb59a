import * as vscode from 'vscode';
import { join } from 'node:path';
import { installHooks, uninstallHooks as uninstall } from '../capture/installer';
import type { SettingsScope } from '../capture/installer';
import { installInLinkedWorktrees, worktreeInstallText } from '../capture/worktrees';
import { RUN_VARIABLE_NAME } from '../capture/run-variable';
import type { ExtensionContext } from './context';
import { refreshWorkflow } from '../workflow/definition-file';
import { offerImportOnce } from './import';

async function install(ctx: ExtensionContext, scope: SettingsScope): Promise<void> {
  const paths = await ctx.pickWorkspace();
  if (paths === undefined) return;
  // VS Code's own runtime lets the hook run where `node` is not on PATH.
  // The MCP server runs the CLI bundle shipped with the extension.
  // logbook.groups.runVariable, as the CLI reads it from .vscode/settings.json; a bad name is named, not used.
  const runVariable = vscode.workspace.getConfiguration('logbook', vscode.Uri.file(paths.workspace)).get<string>('groups.runVariable');
  if (runVariable !== undefined && !RUN_VARIABLE_NAME.test(runVariable)) {
    throw new Error(`logbook.groups.runVariable: ${JSON.stringify(runVariable.slice(0, 80))} is not an environment variable name (letters, digits and _, not starting with a digit, at most 64)`);
  }
  const programs = { scope, hookBundle: join(ctx.extensionPath, 'dist', 'hook.js'), runtime: process.execPath, cliPath: join(ctx.extensionPath, 'dist', 'logbook.js'), ...(runVariable === undefined ? {} : { runVariable }) };
  const result = installHooks({ workspace: paths.workspace, ...programs });
  for (const message of result.messages) ctx.log(message);
  // Linked worktrees get the hooks too; their launcher hands every event to this logbook.
  const installed = installInLinkedWorktrees(paths.workspace, (worktree) => installHooks({ workspace: worktree, ...programs }));
  for (const done of installed) ctx.log(worktreeInstallText(done));
  const worktrees = installed.filter((done) => done.error === undefined);
  for (const message of refreshWorkflow(paths)) ctx.log(message);
  await ctx.ensureIngest(paths);
  const alsoIn = worktrees.length === 0 ? '' : ` and in ${worktrees.length} linked worktree${worktrees.length === 1 ? '' : 's'}`;
  void vscode.window.showInformationMessage(result.settingsChanged
    ? `Agent Logbook: hooks installed in ${result.settingsFile}${alsoIn}. New Claude Code sessions in this workspace are recorded.`
    : `Agent Logbook: hooks were already installed in ${result.settingsFile}${alsoIn}.`);
  if (result.settingsChanged) void offerImportOnce(ctx);
}

export const installHooksLocal = (ctx: ExtensionContext): Promise<void> => install(ctx, 'local');
export const installHooksShared = (ctx: ExtensionContext): Promise<void> => install(ctx, 'shared');

export async function uninstallHooks(ctx: ExtensionContext): Promise<void> {
  const paths = await ctx.pickWorkspace();
  if (paths === undefined) return;
  for (const scope of ['local', 'shared'] as const) {
    const result = uninstall({ workspace: paths.workspace, scope });
    for (const message of result.messages) ctx.log(message);
  }
  void vscode.window.showInformationMessage('Agent Logbook: hooks removed. What was recorded stays in .logbook/.');
}
