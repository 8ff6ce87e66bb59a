import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { runHook } from '../../src/capture/hook';
import { entryText, stampNow } from '../../src/capture/inbox-writer';
import { UNSAFE_PATH } from '../../src/capture/safe-fs';
import { LogbookWriter } from '../../src/ingest/writer';
import { tryAcquireLock } from '../../src/ingest/lock';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { loadWorkflow } from '../../src/workflow/definition-file';
import { writeSessionSnapshots } from '../../src/workflow/state-files';
import { logInInbox, putInInbox, tempDir } from './helpers';

// The writer's side of issue 12: segments, state files, the lock and the store are never
// written, chmodded or read through a planted link; pre-existing folders are made private or,
// when another user's, refused.

const posix = process.platform !== 'win32';
const root = posix && process.getuid?.() === 0;
const TEMPLATE = join(__dirname, '..', '..', 'templates', 'workflow.minimal.json');

async function start(paths: LogbookPaths): Promise<{ writer: LogbookWriter; messages: string[] }> {
  const started = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536 });
  assert.ok(started.ok, 'the writer started');
  return started;
}

async function ingestAll(paths: LogbookPaths): Promise<void> {
  const { writer } = await start(paths);
  try {
    writer.ingest();
    writer.flush();
    await writer.removeCommittedEntries();
  } finally {
    writer.close();
  }
}

/** Asserts a refusal: the safe-fs code, the path named first, and why. */
function isRefusal(path: string, why: RegExp): (error: Error & { code?: string }) => boolean {
  return (error) => error.code === UNSAFE_PATH && error.message.startsWith(`${path} `) && why.test(error.message);
}

function victimIn(dir: string): { path: string; unchanged: () => void } {
  const path = join(dir, 'victim.txt');
  writeFileSync(path, 'victim\n');
  chmodSync(path, 0o644);
  return { path, unchanged: () => {
    assert.equal(readFileSync(path, 'utf8'), 'victim\n');
    assert.equal(statSync(path).mode & 0o777, 0o644);
  } };
}

test('a planted segments/, segments/archive/, state/ or state/sessions/ link gets nothing written through it: the write is refused naming the link, the entries stay in the inbox', { skip: !posix }, async () => {
  const writes: Record<string, (paths: LogbookPaths) => Promise<unknown>> = {
    segments: (paths) => start(paths),
    archive: async (paths) => {
      const { writer } = await start(paths);
      try {
        writer.ingest();
        writer.flush();
      } finally {
        writer.close();
      }
    },
    state: async (paths) => loadWorkflow(paths),
    sessionStates: async (paths) => writeSessionSnapshots(paths, (await LogbookDatabase.create()).store, ['s']),
  };
  for (const [linked, write] of Object.entries(writes) as [keyof LogbookPaths & string, (paths: LogbookPaths) => Promise<unknown>][]) {
    const { dir, cleanup } = tempDir();
    try {
      const paths = logbookPaths(dir);
      putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop' });
      copyFileSync(TEMPLATE, paths.workflow);
      const parent = join(paths[linked], '..');
      mkdirSync(parent, { recursive: true, mode: 0o700 });
      const elsewhere = join(dir, 'elsewhere');
      mkdirSync(elsewhere);
      symlinkSync(elsewhere, paths[linked]);
      await assert.rejects(write(paths), isRefusal(paths[linked], new RegExp(`is a symbolic link to ${elsewhere}`)), linked);
      assert.deepEqual(readdirSync(elsewhere), [], `${linked}: nothing written through the link`);
      assert.equal(readdirSync(paths.inbox).filter((n) => n.endsWith('.json')).length, 1, `${linked}: the entry stays in the inbox`);
    } finally {
      cleanup();
    }
  }
});

