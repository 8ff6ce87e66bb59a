import { join } from 'node:path';
import { installHooks, uninstallHooks } from '../capture/installer';
import type { SettingsScope } from '../capture/installer';
import { logbookPaths } from '../capture/paths';
import { refreshWorkflow } from '../workflow/definition-file';
import { boolFlag, UsageError } from './args';
import type { CliContext } from './main';

function scopeOf(ctx: CliContext): SettingsScope {
  const shared = boolFlag(ctx.args, 'shared');
  if (shared && boolFlag(ctx.args, 'local')) throw new UsageError('choose one of --local and --shared');
  return shared ? 'shared' : 'local';
}

export async function installHooksCommand(ctx: CliContext): Promise<number> {
  // The hook program beside this bundle (dist/hook.js) is copied into the workspace.
  const result = installHooks({ workspace: ctx.workspace, scope: scopeOf(ctx), hookBundle: join(__dirname, 'hook.js'), cliPath: join(__dirname, 'logbook.js') });
  for (const message of result.messages) ctx.io.out(message);
  // A workflow already in the workspace is enforced from the first session on.
  for (const problem of refreshWorkflow(logbookPaths(ctx.workspace))) ctx.io.err(problem);
  return 0;
}

export async function uninstallHooksCommand(ctx: CliContext): Promise<number> {
  const result = uninstallHooks({ workspace: ctx.workspace, scope: scopeOf(ctx) });
  for (const message of result.messages) ctx.io.out(message);
  return 0;
}
