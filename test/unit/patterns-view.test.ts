import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logbookPaths } from '../../src/capture/paths';
import { parseWebviewMessage } from '../../src/protocol/channel';
import { dashboardWebviewMessage } from '../../src/protocol/dashboard';
import { openPatternsArgument, patternsWebviewMessage } from '../../src/protocol/patterns-view';
import type { CohortChoice } from '../../src/protocol/patterns-view';
import type { PatternsResult } from '../../src/protocol/patterns';
import { contrastChoice } from '../../src/projections/patterns/choice';
import type { SessionDigest } from '../../src/projections/patterns/contrast';
import { DEFAULT_PRICE_TABLE } from '../../src/projections/pricing';
import { DigestCache } from '../../src/views/patterns/gather';
import { trendsPromptOf } from '../../src/views/dashboard/trends-prompt';
import { WorkspaceLogbook } from '../../src/views/workspace-logbook';
import { tempDir } from './helpers';
import { recordSession, runCli as run } from './recorded-sessions';

// The Patterns panel's host side without VS Code: the sessions of a real store gathered and
// digested as the panel does (progress told, digests kept while a session does not change), the
// cohort a user picks contrasted exactly as `logbook patterns` does, the prompt to discuss it,
// and the panel's messages refused with a message that names what is wrong.

const NOW = Date.UTC(2027, 0, 1);

async function recorded(run: (ws: WorkspaceLogbook, inbox: string, dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  const ws = new WorkspaceLogbook(logbookPaths(dir), () => undefined);
  try {
    const inbox = logbookPaths(dir).inbox;
    recordSession(inbox, 'sess-alpha', 'Add the export button', { day: 0 });
    recordSession(inbox, 'sess-beta', 'Fix the flaky deploy script', { day: 1, failures: 3, failingTool: 'WebFetch' });
    recordSession(inbox, 'sess-gamma', 'Deploy script retries', { day: 2, failures: 2, failingTool: 'WebFetch' });
    assert.equal((await runIngest(dir)).code, 0);
    await ws.catchUp();
    await run(ws, inbox, dir);
  } finally {
    ws.dispose();
    cleanup();
  }
}

async function runIngest(dir: string): Promise<{ code: number; err: string }> {
  return run(['ingest', '--workspace', dir]);
}

async function gathered(ws: WorkspaceLogbook, cache = new DigestCache()): Promise<{ digests: SessionDigest[]; progress: string[] }> {
  const progress: string[] = [];
  const digests = await cache.gather([ws], NOW, DEFAULT_PRICE_TABLE, (phase, done, total) => progress.push(`${phase} ${done}/${total}`), async () => undefined);
  return { digests, progress };
}

function contrasted(choice: CohortChoice, digests: readonly SessionDigest[]): { result: PatternsResult; prompt: string; label: string; titles: Readonly<Record<string, string | null>> } {
  const outcome = contrastChoice(choice, digests, NOW);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.message);
  return { result: outcome.view.result, prompt: outcome.prompt(), label: outcome.view.label, titles: outcome.view.titles };
}

test('the panel\'s contrast of a condition is the CLI\'s: the same cohort, findings, state times and insight counts', async () => {
  await recorded(async (ws, _inbox, dir) => {
    const { digests, progress } = await gathered(ws);
    assert.equal(digests.length, 3);
    assert.equal(progress.at(-1), 'digesting 3/3', 'the last progress says every session is digested');
    const cli = await run(['patterns', '--workspace', dir, '--cohort', 'title~script', '--json']);
    assert.equal(cli.code, 0, cli.err);
    const fromCli = JSON.parse(cli.out) as PatternsResult;
    const panel = contrasted({ kind: 'where', text: 'title~script' }, digests);
    assert.deepEqual([...panel.result.cohort.sessions].sort(), [...fromCli.cohort.sessions].sort());
    assert.deepEqual(panel.result.findings.slice(0, 20), fromCli.findings, 'the same findings in the same order');
    assert.deepEqual(panel.result.stateTimes, fromCli.stateTimes);
    assert.deepEqual(panel.result.insights.map((i) => [i.rule, i.cohort, i.rest]), fromCli.insights.map((i) => [i.rule, i.cohort, i.rest]));
    const top = panel.result.findings.find((f) => f.kind === 'failing-tool' && f.value === 'WebFetch');
    assert.ok(top !== undefined && top.cohortCount === 2 && top.restCount === 0);
    assert.equal(panel.titles['sess-beta'], 'Fix the flaky deploy script', 'examples carry their titles for the links');
    assert.equal(panel.label, 'sessions where title~script');
    assert.match(panel.prompt, /`logbook patterns --cohort 'title~script' --json`/, 'the prompt names the command that gives the same cohort');
  });
});