test('planted segment files (an open journal linked elsewhere, an archived entry linked to a secret) are neither appended to nor replayed into a rebuilt store', { skip: !posix }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(join(dir, 'W'));
    mkdirSync(paths.workspace);
    putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop' });
    await ingestAll(paths);
    const [archived] = readdirSync(paths.archive);
    assert.ok(archived !== undefined);
    // The secret reads as a genuine entry: were the link followed, the rebuilt store would hold it.
    const stamp = stampNow();
    const secret = join(dir, 'secret.json');
    writeFileSync(secret, entryText(stamp, 'hook', 'Stop', JSON.stringify({ session_id: 'stolen', hook_event_name: 'Stop' })));
    rmSync(join(paths.archive, archived));
    symlinkSync(secret, join(paths.archive, archived));
    rmSync(paths.store);
    const { writer, messages } = await start(paths);
    try {
      assert.deepEqual(writer.database.store.streams().map((s) => s.streamId), [], 'the linked entry was not replayed');
      assert.match(messages.join("\n"), new RegExp(`inbox entry ${archived} could not be replayed: it could not be read: ${join(paths.archive, archived)} is a symbolic link to ${secret}`));
    } finally {
      writer.close();
    }

    const journal = readdirSync(paths.segments).find((n) => n.startsWith('order-'));
    assert.ok(journal !== undefined);
    const victim = victimIn(dir);
    rmSync(join(paths.segments, journal));
    symlinkSync(victim.path, join(paths.segments, journal));
    putInInbox(paths.inbox, { session_id: 's2', hook_event_name: 'Stop' });
    const again = await start(paths);
    try {
      // Left alone, neither read nor written, and told: the next flush goes to a journal of its own.
      const report = again.writer.ingest();
      again.writer.flush();
      assert.equal(report.appended, 1);
      assert.match(report.problems.join('\n'), new RegExp(`segments/${journal} is not a regular file: it is left alone, neither read nor written`));
    } finally {
      again.writer.close();
    }
    victim.unchanged();
  } finally {
    cleanup();
  }
});

test('a planted store file (a link or a hard link to another workspace\'s store, a FIFO) is not read: it is moved aside and the store rebuilt; readers are told why', { skip: !posix }, async () => {
  const plants: [string, (store: string, other: string) => void, RegExp][] = [
    ['link to another store', (store, other) => symlinkSync(other, store), /is a symbolic link to/],
    ['FIFO', (store) => { if (spawnSync('mkfifo', [store]).status !== 0) throw new Error('mkfifo'); }, /is a FIFO/],
    ['hard link to another store', (store, other) => linkSync(other, store), /has 2 hard links/],
  ];
  for (const [name, plant, why] of plants) {
    const { dir, cleanup } = tempDir();
    try {
      const other = logbookPaths(join(dir, 'other'));
      mkdirSync(other.workspace);
      putInInbox(other.inbox, { session_id: 'theirs', hook_event_name: 'Stop' });
      await ingestAll(other);
      const otherBytes = readFileSync(other.store);
      const paths = logbookPaths(join(dir, 'W'));
      mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
      plant(paths.store, other.store);
      const read = await LogbookDatabase.open(paths.store);
      assert.ok(!read.ok && read.problem.kind === 'corrupt' && why.test(read.problem.reason), `${name}: a reader is told why`);
      const { writer, messages } = await start(paths);
      try {
        assert.deepEqual(writer.database.store.streams(), [], `${name}: nothing of the other store was read`);
        assert.match(messages.join('\n'), /logbook\.sqlite could not be read \(.*\)\. It was moved to .*corrupt-/, name);
        assert.match(messages.join('\n'), why, name);
      } finally {
        writer.close();
      }
      assert.ok(lstatSync(paths.store).isFile(), `${name}: the store is a plain file again`);
      assert.ok(readFileSync(other.store).equals(otherBytes), `${name}: the other store is untouched`);
    } finally {
      cleanup();
    }
  }
});

test('a planted lock (a link, a dangling link, a FIFO, a hard link) is replaced, never followed; a folder in its place is refused with a message, not "Nothing to do"', { skip: !posix }, () => {
  const plants: [string, (lock: string, victim: string) => void][] = [
    ['symlink', (lock, victim) => symlinkSync(victim, lock)],
    ['dangling symlink', (lock, victim) => symlinkSync(`${victim}.absent`, lock)],
    ['FIFO', (lock) => { if (spawnSync('mkfifo', [lock]).status !== 0) throw new Error('mkfifo'); }],
    ['hard link', (lock, victim) => linkSync(victim, lock)],
  ];
  for (const [name, plant] of plants) {
    const { dir, cleanup } = tempDir();
    try {
      const paths = logbookPaths(dir);
      mkdirSync(paths.dir, { mode: 0o700 });
      const victim = victimIn(dir);
      plant(paths.lock, victim.path);
      const attempt = tryAcquireLock(paths.lock, 'test');
      assert.ok(attempt.acquired, `${name}: taken over`);
      attempt.lock.heartbeat();
      assert.ok(attempt.lock.stillOwned());
      attempt.lock.release();
      victim.unchanged();
      assert.throws(() => lstatSync(`${victim.path}.absent`), /ENOENT/, `${name}: no target created`);
    } finally {
      cleanup();
    }
  }
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    mkdirSync(paths.lock, { recursive: true });
    assert.throws(() => tryAcquireLock(paths.lock, 'test'), isRefusal(paths.lock, /is a folder, not a lock file/));
  } finally {
    cleanup();
  }
});

