import { resolve } from 'node:path';
import type { Database } from 'sql.js';
import { loadSqlJs } from '../sqljs';
import { openConnection } from './connection';
import type { SqlJsConnectionExports } from './connection';
import { installPageFileVfs, pageFileName } from './vfs';
import type { PageFileVfs } from './vfs';

// A sql.js Database whose main database is a real file read and written a page at a time
// (vfs.ts), under SQLite's rollback journal: a COMMIT writes the pages it changed (their old
// content to `<file>-journal` first, fsynced; then the pages, fsynced; then the journal is
// deleted), and a query reads the pages it needs. Memory is SQLite's page cache, not the file.
// sql.js's constructor always opens a file of its own MEMFS; the connection under it is swapped
// for one on the page file (connection.ts).

export interface PageFileOptions {
  /** A reader: the file is opened read-only and never written, not even to roll back a journal. */
  readonly readonly?: boolean;
  /** SQLite's page cache for this connection, in KiB (the memory bound). */
  readonly cacheKiB?: number;
  /** Page size of a new file, in bytes. */
  readonly pageSize?: number;
  /** How long a statement waits for a lock held by another process before SQLITE_BUSY. */
  readonly busyTimeoutMs?: number;
}

export interface PageFile {
  readonly db: Database;
  readonly path: string;
  readonly vfs: PageFileVfs;
}

interface DatabaseInternals {
  db: number | null;
}

/** Opens (or, for a writer, creates) the store file at `path` with page-level I/O. */
export async function openPageFile(path: string, options: PageFileOptions = {}): Promise<PageFile> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  const internals = db as unknown as DatabaseInternals;
  const placeholder = internals.db;
  if (placeholder === null) throw new Error('sql.js opened no connection');
  const vfs = installPageFileVfs(SQL, placeholder);
  const module = SQL as unknown as SqlJsConnectionExports;
  const absolute = resolve(path);
  const handle = openConnection(module, pageFileName(absolute, options.readonly === true));
  module._sqlite3_close_v2(placeholder);
  module._RegisterExtensionFunctions(handle);
  internals.db = handle;
  try {
    db.run(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.run(`PRAGMA cache_size = -${options.cacheKiB ?? 8192}`);
    // Sorts and temporary indexes stay in memory: a temp file would go through Emscripten's
    // in-memory file system a write call at a time (a sort of 6,881 sessions' rows: 0.9 s).
    db.run('PRAGMA temp_store = MEMORY');
    if (options.readonly !== true) {
      // Only an empty file takes a page size; an existing one keeps its own.
      db.run(`PRAGMA page_size = ${options.pageSize ?? 16_384}`);
      db.run('PRAGMA journal_mode = DELETE');
      db.run('PRAGMA synchronous = FULL');
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return { db, path: absolute, vfs };
}
