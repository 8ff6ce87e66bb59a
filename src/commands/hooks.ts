import * as vscode from 'vscode';
import { join } from 'node:path';
import { installHooks, uninstallHooks as uninstall } from '../capture/installer';
import type { SettingsScope } from '../capture/installer';
import type { ExtensionContext } from './context';
import { refreshWorkflow } from '../workflow/definition-file';
import { offerImportOnce } from './import';

async function install(ctx: ExtensionContext, scope: SettingsScope): Promise<void> {
  const paths = await ctx.pickWorkspace();
  if (paths === undefined) return;
  // VS Code's own runtime lets the hook run where `node` is not on PATH.
  // The MCP server runs the CLI bundle shipped with the extension.
  const result = installHooks({ workspace: paths.workspace, scope, hookBundle: join(ctx.extensionPath, 'dist', 'hook.js'), runtime: process.execPath, cliPath: join(ctx.extensionPath, 'dist', 'logbook.js') });
  for (const message of [...result.messages, ...refreshWorkflow(paths)]) ctx.log(message);
  await ctx.ensureIngest(paths);
  void vscode.window.showInformationMessage(result.settingsChanged
    ? `Agent Logbook: hooks installed in ${result.settingsFile}. New Claude Code sessions in this workspace are recorded.`
    : `Agent Logbook: hooks were already installed in ${result.settingsFile}.`);
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
