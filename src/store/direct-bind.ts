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

/** The C functions of sql.js's module used here (exported by every sql.js build since 1.0). */
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
/** Largest value bound as INTEGER by sqlite3_bind_int; others go as REAL, as sql.js does. */
const INT32_MAX = 0x7fffffff;

/** Runs one prepared statement over many rows, binding by pointer. */
export class DirectBinder {
  /** Reused between batches: grown, never shrunk. */
  private buffer = Buffer.allocUnsafe(256 * 1024);

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
    if (rows.length === 0) return;
    const { offsets, bytes } = this.encode(rows);
    const m = this.module;
    const base = m._malloc(Math.max(bytes, 1));
    if (base === 0) throw new Error(`sql.js could not allocate ${bytes} bytes for a batch of ${rows.length} rows`);
    try {
      // Int8Array over the same bytes: sql.js's heap is an Int8Array, and same-typed arrays copy as one block.
      m.writeArrayToMemory(new Int8Array(this.buffer.buffer, this.buffer.byteOffset, bytes), base);
      const handle = this.handle;
      // A statement left mid-run (Statement.run stops at its error without resetting) takes no bindings.
      m._sqlite3_reset(handle);
      for (let r = 0; r < rows.length; r += 1) {
        const row = rows[r] as readonly DirectValue[];
        for (let c = 0; c < row.length; c += 1) {
          const value = row[c] as DirectValue;
          const column = c + 1;
          let bound: number;
          if (value === null) bound = m._sqlite3_bind_blob(handle, column, 0, 0, SQLITE_STATIC);
          else if (typeof value === 'number') {
            bound = Number.isInteger(value) && Math.abs(value) <= INT32_MAX ? m._sqlite3_bind_int(handle, column, value) : m._sqlite3_bind_double(handle, column, value);
          } else {
            const at = (r * row.length + c) * 2;
            bound = m._sqlite3_bind_text(handle, column, base + (offsets[at] as number), offsets[at + 1] as number, SQLITE_STATIC);
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

  /** Every text value's UTF-8 bytes, one after another in the buffer; per value its offset and length. */
  private encode(rows: readonly (readonly DirectValue[])[]): { offsets: Int32Array; bytes: number } {
    const width = rows[0]?.length ?? 0;
    const offsets = new Int32Array(rows.length * width * 2);
    let at = 0;
    for (let r = 0; r < rows.length; r += 1) {
      const row = rows[r] as readonly DirectValue[];
      if (row.length !== width) throw new Error(`row ${r} has ${row.length} values, the first has ${width}`);
      for (let c = 0; c < width; c += 1) {
        const value = row[c];
        if (typeof value === 'string') {
          // A UTF-16 code unit never takes more than 3 UTF-8 bytes: room for the worst case.
          this.ensure(at + value.length * 3);
          const written = this.buffer.write(value, at, 'utf8');
          offsets[(r * width + c) * 2] = at;
          offsets[(r * width + c) * 2 + 1] = written;
          at += written;
        } else if (value instanceof Uint8Array) {
          this.ensure(at + value.length);
          this.buffer.set(value, at);
          offsets[(r * width + c) * 2] = at;
          offsets[(r * width + c) * 2 + 1] = value.length;
          at += value.length;
        }
      }
    }
    return { offsets, bytes: at };
  }

  private ensure(size: number): void {
    if (size <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(size, this.buffer.length * 2));
    this.buffer.copy(grown);
    this.buffer = grown;
  }

  /** The row again through sql.js's own path, which throws its usual error for what SQLite refused. */
  private fail(row: readonly DirectValue[], rc: number): never {
    this.module._sqlite3_reset(this.handle);
    this.module._sqlite3_clear_bindings(this.handle);
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
function statementHandle(m: SqlJsExports, db: Database, statement: Statement, sql: string): number | undefined {
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
