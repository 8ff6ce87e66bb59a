import { sqlJsMemory } from '../sqljs';
import type { WasmMemory } from '../sqljs';

// sql.js opens every connection on a file of its in-memory file system and has no option to
// open another; page-file.ts opens one itself with the sqlite3_* functions sql.js's module
// exports, and sets it as the Database's handle (`db`, a sql.js 1.16 internal: the version is pinned).

/** What is used of sql.js's module. */
export interface SqlJsConnectionExports {
  _malloc(size: number): number;
  _free(pointer: number): void;
  stringToNewUTF8(text: string): number;
  _sqlite3_open(filename: number, handleOut: number): number;
  _sqlite3_close_v2(handle: number): number;
  _sqlite3_errmsg(handle: number): number;
  _RegisterExtensionFunctions(handle: number): number;
  UTF8ToString(pointer: number): string;
}

const SQLITE_OK = 0;

/** Opens a connection on `filename` with sql.js's exported sqlite3_open; returns its handle. */
export function openConnection(module: SqlJsConnectionExports, filename: string): number {
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
      throw new Error(`could not open the database file: ${message}`);
    }
    return handle;
  } finally {
    module._free(out);
    module._free(name);
  }
}
