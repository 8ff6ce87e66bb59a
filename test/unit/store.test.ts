import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogbookDatabase, PAGE_SIZE } from '../../src/store/logbook-database';
import { MIGRATIONS, migrate, schemaVersion, CURRENT_SCHEMA_VERSION } from '../../src/store/schema';
import { loadSqlJs } from '../../src/store/sqljs';
import { StreamVersionConflictError, LogbookError } from '../../src/domain/errors';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogKeeper } from '../../src/projections/overview/catalog-keeper';
import { loadCatalogSnapshot, SESSION_CATALOG_NAME } from '../../src/projections/session-catalog';
import { readSnapshotHeader } from '../../src/store/projection-snapshots';
import { anEvent, tempDir } from './helpers';

async function fresh(): Promise<LogbookDatabase> {
  return LogbookDatabase.create();
}

test('append assigns global and stream positions in order and round-trips data and metadata', async () => {
  const db = await fresh();
  const a = anEvent({ data: { n: 1, nested: { s: 'x' } }, metadata: { receivedAt: '2026-01-01T00:00:00.000Z' }, correlationId: 'p1' });
  const b = anEvent({ data: { n: 2 } });
  const c = anEvent({ data: { n: 3 } });
  db.store.append('s1', [a, b]);
  db.store.append('s2', [c]);
  const s1 = db.store.readStream('s1');
  assert.deepEqual(s1.map((e) => [e.globalPosition, e.streamPosition]), [[1, 1], [2, 2]]);
  assert.deepEqual(s1[0]?.data, { n: 1, nested: { s: 'x' } });
  assert.deepEqual(s1[0]?.metadata, { receivedAt: '2026-01-01T00:00:00.000Z' });
  assert.equal(s1[0]?.correlationId, 'p1');
  assert.equal(s1[1]?.causationId, null);
  assert.deepEqual(db.store.readStream('s2').map((e) => [e.globalPosition, e.streamPosition]), [[3, 1]]);
  assert.equal(db.store.streamVersion('s1'), 2);
  assert.equal(db.store.lastGlobalPosition(), 3);
});

test('append with an expected version refuses a stale writer with STREAM_VERSION_CONFLICT', async () => {
  const db = await fresh();
  db.store.append('s', [anEvent()], 'no_stream');
  assert.throws(() => db.store.append('s', [anEvent()], 'no_stream'), (e: unknown) => e instanceof StreamVersionConflictError && e.code === 'STREAM_VERSION_CONFLICT' && e.actual === 1);
  assert.throws(() => db.store.append('s', [anEvent()], 0), StreamVersionConflictError);
  assert.throws(() => db.store.append('other', [anEvent()], 'stream_exists'), StreamVersionConflictError);
  const ok = db.store.append('s', [anEvent(), anEvent()], 1);
  assert.equal(ok.nextExpectedVersion, 3);
  assert.equal(db.store.readStream('s').length, 3);
});

test('an event id already stored is skipped, not stored twice (re-delivered inbox entry)', async () => {
  const db = await fresh();
  const event = anEvent();
  db.store.append('s', [event]);
  const again = db.store.append('s', [event, anEvent()]);
  assert.equal(again.duplicates, 1);
  assert.equal(again.appended, 1);
  assert.deepEqual(db.store.readStream('s').map((e) => e.streamPosition), [1, 2]);
  assert.equal(db.store.hasEvent(event.eventId), true);
});

test('a failed append leaves nothing behind (all or nothing)', async () => {
  const db = await fresh();
  db.store.append('s', [anEvent()]);
  // A null type violates NOT NULL on the second event: the first must roll back with it.
  assert.throws(() => db.store.append('s', [anEvent(), anEvent({ type: null as unknown as string })]));
  assert.equal(db.store.readStream('s').length, 1);
  assert.equal(db.store.streamVersion('s'), 1);
});