test('a lock touched in the future (a planted or copied file) is taken over; one within the clock-skew allowance still holds', () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    mkdirSync(paths.dir, { mode: 0o700 });
    // A live pid on this host: only the time can make it stale.
    const holder = { pid: process.pid, hostname: hostname(), owner: 'planted', acquiredAt: new Date().toISOString(), token: 't' };
    for (const [aheadMs, takenOver] of [[60 * 60_000, true], [366 * 24 * 60 * 60_000, true], [30_000, false], [0, false]] as const) {
      writeFileSync(paths.lock, JSON.stringify(holder), { mode: 0o600 });
      const at = new Date(Date.now() + aheadMs);
      utimesSync(paths.lock, at, at);
      const attempt = tryAcquireLock(paths.lock, 'test');
      assert.equal(attempt.acquired, takenOver, `${aheadMs} ms ahead`);
      if (attempt.acquired) {
        assert.equal(attempt.tookOverFrom?.owner, 'planted');
        attempt.lock.release();
      }
      rmSync(paths.lock, { force: true });
    }
  } finally {
    cleanup();
  }
});

test('pre-existing .logbook/, inbox/, inbox/.tmp, segments/, archive/, state/ and state/sessions/ with group or other bits are made 0700; files the logbook makes are 0600', { skip: !posix }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const dirs = [paths.dir, paths.inbox, paths.inboxTmp, paths.segments, paths.archive, paths.state, paths.sessionStates];
    for (const d of dirs) {
      mkdirSync(d, { recursive: true });
      chmodSync(d, 0o755);
    }
    chmodSync(paths.archive, 0o777);
    copyFileSync(TEMPLATE, paths.workflow);
    runHook({ inboxDir: paths.inbox, hookEvent: 'Stop', readStdin: () => '{"session_id":"s","hook_event_name":"Stop"}' });
    putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop' });
    loadWorkflow(paths);
    writeSessionSnapshots(paths, (await LogbookDatabase.create()).store, ['s']);
    assert.equal(statSync(join(paths.inbox, 'live.log')).mode & 0o777, 0o600);
    await ingestAll(paths);
    for (const d of dirs) assert.equal(statSync(d).mode & 0o777, 0o700, d);
    const files = [paths.store, paths.compiledWorkflow, ...readdirSync(paths.sessionStates).map((n) => join(paths.sessionStates, n)), ...readdirSync(paths.segments).filter((n) => n.startsWith('order-')).map((n) => join(paths.segments, n))];
    for (const file of files) assert.equal(statSync(file).mode & 0o777, 0o600, file);
    for (const name of readdirSync(paths.archive)) assert.equal(statSync(join(paths.archive, name)).mode & 0o777, name.endsWith('.log') ? 0o400 : 0o600, name);
  } finally {
    cleanup();
  }
});

test('a .logbook/, inbox/, segments/ or state/ of another user is refused with a message naming it, its owner and you (root too: the effective uid decides)', { skip: !root && 'needs root to chown' }, async () => {
  const refusalOf = async (work: () => unknown): Promise<string> => {
    try {
      await work();
    } catch (error) {
      return (error as Error).message;
    }
    return 'not refused';
  };
  const uses: Record<string, (paths: LogbookPaths) => Promise<string>> = {
    dir: async (paths) => runHook({ inboxDir: paths.inbox, hookEvent: 'Stop', readStdin: () => '{}' }).error ?? 'not refused',
    inbox: (paths) => refusalOf(() => logInInbox(paths.inbox, { session_id: 's' })),
    segments: (paths) => refusalOf(() => start(paths)),
    state: (paths) => refusalOf(() => loadWorkflow(paths)),
  };
  for (const [owned, use] of Object.entries(uses) as [keyof LogbookPaths & string, (paths: LogbookPaths) => Promise<string>][]) {
    const { dir, cleanup } = tempDir();
    try {
      const paths = logbookPaths(dir);
      mkdirSync(paths[owned], { recursive: true, mode: 0o700 });
      copyFileSync(TEMPLATE, paths.workflow);
      chownSync(paths[owned], 65534, 65534);
      assert.match(await use(paths), new RegExp(`${paths[owned]} is owned by uid 65534, not by you \\(uid 0\\).*make it yours \\(chown\\) if you trust it`), owned);
      assert.equal(statSync(paths[owned]).uid, 65534, `${owned}: left as it was`);
      assert.deepEqual(readdirSync(paths[owned]).filter((n) => n !== 'workflow.json' && n !== 'inbox'), [], `${owned}: nothing written into it`);
    } finally {
      cleanup();
    }
  }
});
