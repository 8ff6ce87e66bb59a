import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SqlJsStatic } from 'sql.js';
import { DirectBinder } from '../../src/store/direct-bind';
import type { DirectValue } from '../../src/store/direct-bind';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { migrate } from '../../src/store/schema';
import { SqliteEventStore } from '../../src/store/sqlite-event-store';
import { loadSqlJs } from '../../src/store/sqljs';
import type { NewEvent } from '../../src/store/event-store';
import { anEvent } from './helpers';

// The writer's appends bind by pointer (direct-bind.ts); sql.js's Statement.run is the reference.

const NOW = (): string => '2026-11-23T10:00:00.000Z';

/** Two stores on fresh databases: one binding directly, one through Statement.run. */
async function twins(): Promise<{ direct: SqliteEventStore; reference: SqliteEventStore; dump: (which: 'direct' | 'reference') => unknown[][] }> {
  const SQL = await loadSqlJs();
  const a = new SQL.Database();
  const b = new SQL.Database();
  migrate(a);
  migrate(b);
  const dump = (which: 'direct' | 'reference'): unknown[][] => (which === 'direct' ? a : b)
    .exec(`SELECT global_position, stream_id, stream_position, event_id, type, schema_version, recorded_at, correlation_id, causation_id,
      hex(data), typeof(data), hex(metadata), typeof(metadata), typeof(correlation_id) FROM events ORDER BY global_position`)[0]?.values ?? [];
  return { direct: new SqliteEventStore(a, NOW, SQL), reference: new SqliteEventStore(b, NOW), dump };
}

test('direct binding stores the very bytes Statement.run stores: non-ASCII, astral, empty, null, big numbers', async () => {
  const { direct, reference, dump } = await twins();
  const events: NewEvent[] = [
    anEvent({ eventId: 'e1', data: { text: 'héllo wörld — ✓ 𝄞 🙂', n: 1.5 }, metadata: { who: 'ünïcode' }, correlationId: 'p-é', causationId: null }),
    anEvent({ eventId: 'e2', serialized: { data: '', metadata: '{}' }, correlationId: null, causationId: 'e1' }),
    anEvent({ eventId: 'e3', schemaVersion: 2 ** 40, data: { big: 2 ** 53 - 1, neg: -7 }, type: 'Ünknown' }),
    anEvent({ eventId: 'e4', serialized: { data: JSON.stringify({ s: 'x'.repeat(300_000) + '✓' }), metadata: '{"m":1}' } }),
  ];
  for (const store of [direct, reference]) {
    store.append('sessión-1', events.slice(0, 2));
    store.append('s2', events.slice(2));
  }
  const rows = dump('direct');
  assert.equal(rows.length, 4);
  assert.deepEqual(rows, dump('reference'));
  assert.equal(rows[1]?.[10], 'text', 'an empty data text is TEXT, not NULL');
  assert.equal(rows[0]?.[13], 'text');
  assert.equal(rows[1]?.[13], 'null');
});

test('a duplicate in the middle of an append takes no position: the events after it close the gap', async () => {
  const { direct, reference, dump } = await twins();
  const stored = anEvent({ eventId: 'dup' });
  for (const store of [direct, reference]) {
    store.append('s', [stored]);
    const result = store.append('s', [anEvent({ eventId: 'a' }), stored, anEvent({ eventId: 'b' }), stored, anEvent({ eventId: 'c' })]);
    assert.deepEqual([result.appended, result.duplicates, result.nextExpectedVersion, result.lastGlobalPosition], [3, 2, 4, 4]);
  }
  assert.deepEqual(dump('direct').map((r) => [r[2], r[3]]), [[1, 'dup'], [2, 'a'], [3, 'b'], [4, 'c']]);
  assert.deepEqual(dump('direct'), dump('reference'));
});

