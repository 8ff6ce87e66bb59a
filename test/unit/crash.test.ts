import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { rebuildFromSegments } from '../../src/ingest/open-store';
import { MAX_JOURNAL_ENTRIES } from '../../src/ingest/segments';
import { isClaimedLog } from '../../src/capture/inbox-log';
import { fixturePayloads, logInInbox, putInInbox, tempDir } from './helpers';

const bin = join(__dirname, '..', '..', 'dist', 'logbook.js');
const ROUNDS = Number(process.env['LOGBOOK_CRASH_ROUNDS'] ?? 40);

/** Where a kill aims: any moment, the pass's write transaction (journal line, COMMIT), or the sealing of a full journal. */
type Aim = 'any' | 'commit' | 'seal';

/**
 * Starts `logbook ingest` and SIGKILLs it: after `killAfterMs`, or, aiming at the commit (the
 * seal), a random moment (0-`killAfterMs` ms) after SQLite's rollback journal (the sealed
 * segment's temp file) appears, i.e. inside the pass's write transaction, its order-journal
 * line and its COMMIT, or just after. Resolves with the signal when the process is gone.
 */
function ingestKilled(workspace: string, killAfterMs: number, aim: Aim): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'ingest', '--workspace', workspace], { stdio: 'ignore' });
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    child.on('close', (_code, signal) => {
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(signal);
    });
    if (aim === 'any') {
      timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      return;
    }
    const paths = logbookPaths(workspace);
    const [dir, prefix] = aim === 'commit' ? [paths.dir, 'logbook.sqlite-journal'] : [paths.segments, '.raw-'];
    const poll = (): void => {
      if (done) return;
      if (existsSync(dir) && readdirSync(dir).some((n) => n.startsWith(prefix))) {
        timer = setTimeout(() => child.kill('SIGKILL'), Math.random() * killAfterMs);
        return;
      }
      setImmediate(poll);
    };
    poll();
  });
}

function ingestToEnd(workspace: string): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [bin, 'ingest', '--workspace', workspace], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

test(`SIGKILL at random points of ingest: the pass, its journal line, its COMMIT (${ROUNDS} times): the store always opens and ends with every event exactly once`, { skip: !existsSync(bin) && 'run npm run build first', timeout: 300_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const payloads = fixturePayloads();
    const written = new Set<string>();
    // Hook events go to the inbox log (rotated past 8 MB by the 12,000 below); every fourth
    // round writes entry files, as a hook does when the log was retired under it.
    const put = (count: number, round: number): void => {
      const write = round % 4 === 3 ? putInInbox : logInInbox;
      for (let i = 0; i < count; i += 1) {
        const p = payloads[i % payloads.length] as Record<string, unknown>;
        written.add(write(paths.inbox, { ...p, session_id: `crash-${round % 4}`, round, i }));
      }
    };
    // A pass big enough that its transaction (pages spilled, journal line, COMMIT) takes a while: kills land inside it too.
    put(12_000, 0);
    ingestToEnd(dir);
    put(200, 0);
    const fullRun = ingestToEnd(dir);
    let killed = 0;
    let midCommit = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      put(round % 4 === 1 ? 3000 : 200, round);
      // Odd rounds aim at the write transaction; even rounds at any moment of the run.
      const duringCommit = round % 2 === 1;
      const signal = await ingestKilled(dir, duringCommit ? 40 : Math.random() * fullRun * 1.1, duringCommit ? 'commit' : 'any');
      if (signal === 'SIGKILL') killed += 1;
      if (existsSync(`${paths.store}-journal`)) midCommit += 1;
      // Opened as the next writer opens it: a commit the kill cut short is rolled back.
      const opened = await LogbookDatabase.open(paths.store, { writer: true });
      assert.ok(opened.ok, `round ${round}: the store file must always open (${opened.ok ? '' : JSON.stringify(opened.problem)})`);
      const events = opened.database.store.readAll();
      assert.equal(new Set(events.map((e) => e.eventId)).size, events.length, `round ${round}: no event twice`);
      for (const e of events) assert.ok(written.has(e.eventId), `round ${round}: only written events`);
      opened.database.close();
    }
    assert.ok(killed >= ROUNDS / 2, `most runs were really killed mid-way (${killed} of ${ROUNDS})`);
    // Not an assertion on timing: how many kills left a commit half done, to read in the log.
    process.stdout.write(`# ${midCommit} of ${ROUNDS} kills left SQLite's journal to roll back\n`);
    ingestToEnd(dir);
    const opened = await LogbookDatabase.open(paths.store);
    assert.ok(opened.ok);
    const ids = opened.database.store.readAll().map((e) => e.eventId);
    opened.database.close();
    assert.equal(ids.length, written.size, 'every written event is stored');
    assert.deepEqual(new Set(ids), written, 'exactly the written events, each once');
    assert.deepEqual(readdirSync(paths.inbox).filter((n) => n.endsWith('.json') || isClaimedLog(n)), [], 'inbox drained');
    // The raw segments survived the same kills: a rebuild gives back exactly the same store.
    const rebuilt = await rebuildFromSegments({ ...paths, store: join(dir, 'rebuilt.sqlite') });
    assert.deepEqual(rebuilt.database.store.readAll().map((e) => e.eventId), ids);
    rebuilt.database.close();
  } finally {
    cleanup();
  }
});

