import * as vscode from 'vscode';
import type { ExtensionContext } from './context';
import { installHooksLocal, installHooksShared, uninstallHooks } from './hooks';
import { ingestNow, rebuildStore, showLog } from './store';

/** Every command of the extension: id → small function. Registered in one loop. */
export const COMMANDS: Readonly<Record<string, (ctx: ExtensionContext) => Promise<void>>> = {
  'logbook.installHooks': installHooksLocal,
  'logbook.installHooksShared': installHooksShared,
  'logbook.uninstallHooks': uninstallHooks,
  'logbook.ingestNow': ingestNow,
  'logbook.rebuildStore': rebuildStore,
  'logbook.showLog': showLog,
};

export function registerCommands(ctx: ExtensionContext): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, run]) => vscode.commands.registerCommand(id, async () => {
    try {
      await run(ctx);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.log(`${id} failed: ${message}`);
      void vscode.window.showErrorMessage(`Agent Logbook: ${message}`);
    }
  }));
}
