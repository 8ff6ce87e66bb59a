import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { holdSession } from '../../src/control/hold';
import { LogbookWriter } from '../../src/ingest/writer';
import { readLiveSessions } from '../../src/projections/control/live-reader';
import { InboxEventCache } from '../../src/projections/control/pending-events';
import { StoreCache } from '../../src/projections/control/store-cache';
import { fixturePayloads, logInInbox, putInInbox, tempDir } from './helpers';

// The live reader against real store files on disk: sessions the writer stored, entries still
// waiting in the inbox (entry files, the live log, a hold's `.cmd.json`), a workspace whose writer
// never ran, and stores that cannot be read. It must never write into the workspace it reads.

const HOUR = 3_600_000;

/** The captured session's payloads under another session id (the transcript paths do not exist: no usage is read). */
function payloadsOf(sessionId: string): Record<string, unknown>[] {
  return fixturePayloads().map((payload) => ({ ...payload, session_id: sessionId }));
}

async function ingest(workspace: string): Promise<void> {
  const started = await LogbookWriter.start(logbookPaths(workspace), 'test', { maxFieldBytes: 65_536 });
  assert.ok(started.ok, 'the test writer takes the lock');
  try {
    started.writer.ingest();
  } finally {
    // Not removeCommittedEntries: the ingested entries stay in the inbox, as they do until the writer's next pass.
    started.writer.close();
  }
}

function listing(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string, prefix: string): void => {
    for (const name of readdirSync(at, { withFileTypes: true })) {
      if (name.name.endsWith('-readers')) continue; // A reader's lock markers, as every reader of the store makes.
      found.push(`${prefix}${name.name}`);
      if (name.isDirectory()) walk(join(at, name.name), `${prefix}${name.name}/`);
    }
  };
  walk(dir, '');
  return found.sort();
}

test('stored sessions: the one in progress is live, the ended one is history; ingested entries still in the inbox count once', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    for (const payload of payloadsOf('ended-session')) putInInbox(inbox, payload);
    // Up to the second turn's Stop: idle, waiting for the user's next prompt.
    const idle = payloadsOf('idle-session').slice(0, 58);
    for (const payload of idle) logInInbox(inbox, payload);
    await ingest(dir);
    const now = Date.now();
    const before = listing(dir);
    const read = await readLiveSessions(dir, { now });
    assert.deepEqual(listing(dir), before, 'the store read-only, the inbox only read');
    assert.deepEqual(read.problems, []);
    assert.deepEqual(read.sessions.map((s) => s.sessionId), ['idle-session']);
    const session = read.sessions[0];
    assert.equal(session?.workspace, dir);
    assert.equal(session?.lifecycleState, 'idle');
    assert.equal(session?.waitingFor, 'input');
    assert.equal(session?.title, 'HARNESS-MAIN: run the scripted demo session');
    assert.equal(session?.lastTool?.name, 'TaskUpdate');
    assert.deepEqual(read.rows.map((row) => row.sessionId).sort(), ['ended-session', 'idle-session']);
    assert.equal(read.rows.find((row) => row.sessionId === 'idle-session')?.events, idle.length, 'entries both stored and waiting are folded once');
    assert.equal(read.rows.find((row) => row.sessionId === 'ended-session')?.ended, true);

    const later = await readLiveSessions(dir, { now: now + 25 * HOUR });
    assert.deepEqual(later.sessions, [], 'silent for longer than activeWithinMs: no longer live');
    assert.equal(later.rows.length, 2, 'the rows are still handed back for the history');
    assert.deepEqual((await readLiveSessions(dir, { now: now + 2 * HOUR, activeWithinMs: HOUR })).sessions, []);
  } finally {
    cleanup();
  }
});

test('entries waiting on top of the store are folded on: a stored session now waits for permission and is held', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const all = payloadsOf('loop');
    for (const payload of all.slice(0, 19)) putInInbox(paths.inbox, payload);
    await ingest(dir);
    // No writer runs from here on (a headless loop): Bash's PreToolUse and its permission prompt wait in the inbox.
    logInInbox(paths.inbox, all[19]);
    logInInbox(paths.inbox, all[20]);
    holdSession(paths, 'loop', { message: 'hands off for a minute', by: 'cli' });
    const read = await readLiveSessions(dir, { now: Date.now() });
    assert.deepEqual(read.problems, []);
    const session = read.sessions[0];
    assert.equal(session?.sessionId, 'loop');
    assert.equal(session?.waitingFor, 'permission');
    assert.deepEqual(session?.lastTool && { name: session.lastTool.name, outcome: session.lastTool.outcome }, { name: 'Bash', outcome: 'running' });
    assert.equal(session?.failureRun?.name, 'Read', 'the stored failure is still the trailing run');
    assert.equal(session?.held?.message, 'hands off for a minute');
    assert.equal(read.rows.find((row) => row.sessionId === 'loop')?.events, 22, '19 stored, 2 hook events and the hold waiting');
  } finally {
    cleanup();
  }
});