test('triggers reject UPDATE and DELETE on events', async () => {
  const db = await fresh();
  db.store.append('s', [anEvent()]);
  assert.throws(() => db.raw.run("UPDATE events SET type = 'X'"), /immutable: UPDATE/);
  assert.throws(() => db.raw.run('DELETE FROM events'), /immutable: DELETE/);
  assert.equal(db.store.readAll().length, 1);
});

test('reads slice by global range, stream range, type and correlation', async () => {
  const db = await fresh();
  for (let i = 0; i < 10; i += 1) {
    db.store.append(i % 2 === 0 ? 'even' : 'odd', [anEvent({ type: i < 5 ? 'A' : 'B', correlationId: `c${i % 3}`, data: { i } })]);
  }
  assert.deepEqual(db.store.readAll({ from: 3, to: 6 }).map((e) => e.globalPosition), [3, 4, 5, 6]);
  assert.deepEqual(db.store.readAll({ from: 8 }).map((e) => e.globalPosition), [8, 9, 10]);
  assert.deepEqual(db.store.readAll({ limit: 2 }).map((e) => e.globalPosition), [1, 2]);
  assert.deepEqual(db.store.readStream('even', { from: 2, to: 3 }).map((e) => (e.data as { i: number }).i), [2, 4]);
  assert.deepEqual(db.store.readByType('B').map((e) => e.globalPosition), [6, 7, 8, 9, 10]);
  assert.deepEqual(db.store.readByType('B', { from: 8, limit: 2 }).map((e) => e.globalPosition), [8, 9]);
  assert.deepEqual(db.store.readByCorrelation('c0').map((e) => (e.data as { i: number }).i), [0, 3, 6, 9]);
});

test('full-text search finds values (not keys), can be scoped to a session, and names a bad query', async () => {
  const db = await fresh();
  db.store.append('s1', [anEvent({ type: 'PostToolUse', data: { tool_name: 'Bash', tool_input: { command: 'npm run flibbertigibbet' } } })]);
  db.store.append('s2', [anEvent({ type: 'UserPromptSubmit', data: { prompt: 'Fix the flibbertigibbet and the Wörld' } })]);
  assert.deepEqual(db.store.search('flibbertigibbet').map((e) => e.streamId), ['s1', 's2']);
  assert.deepEqual(db.store.search('flibbertigibbet', { streamId: 's2' }).map((e) => e.streamId), ['s2']);
  assert.equal(db.store.search('wörld').length, 1, 'unicode61 folds case of non-ASCII letters');
  assert.equal(db.store.search('tool_input').length, 0, 'keys are not indexed');
  assert.equal(db.store.search('PostToolUse').length, 1, 'the type is indexed');
  assert.throws(() => db.store.search('"unbalanced'), (e: unknown) => e instanceof LogbookError && e.code === 'SEARCH_QUERY_INVALID');
});

test('the full-text index is a projection with a checkpoint: appends are indexed when it catches up', async () => {
  const db = await fresh();
  db.store.append('s', [anEvent({ data: { prompt: 'aardvark' } }), anEvent({ data: { prompt: 'aardvark again' } })]);
  assert.equal(db.catchUpFullText(1), 1, 'in steps of a given size');
  assert.deepEqual(db.raw.exec("SELECT position FROM projection_checkpoints WHERE name = 'fts'")[0]?.values, [[1]], 'the checkpoint moved, in the same commit');
  assert.equal(db.store.search('aardvark').length, 2, 'search catches up the rest first');
  assert.equal(db.catchUpFullText(), 0);
  db.store.append('s', [anEvent({ data: { prompt: 'aardvark three' } })]);
  assert.equal(db.store.search('aardvark').length, 3);
});