test('a row SQLite refuses throws sql.js\'s own error, and the append leaves nothing behind', async () => {
  const database = await LogbookDatabase.create();
  database.store.append('s', [anEvent()]);
  assert.throws(() => database.store.append('s', [anEvent(), anEvent({ type: null as unknown as string })]), /NOT NULL constraint failed: events\.type/);
  assert.equal(database.store.readStream('s').length, 1);
  // The statement and its binder are still usable after the failure.
  database.store.append('s', [anEvent(), anEvent()]);
  assert.deepEqual(database.store.readStream('s').map((e) => e.streamPosition), [1, 2, 3]);
  database.close();
});

test('after an export (which frees every statement) appends find the new statement and keep binding directly', async () => {
  const database = await LogbookDatabase.create();
  database.store.append('s', [anEvent({ data: { n: 1 } })]);
  database.export();
  database.store.append('s', [anEvent({ data: { n: 2 } }), anEvent({ data: { n: 3 } })]);
  database.export();
  database.store.append('s', [anEvent({ data: { n: 4 } })]);
  assert.deepEqual(database.store.readStream('s').map((e) => [e.streamPosition, (e.data as { n: number }).n]), [[1, 1], [2, 2], [3, 3], [4, 4]]);
  database.close();
});

test('DirectBinder binds UTF-8 bytes as TEXT, and runs rows of any width', async () => {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE t (a, b, c)');
  const sql = 'INSERT INTO t VALUES (?, ?, ?)';
  const statement = db.prepare(sql);
  const binder = DirectBinder.for(SQL, db, statement, sql);
  assert.ok(binder, 'this sql.js exposes what direct binding needs');
  const changed: number[] = [];
  const rows: DirectValue[][] = [[Buffer.from('bytés'), 'text', 3], [null, -2_147_483_649, 0.25]];
  binder.run(rows, (_index, modified) => changed.push(modified));
  assert.deepEqual(changed, [1, 1]);
  assert.deepEqual(db.exec('SELECT a, typeof(a), b, typeof(b), c, typeof(c) FROM t')[0]?.values, [
    ['bytés', 'text', 'text', 'text', 3, 'integer'],
    [null, 'null', -2_147_483_649, 'real', 0.25, 'real'],
  ]);
  assert.throws(() => binder.run([['a', 'b'], ['c']], () => undefined), /row 1 has 1 values, the first has 2/);
  statement.free();
  db.close();
});

test('a sql.js without the exported C functions falls back to Statement.run', async () => {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  migrate(db);
  const statement = db.prepare('SELECT 1');
  assert.equal(DirectBinder.for({} as SqlJsStatic, db, statement, 'SELECT 1'), undefined);
  assert.equal(DirectBinder.for(SQL, db, statement, 'SELECT 2'), undefined, 'a statement prepared from other SQL is not taken for this one');
  statement.free();
  const store = new SqliteEventStore(db, NOW, {} as SqlJsStatic);
  store.append('s', [anEvent(), anEvent()]);
  assert.deepEqual(store.readStream('s').map((e) => e.streamPosition), [1, 2]);
  db.close();
});

test('an append bigger than one copy into the WASM heap goes in slices, positions and bytes intact across them', async () => {
  const { direct, reference, dump } = await twins();
  const big = (n: number, char: string): NewEvent => anEvent({ eventId: `big-${n}`, serialized: { data: JSON.stringify({ n, s: char.repeat(450_000) }), metadata: '{}' } });
  const stored = big(0, 'a');
  const events = [big(1, 'é'), stored, big(2, 'b'), big(3, '✓'), stored, big(4, 'c'), anEvent({ eventId: 'small' })];
  for (const store of [direct, reference]) {
    store.append('s', [stored]);
    const result = store.append('s', events);
    assert.deepEqual([result.appended, result.duplicates, result.nextExpectedVersion], [5, 2, 6]);
  }
  const rows = dump('direct');
  assert.deepEqual(rows.map((r) => [r[2], r[3]]), [[1, 'big-0'], [2, 'big-1'], [3, 'big-2'], [4, 'big-3'], [5, 'big-4'], [6, 'small']]);
  assert.deepEqual(rows, dump('reference'));
});
