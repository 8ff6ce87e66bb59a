import * as vscode from 'vscode';
import { existsSync, realpathSync } from 'node:fs';
import { logbookPaths } from '../../capture/paths';
import { listWorkspaces } from '../../capture/registry';
import { readWorkspaceSettings } from '../../cli/workspace-settings';
import type { WorkspaceControlSettings } from '../../control/control-center';
import { DEFAULT_ALERT_SETTINGS, parseAlertSettings } from '../../domain/control/alert-settings';
import { DEFAULT_PRICE_TABLE, mergePriceTables } from '../../projections/pricing';
import type { PriceTableOverrides } from '../../projections/pricing';

// Which workspaces the window's control center watches, and what their settings say. The
// window's own folders (those that use the logbook) and every workspace in the per-user
// registry the installer writes, as `logbook watch` does. A folder open here takes its settings
// from VS Code (user, workspace and folder settings merged, as the rest of the extension does); a
// workspace open nowhere takes them from its .vscode/settings.json, as the CLI reads them.

/** The window's local folders, links resolved (the registry holds resolved paths). */
export function windowFolders(): Map<string, vscode.Uri> {
  const folders = new Map<string, vscode.Uri>();
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    folders.set(resolved(folder.uri.fsPath), folder.uri);
  }
  return folders;
}

/** The workspaces to watch now; the registry's problems go to `log` (said once each by the caller's dedupe). */
export function watchedWorkspaces(log: (message: string) => void): string[] {
  const own = [...windowFolders().keys()].filter((path) => existsSync(logbookPaths(path).dir));
  const listed = listWorkspaces();
  for (const problem of listed.problems) log(problem);
  return [...new Set([...own, ...listed.workspaces.filter((w) => w.missing !== true).map((w) => w.path)])];
}

/** A workspace's alert settings and prices; `folder` when it is open in this window. */
export function controlSettingsOf(workspace: string, folder: vscode.Uri | undefined): WorkspaceControlSettings {
  try {
    if (folder !== undefined) {
      const config = vscode.workspace.getConfiguration('logbook', folder);
      const parsed = parseAlertSettings(config.get<unknown>('alerts'));
      return { alerts: parsed.settings, prices: mergePriceTables(DEFAULT_PRICE_TABLE, config.get<PriceTableOverrides>('report.prices')), problems: parsed.problems.map((p) => `${workspace}: ${p}`) };
    }
    const file = readWorkspaceSettings(workspace);
    const parsed = parseAlertSettings(file);
    return { alerts: parsed.settings, prices: mergePriceTables(DEFAULT_PRICE_TABLE, file['logbook.report.prices'] as PriceTableOverrides | undefined), problems: parsed.problems.map((p) => `${workspace}: ${p}`) };
  } catch (error) {
    return { alerts: DEFAULT_ALERT_SETTINGS, prices: DEFAULT_PRICE_TABLE, problems: [`${workspace}: ${(error as Error).message}; alerts use their defaults`] };
  }
}

/** A path with its links resolved, as the registry and the control center hold them. */
export function resolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