test('a workspace whose writer never ran: its sessions are live from the inbox alone, and nothing is written there', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const all = payloadsOf('headless');
    for (const payload of all.slice(0, 10)) logInInbox(paths.inbox, payload);
    // A prompt with a secret in it: shown as the writer would store it, with the secret taken out.
    const secret = `sk-ant-api03-${'A1b2C3d4'.repeat(12)}AA`;
    putInInbox(paths.inbox, { session_id: 'other', hook_event_name: 'UserPromptSubmit', prompt: `deploy with ${secret}` });
    // A planted entry without this machine's stamp is not a session's event.
    writeFileSync(join(paths.inbox, '00000000000000001-planted.json'), JSON.stringify({ v: 1, id: 'planted-entry-1', receivedAt: new Date().toISOString(), receivedUs: 1, source: 'hook', payload: { session_id: 'planted', hook_event_name: 'SessionStart' } }));
    const before = listing(dir);
    const cache = new InboxEventCache();
    const read = await readLiveSessions(dir, { now: Date.now(), inboxCache: cache });
    assert.deepEqual(listing(dir), before, 'no file made, moved or removed');
    assert.equal(existsSync(paths.store), false);
    assert.equal(read.problems.length, 1);
    assert.match(read.problems[0] ?? '', /no store yet/);
    assert.ok(read.problems[0]?.startsWith(dir), 'the problem names the workspace');
    assert.deepEqual(read.sessions.map((s) => s.sessionId).sort(), ['headless', 'other']);
    const headless = read.sessions.find((s) => s.sessionId === 'headless');
    assert.equal(headless?.lifecycleState, 'tool_running');
    assert.equal(headless?.lastTool?.name, 'Bash');
    const other = read.sessions.find((s) => s.sessionId === 'other');
    assert.match(other?.title ?? '', /^deploy with \[REDACTED:anthropic-api-key:/, 'the secret is taken out');
    assert.doesNotMatch(other?.title ?? '', /sk-ant-api03/);
    assert.equal(cache.size, 12, 'each entry read once is remembered');
    // A second read with the cache: the same answer, the new entry on top.
    logInInbox(paths.inbox, all[10]);
    const again = await readLiveSessions(dir, { now: Date.now(), inboxCache: cache });
    assert.equal(again.rows.find((row) => row.sessionId === 'headless')?.events, 11);
  } finally {
    cleanup();
  }
});

test('a store that cannot be read, a planted link, a folder that is gone: a problem naming the workspace, never a throw', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    mkdirSync(paths.dir, { recursive: true });
    writeFileSync(paths.store, 'this is not a database, it is just long enough to look like a file someone wrote here'.repeat(100));
    const damaged = await readLiveSessions(dir, { now: Date.now() });
    assert.deepEqual(damaged.sessions, []);
    assert.equal(damaged.problems.length, 1);
    assert.ok(damaged.problems[0]?.startsWith(`${dir}: `));
    assert.match(damaged.problems[0] ?? '', /logbook\.sqlite/);

    rmSync(paths.store);
    writeFileSync(join(dir, 'elsewhere.sqlite'), '');
    symlinkSync(join(dir, 'elsewhere.sqlite'), paths.store);
    const planted = await readLiveSessions(dir, { now: Date.now() });
    assert.equal(planted.problems.length, 1);
    assert.match(planted.problems[0] ?? '', /symbolic link/);

    const gone = await readLiveSessions(join(dir, 'no-such-folder'), { now: Date.now() });
    assert.deepEqual(gone, { sessions: [], rows: [], problems: [`${join(dir, 'no-such-folder')}: the workspace folder no longer exists`] });
  } finally {
    cleanup();
  }
});

test('with a store cache, a read answers what a fresh read does: the store unchanged (only the inbox read), then changed (only the sessions touched read again)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    const a = payloadsOf('cache-a');
    const b = payloadsOf('cache-b');
    for (const payload of payloadsOf('cache-ended')) putInInbox(inbox, payload);
    for (const payload of a.slice(0, 20)) logInInbox(inbox, payload);
    for (const payload of b.slice(0, 10)) logInInbox(inbox, payload);
    await ingest(dir);
    const now = Date.now();
    const store = new StoreCache();
    const inboxCache = new InboxEventCache();
    const same = async (what: string): Promise<void> => {
      const cached = await readLiveSessions(dir, { now, storeCache: store, inboxCache });
      const fresh = await readLiveSessions(dir, { now });
      assert.deepEqual(cached, fresh, what);
    };
    await same('the first read fills the cache');
    // Entries waiting, the store as it was: folded on the cached folds.
    for (const payload of a.slice(20, 30)) logInInbox(inbox, payload);
    for (const payload of payloadsOf('cache-new').slice(0, 5)) logInInbox(inbox, payload);
    await same('only the inbox changed');
    // The writer stores them and more: the touched sessions are read again from their versions on.
    for (const payload of b.slice(10, 25)) logInInbox(inbox, payload);
    await ingest(dir);
    await same('the store changed');
    for (const payload of a.slice(30, 40)) logInInbox(inbox, payload);
    await same('and the inbox again');
  } finally {
    cleanup();
  }
});

test('on a window\'s main thread (pause given: the rows read by currentOverviewInSlices, which gives the thread back every 10 ms), the read answers the same', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    for (let n = 0; n < 40; n += 1) for (const payload of payloadsOf(`sliced-${n}`).slice(0, n % 2 === 0 ? 200 : 12)) putInInbox(inbox, payload);
    await ingest(dir);
    const now = Date.now();
    const pause = (): Promise<void> => new Promise((resume) => setImmediate(resume));
    const sliced = await readLiveSessions(dir, { now, pause });
    assert.deepEqual(sliced, await readLiveSessions(dir, { now }));
    assert.equal(sliced.rows.length, 40);
  } finally {
    cleanup();
  }
});
