import * as vscode from 'vscode';
import { commandText } from '../../cli/command-text';
import { buildComparePrompt } from '../../projections/discuss/cross-session';
import type { Comparison } from '../../protocol/compare';
import { compareTargetOf, compareWebviewMessage } from '../../protocol/compare-view';
import type { CompareTarget, CompareViewState, CompareWebviewMessage } from '../../protocol/compare-view';
import { copyPrompt, existingFolder, sendPromptToClaude } from '../report/claude-terminal';
import type { PanelSpec } from '../panel-manager';
import type { LogbookChange, LogbookViews } from '../services';
import { windowPrices } from '../window-prices';
import { CohortRegistry } from './cohorts';
import { buildComparison } from './compare-data';

// The Compare view (viewType logbook.compare, one panel per comparison: compareKey). A snapshot
// folds the two sessions again (or prices the cohort's rows); a change to either session, or to
// any session for a cohort, redraws it. The prompt for Claude is built here from the comparison
// and kept per key: "Copy prompt" and "Start Claude" never take text from the webview.

/** Cohorts the dashboard chose, by the id in their panel key. */
export const compareCohorts = new CohortRegistry();
const prompts = new Map<string, string>();
/** Prompts kept (the latest comparisons'); an older one is built again when asked for. */
const MAX_PROMPTS = 20;

export const comparePanelSpec: PanelSpec<CompareViewState, CompareWebviewMessage> = {
  viewType: 'logbook.compare',
  view: 'compare',
  title: (key) => titleOf(compareTargetOf(key)),
  messages: compareWebviewMessage,
  snapshot: async (key, views) => {
    const target = compareTargetOf(key);
    if (target === undefined) return undefined;
    const at = Date.now();
    const { comparison, cohortLabel } = await buildComparison(target, {
      sources: views.workspaces(), prices: windowPrices(), now: at,
      cohort: (id) => compareCohorts.get(id),
      pause: () => new Promise<void>((resolve) => setImmediate(resolve)),
    });
    prompts.delete(key);
    prompts.set(key, buildComparePrompt(comparison, promptCommand(comparison)));
    while (prompts.size > MAX_PROMPTS) prompts.delete(prompts.keys().next().value as string);
    return { key, comparison, cohortLabel, at };
  },
  affects: (key, change) => affects(compareTargetOf(key), change),
  handle: async (key, message, _panel, views) => {
    switch (message.type) {
      case 'openReport':
        await vscode.commands.executeCommand('logbook.openReport', message.sessionId);
        return;
      case 'discuss/copy':
        return copyPrompt(await promptOf(key, views));
      case 'discuss/terminal': {
        const target = compareTargetOf(key);
        const found = target === undefined ? undefined : views.findSession(target.kind === 'sessions' ? target.b : target.a);
        return sendPromptToClaude(await promptOf(key, views), existingFolder(found?.summary.lifecycle.cwd) ?? found?.workspace.paths.workspace);
      }
      default: {
        const never: never = message;
        throw new Error(`unhandled compare message ${JSON.stringify(never)}`);
      }
    }
  },
};

function titleOf(target: CompareTarget | undefined): string {
  if (target === undefined) return 'Compare';
  return target.kind === 'sessions' ? `Compare ${target.a.slice(0, 8)} ↔ ${target.b.slice(0, 8)}` : `Compare ${target.a.slice(0, 8)} ↔ median`;
}

// A cohort's median moves with any session of the window; two sessions only with their own.
function affects(target: CompareTarget | undefined, change: LogbookChange): boolean {
  if (target === undefined) return false;
  if (change.reset || target.kind === 'cohort') return change.reset || change.sessions.size > 0;
  return change.sessions.has(target.a) || change.sessions.has(target.b);
}

// The `logbook` command that gives the same figures, for Claude to run again with --json. A
// cohort chosen in the dashboard has no --cohort condition of its own: "all" is the nearest.
function promptCommand(c: Comparison): string {
  return c.kind === 'sessions' ? commandText('compare', { a: c.a.sessionId, b: c.b.sessionId }) : commandText('compare', { a: c.b.sessionId, cohort: 'all' });
}

async function promptOf(key: string, views: LogbookViews): Promise<string> {
  if (!prompts.has(key)) await comparePanelSpec.snapshot(key, views);
  const prompt = prompts.get(key);
  if (prompt === undefined) throw new Error('no comparison to discuss: reopen the Compare view');
  return prompt;
}
