import { join } from 'node:path';
import { installHooks, uninstallHooks } from '../capture/installer';
import type { SettingsScope } from '../capture/installer';
import { logbookPaths } from '../capture/paths';
import { installInLinkedWorktrees, worktreeInstallText } from '../capture/worktrees';
import { readWorkspaceSettings } from './workspace-settings';
import { refreshWorkflow } from '../workflow/definition-file';
import { defineCommand, described } from './options';
import { flagRule } from './option-rules';

const SCOPE_OPTIONS = {
  local: described(flagRule, '.claude/settings.local.json, this machine only (the default)'),
  shared: described(flagRule, '.claude/settings.json, committed with the project'),
};

const oneScope = ({ local, shared }: { local: boolean; shared: boolean }): string | undefined => (local && shared ? 'choose one of --local and --shared' : undefined);

const scopeOf = ({ shared }: { shared: boolean }): SettingsScope => (shared ? 'shared' : 'local');

export const installHooksCommand = defineCommand(SCOPE_OPTIONS, async (ctx, options) => {
  // The hook program beside this bundle (dist/hook.js) is copied into the workspace. The runtime
  // running this command is recorded for hooks that find no `node` on PATH (and replaces whatever
  // `runtime` was there: a committed one would otherwise be run).
  const runVariable = readWorkspaceSettings(ctx.workspace)['logbook.groups.runVariable'];
  const programs = { scope: scopeOf(options), hookBundle: join(__dirname, 'hook.js'), cliPath: join(__dirname, 'logbook.js'), runtime: process.execPath, ...(runVariable === undefined ? {} : { runVariable }) };
  const result = installHooks({ workspace: ctx.workspace, ...programs });
  for (const message of result.messages) ctx.io.out(message);
  // Linked worktrees get the hooks too; their launcher hands every event to this logbook.
  for (const done of installInLinkedWorktrees(ctx.workspace, (worktree) => installHooks({ workspace: worktree, ...programs }))) {
    if (done.error === undefined) ctx.io.out(worktreeInstallText(done));
    else ctx.io.err(worktreeInstallText(done));
  }
  // A workflow already in the workspace is enforced from the first session on.
  for (const problem of refreshWorkflow(logbookPaths(ctx.workspace))) ctx.io.err(problem);
  return 0;
}, oneScope);

export const uninstallHooksCommand = defineCommand(SCOPE_OPTIONS, async (ctx, options) => {
  const result = uninstallHooks({ workspace: ctx.workspace, scope: scopeOf(options) });
  for (const message of result.messages) ctx.io.out(message);
  return 0;
}, oneScope);
