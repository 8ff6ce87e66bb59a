import type { Database, SqlJsStatic, Statement } from 'sql.js';

// sql.js's Statement.run binds each value through its JS wrapper: a string is measured and
// encoded into a fresh malloc character by character, a blob gets a malloc and a copy of its
// own, and every value, step and reset goes through a cwrap. For the writer's bulk INSERT
// that wrapper cost as much as SQLite's own work. Here a batch of rows is encoded into one
// buffer (V8's native UTF-8 encoder), copied into the WASM heap in one go, and bound by
// pointer with the SQLite C functions sql.js's module exports (sqlite3_bind_text with
// SQLITE_STATIC: no copy inside SQLite either). Same statement, same values, same errors:
// a row SQLite refuses is run again through Statement.run, which throws sql.js's own error.

/** A value bound as TEXT (a string, or its UTF-8 bytes), an INTEGER, or NULL. */
export type DirectValue = string | Uint8Array | number | null;

/** The C functions of sql.js's module used here (sql.js 1.16 exports them; DirectBinder.for checks). */
interface SqlJsExports {
  _malloc(size: number): number;
  _free(pointer: number): void;
  _sqlite3_bind_text(statement: number, column: number, pointer: number, bytes: number, destructor: number): number;
  _sqlite3_bind_int(statement: number, column: number, value: number): number;
  _sqlite3_bind_double(statement: number, column: number, value: number): number;
  _sqlite3_bind_blob(statement: number, column: number, pointer: number, bytes: number, destructor: number): number;
  _sqlite3_step(statement: number): number;
  _sqlite3_reset(statement: number): number;
  _sqlite3_clear_bindings(statement: number): number;
  _sqlite3_sql(statement: number): number;
  UTF8ToString(pointer: number): string;
  writeArrayToMemory(array: ArrayLike<number>, pointer: number): void;
}

const SQLITE_OK = 0;
const SQLITE_DONE = 101;
/** sqlite3_bind_text's destructor argument: the memory outlives the binding (we free it after clear_bindings). */
const SQLITE_STATIC = 0;
/** Rows are copied into the WASM heap this many bytes at a time (a row larger than this goes alone). */
const CHUNK_BYTES = 1024 * 1024;
/** The encoding buffer is let go after a run that grew it past this. */
const KEEP_BUFFER_BYTES = 4 * 1024 * 1024;
/** Result codes that refuse one row and leave the transaction as it was: constraint, too big, type mismatch, bind range. */
const ROW_REFUSALS: ReadonlySet<number> = new Set([18, 19, 20, 25]);
/** SQLite's own words for the other codes a step can end with (sqlite3_errstr is not exported). */
const SQLITE_ERRORS: ReadonlyMap<number, string> = new Map([
  [1, 'SQL logic error'], [5, 'database is locked'], [6, 'database table is locked'], [7, 'out of memory'], [8, 'attempt to write a readonly database'],
  [9, 'interrupted'], [10, 'disk I/O error'], [11, 'database disk image is malformed'], [13, 'database or disk is full'],
]);
/** Largest value bound as INTEGER by sqlite3_bind_int; others go as REAL, as sql.js does. */
const INT32_MAX = 0x7fffffff;

/** Rows from..end-1 encoded: per value its offset and length in the buffer, and the bytes used. */
interface Chunk {
  readonly offsets: readonly number[];
  readonly bytes: number;
  readonly end: number;
}

