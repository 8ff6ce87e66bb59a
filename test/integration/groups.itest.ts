// Sessions that work together inside a real VS Code (issue 16): a lead session whose Bash tool
// starts two workers (`claude -p`), each worker's start recorded with a LogbookOrigin naming the
// lead, as the hook launcher records it; one worker's tool fails; both write a file the lead then
// reads. Every event goes through the installed hook launcher, as Claude Code runs it. The Sessions
// view lists the group with its totals (against a fresh read of the store file) and its members;
// a member opens its report; the row's inline action opens the unified timeline (a lane per
// session, the links as arrows); the dashboard shows the group as a row that expands to its
// members. Screenshots for a person to check.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { LogbookApi } from '../../src/extension';
import { logbookPaths } from '../../src/capture/paths';
import type { GroupSummary } from '../../src/domain/groups/model';
import { groupFigures } from '../../src/projections/groups/group-figures';
import { buildGroupTimeline } from '../../src/projections/groups/timeline/group-timeline';
import { readGroupDetail, readGroups } from '../../src/read/groups';
import { withHandoffs } from '../../src/projections/groups/handoffs';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { after, before, itestContext, pageStep, screenshot, suite, test, until } from './harness';

type Attrs = Record<string, string | null> & { text: string };

const run = promisify(execFile);
const LEAD_PROMPT = 'GROUP-LEAD: split the release notes between two workers';
const lead = randomUUID();
const workerA = randomUUID();
const workerB = randomUUID();
const GROUP = `tree:${lead}`;
const DASHBOARD = 'Sessions Dashboard';

let api: LogbookApi;
let sideBarWidth: number | undefined;

/** Fires one hook event as Claude Code does: the installed launcher, the payload on stdin. */
async function hook(sessionId: string, event: string, fields: Record<string, unknown> = {}, pauseMs = 120): Promise<void> {
  const { workspace } = itestContext();
  const payload = { session_id: sessionId, transcript_path: join(workspace, `${sessionId}.jsonl`), cwd: workspace, hook_event_name: event, ...fields };
  const child = run('/bin/sh', ['-c', '"$CLAUDE_PROJECT_DIR"/.logbook/bin/logbook-hook "$0"', event], { env: { ...process.env, CLAUDE_PROJECT_DIR: workspace } });
  child.child.stdin?.end(JSON.stringify(payload));
  await child;
  // Apart in time, so that the timeline has bars to draw.
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
}

/**
 * The record the launcher writes beside a SessionStart (launcher-origin.ts) for a `claude` started
 * by another session's Bash tool: the same raw payload, through the same launcher.
 */
async function origin(sessionId: string, parent: string, command: string): Promise<void> {
  const { workspace } = itestContext();
  const payload = {
    hook_event_name: 'LogbookOrigin', session_id: sessionId, run_variable: 'LOGBOOK_RUN', parent_session_id: parent, parent_pid: '4242',
    parent_command: `/bin/bash -c eval '${command}' < /dev/null`, claude_pid: '4343', project_dir: workspace, origin_version: 1,
  };
  const child = run('/bin/sh', ['-c', '"$CLAUDE_PROJECT_DIR"/.logbook/bin/logbook-hook LogbookOrigin'], { env: { ...process.env, CLAUDE_PROJECT_DIR: workspace } });
  child.child.stdin?.end(JSON.stringify(payload));
  await child;
}

const call = (id: string, tool: string, input: Record<string, unknown>): Record<string, unknown> => ({ tool_name: tool, tool_input: input, tool_use_id: id });

async function worker(sessionId: string, part: string, fails: boolean): Promise<void> {
  const { workspace } = itestContext();
  const command = `claude -p "write part ${part}"`;
  await hook(sessionId, 'SessionStart', { source: 'startup' }, 0);
  await origin(sessionId, lead, command);
  await hook(sessionId, 'UserPromptSubmit', { prompt: `write part ${part} of the release notes` });
  if (fails) {
    const test = call(`toolu_${part}_test`, 'Bash', { command: 'npm test' });
    await hook(sessionId, 'PreToolUse', test, 300);
    await hook(sessionId, 'PostToolUseFailure', { ...test, error: 'Exit code 1\nnpm ERR! Test failed', is_interrupt: false });
  }
  const write = call(`toolu_${part}_write`, 'Write', { file_path: join(workspace, `part-${part}.md`), content: `part ${part}` });
  await hook(sessionId, 'PreToolUse', write, 250);
  await hook(sessionId, 'PostToolUse', { ...write, tool_response: { type: 'create' } });
  await hook(sessionId, 'Stop', { stop_hook_active: false });
  await hook(sessionId, 'SessionEnd', { reason: 'other' });
}

