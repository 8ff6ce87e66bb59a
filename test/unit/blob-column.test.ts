import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blobColumnView, ByteJoiner } from '../../src/store/blob-column';
import { loadSqlJs } from '../../src/store/sqljs';

// Overview rows are read as views of sql.js's WASM memory (blob-column.ts) instead of through
// Statement.getBlob's byte-by-byte copy: the bytes must be the very ones getBlob gives.

const VALUES = ['{"title":"plain"}', '{"title":"שלום עולם — ✓ 𝒜"}', '', 'x'.repeat(300_000)];

test('a blob or text column read as a view holds the bytes Statement.getBlob copies, row after row, a 300 KB one included', async () => {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b BLOB, c INTEGER)');
  VALUES.forEach((value, i) => db.run('INSERT INTO t VALUES (?, ?, CAST(? AS BLOB), NULL)', [i, value, value]));
  const sql = 'SELECT a, b, c FROM t ORDER BY id';
  const reference = db.exec('SELECT CAST(a AS BLOB), b FROM t ORDER BY id')[0]?.values ?? [];
  const statement = db.prepare(sql);
  const view = blobColumnView(db, statement, sql);
  assert.ok(view, 'this sql.js exposes what the view needs');
  const seen: [string, string][] = [];
  while (statement.step()) {
    const a = view(0);
    const b = view(1);
    assert.equal(view(2), undefined, 'a NULL column is no bytes');
    seen.push([Buffer.from(a ?? []).toString('utf8'), Buffer.from(b ?? []).toString('utf8')]);
  }
  statement.free();
  assert.deepEqual(seen, reference.map(([a, b]) => [Buffer.from(a as Uint8Array).toString('utf8'), Buffer.from(b as Uint8Array).toString('utf8')]));
  assert.deepEqual(seen.map(([a]) => a), VALUES);
  db.close();
});

test('no view for a statement prepared from other SQL than the one named (the caller reads through Statement.get)', async () => {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE t (a TEXT)');
  const statement = db.prepare('SELECT a FROM t');
  assert.equal(blobColumnView(db, statement, 'SELECT a FROM t WHERE 1'), undefined);
  statement.free();
  db.close();
});

test('ByteJoiner joins pieces and single bytes in order, past its first buffer', () => {
  const joined = new ByteJoiner(4);
  joined.appendByte(0x5b);
  for (let i = 0; i < 1000; i += 1) {
    if (i > 0) joined.appendByte(0x2c);
    joined.append(Buffer.from(String(i)));
  }
  joined.appendByte(0x5d);
  assert.deepEqual(JSON.parse(joined.text()), Array.from({ length: 1000 }, (_, i) => i));
});
