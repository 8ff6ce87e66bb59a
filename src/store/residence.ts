import type { Database, SqlJsStatic } from 'sql.js';
import { sqlJsMemory } from './sqljs';
import type { WasmMemory } from './sqljs';

// Where a sql.js database's main schema lives. sql.js opens every database on a file of its
// in-memory file system (Emscripten's MEMFS): each COMMIT writes its pages into that file, which
// grows in steps of 1/8th, copied whole each time, and an export reads them all back. For the
// single writer that was a third of an ingest (bench/ingest-bench.ts). An SQLite in-memory
// database keeps its pages in SQLite's own cache instead: a COMMIT writes nothing, and an
// export is one copy. Durability never came from either: it is the flush's (export, temp
// file, fsync, rename).
//
// sql.js has no option for it, so this swaps the connection under a sql.js Database: it opens
// the other kind with the sqlite3_* functions sql.js's module exports, copies the database
// over with SQLite's backup API, closes the old connection, and sets the Database's handle.
// That handle (`db`) is a sql.js 1.16 internal: residenceSupported says whether this sql.js
// has everything used, and callers keep the file otherwise.

export type Residence = 'memory' | 'file';

/** What is used of sql.js's module and Database. */
export interface SqlJsResidenceExports {
  _malloc(size: number): number;
  _free(pointer: number): void;
  stringToNewUTF8(text: string): number;
  _sqlite3_open(filename: number, handleOut: number): number;
  _sqlite3_close_v2(handle: number): number;
  _sqlite3_errmsg(handle: number): number;
  _sqlite3_backup_init(destination: number, destinationName: number, source: number, sourceName: number): number;
  _sqlite3_backup_step(backup: number, pages: number): number;
  _sqlite3_backup_finish(backup: number): number;
  _RegisterExtensionFunctions(handle: number): number;
  UTF8ToString(pointer: number): string;
}

interface DatabaseInternals {
  db: number | null;
  readonly filename: string;
}

const SQLITE_OK = 0;
const SQLITE_DONE = 101;
const EXPORTS = ['_malloc', '_free', 'stringToNewUTF8', '_sqlite3_open', '_sqlite3_close_v2', '_sqlite3_errmsg', '_sqlite3_backup_init', '_sqlite3_backup_step',
  '_sqlite3_backup_finish', '_RegisterExtensionFunctions', 'UTF8ToString'] as const;

/** Whether this sql.js lets a database move between memory and its file (see the top of the file). */
export function residenceSupported(sqlJs: SqlJsStatic, db: Database): boolean {
  const exports = sqlJs as unknown as Record<string, unknown>;
  const internals = db as unknown as Partial<DatabaseInternals>;
  return sqlJsMemory() !== undefined && EXPORTS.every((name) => typeof exports[name] === 'function')
    && typeof internals.db === 'number' && typeof internals.filename === 'string';
}

/**
 * Moves `db`'s main database to `to`: into SQLite's memory, or back onto the MEMFS file sql.js
 * gave it. The caller frees its prepared statements first (they belong to the old connection)
 * and sets its pragmas again after (they are per connection). Throws, leaving `db` as it was,
 * when SQLite refuses (e.g. out of memory).
 */
export function moveMainDatabase(sqlJs: SqlJsStatic, db: Database, to: Residence): void {
  const module = sqlJs as unknown as SqlJsResidenceExports;
  const internals = db as unknown as DatabaseInternals;
  const source = internals.db;
  if (source === null) throw new Error('the database is closed');
  const target = openConnection(module, to === 'memory' ? ':memory:' : internals.filename);
  try {
    copyMain(module, source, target);
  } catch (error) {
    module._sqlite3_close_v2(target);
    throw error;
  }
  module._sqlite3_close_v2(source);
  module._RegisterExtensionFunctions(target);
  internals.db = target;
}

/** Copies the whole main database of `source` over that of `target` (SQLite's backup API, in one step). */
export function copyDatabase(sqlJs: SqlJsStatic, source: Database, target: Database): void {
  const from = (source as unknown as DatabaseInternals).db;
  const to = (target as unknown as DatabaseInternals).db;
  if (from === null || to === null) throw new Error('the database is closed');
  copyMain(sqlJs as unknown as SqlJsResidenceExports, from, to);
}

/** Opens a connection on `filename` with sql.js's exported sqlite3_open (pagefile/ opens page files with it). */
export function openConnection(module: SqlJsResidenceExports, filename: string): number {
  const memory = sqlJsMemory() as WasmMemory;
  const name = module.stringToNewUTF8(filename);
  const out = module._malloc(4);
  try {
    const code = module._sqlite3_open(name, out);
    // The handle sqlite3_open wrote: a 32-bit pointer, little-endian, in the module's memory.
    const handle = new DataView(memory.buffer).getInt32(out, true);
    if (code !== SQLITE_OK) {
      const message = handle === 0 ? `code ${code}` : module.UTF8ToString(module._sqlite3_errmsg(handle));
      if (handle !== 0) module._sqlite3_close_v2(handle);
      throw new Error(`could not open ${filename === ':memory:' ? 'an in-memory database' : 'the database file'}: ${message}`);
    }
    return handle;
  } finally {
    module._free(out);
    module._free(name);
  }
}

function copyMain(module: SqlJsResidenceExports, from: number, to: number): void {
  const main = module.stringToNewUTF8('main');
  try {
    const backup = module._sqlite3_backup_init(to, main, from, main);
    if (backup === 0) throw new Error(`could not copy the database: ${module.UTF8ToString(module._sqlite3_errmsg(to))}`);
    const stepped = module._sqlite3_backup_step(backup, -1);
    const finished = module._sqlite3_backup_finish(backup);
    if (stepped !== SQLITE_DONE || finished !== SQLITE_OK) throw new Error(`could not copy the database: ${module.UTF8ToString(module._sqlite3_errmsg(to))}`);
  } finally {
    module._free(main);
  }
}
