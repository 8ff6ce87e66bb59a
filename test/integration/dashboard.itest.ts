// The Sessions dashboard inside a real VS Code: opened from the command palette, it lists the
// session the real Claude Code CLI recorded by its title; a session whose prompt is hostile
// (markup, right-to-left text, 100 KB), written through the installed hook while the panel is
// open, arrives live and shows as text; sorting by a column, filtering to nothing and back, and
// opening a session's report from its row; the trends of the sessions shown, a day picked from them,
// stacked by lifecycle or workflow states.
// Screenshots for a person to check.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LogbookApi } from '../../src/extension';
import { logbookPaths } from '../../src/capture/paths';
import { after, before, itestContext, pageStep, screenshot, suite, test, until } from './harness';

type Attrs = Record<string, string | null> & { text: string };

const TITLE = 'Sessions Dashboard';
const HOSTILE_ID = 'dashboard-hostile-0000-0000-000000000001';
const HOSTILE_PROMPT = `<img src=x onerror="window.__logbookPwned=1"> שלום עולם <b>bold</b> ${'long '.repeat(20_000)}`;

let api: LogbookApi;

const attrs = (selector: string, names: string[] = []): Promise<Attrs[]> => pageStep<Attrs[]>('webviewAttrs', { title: TITLE, selector, attrs: names });

/** The count once every row arrived (a first page of two shows first: run.ts sets the page small). */
async function counted(): Promise<{ shown: number; total: number }> {
  const count = await until('every row of the dashboard arrived', async () => {
    const found = (await attrs('[data-testid="dashboard-count"]', ['data-shown', 'data-total', 'data-complete']))[0];
    return found?.['data-complete'] === 'true' ? found : undefined;
  });
  return { shown: Number(count['data-shown'] ?? NaN), total: Number(count['data-total'] ?? NaN) };
}

