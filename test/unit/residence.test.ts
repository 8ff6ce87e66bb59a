import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { openStoreForWriting } from '../../src/ingest/open-store';
import { LogbookDatabase, PAGE_SIZE } from '../../src/store/logbook-database';
import { migrate } from '../../src/store/schema';
import { loadSqlJs } from '../../src/store/sqljs';
import { anEvent, tempDir } from './helpers';

// The single writer keeps the store in SQLite's memory (src/store/residence.ts) while it is
// small enough, and on sql.js's file past that. Either way the store must behave the same and
// its flushed file must be the same database.

const pageSize = (database: LogbookDatabase): number => Number(database.raw.exec('PRAGMA page_size')[0]?.values[0]?.[0]);
const journalMode = (database: LogbookDatabase): string => String(database.raw.exec('PRAGMA journal_mode')[0]?.values[0]?.[0]);

function appendMany(database: LogbookDatabase, stream: string, count: number, bytes = 2000): void {
  database.transaction(() => {
    for (let i = 0; i < count; i += 1) database.store.append(stream, [anEvent({ data: { n: i, text: `marmalade ${'x'.repeat(bytes)}` } })]);
  });
}

async function reopened(file: string): Promise<LogbookDatabase> {
  const opened = await LogbookDatabase.open(file);
  assert.ok(opened.ok, 'the flushed file opens');
  return opened.database;
}

test('the writer holds a new store in memory: appends, a rollback, full-text, flush; the file is the same database, with 16 KB pages', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    mkdirSync(dirname(paths.store), { recursive: true });
    const { database } = await openStoreForWriting(paths);
    assert.equal(database.residence, 'memory');
    assert.equal(pageSize(database), PAGE_SIZE);
    assert.equal(journalMode(database), 'memory', 'the writer pragmas hold on the in-memory connection');
    appendMany(database, 's', 10);
    // A failed append inside a transaction rolls back in memory as on the file.
    assert.throws(() => database.transaction(() => {
      database.store.append('s', [anEvent()]);
      database.store.append('s', [anEvent({ type: null as unknown as string })]);
    }));
    assert.equal(database.store.readStream('s').length, 10);
    assert.equal(database.catchUpFullText(), 10);
    assert.ok(database.flush() > 0);
    const events = database.store.readAll().map((e) => [e.globalPosition, e.eventId]);
    database.close();
    const file = await reopened(paths.store);
    assert.equal(file.residence, 'file', 'readers open the file as it is');
    assert.equal(pageSize(file), PAGE_SIZE);
    assert.deepEqual(file.store.readAll().map((e) => [e.globalPosition, e.eventId]), events);
    assert.equal(file.raw.exec('PRAGMA quick_check')[0]?.values[0]?.[0], 'ok');
    assert.equal(file.store.search('marmalade').length, 10, 'the full-text index was flushed with the events');
    file.close();
    // The next writer reads the flushed file (16 KB pages) into memory again.
    const again = (await openStoreForWriting(paths)).database;
    assert.equal(again.residence, 'memory');
    assert.deepEqual(again.store.readAll().map((e) => [e.globalPosition, e.eventId]), events);
    again.close();
  } finally {
    cleanup();
  }
});

test('an existing store file (4 KB pages, made before) is read into memory by the writer, keeps its pages, and takes appends', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    mkdirSync(dirname(paths.store), { recursive: true });
    const SQL = await loadSqlJs();
    const old = new SQL.Database();
    migrate(old);
    old.run(`INSERT INTO events (stream_id, stream_position, event_id, type, schema_version, recorded_at, data, metadata)
      VALUES ('s', 1, 'e1', 'SessionStart', 1, '2026-01-01T00:00:00.000Z', '{"session_id":"s"}', '{}')`);
    writeFileSync(paths.store, old.export());
    old.close();
    const { database } = await openStoreForWriting(paths);
    assert.equal(database.residence, 'memory');
    assert.equal(pageSize(database), 4096);
    assert.deepEqual(database.store.readAll().map((e) => e.eventId), ['e1']);
    appendMany(database, 's', 3);
    database.flush();
    database.close();
    const file = await reopened(paths.store);
    assert.deepEqual(file.store.readStream('s').map((e) => e.streamPosition), [1, 2, 3, 4]);
    file.close();
  } finally {
    cleanup();
  }
});

test('past its memory limit the store moves onto the file between transactions, and goes on working; a file over the limit is opened on the file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'logbook.sqlite');
    const limit = 1024 * 1024; // an empty store is ~0.3 MB: a dozen tables and indexes of 16 KB pages
    const database = (await LogbookDatabase.create(file, { inMemory: true, memoryLimitBytes: limit })).tuneForWriting();
    assert.equal(database.residence, 'memory');
    appendMany(database, 's', 20); // ~40 KB
    assert.equal(database.residence, 'memory');
    appendMany(database, 's', 500); // ~1 MB more: past the limit once committed
    assert.equal(database.residence, 'file');
    assert.ok(database.byteSize() > limit);
    assert.equal(journalMode(database), 'memory', 'the writer pragmas are set again on the new connection');
    appendMany(database, 's', 5); // prepared statements were dropped with the old connection
    assert.equal(database.store.streamVersion('s'), 525);
    database.flush();
    database.close();
    assert.ok(statSync(file).size > limit);

    const opened = await LogbookDatabase.open(file, { inMemory: true, memoryLimitBytes: limit });
    assert.ok(opened.ok);
    assert.equal(opened.database.residence, 'file', 'too big to be held in memory');
    assert.equal(opened.database.store.readStream('s').length, 525);
    opened.database.close();

    // Before a pass, the writer asks for room for what the pass may add.
    const small = (await LogbookDatabase.create(join(dir, 'small.sqlite'), { inMemory: true, memoryLimitBytes: limit })).tuneForWriting();
    assert.equal(small.keepWithinMemory(1024), false);
    assert.equal(small.residence, 'memory');
    assert.equal(small.keepWithinMemory(limit), true);
    assert.equal(small.residence, 'file');
    small.close();
  } finally {
    cleanup();
  }
});

test('out of memory during a transaction held in memory: SQLite\'s own error is told, nothing of it is kept, and the same work then succeeds on the file', async () => {
  const database = (await LogbookDatabase.create(undefined, { inMemory: true })).tuneForWriting();
  try {
    database.transaction(() => database.store.append('s', [anEvent()]));
    // SQLite's allocations past this fail with SQLITE_NOMEM: WASM's 2 GB end, brought near.
    database.raw.run(`PRAGMA hard_heap_limit = ${32 * 1024 * 1024}`);
    const work = (): void => {
      for (let i = 0; i < 20_000; i += 1) database.store.append('s', [anEvent({ data: { i, text: 'y'.repeat(3000) } })]);
    };
    assert.throws(() => database.transaction(work), /out of memory/);
    assert.equal(database.residence, 'file', 'the next attempt runs on sql.js\'s file');
    assert.equal(database.store.streamVersion('s'), 1, 'no row of the failed transaction is kept, not even one stored on a retry');
    assert.equal(database.store.readStream('s').length, 1);
    database.raw.run('PRAGMA hard_heap_limit = 0');
    database.transaction(work);
    assert.deepEqual(database.store.readStream('s').map((e) => e.streamPosition).slice(-2), [20_000, 20_001]);
  } finally {
    database.close();
  }
});