test('a preset and the dashboard\'s rows are cohorts too; the rows\' cohort has no command to run again, only its sessions', async () => {
  await recorded(async (ws) => {
    const { digests } = await gathered(ws);
    const failing = contrasted({ kind: 'preset', name: 'failing' }, digests);
    assert.deepEqual([...failing.result.cohort.sessions].sort(), ['sess-beta', 'sess-gamma'], 'three tool failures or more');
    assert.equal(failing.label, 'failing: three tool failures or more');
    const keys = [`${ws.paths.workspace}\u0000sess-alpha`, `${ws.paths.workspace}\u0000sess-gamma`];
    const shown = contrasted({ kind: 'shown', keys, label: 'the 2 session(s) shown in the dashboard' }, digests);
    assert.deepEqual([...shown.result.cohort.sessions].sort(), ['sess-alpha', 'sess-gamma']);
    assert.equal(shown.result.rest.sessions, 1);
    assert.match(shown.prompt, /the cohort is "the 2 session\(s\) shown in the dashboard"/);
    assert.doesNotMatch(shown.prompt, /logbook patterns --cohort/, 'no command gives this cohort: none is offered');
  });
});

test('a condition that does not read, or a preset that does not exist, is refused with parseWhere\'s message or the presets\' names', async () => {
  await recorded(async (ws) => {
    const { digests } = await gathered(ws);
    const bad = contrastChoice({ kind: 'where', text: 'colour=red' }, digests, NOW);
    assert.ok(!bad.ok);
    assert.match(bad.message, /"colour=red" is neither a preset \(rejected, costly, no-session-end, abandoned, failing\) nor a condition: unknown field "colour"/);
    const typo = contrastChoice({ kind: 'where', text: 'failures>=many' }, digests, NOW);
    assert.ok(!typo.ok);
    assert.match(typo.message, /failures needs a number, got "many"/);
    const preset = contrastChoice({ kind: 'preset', name: 'slow' }, digests, NOW);
    assert.ok(!preset.ok);
    assert.match(preset.message, /there is no preset "slow" \(presets: rejected, costly/);
  });
});

test('a second run reuses the digests of sessions that did not change and digests again one that did', async () => {
  await recorded(async (ws, inbox, dir) => {
    const cache = new DigestCache();
    const first = (await gathered(ws, cache)).digests;
    recordSession(inbox, 'sess-alpha', 'Add the export button', { day: 0, failures: 4, failingTool: 'Grep' });
    assert.equal((await runIngest(dir)).code, 0);
    await ws.catchUp();
    const second = (await gathered(ws, cache)).digests;
    const traits = (digests: readonly SessionDigest[], id: string): SessionDigest['traits'] | undefined => digests.find((d) => d.listing.row.sessionId === id)?.traits;
    assert.equal(traits(second, 'sess-beta'), traits(first, 'sess-beta'), 'an unchanged session is not digested again');
    assert.notEqual(traits(second, 'sess-alpha'), traits(first, 'sess-alpha'), 'a session with new events is');
    assert.ok(traits(second, 'sess-alpha')?.has('failing-tool\u0000Grep'), 'and its new failures count');
  });
});

test('the panel\'s messages and the command\'s argument: bad input is refused naming the field and what is wrong', () => {
  const refused = (raw: unknown): string => {
    const parsed = parseWebviewMessage(patternsWebviewMessage, raw, 'patterns');
    assert.ok(!parsed.ok, JSON.stringify(raw));
    return parsed.problem;
  };
  assert.ok(parseWebviewMessage(patternsWebviewMessage, { type: 'patterns/run', run: 1, cohort: { kind: 'preset', name: 'failing' } }, 'patterns').ok);
  assert.match(refused({ type: 'patterns/run', run: 1, cohort: { kind: 'where', text: '' } }), /message\.cohort\.text: the condition is empty/);
  assert.match(refused({ type: 'patterns/run', run: -1, cohort: { kind: 'preset', name: 'failing' } }), /message\.run: run must not be negative/);
  assert.match(refused({ type: 'patterns/run', run: 1, cohort: { kind: 'shown', keys: 'all', label: '' } }), /message\.cohort\.keys: keys must be an array of row keys/);
  assert.match(refused({ type: 'patterns/run', run: 1, cohort: { kind: 'everything' } }), /message\.cohort\.kind: cohort\.kind must be "preset", "where" or "shown"/);
  assert.match(refused({ type: 'patterns/openReport', sessionId: '' }), /message\.sessionId: sessionId must not be empty/);
  assert.match(refused({ type: 'discuss/copy', prompt: 'mine' }), /patterns view sent an invalid message "discuss\/copy"/, 'the prompt is the host\'s, never the page\'s');
  assert.ok(openPatternsArgument.safeParse({ cohort: { kind: 'shown', keys: ['/w\u0000s'], label: 'x' } }).success);
  assert.ok(!openPatternsArgument.safeParse({ cohort: { kind: 'shown', keys: [''], label: 'x' } }).success, 'an empty key');
});

test('the dashboard\'s Patterns and Discuss-the-trends messages: bad input is refused naming the field', () => {
  const problem = (raw: unknown): string | undefined => {
    const parsed = parseWebviewMessage(dashboardWebviewMessage, raw, 'dashboard');
    return parsed.ok ? undefined : parsed.problem;
  };
  assert.equal(problem({ type: 'patterns', keys: ['/w\u0000s'] }), undefined);
  assert.equal(problem({ type: 'trends/discuss', action: 'terminal', by: 'week', keys: [] }), undefined);
  assert.match(problem({ type: 'patterns', keys: [1] }) ?? '', /message\.keys\.0: a key must be a string/);
  assert.match(problem({ type: 'trends/discuss', action: 'paste', by: 'day', keys: [] }) ?? '', /message\.action: action must be "copy" or "terminal"/);
  assert.match(problem({ type: 'trends/discuss', action: 'copy', by: 'month', keys: [] }) ?? '', /message\.by: by must be "day" or "week"/);
});

test('the trends prompt of the dashboard is of the rows it shows, says which part of the sessions they are, and starts Claude in their workspace', async () => {
  await recorded(async (ws) => {
    const keys = [`${ws.paths.workspace}\u0000sess-beta`, `${ws.paths.workspace}\u0000sess-gamma`, `${ws.paths.workspace}\u0000gone`, 'no-separator'];
    const part = trendsPromptOf([ws], keys, 'day', NOW, DEFAULT_PRICE_TABLE);
    assert.match(part.prompt, /## Totals\n- 2 session\(s\)/, 'the two rows known, the others left out');
    assert.match(part.prompt, /These trends are of 2 of the 3 sessions \(the dashboard's filters\)/);
    assert.equal(part.cwd, ws.paths.workspace);
    const all = trendsPromptOf([ws], ['sess-alpha', 'sess-beta', 'sess-gamma'].map((id) => `${ws.paths.workspace}\u0000${id}`), 'week', NOW, DEFAULT_PRICE_TABLE);
    assert.match(all.prompt, /## Totals\n- 3 session\(s\)/);
    assert.match(all.prompt, /`logbook trends --by week`/);
    assert.doesNotMatch(all.prompt, /the dashboard's filters/, 'every session shown: the command gives the same figures');
  });
});