/** Runs the installed hook launcher, as Claude Code would, with this payload. */
function hook(event: string, payload: Record<string, unknown>): void {
  const { workspace } = itestContext();
  execFileSync(join(logbookPaths(workspace).dir, 'bin', 'logbook-hook'), [event], {
    input: JSON.stringify({ session_id: HOSTILE_ID, hook_event_name: event, cwd: workspace, transcript_path: join(workspace, 'none.jsonl'), ...payload }),
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
}

suite('dashboard', () => {
  before(async () => {
    const ext = vscode.extensions.getExtension<LogbookApi>('agent-logbook.agent-logbook');
    assert.ok(ext);
    api = await ext.activate();
    const { sessionId } = itestContext();
    // Run alone, this suite is the first: the window may still be starting (slow on a busy machine).
    await until('the extension folded the recorded session', () => api.views.findSession(sessionId), 50_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the command opens the dashboard, which lists the recorded session by its title', async () => {
    const { sessionId } = itestContext();
    await pageStep('runCommand', { title: 'Logbook: Open Sessions Dashboard' });
    await until('the dashboard panel is open', () => (api.panels.openKeys('dashboard').includes('all') ? true : undefined));
    const title = api.views.findSession(sessionId)?.summary.title;
    assert.ok(typeof title === 'string' && title.length > 0, 'the recorded session has a title');
    const row = await until('the session\'s row', async () => (await attrs(`[data-testid="dashboard-row"][data-session="${sessionId}"] [data-col="title"]`))[0]);
    assert.equal(row.text, title);
    const total = [...api.views.workspaces()].reduce((sum, ws) => sum + ws.overview().size, 0);
    assert.deepEqual(await counted(), { shown: total, total });
    await screenshot('dashboard');
  }, { timeoutMs: 60_000 });

  test('a session with a hostile prompt arrives live and its title renders as text', async () => {
    const before = (await counted()).total;
    hook('SessionStart', { source: 'startup' });
    hook('UserPromptSubmit', { prompt: HOSTILE_PROMPT });
    await until('the hostile session reached the dashboard', async () => ((await counted()).total === before + 1 ? true : undefined), 30_000);
    const cell = (await attrs(`[data-testid="dashboard-row"][data-session="${HOSTILE_ID}"] [data-col="title"]`, ['dir']))[0];
    assert.ok(cell !== undefined, 'the hostile session has a row');
    assert.ok(cell.text.startsWith('<img src=x onerror="window.__logbookPwned=1"> שלום עולם <b>bold</b>'), `the markup is text: ${cell.text.slice(0, 120)}`);
    assert.ok(cell.text.length < 2000, 'a 100 KB prompt makes a short title');
    assert.equal(cell.dir, 'auto', 'right-to-left text keeps to its cell');
    const inert = await pageStep<{ pwned: unknown; imgs: number; scripts: number }>('webviewInert', { title: TITLE });
    assert.deepEqual(inert, { pwned: null, imgs: 0, scripts: 0 });
    await screenshot('dashboard-hostile-title');
  }, { timeoutMs: 60_000 });

  test('the trends chart the filtered sessions per day, and clicking a day lists the sessions behind it', async () => {
    const { total } = await counted();
    const buckets = await until('a trend bucket with sessions', async () => {
      const found = (await attrs('[data-testid="trend-bucket"]', ['data-key', 'data-sessions'])).filter((b) => Number(b['data-sessions']) > 0);
      return found.length > 0 ? found : undefined;
    });
    const sum = buckets.reduce((n, b) => n + Number(b['data-sessions']), 0);
    assert.equal(sum, total, 'every session counts in one day');
    const day = buckets[buckets.length - 1] as Attrs;
    await screenshot('dashboard-trends');
    await pageStep('clickInWebview', { title: TITLE, selector: `[data-testid="trend-bucket"][data-key="${String(day['data-key'])}"]` });
    await until('the table lists that day\'s sessions', async () => ((await counted()).shown === Number(day['data-sessions']) ? true : undefined));
    await screenshot('dashboard-trend-picked');
    await pageStep('clickInWebview', { title: TITLE, selector: '[data-testid="dashboard-clear"]' });
    await until('every session is back', async () => ((await counted()).shown === total ? true : undefined));
  }, { timeoutMs: 60_000 });

  test('the trends stack by workflow states or by lifecycle at a click, each with its legend; the header offers Export HTML', async () => {
    const pressed = async (stack: string): Promise<string | null | undefined> => (await attrs(`[data-testid="trend-stack-${stack}"]`, ['aria-pressed']))[0]?.['aria-pressed'];
    assert.equal(await pressed('lifecycle'), 'true', 'lifecycle states first');
    const lifecycle = await until('a legend of lifecycle states', async () => ((await attrs('[data-testid="trend-legend"] [data-state]', ['data-state'])).length > 0 ? attrs('[data-testid="trend-legend"] [data-state]', ['data-state']) : undefined));
    assert.ok(lifecycle.some((s) => s['data-state'] === 'model_working' || s['data-state'] === 'prompted'), `lifecycle states named: ${lifecycle.map((s) => s['data-state']).join(', ')}`);
    await pageStep('clickInWebview', { title: TITLE, selector: '[data-testid="trend-stack-workflow"]' });
    await until('the workflow toggle is pressed', async () => ((await pressed('workflow')) === 'true' ? true : undefined));
    assert.equal(await pressed('lifecycle'), 'false');
    const legend = (await attrs('[data-testid="trend-legend"]'))[0];
    assert.ok(legend !== undefined && !/model working/.test(legend.text), `the legend names workflow states now: ${legend?.text}`);
    await screenshot('dashboard-trends-workflow');
    await pageStep('clickInWebview', { title: TITLE, selector: '[data-testid="trend-stack-lifecycle"]' });
    await until('back to lifecycle states', async () => ((await pressed('lifecycle')) === 'true' ? true : undefined));
    const exportHtml = await attrs('[data-testid="dashboard-export-html"]');
    assert.equal(exportHtml[0]?.text.trim(), 'Export HTML');
  }, { timeoutMs: 60_000 });

  test('clicking a column header sorts by it, and again reverses', async () => {
    const header = '[data-testid="dashboard-sort"][data-field="events"]';
    await pageStep('clickInWebview', { title: TITLE, selector: header });
    const order = async (): Promise<number[]> => (await attrs('[data-testid="dashboard-row"] [data-col="events"]')).map((c) => Number(c.text.replace(/,/g, '') || '0'));
    await until('sorted by events, most first', async () => ((await attrs(header, ['aria-sort']))[0]?.['aria-sort'] === 'descending' ? true : undefined));
    const descending = await order();
    assert.ok(descending.length >= 2, 'two sessions to order');
    assert.deepEqual(descending, [...descending].sort((a, b) => b - a));
    await screenshot('dashboard-sorted');
    await pageStep('clickInWebview', { title: TITLE, selector: header });
    await until('sorted by events, fewest first', async () => ((await attrs(header, ['aria-sort']))[0]?.['aria-sort'] === 'ascending' ? true : undefined));
    const ascending = await order();
    assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
  }, { timeoutMs: 60_000 });

  test('a filter that matches nothing shows no row and says so; clearing it brings every session back', async () => {
    const { total } = await counted();
    await pageStep('webviewFill', { title: TITLE, selector: '[data-testid="dashboard-text"]', value: 'no session says this' });
    await until('no row is left', async () => ((await counted()).shown === 0 ? true : undefined));
    // The table's body says how many rows it holds (waiting for a row that never comes would take the step's 15 s).
    assert.equal((await attrs('.tbody', ['data-count']))[0]?.['data-count'], '0');
    assert.equal((await attrs('.rows-window'))[0]?.text, '', 'no row is drawn');
    const empty = (await attrs('[data-testid="dashboard-empty"]', ['hidden']))[0];
    assert.equal(empty?.hidden, null, 'the empty message shows');
    assert.equal(empty?.text, 'No session matches the filters.');
    await screenshot('dashboard-filtered-empty');
    await pageStep('clickInWebview', { title: TITLE, selector: '[data-testid="dashboard-clear"]' });
    await until('every session is back', async () => ((await counted()).shown === total ? true : undefined));
    const { sessionId } = itestContext();
    await pageStep('webviewFill', { title: TITLE, selector: '[data-testid="dashboard-text"]', value: sessionId.slice(0, 8) });
    await until('the id filter keeps one session', async () => ((await counted()).shown === 1 ? true : undefined));
    await screenshot('dashboard-filtered-one');
    await pageStep('clickInWebview', { title: TITLE, selector: '[data-testid="dashboard-clear"]' });
    await until('every session is back', async () => ((await counted()).shown === total ? true : undefined));
  }, { timeoutMs: 60_000 });

  test('free text finds a session by a later prompt, not only by its title', async () => {
    // A second prompt of the hostile session: its title stays the first prompt.
    hook('UserPromptSubmit', { prompt: 'Also rename the zebracorn module' });
    await until('the prompt reached the window', () => ((api.views.workspaces()[0]?.overview().get(HOSTILE_ID)?.prompts ?? 0) >= 2 ? true : undefined), 30_000);
    await pageStep('webviewFill', { title: TITLE, selector: '[data-testid="dashboard-text"]', value: 'zebrac' });
    await until('the session whose prompt holds the word', async () => {
      const rows = await attrs('[data-testid="dashboard-row"]', ['data-session']);
      return rows.length === 1 && rows[0]?.['data-session'] === HOSTILE_ID ? true : undefined;
    }, 30_000);
    await until('the trends count the session found', async () => ((await attrs('[data-testid="trend-bucket"]', ['data-sessions'])).reduce((n, b) => n + Number(b['data-sessions']), 0) === 1 ? true : undefined));
    await screenshot('dashboard-prompt-search');
    await pageStep('clickInWebview', { title: TITLE, selector: '[data-testid="dashboard-clear"]' });
  }, { timeoutMs: 60_000 });

  test('clicking a session\'s row opens its report', async () => {
    const { sessionId } = itestContext();
    await pageStep('clickInWebview', { title: TITLE, selector: `[data-testid="dashboard-row"][data-session="${sessionId}"]` });
    await until('the report panel opened', () => (api.panels.openKeys('report').includes(sessionId) ? true : undefined));
    await pageStep('webviewText', { title: `Report ${sessionId.slice(0, 8)}`, contains: sessionId.slice(0, 8) });
    await screenshot('dashboard-opened-report');
  }, { timeoutMs: 60_000 });
});
