import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { logbookPaths } from '../../src/capture/paths';
import { writeHookEntry } from '../hook-entry';
import type { LogbookApi } from '../../src/extension';
import type { HostTimings } from '../../src/views/timings/host-timings';
import { loadFixture, WorkloadGenerator } from '../workload';
import { CONTEXT_ENV, PROGRESS_PREFIX } from './protocol';
import type { RealContext, RealPhaseKey, RealResult, RealSpan } from './protocol';

// The bench's side inside the extension host of a real VS Code (bundled as extensionTestsPath by
// vscode-real-bench.ts). The extension activated on its own (workspaceContains:.logbook) with
// $LOGBOOK_BENCH_TIMINGS=1, so its recorder has timed activation from its first line; this suite
// waits for the tree, then writes hook entries as the hook does and times them until the views'
// catalog folded them. The runner turns the raw spans into figures (vscode-real-report.ts).

const suiteLoaded = performance.now();
const EXTENSION_ID = 'agent-logbook.agent-logbook';
const TREE_TIMEOUT_MS = 120_000;
const FOLD_TIMEOUT_MS = 60_000;

function say(line: string): void {
  console.log(`${PROGRESS_PREFIX}${line}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The extensionTestsPath contract: VS Code calls run(); the result goes to the runner's file either way. */
export async function run(): Promise<void> {
  const context = JSON.parse(readFileSync(process.env[CONTEXT_ENV] ?? '', 'utf8')) as RealContext;
  const partial: ResultSoFar = { suiteLoaded };
  try {
    await measure(context, partial);
  } catch (error) {
    partial.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
  writeFileSync(context.resultFile, JSON.stringify(partial));
}

type ResultSoFar = { -readonly [K in keyof RealResult]?: RealResult[K] };

async function measure(context: RealContext, out: ResultSoFar): Promise<void> {
  // The runner opens the side bar as the workbench shows; this is the fallback when it could not.
  await vscode.commands.executeCommand('logbook.sessions.focus').then(() => { out.viewShown = performance.now(); }, (error: unknown) => say(`sessions view not shown: ${String(error)}`));
  const extension = vscode.extensions.getExtension<LogbookApi>(EXTENSION_ID);
  if (extension === undefined) throw new Error(`${EXTENSION_ID} is not in this window`);
  const api = await extension.activate();
  const timings = api.timings;
  if (timings === undefined) throw new Error('the extension has no timings recorder: $LOGBOOK_BENCH_TIMINGS=1 did not reach the extension host');
  const phases: RealSpan[] = [];
  try {
    await treeFilled(timings);
    out.sessionsInCatalog = api.views.workspaces()[0]?.overview().size ?? 0;
    // Activation's phase ends once the tree is filled and activate() returned (the writer started), whichever is later.
    phases.push({ key: 'activation', from: timings.activateStart, to: performance.now() });
    say(`tree filled with ${out.sessionsInCatalog} sessions`);
    await entryPhases(api, context, phases, out);
  } finally {
    out.activateStart = timings.activateStart;
    out.marks = Object.fromEntries(timings.marks);
    out.treeReads = [...timings.treeReads];
    out.blocks = [...timings.blocks];
    out.calls = [...timings.calls];
    out.phases = phases;
  }
}

/** Quiet phases, then a turn's burst, then single entries timed until folded. */
async function entryPhases(api: LogbookApi, context: RealContext, phases: RealSpan[], out: ResultSoFar): Promise<void> {
  const phase = async (key: RealPhaseKey, work: () => Promise<void>): Promise<void> => {
    const from = performance.now();
    await work();
    phases.push({ key, from, to: performance.now() });
    say(`${key}: ${(performance.now() - from).toFixed(0)} ms`);
  };
  await phase('afterActivation', () => sleep(3000));
  await phase('idle', () => sleep(2000));
  const fixture = loadFixture(context.repoRoot);
  const turns = new WorkloadGenerator(fixture, 1);
  const inbox = logbookPaths(context.workspace).inbox;
  const session = { id: '', written: 0 };
  await phase('burst', async () => {
    for (let i = 0; i < fixture.length; i += 1) writeHookEntry(inbox, turns, session);
    await foldedBy(api, session);
  });
  out.burstEntries = fixture.length;
  await phase('afterBurst', () => sleep(2000));
  const visible: number[] = [];
  await phase('latency', async () => {
    for (let i = 0; i < context.runs; i += 1) {
      const from = performance.now();
      writeHookEntry(inbox, turns, session);
      await foldedBy(api, session);
      visible.push(performance.now() - from);
      // Hooks come in bursts and pauses: vary the gap so the debounce is not in phase.
      await sleep(50 + Math.random() * 250);
    }
  });
  out.visibleMs = visible;
  // The Sessions dashboard over every session of the history: the command → its first painted table.
  const painted = async (): Promise<NonNullable<RealResult['dashboard']> | undefined> => {
    const deadline = performance.now() + 60_000;
    while (performance.now() < deadline) {
      const timings = api.panels.dashboardTimings();
      const first = timings.find((t) => t.name === 'firstPaint');
      const all = timings.find((t) => t.name === 'allRows');
      // The webview sorts twice and filters twice by itself once every row shows (under the bench).
      const sorts = timings.filter((t) => t.name === 'sort').map((t) => t.ms);
      const filters = timings.filter((t) => t.name === 'filter').map((t) => t.ms);
      if (first !== undefined && all !== undefined && sorts.length >= 2 && filters.length >= 2) {
        return { firstPaintMs: first.ms, rows: first.rows, ...(first.webviewMs === undefined ? {} : { webviewMs: first.webviewMs }), allRowsMs: all.ms, allRows: all.rows, sortMs: sorts, filterMs: filters };
      }
      await sleep(50);
    }
    return undefined;
  };
  // The floor: VS Code's own time to show a webview that paints one line, in the same window.
  const emptyWebviewMs = await emptyWebviewPaint();
  say(`an empty webview painted ${emptyWebviewMs.toFixed(0)} ms after it was created`);
  await vscode.commands.executeCommand('logbook.openDashboard');
  const dashboard = await painted();
  if (dashboard === undefined) say('the dashboard reported no first paint within 60 s');
  else {
    out.dashboard = { ...dashboard, emptyWebviewMs };
    say(`dashboard painted ${dashboard.rows} rows ${dashboard.firstPaintMs.toFixed(0)} ms after the command`);
  }
}

/** Creates a webview panel whose page posts once its first frame is painted; ms from the creation to that message. */
async function emptyWebviewPaint(): Promise<number> {
  const nonce = Math.random().toString(36).slice(2);
  const started = performance.now();
  const panel = vscode.window.createWebviewPanel('logbook.benchEmpty', 'Empty', vscode.ViewColumn.Active, { enableScripts: true });
  try {
    const painted = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the empty webview never painted')), 60_000);
      panel.webview.onDidReceiveMessage(() => {
        clearTimeout(timer);
        resolve(performance.now() - started);
      });
    });
    panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'"></head>
<body><p>empty</p><script nonce="${nonce}">const api = acquireVsCodeApi(); requestAnimationFrame(() => setTimeout(() => api.postMessage('painted'), 0));</script></body></html>`;
    return await painted;
  } finally {
    panel.dispose();
  }
}

