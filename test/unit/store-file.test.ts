import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, rmSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { openStoreForWriting } from '../../src/ingest/open-store';
import { LogbookDatabase, PAGE_SIZE } from '../../src/store/logbook-database';
import { openStore } from '../../src/cli/store-snapshot';
import { tryAcquireLock } from '../../src/ingest/lock';
import { anEvent, putInInbox, tempDir } from './helpers';
import { startWriter } from './poison-helpers';
import { isUnsafePath } from '../../src/capture/safe-fs';
import { inspectLogbookDir } from '../../src/capture/planted';

// The store is a page file (src/store/pagefile/): what the whole-file store's flush and its
// in-memory residence used to promise, a COMMIT now promises on its own.

const child = join(__dirname, 'store-file-child.ts');

function runChild(args: string[]): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', child, ...args], { encoding: 'utf8' });
  return { status: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

test('the writer\'s store is a page file with 16 KB pages: a commit is on disk when it returns (another process reads it), a rolled-back transaction leaves nothing', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const { database } = await openStoreForWriting(paths);
    assert.equal(database.holding, 'page-file');
    assert.equal(database.raw.exec('PRAGMA page_size')[0]?.values[0]?.[0], PAGE_SIZE);
    database.transaction(() => database.store.append('s', [anEvent(), anEvent()]));
    assert.equal(runChild(['count', paths.store]).stdout.trim(), '2', 'read by another process, no flush');
    assert.throws(() => database.transaction(() => {
      database.store.append('s', [anEvent()]);
      throw new Error('midway');
    }), /midway/);
    assert.equal(runChild(['count', paths.store]).stdout.trim(), '2', 'nothing of the failed transaction');
    assert.ok(!existsSync(`${paths.store}-journal`), 'no journal left once the commit returned');
    database.close();
  } finally {
    cleanup();
  }
});

test('a reader keeps one read-only connection: it sees each new commit, its search finds what the writer has not indexed yet, and it never writes the file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const { database } = await openStoreForWriting(paths);
    database.transaction(() => database.store.append('s', [anEvent({ data: { prompt: 'aardvark one' } })]));
    database.catchUpFullText();
    const opened = await LogbookDatabase.open(paths.store);
    assert.ok(opened.ok);
    const reader = opened.database;
    assert.equal(reader.holding, 'read-only');
    assert.throws(() => reader.transaction(() => reader.store.append('s', [anEvent()])), /readonly/);
    database.transaction(() => database.store.append('s', [anEvent({ data: { prompt: 'aardvark two' } })]));
    assert.equal(reader.store.lastGlobalPosition(), 2, 'the same connection sees the new commit');
    const before = statSync(paths.store).mtimeMs;
    assert.equal(reader.store.search('aardvark').length, 2, 'the unindexed event is found too');
    database.transaction(() => database.store.append('s', [anEvent({ data: { prompt: 'aardvark three' } })]));
    assert.equal(reader.store.search('aardvark').length, 3, 'and the next one');
    assert.equal(statSync(paths.store).mtimeMs !== before, true, 'the writer wrote');
    const checkpoint = database.raw.exec("SELECT position FROM projection_checkpoints WHERE name = 'fts'")[0]?.values[0]?.[0];
    assert.equal(checkpoint, 1, 'the reader moved no checkpoint in the file');
    reader.close();
    database.close();
  } finally {
    cleanup();
  }
});

test('a writer killed mid-commit: a read-only open reports it, the CLI\'s reader rolls it back under the ingest lock and reads the last commit', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const { database } = await openStoreForWriting(paths);
    database.transaction(() => database.store.append('s', [anEvent(), anEvent(), anEvent()]));
    database.close();
    const proc = spawn(process.execPath, ['--import', 'tsx', child, 'spill', paths.store], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => proc.stdout.once('data', () => resolve()));
    proc.kill('SIGKILL');
    await new Promise<void>((resolve) => proc.once('close', () => resolve()));
    assert.ok(statSync(`${paths.store}-journal`).size > 0, 'a hot journal is left');
    const direct = await LogbookDatabase.open(paths.store);
    assert.equal(direct.ok ? 'ok' : direct.problem.kind, 'interrupted');
    const held = tryAcquireLock(paths.lock, 'another writer');
    assert.ok(held.acquired);
    await assert.rejects(openStore(paths), /killed writer left half done.*holds the ingest lock/, 'a live writer holds the lock: the reader says so');
    held.lock.release();
    const read = await openStore(paths);
    assert.ok(read !== undefined);
    assert.equal(read.store.lastGlobalPosition(), 3, 'the half-done commit is rolled back');
    assert.equal(read.raw.exec('PRAGMA integrity_check')[0]?.values[0]?.[0], 'ok');
    read.close();
    assert.ok(!existsSync(`${paths.store}-journal`));
    assert.ok(!existsSync(paths.lock), 'the ingest lock was given back');
  } finally {
    cleanup();
  }
});

test('killed right after its order-journal line, before the COMMIT: the next writer drops that line, stores every entry once and journals it once', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const ids = Array.from({ length: 12 }, (_, i) => putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Notification', i }));
    const run = runChild(['journal-then-die', dir]);
    assert.equal(run.signal, 'SIGKILL', run.stderr);
    const journal = readdirSync(paths.segments).find((n) => n.startsWith('order-')) as string;
    assert.equal(readFileSync(join(paths.segments, journal), 'utf8').trim().split('\n').length, 1, 'the line reached the disk');
    const writer = await startWriter(dir);
    assert.equal(writer.database.store.lastGlobalPosition(), 0, 'the pass never committed');
    assert.equal(writer.ingest().appended, ids.length);
    await writer.removeCommittedEntries();
    assert.deepEqual(new Set(writer.database.store.readAll().map((e) => e.eventId)), new Set(ids));
    writer.close();
    const lines = readFileSync(join(paths.segments, journal), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { last: number; entries: string[] });
    assert.equal(lines.length, 1, 'the uncommitted line was dropped, the committed one written');
    assert.deepEqual([lines[0]?.last, lines[0]?.entries.length], [ids.length, ids.length]);
  } finally {
    cleanup();
  }
});

test('a link planted as the store\'s journal or reader-markers folder is named and never followed; a planted regular journal is named like a planted store', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const { database } = await openStoreForWriting(paths);
    database.transaction(() => database.store.append('s', [anEvent()]));
    database.close();
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'do not touch');
    for (const [name, target] of [[`${paths.store}-journal`, outside], [`${paths.store}-readers`, dir]] as const) {
      rmSync(name, { recursive: true, force: true });
      symlinkSync(target, name);
      await assert.rejects(LogbookDatabase.open(paths.store), (error: unknown) => isUnsafePath(error) && (error as Error).message.includes(name), 'a reader refuses it');
      await assert.rejects(openStoreForWriting(paths), (error: unknown) => isUnsafePath(error) && (error as Error).message.includes('symbolic link'), 'so does the writer, without moving the store aside');
      assert.ok(inspectLogbookDir(dir).some((f) => f.path === name && /symbolic link/.test(f.reason)));
      unlinkSync(name);
    }
    assert.equal(readFileSync(outside, 'utf8'), 'do not touch');
    assert.ok(!readdirSync(paths.dir).some((n) => n.includes('.corrupt-')), 'the store was never moved aside for it');
    writeFileSync(`${paths.store}-journal`, 'planted', { mode: 0o644 });
    chmodSync(`${paths.store}-journal`, 0o644);
    assert.ok(inspectLogbookDir(dir).some((f) => f.path === `${paths.store}-journal` && /may be read by others/.test(f.reason)));
  } finally {
    cleanup();
  }
});