const SEAL_ROUNDS = Number(process.env['LOGBOOK_CRASH_SEAL_ROUNDS'] ?? 4);

test(`SIGKILL while a full journal is sealed into a raw segment (${SEAL_ROUNDS} times): every entry stays replayable, and a rebuild gives back the same store`, { skip: !existsSync(bin) && 'run npm run build first', timeout: 300_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const payloads = fixturePayloads();
    const written = new Set<string>();
    let killed = 0;
    for (let round = 1; round <= SEAL_ROUNDS; round += 1) {
      // Enough for the journal to be full after this run: its seal follows the flush.
      for (let i = 0; i < MAX_JOURNAL_ENTRIES; i += 1) {
        const p = payloads[i % payloads.length] as Record<string, unknown>;
        written.add(putInInbox(paths.inbox, { ...p, session_id: `seal-${round % 3}`, round, i }));
      }
      // The seal writes its segment, then removes the archived entries it holds: aim at both.
      const signal = await ingestKilled(dir, 300, 'seal');
      if (signal === 'SIGKILL') killed += 1;
      const opened = await LogbookDatabase.open(paths.store, { writer: true });
      assert.ok(opened.ok, `round ${round}: the store file must always load`);
      const events = opened.database.store.readAll();
      assert.equal(new Set(events.map((e) => e.eventId)).size, events.length, `round ${round}: no event twice`);
      opened.database.close();
    }
    assert.ok(killed >= SEAL_ROUNDS / 2, `most runs were really killed while sealing (${killed} of ${SEAL_ROUNDS})`);
    ingestToEnd(dir);
    const opened = await LogbookDatabase.open(paths.store);
    assert.ok(opened.ok);
    const ids = opened.database.store.readAll().map((e) => e.eventId);
    opened.database.close();
    assert.deepEqual(new Set(ids), written, 'exactly the written events, each once');
    assert.equal(ids.length, written.size);
    assert.deepEqual(readdirSync(paths.inbox).filter((n) => n.endsWith('.json')), [], 'inbox drained');
    assert.ok(readdirSync(paths.segments).filter((n) => n.endsWith('.jsonl.gz')).length >= 2, 'journals were sealed');
    const rebuilt = await rebuildFromSegments({ ...paths, store: join(dir, 'rebuilt.sqlite') });
    assert.deepEqual(rebuilt.missing, [], 'every journaled entry is in a sealed segment, the archive or the inbox');
    assert.deepEqual(rebuilt.database.store.readAll().map((e) => e.eventId), ids, 'same events at the same positions');
    rebuilt.database.close();
  } finally {
    cleanup();
  }
});
