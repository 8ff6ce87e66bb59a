// The views inside a real VS Code, on the session the real Claude Code CLI recorded: the sidebar,
// the report (its numbers against a fresh fold of the store file, search, facets, hostile output
// shown as text), the state machine, the journal (written through the CLI while the window is
// open, so it also proves live updates) and the inline journal. Screenshots for a person to check.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LogbookApi } from '../../src/extension';
import { logbookPaths } from '../../src/capture/paths';
import { buildSessionReport } from '../../src/projections/report';
import { summarizeSession } from '../../src/projections/session-summary';
import type { RecordedEvent } from '../../src/store/event-store';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { after, before, itestContext, pageStep, screenshot, suite, test, until } from './harness';

type Attrs = Record<string, string | null> & { text: string };

let api: LogbookApi;

/** The session's events read from the store file with the project's own store code (not through the extension). */
async function storedEvents(workspace: string, sessionId: string): Promise<RecordedEvent[]> {
  const opened = await LogbookDatabase.open(logbookPaths(workspace).store);
  assert.ok(opened.ok, 'the store file opens');
  try {
    return opened.database.store.readStream(sessionId);
  } finally {
    opened.database.close();
  }
}

const attrs = (title: string, selector: string, names: string[] = []): Promise<Attrs[]> => pageStep<Attrs[]>('webviewAttrs', { title, selector, attrs: names });