/** Resolves once VS Code read the tree's top level with rows, after the catalog caught up. */
async function treeFilled(timings: HostTimings): Promise<void> {
  const deadline = performance.now() + TREE_TIMEOUT_MS;
  for (;;) {
    const caughtUp = timings.marks.get('catalogCaughtUp');
    if (caughtUp !== undefined && timings.treeReads.some((read) => read.rows > 0 && read.at >= caughtUp)) return;
    if (performance.now() > deadline) throw new Error(`the sessions tree was not filled within ${TREE_TIMEOUT_MS} ms (catalog caught up: ${String(caughtUp)}, tree reads: ${JSON.stringify(timings.treeReads)})`);
    await sleep(5);
  }
}


/** Resolves when the views' catalog has folded every entry written so far for the session (checked on each change the views announce). */
function foldedBy(api: LogbookApi, session: { id: string; written: number }): Promise<void> {
  const done = (): boolean => api.views.workspaces().some((ws) => (ws.overview().get(session.id)?.events ?? 0) >= session.written);
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`entry not folded within ${FOLD_TIMEOUT_MS} ms (${session.written} written for ${session.id})`));
    }, FOLD_TIMEOUT_MS);
    const listener = api.views.onDidChange(() => {
      if (!done()) return;
      clearTimeout(timer);
      listener.dispose();
      resolve();
    });
  });
}
