import * as vscode from 'vscode';
import { contrastChoice } from '../../projections/patterns/choice';
import { COHORT_PRESETS } from '../../projections/patterns/contrast';
import { patternsWebviewMessage } from '../../protocol/patterns-view';
import type { CohortChoice, PatternsDelta, PatternsViewState, PatternsWebviewMessage } from '../../protocol/patterns-view';
import type { PanelHandle, PanelSpec } from '../panel-manager';
import { copyPrompt, sendPromptToClaude } from '../report/claude-terminal';
import type { LogbookViews } from '../services';
import { windowPrices } from '../window-prices';
import { latestAsk } from './asks';
import { DigestCache } from './gather';

// The Patterns panel (key 'all'): a cohort of the window's sessions contrasted with the rest, as
// `logbook patterns` does for one workspace. A run reads and digests every session in slices (the
// thread given back, progress posted), then answers with the result; runs of a panel go one after
// the other, and an answer to a run the webview has since replaced is not sent. A change of the
// sessions does not redo the contrast (thousands of reports): the panel is told it is stale.

/** At most one progress message per this many ms (a run at 5,000 sessions makes hundreds of slices). */
const PROGRESS_MS = 100;

interface PanelRuns {
  latest: number;
  queue: Promise<void>;
  /** The prompt of the last result shown, with the folder to start Claude in. */
  prompt: (() => string) | undefined;
}

export function createPatternsPanelSpec(): PanelSpec<PatternsViewState, PatternsWebviewMessage, PatternsDelta> {
  const cache = new DigestCache();
  const runs = new Map<string, PanelRuns>();
  const runsOf = (key: string): PanelRuns => {
    let panelRuns = runs.get(key);
    if (panelRuns === undefined) {
      panelRuns = { latest: -1, queue: Promise.resolve(), prompt: undefined };
      runs.set(key, panelRuns);
    }
    return panelRuns;
  };
  return {
    viewType: 'logbook.patterns',
    view: 'patterns',
    title: () => 'Patterns Across Sessions',
    messages: patternsWebviewMessage,
    snapshot: async (key, views) => ({
      key,
      presets: Object.entries(COHORT_PRESETS).map(([name, preset]) => ({ name, text: preset.text })),
      ask: latestAsk(),
      sessions: views.workspaces().reduce((n, ws) => n + ws.overview().size, 0),
    }),
    refreshOnShow: true,
    affects: (key, change) => runs.get(key)?.prompt !== undefined && (change.reset || change.sessions.size > 0),
    delta: () => ({ type: 'stale' }),
    handle: async (key, message, panel, views) => {
      switch (message.type) {
        case 'patterns/run': {
          const panelRuns = runsOf(key);
          panelRuns.latest = message.run;
          panelRuns.queue = panelRuns.queue.then(() => runCohort(message.run, message.cohort, panelRuns, panel, views, cache));
          await panelRuns.queue;
          return;
        }
        case 'patterns/openReport':
          await vscode.commands.executeCommand('logbook.openReport', message.sessionId);
          return;
        case 'discuss/copy':
          await copyPrompt(promptOf(runs.get(key)));
          return;
        case 'discuss/terminal':
          await sendPromptToClaude(promptOf(runs.get(key)), views.workspaces()[0]?.paths.workspace);
          return;
        default:
          unreachable(message);
      }
    },
  };
}

/** The patterns panel spec registered by Panels. */
export const patternsPanelSpec = createPatternsPanelSpec();

async function runCohort(run: number, cohort: CohortChoice, panelRuns: PanelRuns, panel: PanelHandle<PatternsViewState, PatternsDelta>, views: LogbookViews, cache: DigestCache): Promise<void> {
  if (panelRuns.latest !== run) return;
  const at = Date.now();
  const post = (delta: PatternsDelta): void => {
    try {
      panel.post({ type: 'delta', delta });
    } catch {
      // The panel was closed during the run: nobody to tell.
    }
  };
  let told = 0;
  const progress = (phase: 'reading' | 'digesting', done: number, total: number): void => {
    const now = Date.now();
    if (now - told < PROGRESS_MS) return;
    told = now;
    post({ type: 'progress', run, phase, done, total });
  };
  try {
    const digests = await cache.gather(views.workspaces(), at, windowPrices(), progress, () => new Promise<void>((resolve) => setImmediate(resolve)));
    if (panelRuns.latest !== run) return;
    const outcome = contrastChoice(cohort, digests, at);
    if (!outcome.ok) {
      post({ type: 'problem', run, message: outcome.message });
      return;
    }
    panelRuns.prompt = outcome.prompt;
    post({ type: 'result', run, view: outcome.view });
  } catch (error) {
    const message = `Could not read the sessions: ${error instanceof Error ? error.message : String(error)}`;
    views.log(`patterns: ${message}`);
    post({ type: 'problem', run, message });
  }
}

function promptOf(panelRuns: PanelRuns | undefined): string {
  const prompt = panelRuns?.prompt;
  if (prompt === undefined) throw new Error('there are no patterns to discuss yet: choose a cohort first');
  return prompt();
}

function unreachable(value: never): never {
  throw new Error(`unexpected message ${JSON.stringify(value)}`);
}