test('migrations: an old store is brought to the current schema once, with its events indexed', async () => {
  const SQL = await loadSqlJs();
  const old = new SQL.Database();
  migrate(old, MIGRATIONS.slice(0, 1));
  assert.equal(schemaVersion(old), 1);
  old.run(`INSERT INTO events (stream_id, stream_position, event_id, type, schema_version, recorded_at, data, metadata)
    VALUES ('s', 1, 'e1', 'UserPromptSubmit', 1, '2026-01-01', '{"prompt":"legacy zebra"}', '{}')`);
  assert.deepEqual(migrate(old), MIGRATIONS.slice(1).map((m) => m.version));
  assert.deepEqual(migrate(old), [], 'a second run applies nothing');
  assert.equal(schemaVersion(old), CURRENT_SCHEMA_VERSION);
  const rows = old.exec("SELECT docid FROM events_fts WHERE events_fts MATCH 'zebra'");
  assert.deepEqual(rows[0]?.values, [[1]]);
  const applied = old.exec('SELECT version, name FROM schema_migrations ORDER BY version')[0]?.values.map((r) => r[0]);
  assert.deepEqual(applied, MIGRATIONS.map((m) => m.version));
  assert.deepEqual(old.exec("SELECT position FROM projection_checkpoints WHERE name = 'fts'")[0]?.values, [[1]], 'the backfill counts as indexed');
});

test('migration 4 on a store file written at schema 3: snapshot tables added by the writer, events kept, the writer saves its catalog there', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const SQL = await loadSqlJs();
    const old = new SQL.Database();
    migrate(old, MIGRATIONS.filter((m) => m.version <= 3));
    old.run(`INSERT INTO events (stream_id, stream_position, event_id, type, schema_version, recorded_at, data, metadata)
      VALUES ('s', 1, 'e1', 'SessionStart', 1, '2026-01-01T00:00:00.000Z', '{"session_id":"s","source":"startup"}', '{"receivedAt":"2026-01-01T00:00:00.000Z"}'),
             ('s', 2, 'e2', 'UserPromptSubmit', 1, '2026-01-01T00:00:01.000Z', '{"session_id":"s","prompt":"hi"}', '{"receivedAt":"2026-01-01T00:00:01.000Z"}')`);
    const file = join(dir, 'logbook.sqlite');
    writeFileSync(file, old.export());
    old.close();

    const opened = await LogbookDatabase.open(file, { writer: true });
    assert.ok(opened.ok);
    assert.deepEqual(opened.migrated, [4, 5, 6, 7]);
    const { database } = opened;
    assert.equal(schemaVersion(database.raw), CURRENT_SCHEMA_VERSION);
    assert.deepEqual(database.store.readAll().map((e) => [e.globalPosition, e.eventId]), [[1, 'e1'], [2, 'e2']]);
    assert.equal(readSnapshotHeader(database.raw, SESSION_CATALOG_NAME), undefined, 'no snapshot until the writer saves one');
    assert.equal(database.transaction(() => new CatalogKeeper(database.raw, database.store).update()), 2);
    assert.equal(loadCatalogSnapshot(database.raw, 2)?.state['s']?.prompts, 1);
    database.close();
    const again = await LogbookDatabase.open(file);
    assert.ok(again.ok);
    assert.deepEqual(again.migrated, [], 'applied once');
    assert.equal(loadCatalogSnapshot(again.database.raw, 2)?.position, 2, 'the snapshot is in the file');
    again.database.close();
  } finally {
    cleanup();
  }
});

test('streams() summarises each session with its first and last event', async () => {
  const db = await fresh();
  db.store.append('a', [anEvent({ type: 'SessionStart', metadata: { receivedAt: '2026-01-01T00:00:00.000Z' } })]);
  db.store.append('b', [anEvent({ type: 'SessionStart' })]);
  db.store.append('a', [anEvent({ type: 'SessionEnd', metadata: { receivedAt: '2026-01-01T00:05:00.000Z' } })]);
  const [a, b] = db.store.streams();
  assert.equal(a?.streamId, 'a');
  assert.equal(a?.version, 2);
  assert.equal(a?.lastType, 'SessionEnd');
  assert.equal(a?.firstOccurredAt, '2026-01-01T00:00:00.000Z');
  assert.equal(a?.lastOccurredAt, '2026-01-01T00:05:00.000Z');
  assert.equal(b?.streamId, 'b');
});

