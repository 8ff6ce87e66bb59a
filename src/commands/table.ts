import * as vscode from 'vscode';
import type { Command, ExtensionContext } from './context';
import { installHooksLocal, installHooksShared, uninstallHooks } from './hooks';
import { ingestNow, rebuildStore, showLog } from './store';
import { copySessionId, openJournal, openReport, openStateMachine, openTranscript, refreshSessions } from './sessions';
import { exportReportHtml } from './report-export';
import { importEarlierSessions } from './import';
import { openDashboard } from './dashboard';
import { compareSessions } from './compare';
import { openPatterns } from './patterns';
import { discussGroup, openGroupTimeline } from './groups';
import { controlHold, controlMuteRule, controlOpenReport, controlOpenStateMachine, controlOpenTranscript, controlRefresh, controlResume, controlRevealFolder } from './control';

/** Every command of the extension: id → small function. Registered in one loop. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  'logbook.installHooks': installHooksLocal,
  'logbook.installHooksShared': installHooksShared,
  'logbook.uninstallHooks': uninstallHooks,
  'logbook.ingestNow': ingestNow,
  'logbook.importEarlierSessions': importEarlierSessions,
  'logbook.rebuildStore': rebuildStore,
  'logbook.showLog': showLog,
  'logbook.openReport': openReport,
  'logbook.exportReportHtml': exportReportHtml,
  'logbook.openStateMachine': openStateMachine,
  'logbook.openJournal': openJournal,
  'logbook.openDashboard': openDashboard,
  'logbook.compareSessions': compareSessions,
  // The sessions tree's "Compare with…": the same command, named for a context menu.
  'logbook.compareWith': compareSessions,
  'logbook.openPatterns': openPatterns,
  'logbook.copySessionId': copySessionId,
  'logbook.openGroupTimeline': openGroupTimeline,
  'logbook.discussGroup': discussGroup,
  'logbook.openTranscript': openTranscript,
  'logbook.refreshSessions': refreshSessions,
  'logbook.controlCenter.refresh': controlRefresh,
  'logbook.controlCenter.openReport': controlOpenReport,
  'logbook.controlCenter.openStateMachine': controlOpenStateMachine,
  'logbook.controlCenter.openTranscript': controlOpenTranscript,
  'logbook.controlCenter.revealFolder': controlRevealFolder,
  'logbook.controlCenter.hold': controlHold,
  'logbook.controlCenter.resume': controlResume,
  'logbook.controlCenter.muteRule': controlMuteRule,
};

export function registerCommands(ctx: ExtensionContext): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, run]) => vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      await run(ctx, ...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.log(`${id} failed: ${message}`);
      void vscode.window.showErrorMessage(`Agent Logbook: ${message}`);
    }
  }));
}