/** The group as a fresh read of the store file says (the project's own reader, not the window's). */
async function storedGroup(): Promise<{ group: GroupSummary | undefined; database: LogbookDatabase }> {
  const opened = await LogbookDatabase.open(logbookPaths(itestContext().workspace).store);
  assert.ok(opened.ok, 'the store file opens');
  return { group: readGroups(opened.database.raw, opened.database.store).find((g) => g.id === GROUP), database: opened.database };
}

/** The Sessions view on screen with the group's row, expanded to its members when `expanded`. */
async function showGroupRow(expanded: boolean): Promise<string[]> {
  await vscode.commands.executeCommand('logbook.sessions.focus');
  const label = `tree ${LEAD_PROMPT}`;
  const rows = (): Promise<string[]> => pageStep<string[]>('sidebarRows', { view: 'Sessions' });
  await until('the sidebar shows the group row', async () => ((await rows()).some((l) => l.includes(label)) ? true : undefined));
  if (expanded && !(await rows()).some((l) => l.includes('worker: write part B'))) await pageStep('clickSidebarRow', { label });
  return until('the group row as wanted', async () => {
    const seen = await rows();
    return !expanded || seen.some((l) => l.includes('worker: write part B')) ? seen : undefined;
  });
}

const dashboardAttrs = (selector: string, names: string[] = []): Promise<Attrs[]> => pageStep<Attrs[]>('webviewAttrs', { title: DASHBOARD, selector, attrs: names });

