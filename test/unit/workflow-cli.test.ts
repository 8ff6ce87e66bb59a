import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { logbookPaths } from '../../src/capture/paths';
import { putInInbox, tempDir } from './helpers';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
  return { code, out, err };
}

function teamLoopWorkspace(dir: string): void {
  mkdirSync(join(dir, '.logbook'), { recursive: true });
  copyFileSync(join(__dirname, '..', '..', 'templates', 'workflow.team-loop.json'), logbookPaths(dir).workflow);
}

test('the agent moves the team loop through the CLI: refusals explained, state read through the inbox before ingest', async () => {
  const { dir, cleanup } = tempDir();
  try {
    teamLoopWorkspace(dir);
    putInInbox(logbookPaths(dir).inbox, { session_id: 'agent-1', hook_event_name: 'SessionStart', source: 'startup' });
    assert.equal((await run(['ingest', '--workspace', dir])).code, 0);
    const ws = ['--workspace', dir];
    assert.match((await run(['status', ...ws])).out, /state: planning, iteration 0\n(.|\n)*transitions: developing \(needs: journalSinceEntered: write a journal entry/);
    const refused = await run(['transition', '--to', 'developing', '--reason', 'done planning', ...ws]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /developing/);
    assert.equal((await run(['journal', '--text', 'Plan: split the parser', '--tags', 'plan,parser', '--files', 'src/parser.ts:12', ...ws])).code, 0);
    const moved = await run(['transition', '--to', 'developing', '--reason', 'plan written', ...ws]);
    assert.equal(moved.code, 0, moved.err);
    assert.match(moved.out, /moved to developing \(state: developing, iteration 1\)/);
    // Not ingested yet: the status still sees it, from the inbox.
    assert.match((await run(['status', '--session', 'agent-1', ...ws])).out, /state: developing, iteration 1/);
    assert.equal((await run(['ingest', ...ws])).code, 0);
    const events = JSON.parse((await run(['events', '--session', 'agent-1', '--json', ...ws])).out) as { type: string; data: Record<string, unknown> }[];
    assert.deepEqual(events.map((e) => e.type), ['SessionStart', 'WorkflowStarted', 'WorkflowTransitionRefused', 'JournalEntryWritten', 'WorkflowTransitioned']);
    assert.deepEqual(events[3]?.data['files'], [{ path: 'src/parser.ts', line: 12 }]);
    assert.match((await run(['status', ...ws])).out, /state: developing, iteration 1/);
    const review = await run(['review', '--outcome', 'approved', ...ws]);
    assert.equal(review.code, 1, 'no review outside the review state');
    assert.match(review.err, /review/i);

    // The file edited with VS Code closed: the next ingest records the change in the session, once.
    const definition = JSON.parse(readFileSync(logbookPaths(dir).workflow, 'utf8')) as { states: Record<string, { description?: string }> };
    (definition.states['developing'] as { description?: string }).description = 'Write the code and its tests.';
    writeFileSync(logbookPaths(dir).workflow, JSON.stringify(definition, null, 2));
    const changed = await run(['ingest', ...ws]);
    assert.equal(changed.code, 0, changed.err);
    assert.match(changed.out, /recorded the workflow change \([0-9a-f]{12}\) in 1 session\(s\) in progress/);
    const types = (): Promise<string[]> => run(['events', '--session', 'agent-1', '--json', ...ws]).then((r) => (JSON.parse(r.out) as { type: string }[]).map((e) => e.type));
    const afterChange = await types();
    assert.deepEqual(afterChange.slice(-2), ['WorkflowCommandRejected', 'WorkflowDefinitionChanged']);
    const again = await run(['ingest', ...ws]);
    assert.doesNotMatch(again.out, /workflow change/);
    assert.deepEqual(await types(), afterChange, 'the same definition twice: nothing more');
    assert.match((await run(['status', ...ws])).out, /state: developing, iteration 1/, 'the state survives an edit that keeps it');
  } finally {
    cleanup();
  }
});

test('workflow commands: bad arguments exit 2; no or invalid workflow file is named', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const ws = ['--workspace', dir, '--session', 's'];
    assert.equal((await run(['review', '--outcome', 'maybe', ...ws])).code, 2);
    assert.equal((await run(['transition', '--to', 'x', ...ws])).code, 2);
    assert.equal((await run(['journal', '--text', ' ', ...ws])).code, 2);
    assert.equal((await run(['journal', '--text', 'x', '--files', 'a.ts:0', ...ws])).code, 2);
    const none = await run(['status', ...ws]);
    assert.equal(none.code, 1);
    assert.match(none.err, /no workflow: copy a template/);
    mkdirSync(join(dir, '.logbook'), { recursive: true });
    writeFileSync(logbookPaths(dir).workflow, JSON.stringify({ version: 1, name: 'x', initial: 'nowhere', states: { a: {} }, transitions: [] }));
    const invalid = await run(['status', ...ws]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.err, /\.logbook\/workflow\.json: initial/);
  } finally {
    cleanup();
  }
});
