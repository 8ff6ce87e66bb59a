// The Compare view inside a real VS Code: the session the real Claude Code CLI recorded (A) and a
// second one written through the installed hook (B: a hostile prompt of markup, right-to-left
// text and 100 KB, and failing tool calls). Opened by the command with two session ids, it shows
// every figure of both with the delta; the regression in failures is marked in words; the title
// is text; "Copy prompt" copies the host's prompt. Then from the dashboard: two rows picked with
// ctrl-click open the same comparison, one row opens it against the median of the others.
// Screenshots for a person to check.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LogbookApi } from '../../src/extension';
import { logbookPaths } from '../../src/capture/paths';
import { compareKey } from '../../src/protocol/compare-view';
import { after, before, itestContext, pageStep, screenshot, suite, test, until } from './harness';

type Attrs = Record<string, string | null> & { text: string };

const B = 'compare-hostile-0000-0000-000000000002';
const HOSTILE_PROMPT = `<img src=x onerror="window.__logbookPwned=1"> שלום עולם <b>bold</b> ${'long '.repeat(20_000)}`;
const FAILURES = 3;
const DASHBOARD = 'Sessions Dashboard';

let api: LogbookApi;

const attrs = (title: string, selector: string, names: string[] = []): Promise<Attrs[]> => pageStep<Attrs[]>('webviewAttrs', { title, selector, attrs: names });