suite('groups', () => {
  before(async () => {
    const ext = vscode.extensions.getExtension<LogbookApi>('agent-logbook.agent-logbook');
    assert.ok(ext);
    api = await ext.activate();
    await until('the extension folded the recorded session', () => api.views.findSession(itestContext().sessionId), 50_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const { workspace } = itestContext();
    await hook(lead, 'SessionStart', { source: 'startup' });
    await hook(lead, 'UserPromptSubmit', { prompt: LEAD_PROMPT });
    const spawnA = call('toolu_lead_a', 'Bash', { command: 'claude -p "write part A"' });
    const spawnB = call('toolu_lead_b', 'Bash', { command: 'claude -p "write part B"' });
    await hook(lead, 'PreToolUse', spawnA);
    await hook(lead, 'PreToolUse', spawnB);
    await Promise.all([worker(workerA, 'A', false), worker(workerB, 'B', true)]);
    await hook(lead, 'PostToolUse', { ...spawnA, tool_response: { stdout: 'done A' } });
    await hook(lead, 'PostToolUse', { ...spawnB, tool_response: { stdout: 'done B' } });
    for (const part of ['A', 'B']) {
      const read = call(`toolu_lead_read_${part}`, 'Read', { file_path: join(workspace, `part-${part}.md`) });
      await hook(lead, 'PreToolUse', read);
      await hook(lead, 'PostToolUse', { ...read, tool_response: { type: 'text' } });
    }
    await hook(lead, 'Stop', { stop_hook_active: false });
    await hook(lead, 'SessionEnd', { reason: 'other' });
    await until('the window folded the three sessions', () => (api.views.findSession(lead)?.summary.lifecycle.state === 'ended' && api.views.findSession(workerB)?.summary.lifecycle.state === 'ended' ? true : undefined), 30_000);
  });

  after(async () => {
    if (sideBarWidth !== undefined) await pageStep('resizeSideBar', { width: sideBarWidth });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the Sessions view lists the group with the totals of a fresh read of the store, and its members', async () => {
    // The store as it stands once the window's writer has committed every event the views show:
    // read again until the row and the store agree (a loaded machine commits later).
    const readStored = async (): Promise<Awaited<ReturnType<typeof storedGroup>>['group']> => {
      const { group, database } = await storedGroup();
      database.close();
      return group;
    };
    const stored = await until('the store holds the group with its three members', async () => {
      const group = await readStored();
      return group !== undefined && group.members.length === 3 && group.failures === 1 ? group : undefined;
    }, 60_000);
    assert.ok(stored !== undefined, `the store holds the group ${GROUP}`);
    assert.equal(stored.members.length, 3);
    assert.equal(stored.failures, 1, 'the worker\'s failed Bash');
    assert.deepEqual(stored.members.map((m) => [m.sessionId, m.role]).sort(), [[lead, 'lead'], [workerA, 'worker'], [workerB, 'worker']].sort());
    assert.ok(stored.links.some((l) => l.kind === 'spawn' && l.from === lead && l.to === workerA && l.exact), 'an exact spawn link lead → A');
    // File hand-offs are read from the members' streams when the group is read whole.
    const { database: db } = await storedGroup();
    try {
      const detail = readGroupDetail(db.store, stored);
      assert.ok(detail.group.links.some((l) => l.kind === 'handoff-file' && l.from === workerB && l.to === lead && !l.exact), 'an inferred file hand-off B → lead');
    } finally {
      db.close();
    }

    const roots = await api.sessionsTree.getChildren();
    const section = roots.find((n) => n.kind === 'groups');
    assert.ok(section !== undefined, `a Groups section among ${roots.map((n) => String(api.sessionsTree.getTreeItem(n).label)).join(', ')}`);
    let seen = '';
    const groupRow = await until('the group\'s row has the store\'s totals', async () => {
      const rows = await api.sessionsTree.getChildren(section);
      const row = rows.find((n) => n.kind === 'linkedGroup' && n.groupId === GROUP);
      const fresh = await readStored();
      const shown = row === undefined ? '(no row)' : String(api.sessionsTree.getTreeItem(row).description);
      seen = `row ${JSON.stringify(shown)}, store ${JSON.stringify(fresh === undefined ? '(no group)' : groupFigures(fresh))}`;
      // With several workspaces in the window the row names its workspace first.
      return row !== undefined && fresh !== undefined && (shown === groupFigures(fresh) || shown.endsWith(` · ${groupFigures(fresh)}`)) ? row : undefined;
    }, 60_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${seen}`);
    });
    const item = api.sessionsTree.getTreeItem(groupRow);
    assert.equal(item.label, `tree ${LEAD_PROMPT}`);
    assert.match(String(item.description), /^(?:[^·]+ · )?3 sessions · span .* · active .* · \$0\.000 · 0 tokens · 1 failure$/);
    assert.equal(item.contextValue, 'linkedGroup');
    assert.ok(item.tooltip instanceof vscode.MarkdownString && item.tooltip.isTrusted !== true, 'an untrusted Markdown tooltip');
    const members = await api.sessionsTree.getChildren(groupRow);
    const labels = members.map((n) => String(api.sessionsTree.getTreeItem(n).label));
    // The lead first, then the workers it started, by their start (they ran side by side).
    assert.equal(labels[0], `lead: ${LEAD_PROMPT}`);
    assert.deepEqual(labels.slice(1).sort(), ['worker: write part A of the release notes', 'worker: write part B of the release notes']);
    const failing = members.find((n) => n.kind === 'groupMember' && n.sessionId === workerB);
    assert.ok(failing !== undefined);
    assert.match(String(api.sessionsTree.getTreeItem(failing).description), /1 failure$/);
    assert.deepEqual(api.sessionsTree.getTreeItem(failing).command?.arguments, [workerB], 'a click opens the member\'s report');

    await vscode.commands.executeCommand('logbook.sessions.focus');
    sideBarWidth = (await pageStep<{ before: number; after: number }>('resizeSideBar', { width: 820 })).before;
    const rows = await showGroupRow(true);
    assert.ok(rows.some((l) => l.startsWith('Group tree') && l.includes('3 sessions')), `the group row's accessible label: ${rows.join(' | ')}`);
    await screenshot('groups-sidebar');
  }, { timeoutMs: 90_000 });

  test('clicking a member opens its report', async () => {
    await showGroupRow(true);
    await pageStep('clickSidebarRow', { label: 'worker: write part B' });
    await until('the worker\'s report opened', () => (api.panels.openKeys('report').includes(workerB) ? true : undefined));
    await pageStep('webviewText', { title: `Report ${workerB.slice(0, 8)}`, contains: 'write part B of the release notes' });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }, { timeoutMs: 60_000 });

  test('the group row\'s inline action opens the unified timeline: a lane per session, the links as arrows', async () => {
    await showGroupRow(false);
    const titles = await pageStep<string[]>('clickSidebarRowAction', { label: `tree ${LEAD_PROMPT}`, action: 'Open Unified Timeline' });
    assert.ok(titles.includes('Discuss Group with Claude'), `the row offers Discuss too: ${titles.join(', ')}`);
    const { group, database } = await storedGroup();
    assert.ok(group !== undefined);
    // What the panel is given: the group with the hand-offs read from its members' streams.
    const streams = group.members.map((m) => ({ sessionId: m.sessionId, events: database.store.readStream(m.sessionId) }));
    const model = buildGroupTimeline(withHandoffs(group, streams), streams);
    database.close();
    assert.equal(model.lanes.filter((l) => l.depth === 0).length, 3, 'one lane per session');
    assert.ok(model.arrows.length >= 4, `two spawns and two hand-offs at least: ${model.arrows.map((a) => a.kind).join(', ')}`);
    const title = `Timeline ${GROUP.slice(0, 20)}`;
    const heading = await until('the timeline names its sessions', async () => {
      const found = (await pageStep<Attrs[]>('webviewAttrs', { title, selector: '.gt-title' }))[0];
      return found?.text.includes('3 sessions') === true ? found.text : undefined;
    }, 30_000);
    assert.equal(heading, `${LEAD_PROMPT} · 3 sessions`);
    // The first frame may come before every member is read (outlines); the last one counts every arrow.
    const status = await until('the timeline has read every member', async () => {
      const text = (await pageStep<Attrs[]>('webviewAttrs', { title, selector: '[data-testid="group-timeline-status"]' }))[0]?.text ?? '';
      return text.startsWith('Reading') ? undefined : text;
    }, 30_000);
    assert.match(status, new RegExp(`, ${model.arrows.length} links`), `the status counts the arrows: ${status}`);
    const canvas = (await pageStep<Attrs[]>('webviewAttrs', { title, selector: '[data-testid="group-timeline-canvas"]', attrs: ['width', 'height'] }))[0];
    assert.ok(Number(canvas?.width ?? 0) > 0 && Number(canvas?.height ?? 0) > 0, 'the canvas is drawn');
    await screenshot('groups-timeline');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }, { timeoutMs: 60_000 });

  test('the dashboard shows the group as a row with its totals, which expands to its members', async () => {
    // The side bar as it was, so that the table has the room a person would give it.
    if (sideBarWidth !== undefined) await pageStep('resizeSideBar', { width: sideBarWidth });
    sideBarWidth = undefined;
    await vscode.commands.executeCommand('logbook.openDashboard');
    const selector = `[data-testid="dashboard-group"][data-group="${GROUP}"]`;
    const row = await until('the group row', async () => {
      const found = (await dashboardAttrs(selector, ['data-members', 'data-expanded']))[0];
      return found?.['data-members'] === '3' ? found : undefined;
    }, 30_000);
    assert.equal(row['data-expanded'], 'false');
    assert.ok(row.text.includes(`tree ${LEAD_PROMPT}`) && row.text.includes('3 sessions'), row.text);
    const cell = async (col: string): Promise<string | undefined> => (await dashboardAttrs(`${selector} [data-col="${col}"]`))[0]?.text;
    assert.equal(await cell('failures'), '1');
    assert.equal((await dashboardAttrs(`[data-testid="dashboard-row"][data-session="${workerA}"]`)).length, 0, 'folded: the members are in the group row');
    await screenshot('groups-dashboard');
    await pageStep('clickInWebview', { title: DASHBOARD, selector: `${selector} [data-col="state"]` });
    const members = await until('the members under the group', async () => {
      const found = await dashboardAttrs(`[data-testid="dashboard-row"][data-member-of$="${GROUP}"]`, ['data-session', 'data-role']);
      return found.length === 3 ? found : undefined;
    });
    // In the table's order (newest first), each with its role.
    assert.deepEqual(members.map((m) => [m['data-session'], m['data-role']]).sort(), [[lead, 'lead'], [workerA, 'worker'], [workerB, 'worker']].sort());
    assert.equal((await dashboardAttrs(selector, ['data-expanded']))[0]?.['data-expanded'], 'true');
    await screenshot('groups-dashboard-expanded');
  }, { timeoutMs: 60_000 });
});
