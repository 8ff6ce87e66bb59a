import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryFileName, entryText, EVENTS_ENTRY_SUFFIX, uuidV7, writeInboxEntry } from '../../src/capture/inbox-writer';
import { logbookPaths } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { LogbookWriter } from '../../src/ingest/writer';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { actOnSession } from '../../src/workflow/act';
import { announceWorkflowChange } from '../../src/workflow/announce';
import { loadWorkflow } from '../../src/workflow/definition-file';
import { putInInbox, tempDir } from './helpers';

const TEMPLATE = join(__dirname, '..', '..', 'templates', 'workflow.team-loop.json');

/** A hook event as the hook writes it, received `agoMs` before now. */
function hookAt(paths: LogbookPaths, sessionId: string, event: string, agoMs: number, extra: Record<string, unknown> = {}): void {
  const ms = Date.now() - agoMs;
  const stamp = { id: uuidV7(ms), receivedAt: new Date(ms).toISOString(), receivedUs: ms * 1000 };
  writeInboxEntry(paths.inbox, entryFileName(stamp), entryText(stamp, 'hook', event, JSON.stringify({ session_id: sessionId, hook_event_name: event, ...extra })));
}

async function ingest(paths: LogbookPaths): Promise<void> {
  const started = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536 });
  assert.ok(started.ok);
  try {
    started.writer.ingest();
    started.writer.flush();
    await started.writer.removeCommittedEntries();
  } finally {
    started.writer.close();
  }
}

function pendingChanges(paths: LogbookPaths): { sessionId: string; events: { type: string; data: Record<string, unknown> }[] }[] {
  return readdirSync(paths.inbox).filter((n) => n.endsWith(EVENTS_ENTRY_SUFFIX)).sort()
    .map((n) => JSON.parse(readFileSync(join(paths.inbox, n), 'utf8')) as { sessionId: string; events: { type: string; data: Record<string, unknown> }[] })
    .filter((e) => e.events.some((x) => x.type === 'WorkflowDefinitionChanged'));
}

const journal = (paths: LogbookPaths, sessionId: string): Promise<unknown> =>
  actOnSession(paths, sessionId, (at) => ({ type: 'WriteJournal', text: 'started', tags: [], files: [], at }), 'cli');

/** The team loop with one state's description edited: a new definition, every state kept. */
function editWorkflow(paths: LogbookPaths, description: string): void {
  const definition = JSON.parse(readFileSync(paths.workflow, 'utf8')) as { states: Record<string, { description?: string }> };
  const planning = definition.states['planning'];
  assert.ok(planning, 'the template has a planning state');
  planning.description = description;
  writeFileSync(paths.workflow, JSON.stringify(definition, null, 2));
}

test('a changed workflow file is an event of every session in progress with a workflow, once; ended, abandoned and workflow-less sessions get none', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    mkdirSync(paths.dir, { recursive: true });
    copyFileSync(TEMPLATE, paths.workflow);
    const before = loadWorkflow(paths);
    assert.equal(before.status, 'ok');

    hookAt(paths, 'live', 'SessionStart', 60_000, { source: 'startup' });
    hookAt(paths, 'live', 'UserPromptSubmit', 30_000, { prompt: 'go' });
    hookAt(paths, 'done', 'SessionStart', 60_000, { source: 'startup' });
    hookAt(paths, 'quiet', 'SessionStart', 2 * 60 * 60_000, { source: 'startup' });
    hookAt(paths, 'plain', 'SessionStart', 60_000, { source: 'startup' });
    hookAt(paths, 'fresh', 'SessionStart', 10_000, { source: 'startup' });
    await ingest(paths);
    for (const id of ['live', 'done', 'quiet']) await journal(paths, id);
    hookAt(paths, 'done', 'SessionEnd', 1_000, { reason: 'other' });
    await ingest(paths);
    // Started, not ingested yet: the inbox is part of the latest state.
    await journal(paths, 'fresh');

    editWorkflow(paths, 'Plan the change, then write it down.');
    const after = loadWorkflow(paths);
    assert.ok(after.status === 'ok' && before.status === 'ok' && after.hash !== before.hash);

    const first = await announceWorkflowChange(paths);
    assert.equal(first.hash, after.hash);
    assert.deepEqual([...first.sessions].sort(), ['fresh', 'live']);
    const changes = pendingChanges(paths);
    assert.deepEqual(changes.map((c) => c.sessionId).sort(), ['fresh', 'live']);
    for (const change of changes) {
      const [event, ...rest] = change.events;
      assert.deepEqual(rest, []);
      assert.equal(event?.type, 'WorkflowDefinitionChanged');
      assert.equal(event?.data['previousHash'], before.hash);
      assert.equal(event?.data['definitionHash'], after.hash);
      assert.equal(event?.data['state'], 'planning', 'a state that still exists is kept');
    }

    assert.deepEqual((await announceWorkflowChange(paths)).sessions, [], 'the same definition again: nothing (announced already)');
    const marker = join(paths.state, 'announced-workflow.json');
    rmSync(marker);
    assert.deepEqual((await announceWorkflowChange(paths)).sessions, [], 'nothing either by the sessions\' state (the change still in the inbox)');
    await ingest(paths);
    rmSync(marker);
    assert.deepEqual((await announceWorkflowChange(paths)).sessions, [], 'nor once it is stored');
    const opened = await LogbookDatabase.open(paths.store);
    assert.ok(opened.ok);
    const live = opened.database.store.readStream('live').map((e) => e.type);
    opened.database.close();
    assert.deepEqual(live.slice(-1), ['WorkflowDefinitionChanged']);
    assert.equal(live.filter((t) => t === 'WorkflowDefinitionChanged').length, 1);

    // Back to the first definition: a change again, for the same two sessions.
    copyFileSync(TEMPLATE, paths.workflow);
    assert.deepEqual([...(await announceWorkflowChange(paths)).sessions].sort(), ['fresh', 'live']);
  } finally {
    cleanup();
  }
});

test('no workflow file, or an invalid one, announces nothing; an unreadable store is an error', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'SessionStart', source: 'startup' });
    await ingest(paths);
    assert.deepEqual(await announceWorkflowChange(paths), { hash: null, sessions: [] });
    writeFileSync(paths.workflow, '{"version": 1, "name": "broken"}');
    assert.deepEqual(await announceWorkflowChange(paths), { hash: null, sessions: [] });
    assert.deepEqual(readdirSync(paths.inbox).filter((n) => n.endsWith(EVENTS_ENTRY_SUFFIX)), []);
    // An unreadable store is not an empty one: nothing is marked as announced.
    copyFileSync(TEMPLATE, paths.workflow);
    writeFileSync(paths.store, 'not a database');
    await assert.rejects(announceWorkflowChange(paths), /could not be read/);
    assert.equal(existsSync(join(paths.state, 'announced-workflow.json')), false);
  } finally {
    cleanup();
  }
});