/** Runs one prepared statement over many rows, binding by pointer. */
export class DirectBinder {
  /** Reused between runs: grown as needed, let go past KEEP_BUFFER_BYTES. */
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES + 256 * 1024);

  private constructor(
    private readonly module: SqlJsExports,
    private readonly db: Database,
    private readonly statement: Statement,
    private readonly handle: number,
  ) {}

  /**
   * A binder for `statement` of `db` (prepared from `sql`), or undefined when this sql.js does
   * not expose what it needs: the caller then uses Statement.run, which does the same, slower.
   */
  static for(module: SqlJsStatic, db: Database, statement: Statement, sql: string): DirectBinder | undefined {
    const exports = module as unknown as Partial<SqlJsExports>;
    const needed: (keyof SqlJsExports)[] = ['_malloc', '_free', '_sqlite3_bind_text', '_sqlite3_bind_int', '_sqlite3_bind_double', '_sqlite3_bind_blob',
      '_sqlite3_step', '_sqlite3_reset', '_sqlite3_clear_bindings', '_sqlite3_sql', 'UTF8ToString', 'writeArrayToMemory'];
    if (!needed.every((name) => typeof exports[name] === 'function')) return undefined;
    const complete = exports as SqlJsExports;
    const handle = statementHandle(complete, db, statement, sql);
    return handle === undefined ? undefined : new DirectBinder(complete, db, statement, handle);
  }

  /**
   * Runs the statement once per row, in order; `changed(i, n)` is told after row i how many
   * rows it changed (sqlite3_changes: 0 for an INSERT that ON CONFLICT skipped). Numbers are
   * bound when their row runs, so `changed` may still adjust them in later rows; texts not.
   */
  run(rows: readonly (readonly DirectValue[])[], changed: (index: number, rowsModified: number) => void): void {
    // In slices of about CHUNK_BYTES: the WASM heap never shrinks, so a batch of big entries
    // must not grow it by the whole batch at once.
    for (let from = 0; from < rows.length;) {
      const chunk = this.encode(rows, from);
      this.runChunk(rows, from, chunk, changed);
      from = chunk.end;
    }
    if (this.buffer.length > KEEP_BUFFER_BYTES) this.buffer = Buffer.allocUnsafe(KEEP_BUFFER_BYTES);
  }

  private runChunk(rows: readonly (readonly DirectValue[])[], from: number, chunk: Chunk, changed: (index: number, rowsModified: number) => void): void {
    const m = this.module;
    const base = m._malloc(Math.max(chunk.bytes, 1));
    if (base === 0) throw new Error(`sql.js could not allocate ${chunk.bytes} bytes for ${chunk.end - from} rows`);
    try {
      // Int8Array over the same bytes: sql.js's heap is an Int8Array, and same-typed arrays copy as one block.
      m.writeArrayToMemory(new Int8Array(this.buffer.buffer, this.buffer.byteOffset, chunk.bytes), base);
      const handle = this.handle;
      // A statement left mid-run (Statement.run stops at its error without resetting) takes no bindings.
      m._sqlite3_reset(handle);
      for (let r = from; r < chunk.end; r += 1) {
        const row = rows[r] as readonly DirectValue[];
        for (let c = 0; c < row.length; c += 1) {
          const value = row[c] as DirectValue;
          const column = c + 1;
          let bound: number;
          if (value === null) bound = m._sqlite3_bind_blob(handle, column, 0, 0, SQLITE_STATIC);
          else if (typeof value === 'number') {
            bound = Number.isInteger(value) && Math.abs(value) <= INT32_MAX ? m._sqlite3_bind_int(handle, column, value) : m._sqlite3_bind_double(handle, column, value);
          } else {
            const at = ((r - from) * row.length + c) * 2;
            bound = m._sqlite3_bind_text(handle, column, base + (chunk.offsets[at] as number), chunk.offsets[at + 1] as number, SQLITE_STATIC);
          }
          if (bound !== SQLITE_OK) this.fail(row, bound);
        }
        const rc = m._sqlite3_step(handle);
        m._sqlite3_reset(handle);
        if (rc !== SQLITE_DONE) this.fail(row, rc);
        changed(r, this.db.getRowsModified());
      }
    } finally {
      // SQLite may keep a SQLITE_STATIC pointer until its binding is cleared: clear, then free.
      m._sqlite3_clear_bindings(this.handle);
      m._free(base);
    }
  }

  /**
   * The text values of rows[from..] one after another in the buffer, until about CHUNK_BYTES
   * (at least one row); per value its offset and length.
   */
  private encode(rows: readonly (readonly DirectValue[])[], from: number): Chunk {
    const width = rows[0]?.length ?? 0;
    const offsets: number[] = [];
    let at = 0;
    let r = from;
    for (; r < rows.length && (r === from || at < CHUNK_BYTES); r += 1) {
      const row = rows[r] as readonly DirectValue[];
      if (row.length !== width) throw new Error(`row ${r} has ${row.length} values, the first has ${width}`);
      for (let c = 0; c < width; c += 1) {
        const value = row[c];
        let length = 0;
        if (typeof value === 'string') {
          // A UTF-16 code unit never takes more than 3 UTF-8 bytes: room for the worst case.
          this.ensure(at + value.length * 3);
          length = this.buffer.write(value, at, 'utf8');
        } else if (value instanceof Uint8Array) {
          this.ensure(at + value.length);
          this.buffer.set(value, at);
          length = value.length;
        }
        offsets.push(at, length);
        at += length;
      }
    }
    return { offsets, bytes: at, end: r };
  }

  private ensure(size: number): void {
    if (size <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(size, this.buffer.length * 2));
    this.buffer.copy(grown);
    this.buffer = grown;
  }

  /**
   * The row again through sql.js's own path, which throws its usual error for what SQLite refused.
   * Only a refusal of the row itself is run again: after an error that ends the transaction (out
   * of memory, disk full) SQLite has rolled it back, and a second try would store the row on its
   * own, outside it.
   */
  private fail(row: readonly DirectValue[], rc: number): never {
    this.module._sqlite3_reset(this.handle);
    this.module._sqlite3_clear_bindings(this.handle);
    if (!ROW_REFUSALS.has(rc)) throw new Error(`${SQLITE_ERRORS.get(rc) ?? 'SQLite error'} (result code ${rc}): ${this.statement.getSQL()}`);
    try {
      this.statement.run(row.map((value) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value)));
    } finally {
      this.module._sqlite3_reset(this.handle);
    }
    throw new Error(`SQLite refused a row (result code ${rc}) but accepted it on a second try: ${this.statement.getSQL()}`);
  }
}

/**
 * The sqlite3_stmt pointer behind a sql.js Statement. sql.js keeps its statements in a map on
 * the Database keyed by that pointer (the property's name is minified): find our Statement in
 * it, and check with sqlite3_sql that the pointer is the statement prepared from `sql`.
 */
export function statementHandle(m: Pick<SqlJsExports, '_sqlite3_sql' | 'UTF8ToString'>, db: Database, statement: Statement, sql: string): number | undefined {
  for (const value of Object.values(db as unknown as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, candidate] of Object.entries(value as Record<string, unknown>)) {
      if (candidate !== statement) continue;
      const handle = Number(key);
      if (Number.isSafeInteger(handle) && handle > 0 && m.UTF8ToString(m._sqlite3_sql(handle)) === sql) return handle;
    }
  }
  return undefined;
}
