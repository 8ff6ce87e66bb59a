import * as vscode from 'vscode';
import type { PriceTable } from '../../projections/pricing';
import { windowPrices } from '../window-prices';
import { dashboardWebviewMessage } from '../../protocol/dashboard';
import { firstPageRows } from './first-page';
import type { DashboardDelta, DashboardRow, DashboardState, DashboardWebviewMessage, PromptMatches } from '../../protocol/dashboard';
import type { PanelSpec } from '../panel-manager';
import type { LogbookViews } from '../services';
import { dashboardTimings } from './timings';
import { exportRows } from './export-file';
import { compareFromDashboard } from '../compare/from-dashboard';
import { dashboardRow, dashboardRows, deltaOf, rowKey, splitRowKey } from './rows';
import { searchSessions } from '../../projections/overview/prompt-search';
import type { DashboardSource } from './rows';
import { trendsPromptOf } from './trends-prompt';
import { DashboardGroups } from './groups';
import { copyPrompt, sendPromptToClaude } from '../report/claude-terminal';

// The Sessions dashboard (key 'all'): every session of every workspace in the window, from the
// overview rows the views already hold. A change sends only the rows it touched (a delta); a reset
// of a workspace, or a panel shown again, gets the whole table.

export function createDashboardPanelSpec(): PanelSpec<DashboardState, DashboardWebviewMessage, DashboardDelta> {
  const groups = new DashboardGroups();
  return {
    viewType: 'logbook.dashboard',
    view: 'dashboard',
    title: () => 'Sessions Dashboard',
    messages: dashboardWebviewMessage,
    snapshot: async (key, views) => {
      const at = Date.now();
      const workspaces = views.workspaces();
      const total = workspaces.reduce((sum, ws) => sum + ws.overview().size, 0);
      // A first screen at once; the webview asks for the rest once it painted it.
      const rows = dashboardRows(sources(views), at, prices(), Math.min(firstPageRows(), total));
      return { key, workspaces: workspaces.map((ws) => ws.name), rows, at, timings: dashboardTimings.enabled, complete: rows.length === total, total, groups: groups.all(views) };
    },
    affects: (_key, change) => change.reset || change.sessions.size > 0,
    delta: (_key, changes, views) => {
      const delta = deltaOf(changes, Date.now(), prices());
      const changed = groups.changed(views);
      return changed === undefined ? delta : { ...delta, groups: changed };
    },
    handle: async (_key, message, panel, views) => {
      switch (message.type) {
        case 'openReport':
          await vscode.commands.executeCommand('logbook.openReport', message.sessionId);
          return;
        case 'group':
          await vscode.commands.executeCommand(message.action === 'timeline' ? 'logbook.openGroupTimeline' : 'logbook.discussGroup', { groupId: message.groupId, folder: message.folder });
          return;
        case 'searchPrompts': {
          const prompts = await promptMatches(views, message.text);
          panel.post({ type: 'delta', delta: { upsert: [], remove: [], at: Date.now(), prompts } });
          return;
        }
        case 'rest': {
          const at = Date.now();
          panel.post({ type: 'delta', delta: { upsert: dashboardRows(sources(views), at, prices()), remove: [], at, rest: true } });
          return;
        }
        case 'export':
          await exportRows(message.format, rowsByKey(views, message.keys), views.log, { by: message.by ?? 'day', selection: message.selection ?? '' });
          return;
        case 'compare':
          await compareFromDashboard(message.keys, message.cohort);
          return;
        case 'patterns':
          await vscode.commands.executeCommand('logbook.openPatterns', { cohort: { kind: 'shown', keys: message.keys, label: `the ${message.keys.length} session(s) shown in the dashboard` } });
          return;
        case 'trends/discuss': {
          const { prompt, cwd } = trendsPromptOf(views.workspaces(), message.keys, message.by, Date.now(), prices());
          await (message.action === 'copy' ? copyPrompt(prompt) : sendPromptToClaude(prompt, cwd));
          return;
        }
        case 'timing':
          dashboardTimings.record(message.name, message.ms, message.rows);
          return;
        default:
          unreachable(message);
      }
    },
  };
}

/** The dashboard panel spec registered by Panels. */
export const dashboardPanelSpec = createDashboardPanelSpec();

/** The rows of every workspace with a prompt holding every word of `text` (none for no word). */
async function promptMatches(views: LogbookViews, text: string): Promise<PromptMatches> {
  const keys: string[] = [];
  let indexed = true;
  for (const ws of views.workspaces()) {
    const store = await ws.store();
    const search = store === undefined ? undefined : searchSessions(store, text);
    if (search === undefined) continue;
    if (search.byPrompt === undefined) indexed = false;
    for (const id of search.byPrompt ?? []) if (ws.overview().has(id)) keys.push(rowKey(ws.paths.workspace, id));
  }
  return { text, keys, indexed };
}

function sources(views: LogbookViews): DashboardSource[] {
  return views.workspaces().map((ws) => ({ folder: ws.paths.workspace, workspace: ws.name, rows: ws.overview().values() }));
}

/** Prices from the `logbook.report.prices` setting over the defaults, as the report reads them. */
function prices(): PriceTable {
  return windowPrices();
}

/** The rows with these keys, in the order given (keys no longer known are left out). */
function rowsByKey(views: LogbookViews, keys: readonly string[]): DashboardRow[] {
  const at = Date.now();
  const table = prices();
  const byFolder = new Map(views.workspaces().map((ws) => [ws.paths.workspace, ws]));
  const rows: DashboardRow[] = [];
  for (const key of keys) {
    const parts = splitRowKey(key);
    const workspace = parts === undefined ? undefined : byFolder.get(parts.folder);
    const overview = parts === undefined ? undefined : workspace?.overview().get(parts.sessionId);
    if (workspace !== undefined && overview !== undefined) rows.push(dashboardRow({ folder: workspace.paths.workspace, workspace: workspace.name }, overview, at, table));
  }
  return rows;
}

function unreachable(value: never): never {
  throw new Error(`unexpected message ${JSON.stringify(value)}`);
}