/** Runs the installed hook launcher, as Claude Code would, for session B. */
function hook(event: string, payload: Record<string, unknown> = {}): void {
  const { workspace } = itestContext();
  execFileSync(join(logbookPaths(workspace).dir, 'bin', 'logbook-hook'), [event], {
    input: JSON.stringify({ session_id: B, hook_event_name: event, cwd: workspace, transcript_path: join(workspace, 'none.jsonl'), ...payload }),
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
}

function twoTitle(a: string): string {
  return `Compare ${a.slice(0, 8)} ↔ ${B.slice(0, 8)}`;
}

/** The cells of one figure's row in a compare panel. */
async function figureRow(title: string, key: string): Promise<Record<string, string>> {
  const cells = await attrs(title, `[data-testid="compare-figure"][data-key="${key}"] td`, ['data-col']);
  const row = await attrs(title, `[data-testid="compare-figure"][data-key="${key}"]`, ['data-verdict']);
  return { ...Object.fromEntries(cells.filter((c) => c['data-col'] !== null).map((c) => [String(c['data-col']), c.text])), verdict: String(row[0]?.['data-verdict']) };
}

suite('compare', () => {
  before(async () => {
    const ext = vscode.extensions.getExtension<LogbookApi>('agent-logbook.agent-logbook');
    assert.ok(ext);
    api = await ext.activate();
    const { sessionId } = itestContext();
    await until('the extension folded the recorded session', () => api.views.findSession(sessionId), 50_000);
    hook('SessionStart', { source: 'startup' });
    hook('UserPromptSubmit', { prompt: HOSTILE_PROMPT });
    for (let i = 0; i < FAILURES; i += 1) {
      hook('PreToolUse', { tool_name: 'Bash', tool_input: { command: 'false' }, tool_use_id: `fail-${i}` });
      hook('PostToolUseFailure', { tool_name: 'Bash', tool_input: { command: 'false' }, tool_use_id: `fail-${i}`, error: 'exit 1' });
    }
    hook('Stop');
    hook('SessionEnd', { reason: 'other' });
    await until('the extension folded session B to its end', () => (api.views.findSession(B)?.summary.lifecycle.ended === true ? true : undefined), 30_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the command with two session ids opens the comparison: every figure of both, its delta, and the regression in failures in words', async () => {
    const { sessionId: a } = itestContext();
    await vscode.commands.executeCommand('logbook.compareSessions', a, B);
    const key = compareKey({ kind: 'sessions', a, b: B });
    await until('the compare panel is open', () => (api.panels.openKeys('compare').includes(key) ? true : undefined));
    const title = twoTitle(a);
    await until('the figures are drawn', async () => ((await attrs(title, '[data-testid="compare-figure"]')).length > 0 ? true : undefined), 30_000);
    const rowA = api.views.workspaces().map((ws) => ws.overview().get(a)).find((r) => r !== undefined);
    const rowB = api.views.workspaces().map((ws) => ws.overview().get(B)).find((r) => r !== undefined);
    assert.ok(rowA !== undefined && rowB !== undefined);
    const signed = (n: number): string => (n === 0 ? '0' : `${n > 0 ? '+' : '−'}${Math.abs(n).toLocaleString('en-US')}`);
    for (const [key2, av, bv] of [['events', rowA.events, rowB.events], ['toolCalls', rowA.toolCalls, rowB.toolCalls], ['toolFailures', rowA.toolFailures, rowB.toolFailures]] as const) {
      const row = await figureRow(title, key2);
      assert.equal(row['a'], av.toLocaleString('en-US'), `${key2}: A`);
      assert.equal(row['b'], bv.toLocaleString('en-US'), `${key2}: B`);
      assert.equal(row['delta'], signed(bv - av), `${key2}: Δ`);
      assert.equal(row['percent'], av === 0 ? '—' : `${bv - av > 0 ? '+' : bv < av ? '−' : ''}${(Math.abs(Math.round(((bv - av) / av) * 1000) / 10)).toFixed(1).replace(/\.0$/, '')}%`, `${key2}: Δ%`);
    }
    assert.equal(rowB.toolFailures, FAILURES);
    const failures = await figureRow(title, 'toolFailures');
    const worse = rowB.toolFailures > rowA.toolFailures;
    assert.equal(failures['verdict'], worse ? 'worse' : rowB.toolFailures === rowA.toolFailures ? 'same' : 'better');
    const verdictCell = (await attrs(title, '[data-testid="compare-figure"][data-key="toolFailures"] td.verdict'))[0];
    assert.equal(verdictCell?.text, worse ? '▲ worse' : rowB.toolFailures === rowA.toolFailures ? '' : '▼ better', 'a regression reads in words, not only in colour');
    assert.equal((await attrs(title, '[data-testid="compare-figure"][data-key="events"]', ['data-verdict']))[0]?.['data-verdict'], 'neutral');
    const runs = await attrs(title, '[data-testid="compare-run"][data-kind="onlyB"]');
    assert.ok(runs.some((r) => r.text.includes('Bash')), 'B\'s Bash calls are in the diff, only in B');
    const lanes = await attrs(title, '[data-testid="compare-lane"]', ['data-lane']);
    assert.deepEqual(lanes.map((l) => l['data-lane']).filter((l) => l === 'A-lifecycle' || l === 'B-lifecycle'), ['A-lifecycle', 'B-lifecycle']);
    await screenshot('compare-two');
  }, { timeoutMs: 90_000 });

  test('the hostile title of B renders as text: markup shown, nothing run, right-to-left kept to its line', async () => {
    const { sessionId: a } = itestContext();
    const title = twoTitle(a);
    const shown = (await attrs(title, '[data-testid="compare-side-b"] [data-testid="compare-title"]', ['dir']))[0];
    assert.ok(shown !== undefined);
    assert.ok(shown.text.startsWith('<img src=x onerror="window.__logbookPwned=1"> שלום עולם <b>bold</b>'), shown.text.slice(0, 120));
    assert.ok(shown.text.length < 2000, 'a 100 KB prompt makes a short title');
    assert.equal(shown.dir, 'auto');
    const inert = await pageStep<{ pwned: unknown; imgs: number; scripts: number }>('webviewInert', { title });
    assert.deepEqual(inert, { pwned: null, imgs: 0, scripts: 0 });
    await screenshot('compare-hostile-title');
  }, { timeoutMs: 60_000 });

  test('"Copy prompt" copies the host\'s prompt about both sessions', async () => {
    const { sessionId: a } = itestContext();
    await vscode.env.clipboard.writeText('');
    await pageStep('clickInWebview', { title: twoTitle(a), selector: '[data-testid="compare-copy-prompt"]' });
    const prompt = await until('the prompt is on the clipboard', async () => {
      const text = await vscode.env.clipboard.readText();
      return text === '' ? undefined : text;
    });
    assert.match(prompt, new RegExp(`logbook compare ${a} ${B}`));
    assert.match(prompt, /"tool failures": /);
  }, { timeoutMs: 60_000 });

  test('from the dashboard: two rows picked with ctrl-click compare them; one row compares it with the median of the others', async () => {
    const { sessionId: a } = itestContext();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('logbook.openDashboard');
    const row = (id: string): string => `[data-testid="dashboard-row"][data-session="${id}"]`;
    await until('both rows are listed', async () => ((await attrs(DASHBOARD, `${row(a)}, ${row(B)}`)).length === 2 ? true : undefined), 30_000);
    await pageStep('clickInWebview', { title: DASHBOARD, selector: row(a), modifiers: ['ControlOrMeta'] });
    await pageStep('clickInWebview', { title: DASHBOARD, selector: row(B), modifiers: ['ControlOrMeta'] });
    const button = '[data-testid="dashboard-compare"]';
    await until('two rows are selected', async () => ((await attrs(DASHBOARD, button, ['data-selected']))[0]?.['data-selected'] === '2' ? true : undefined));
    assert.deepEqual((await attrs(DASHBOARD, '[data-testid="dashboard-row"][aria-selected="true"]', ['data-session'])).map((r) => r['data-session']).sort(), [a, B].sort());
    await screenshot('compare-dashboard-selected');
    await pageStep('clickInWebview', { title: DASHBOARD, selector: button });
    const two = compareKey({ kind: 'sessions', a, b: B });
    await until('the dashboard opened the comparison of the two', () => (api.panels.openKeys('compare').includes(two) ? true : undefined));

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('logbook.openDashboard');
    await until('the rows are listed again', async () => ((await attrs(DASHBOARD, row(a))).length === 1 ? true : undefined), 30_000);
    await pageStep('clickInWebview', { title: DASHBOARD, selector: row(a), modifiers: ['ControlOrMeta'] });
    await until('one row is selected', async () => ((await attrs(DASHBOARD, button, ['data-selected']))[0]?.['data-selected'] === '1' ? true : undefined));
    await pageStep('clickInWebview', { title: DASHBOARD, selector: button });
    const cohort = compareKey({ kind: 'cohort', a, cohort: 'all' });
    await until('the dashboard opened the comparison with the median', () => (api.panels.openKeys('compare').includes(cohort) ? true : undefined));
    const title = `Compare ${a.slice(0, 8)} ↔ median`;
    const others = api.views.workspaces().reduce((n, ws) => n + ws.overview().size, 0) - 1;
    const side = (await attrs(title, '[data-testid="compare-side-a"]', ['data-sessions']))[0];
    assert.equal(side?.['data-sessions'], String(others), 'the median of every other session');
    const events = await figureRow(title, 'events');
    assert.ok(events['a'] !== undefined && events['b'] !== undefined && events['delta'] !== undefined);
    await screenshot('compare-cohort');
  }, { timeoutMs: 120_000 });
});