function logbook(...args: string[]): string {
  const { repoRoot, workspace } = itestContext();
  return execFileSync(process.execPath, [join(repoRoot, 'dist', 'logbook.js'), ...args, '--workspace', workspace], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
}

suite('views', () => {
  before(async () => {
    const ext = vscode.extensions.getExtension<LogbookApi>('agent-logbook.agent-logbook');
    assert.ok(ext);
    api = await ext.activate();
    const { sessionId } = itestContext();
    await until('the extension folded the recorded session', () => api.views.findSession(sessionId));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the Sessions view lists the recorded session with its state, and its children', async () => {
    const { sessionId } = itestContext();
    const groups = await api.sessionsTree.getChildren();
    const sessions = (await Promise.all(groups.map((group) => api.sessionsTree.getChildren(group)))).flat();
    const node = sessions.find((n) => n.kind === 'session' && n.sessionId === sessionId);
    assert.ok(node, 'the session is a row of the tree');
    const item = api.sessionsTree.getTreeItem(node);
    // Named by its first prompt, as the store's events say.
    const title = summarizeSession(await storedEvents(itestContext().workspace, sessionId)).title;
    assert.ok(title !== null, 'the recorded session had a prompt');
    assert.equal(item.label, title);
    assert.match(String(item.description), /ended/);
    assert.match(String(item.description), /✗1/, 'the failing Read is a badge');
    const children = await api.sessionsTree.getChildren(node);
    assert.deepEqual(children.map((child) => api.sessionsTree.getTreeItem(child).label), ['State timeline', 'Journal', 'Tool failures', 'Subagents']);
    await vscode.commands.executeCommand('logbook.sessions.focus');
    let seen: string[] = [];
    const rows = await until('the sidebar shows the session', async () => {
      seen = await pageStep<string[]>('sidebarRows', { view: 'Sessions' });
      return seen.some((label) => label.includes(sessionId)) ? seen : undefined;
    }).catch((error: unknown) => { throw new Error(`${String(error)}; rows: ${JSON.stringify(seen)}`); });
    assert.ok(rows.some((label) => /Today|Yesterday|\d{4}-\d\d-\d\d/.test(label)), `finished sessions are grouped by day: ${rows.join(' | ')}`);
    await pageStep('clickSidebarRow', { label: title });
    await until('the session expanded', async () => ((await pageStep<string[]>('sidebarRows', { view: 'Sessions' })).some((l) => l.includes('State timeline')) ? true : undefined));
    await screenshot('sidebar-sessions');
  }, { timeoutMs: 60_000 });

  test('the report shows the numbers of a fresh fold of the store file', async () => {
    const { workspace, sessionId } = itestContext();
    const expected = buildSessionReport(summarizeSession(await storedEvents(workspace, sessionId)), { now: Date.now() });
    await vscode.commands.executeCommand('logbook.openReport', sessionId);
    const title = `Report ${sessionId.slice(0, 8)}`;
    const value = async (id: string): Promise<string | null> => (await attrs(title, `[data-testid="${id}"]`, ['data-value']))[0]?.['data-value'] ?? null;
    await until('the report rendered', async () => ((await value('overview-events')) !== null ? true : undefined));
    assert.equal(Number(await value('overview-events')), expected.counts.events);
    assert.equal(Number(await value('overview-tool-calls')), expected.tools.totals.calls);
    assert.equal(Number(await value('overview-tool-failures')), expected.tools.totals.failures);
    assert.equal(Number(await value('overview-prompts')), expected.counts.prompts);
    assert.equal(Number(await value('overview-subagents')), expected.counts.subagents);
    assert.equal(Number(await value('overview-files')), expected.counts.filesTouched);
    assert.equal(Number(await value('overview-compactions')), expected.counts.compactions);
    assert.equal(Number(await value('overview-duration')), expected.durationMs);
    await screenshot('report-overview');
  }, { timeoutMs: 60_000 });

  test('search and facets filter the event log', async () => {
    const { workspace, sessionId } = itestContext();
    const events = await storedEvents(workspace, sessionId);
    const title = `Report ${sessionId.slice(0, 8)}`;
    await pageStep('clickInWebview', { title, selector: '[data-testid="tab-log"]' });
    const total = async (): Promise<number> => Number((await attrs(title, '[data-testid="log-count"]', ['data-total']))[0]?.['data-total'] ?? NaN);
    await until('the log shows every event', async () => ((await total()) === events.length ? true : undefined));

    await pageStep('clickInWebview', { title, selector: '[data-testid="facet-option"][data-facet="type"][data-value="PostToolUse"]' });
    const posts = events.filter((e) => e.type === 'PostToolUse').length;
    await until(`the type facet leaves the ${posts} PostToolUse events`, async () => ((await total()) === posts ? true : undefined));
    const rows = await attrs(title, '[data-testid="event-row"]', ['data-type']);
    assert.ok(rows.length > 0 && rows.every((row) => row['data-type'] === 'PostToolUse'), 'every row shown is a PostToolUse');
    await pageStep('clickInWebview', { title, selector: '[data-testid="log-clear"]' });
    await until('clearing shows every event again', async () => ((await total()) === events.length ? true : undefined));

    await pageStep('webviewFill', { title, selector: '[data-testid="log-search"]', value: 'missing' });
    const mentioning = events.filter((e) => JSON.stringify(e.data).includes('missing.txt')).length;
    await until(`searching "missing" leaves the ${mentioning} events about missing.txt`, async () => ((await total()) === mentioning ? true : undefined));
    await screenshot('report-log-search');
    await pageStep('clickInWebview', { title, selector: '[data-testid="log-clear"]' });
  }, { timeoutMs: 90_000 });

  test('a tool output with <script> and <img onerror> is shown as text and runs nothing', async () => {
    const { sessionId } = itestContext();
    const title = `Report ${sessionId.slice(0, 8)}`;
    await pageStep('webviewFill', { title, selector: '[data-testid="log-search"]', value: 'onerror' });
    const { workspace } = itestContext();
    const hostile = (await storedEvents(workspace, sessionId)).filter((e) => JSON.stringify(e.data).includes('onerror')).length;
    await until(`searching "onerror" leaves the ${hostile} events that carry it`, async () => (Number((await attrs(title, '[data-testid="log-count"]', ['data-total']))[0]?.['data-total']) === hostile ? true : undefined));
    const rowSelector = '[data-testid="event-row"][data-type="PostToolUse"][data-tool="Bash"]';
    await until('the hostile Bash output is found', async () => ((await attrs(title, rowSelector)).length > 0 ? true : undefined));
    await pageStep('clickInWebview', { title, selector: rowSelector });
    let detail = '';
    await until('the detail pane shows the payload', async () => {
      detail = (await attrs(title, '[data-testid="event-detail-data"]'))[0]?.text ?? '';
      return detail.includes('__logbookPwned') ? true : undefined;
    }).catch((error: unknown) => { throw new Error(`${String(error)}; detail pane: ${JSON.stringify(detail.slice(0, 400))}`); });
    assert.ok(detail.includes('<script>window.__logbookPwned=1</script>'), 'the script tag is visible as text');
    assert.ok(detail.includes('<img src=x onerror='), 'the img tag is visible as text');
    const inert = await pageStep<{ pwned: unknown; imgs: number; scripts: number }>('webviewInert', { title });
    assert.deepEqual(inert, { pwned: null, imgs: 0, scripts: 0 });
    await screenshot('report-hostile-output');
  }, { timeoutMs: 60_000 });

  test('the state machine highlights the current state and lists the events spent in a state', async () => {
    const { sessionId } = itestContext();
    await vscode.commands.executeCommand('logbook.openStateMachine', sessionId);
    const title = `State Machine ${sessionId.slice(0, 8)}`;
    const current = await until('a current state', async () => (await attrs(title, '[data-current="true"]', ['data-testid']))[0]?.['data-testid'] ?? undefined);
    assert.equal(current, 'state-ended', 'the recorded session ended');
    await pageStep('clickInWebview', { title, selector: '[data-testid="state-tool_running"]' });
    const count = await until('the events of tool_running', async () => (await attrs(title, '[data-testid="state-events-count"]', ['data-total']))[0]?.['data-total'] ?? undefined);
    assert.ok(Number(count) > 0);
    await screenshot('state-machine');
  }, { timeoutMs: 60_000 });

  test('a journal entry written through the CLI shows up live in the journal, the workflow machine and the editor', async () => {
    const { workspace, repoRoot, sessionId } = itestContext();
    copyFileSync(join(repoRoot, 'templates', 'workflow.minimal.json'), logbookPaths(workspace).workflow);
    logbook('journal', '--session', sessionId, '--text', 'Checked notes.txt: <b>second line</b> stays', '--tags', 'itest,views', '--files', 'notes.txt:2');
    logbook('transition', '--session', sessionId, '--to', 'done', '--reason', 'journaled');
    await until('the journal entry was ingested by this window', () => (api.views.findSession(sessionId)?.summary.journal.length === 1 ? true : undefined));
    await vscode.commands.executeCommand('logbook.openJournal');
    const entries = await until('the journal lists the entry', async () => {
      const found = await attrs('Journal', '[data-testid="journal-entry"]', ['data-session', 'data-tags']);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.['data-session'], sessionId);
    assert.ok(entries[0]?.text.includes('<b>second line</b>'), 'markup in the entry is text');
    await screenshot('journal');

    await vscode.commands.executeCommand('logbook.openStateMachine', sessionId);
    const smTitle = `State Machine ${sessionId.slice(0, 8)}`;
    await until('the state machine is shown again', async () => ((await attrs(smTitle, '[data-testid="machine-workflow"]')).length > 0 ? true : undefined));
    await pageStep('clickInWebview', { title: smTitle, selector: '[data-testid="machine-workflow"]' });
    const current = await until('the workflow machine is at done', async () => {
      const found = (await attrs(smTitle, '[data-current="true"]', ['data-testid']))[0]?.['data-testid'];
      return found === 'state-done' ? found : undefined;
    });
    assert.equal(current, 'state-done');
    await screenshot('state-machine-workflow');

    const notes = vscode.Uri.file(join(workspace, 'notes.txt'));
    await vscode.window.showTextDocument(notes);
    const lenses = await until('CodeLens on notes.txt', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', notes);
      const ours = found.filter((lens) => lens.command?.command.startsWith('logbook.'));
      return ours.length > 0 ? ours : undefined;
    });
    assert.ok(lenses.some((lens) => /edit/i.test(lens.command?.title ?? '')), `an agent-edits lens: ${lenses.map((l) => l.command?.title).join(' | ')}`);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', notes, new vscode.Position(1, 0));
    // appendText escapes: spaces come back as &nbsp; and markup characters with a backslash.
    const hoverText = hovers.flatMap((hover) => hover.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n').replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.ok(hoverText.includes('Checked notes.txt: <b>second line</b> stays'), `the hover on line 2 shows the entry as text: ${hoverText.slice(0, 400)}`);
    await screenshot('inline-journal');
  }, { timeoutMs: 90_000 });
});
