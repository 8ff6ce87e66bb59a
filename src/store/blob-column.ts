import type { Database, SqlValue, Statement } from 'sql.js';
import { statementHandle } from './direct-bind';
import { sqlJsLoaded, sqlJsMemory } from './sqljs';

// sql.js's Statement.getBlob copies a value out of the WASM heap one byte at a time, into a
// fresh array per row: reading every session's overview row (6.5 MB at 5,000 sessions) spent
// more time there, and in the garbage it left, than SQLite spent finding the rows. Here a blob
// column of the current row is read as a view of the WASM memory (sqlite3_column_blob and
// _bytes, which sql.js's module exports), and the caller copies it where it wants in one go.

interface ColumnExports {
  _sqlite3_column_blob(statement: number, column: number): number;
  _sqlite3_column_bytes(statement: number, column: number): number;
  _sqlite3_column_type(statement: number, column: number): number;
  _sqlite3_sql(statement: number): number;
  UTF8ToString(pointer: number): string;
}

const SQLITE_BLOB = 4;
const SQLITE_TEXT = 3;

/** Reads a column of the row a statement stands on (after step() returned true). */
export type ColumnView = (column: number) => Uint8Array | undefined;

/**
 * A reader of `statement`'s blob or text columns as views of the WASM memory, valid until the
 * statement moves: undefined when this sql.js does not expose what it needs (the caller then uses
 * Statement.get). A column that is neither blob nor text reads as undefined.
 */
export function blobColumnView(db: Database, statement: Statement, sql: string): ColumnView | undefined {
  const m = sqlJsLoaded() as unknown as Partial<ColumnExports> | undefined;
  const memory = sqlJsMemory();
  if (m === undefined || memory === undefined) return undefined;
  const needed: (keyof ColumnExports)[] = ['_sqlite3_column_blob', '_sqlite3_column_bytes', '_sqlite3_column_type', '_sqlite3_sql', 'UTF8ToString'];
  if (!needed.every((name) => typeof m[name] === 'function')) return undefined;
  const exports = m as ColumnExports;
  const handle = statementHandle(exports, db, statement, sql);
  if (handle === undefined) return undefined;
  return (column) => {
    const type = exports._sqlite3_column_type(handle, column);
    if (type !== SQLITE_BLOB && type !== SQLITE_TEXT) return undefined;
    // Pointer first, then size: sqlite3_column_bytes after _blob is the documented order.
    const pointer = exports._sqlite3_column_blob(handle, column);
    const bytes = exports._sqlite3_column_bytes(handle, column);
    // The memory may have grown (a new buffer) since the last row.
    return new Uint8Array(memory.buffer, pointer, bytes);
  };
}

/** Bytes appended one piece after another into one buffer, grown by doubling. */
export class ByteJoiner {
  private buffer: Buffer;
  private used = 0;

  constructor(initial = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initial);
  }

  append(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes.length));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  appendByte(byte: number): void {
    if (this.used + 1 > this.buffer.length) this.append(Uint8Array.of(byte));
    else this.buffer[this.used++] = byte;
  }

  text(): string {
    return this.buffer.toString('utf8', 0, this.used);
  }
}

/**
 * The first column of every row `sql` gives (each a JSON value as TEXT or BLOB), joined as bytes
 * into one JSON array and parsed at once: a parse per row costs more. Undefined when a value is
 * not text or the whole does not parse.
 */
export function readJsonArray(db: Database, sql: string, params: SqlValue[] = []): unknown[] | undefined {
  const joined = new ByteJoiner();
  joined.appendByte(0x5b);
  const statement = db.prepare(sql);
  try {
    statement.bind(params);
    const view = blobColumnView(db, statement, sql);
    let first = true;
    while (statement.step()) {
      const bytes = view === undefined ? statement.get()[0] : view(0);
      if (!(bytes instanceof Uint8Array)) return undefined;
      if (!first) joined.appendByte(0x2c);
      joined.append(bytes);
      first = false;
    }
  } finally {
    statement.free();
  }
  joined.appendByte(0x5d);
  try {
    const parsed = JSON.parse(joined.text()) as unknown;
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