test('the streams table (migration 5) agrees with the summary derived from every event, through random appends', async () => {
  const db = await fresh();
  let seed = 7;
  const next = (n: number): number => Math.floor((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 65_536) % n;
  for (let i = 0; i < 300; i += 1) {
    const stream = `s${next(12)}`;
    const count = 1 + next(3);
    const events = Array.from({ length: count }, (_, k) => anEvent({ type: ['PreToolUse', 'PostToolUse', 'Stop'][next(3)] as string, metadata: k === 0 && next(2) === 0 ? { source: 'test' } : { source: 'test', receivedAt: `2026-01-01T00:${String(next(60)).padStart(2, '0')}:00.000Z` } }));
    db.store.append(stream, events);
  }
  const fromTable = db.store.streams();
  db.store.schemaVersion = 4;
  const derived = db.store.streams();
  assert.equal(fromTable.length, 12);
  assert.deepEqual(fromTable, derived);
});

test('migration 5 on a store file written at schema 4: a reader reads it in place before the writer migrates it, then the writer fills the streams table', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const SQL = await loadSqlJs();
    const old = new SQL.Database();
    migrate(old, MIGRATIONS.filter((m) => m.version <= 4));
    old.run(`INSERT INTO events (stream_id, stream_position, event_id, type, schema_version, recorded_at, data, metadata)
      VALUES ('s', 1, 'e1', 'SessionStart', 1, '2026-01-01T00:00:00.000Z', '{"session_id":"s"}', '{"receivedAt":"2026-01-01T00:00:00.000Z"}'),
             ('t', 1, 'e2', 'SessionStart', 1, '2026-01-01T00:00:01.000Z', '{"session_id":"t"}', '{}'),
             ('s', 2, 'e3', 'Stop', 1, '2026-01-01T00:00:02.000Z', '{"session_id":"s"}', '{"receivedAt":"2026-01-01T00:00:02.500Z"}')`);
    const file = join(dir, 'logbook.sqlite');
    writeFileSync(file, old.export());
    old.close();

    const reader = await LogbookDatabase.open(file);
    assert.ok(reader.ok);
    assert.equal(reader.database.holding, 'read-only', 'read page by page, not loaded whole');
    const before = reader.database.store.streams();
    assert.deepEqual(before.map((s) => [s.streamId, s.version, s.firstGlobalPosition, s.lastGlobalPosition, s.lastType, s.firstOccurredAt, s.lastOccurredAt]),
      [['s', 2, 1, 3, 'Stop', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:02.500Z'], ['t', 1, 2, 2, 'SessionStart', '2026-01-01T00:00:01.000Z', '2026-01-01T00:00:01.000Z']]);
    reader.database.close();

    const writer = await LogbookDatabase.open(file, { writer: true });
    assert.ok(writer.ok);
    assert.deepEqual(writer.migrated, [5, 6, 7]);
    assert.deepEqual(writer.database.store.streams(), before, 'the backfill gives what the reader derived');
    writer.database.store.append('t', [anEvent({ type: 'SessionEnd', metadata: { receivedAt: '2026-01-01T00:01:00.000Z' } })]);
    const t = writer.database.store.streams().find((s) => s.streamId === 't');
    assert.deepEqual([t?.version, t?.lastGlobalPosition, t?.lastType, t?.lastOccurredAt], [2, 4, 'SessionEnd', '2026-01-01T00:01:00.000Z']);
    writer.database.close();
  } finally {
    cleanup();
  }
});

test('search reads the index only as far as it needs, in position order, within a stream too', async () => {
  const db = await fresh();
  for (let i = 0; i < 40; i += 1) db.store.append(i % 2 === 0 ? 'even' : 'odd', [anEvent({ data: { prompt: `common word ${i}${i % 10 === 0 ? ' rare' : ''}` } })]);
  assert.deepEqual(db.store.search('common', { limit: 3 }).map((e) => e.globalPosition), [1, 2, 3]);
  assert.deepEqual(db.store.search('common', { limit: 3, streamId: 'odd' }).map((e) => e.globalPosition), [2, 4, 6]);
  assert.deepEqual(db.store.search('rare').map((e) => e.globalPosition), [1, 11, 21, 31]);
  assert.deepEqual(db.store.search('rare', { streamId: 'odd' }), []);
  assert.deepEqual(db.store.search('common', { streamId: 'nobody' }), []);
  assert.equal(db.store.search('common').length, 40, 'no limit: every match');
  assert.deepEqual(db.store.search('common', { limit: 3, newest: true }).map((e) => e.globalPosition), [38, 39, 40], 'the newest, in position order');
  assert.deepEqual(db.store.search('rare', { limit: 2, newest: true, streamId: 'even' }).map((e) => e.globalPosition), [21, 31]);
  assert.deepEqual(db.store.search('common', { from: 10, to: 13 }).map((e) => e.globalPosition), [10, 11, 12, 13], 'global bounds');
  assert.deepEqual(db.store.search('common', { streamId: 'odd', from: 2, to: 3 }).map((e) => e.streamPosition), [2, 3], 'stream bounds within a stream');
  assert.equal(db.store.searchCount('common'), 40);
  assert.equal(db.store.searchCount('rare', 'even'), 4);
  assert.equal(db.store.searchCount('rare', 'nobody'), 0);
});

test('search filters by type while it reads the index, so a limit counts only what is kept', async () => {
  const db = await fresh();
  for (let i = 0; i < 30; i += 1) db.store.append('s', [anEvent({ type: i % 3 === 0 ? 'Stop' : 'PreToolUse', data: { prompt: 'shared' } })]);
  assert.deepEqual(db.store.search('shared', { type: 'Stop', limit: 4 }).map((e) => e.globalPosition), [1, 4, 7, 10]);
  assert.deepEqual(db.store.search('shared', { type: 'Stop', limit: 2, newest: true }).map((e) => e.globalPosition), [25, 28]);
});

test('a new store file has 16 KB pages, kept through commit and reopen; an older file with 4 KB pages is used as it is', async () => {
  const { dir, cleanup } = tempDir();
  const pageSize = (database: LogbookDatabase): unknown => database.raw.exec('PRAGMA page_size')[0]?.values[0]?.[0];
  try {
    const file = join(dir, 'logbook.sqlite');
    const created = await LogbookDatabase.create(file);
    assert.equal(pageSize(created), PAGE_SIZE);
    created.store.append('s', [anEvent()]);
    created.close();
    const reopened = await LogbookDatabase.open(file);
    assert.ok(reopened.ok);
    assert.equal(pageSize(reopened.database), PAGE_SIZE, 'the file keeps its page size');
    assert.equal(reopened.database.store.readAll().length, 1);
    reopened.database.close();

    const SQL = await loadSqlJs();
    const old = new SQL.Database();
    migrate(old);
    const oldFile = join(dir, 'old.sqlite');
    writeFileSync(oldFile, old.export());
    old.close();
    const opened = await LogbookDatabase.open(oldFile, { writer: true });
    assert.ok(opened.ok);
    assert.equal(pageSize(opened.database), 4096);
    opened.database.transaction(() => opened.database.store.append('s', [anEvent()]));
    opened.database.close();
    const again = await LogbookDatabase.open(oldFile);
    assert.ok(again.ok);
    assert.equal(again.database.store.readAll().length, 1);
    again.database.close();
  } finally {
    cleanup();
  }
});
