import { lstatSync, renameSync } from 'node:fs';
import type { Database, SqlJsStatic } from 'sql.js';
import { loadSqlJs } from './sqljs';
import { migrate } from './schema';
import { SqliteEventStore } from './sqlite-event-store';
import { removeStaleTemps, writeFileDurably } from './durable-file';
import { readSafe } from '../capture/safe-fs';
import { copyDatabase, moveMainDatabase, residenceSupported } from './residence';
import type { Residence } from './residence';

/** The writer's page cache, in KiB (sql.js's default is 2 MB). */
const WRITER_CACHE_KIB = 16 * 1024;

/** Why a store file could not be used as it is. */
export type StoreFileProblem =
  | { readonly kind: 'missing' }
  | { readonly kind: 'corrupt'; readonly reason: string };

export type OpenStoreOutcome =
  | { readonly ok: true; readonly database: LogbookDatabase; readonly migrated: number[] }
  | { readonly ok: false; readonly problem: StoreFileProblem };

/** Page size of a new store file, in bytes. */
export const PAGE_SIZE = 16_384;

/**
 * The writer's store stays in SQLite's memory (residence.ts) while it is at most this big; past
 * it, it goes back onto sql.js's file. sql.js's WASM memory ends at 2 GB, and a pass must have
 * room to grow in it.
 */
export const MEMORY_LIMIT_BYTES = 256 * 1024 * 1024;

/** How the single writer holds the store (readers take the defaults: a plain sql.js file). */
export interface WriterResidence {
  /** Keep the database in SQLite's memory while it stays within `memoryLimitBytes`. */
  readonly inMemory: boolean;
  readonly memoryLimitBytes?: number;
}

/**
 * The store file: a real SQLite file that sql.js holds in memory. Only the single writer
 * flushes it; readers open a snapshot. A flush is durable (temp, fsync, rename).
 */
export class LogbookDatabase {
  readonly store: SqliteEventStore;
  private dirty = false;
  private where: Residence = 'file';
  private memoryLimit = MEMORY_LIMIT_BYTES;
  private writerTuned = false;

  private constructor(private readonly db: Database, readonly path: string | undefined, private readonly sqlJs: SqlJsStatic) {
    this.store = new SqliteEventStore(db, undefined, sqlJs);
  }

  /** A fresh database (in memory, or to be flushed to `path`), with the current schema. */
  static async create(path?: string, residence?: WriterResidence): Promise<LogbookDatabase> {
    const SQL = await loadSqlJs();
    const database = new LogbookDatabase(new SQL.Database(), path, SQL);
    // Only an empty database takes a page size (and the move into memory copies it). Rows are
    // hook payloads of ~1 KB, a few per 4 KB page; on 16 KB pages the writer's INSERTs split
    // fewer pages and an export copies a quarter as many. Stores made before keep their 4 KB
    // pages: a rebuild moves them over.
    database.db.run(`PRAGMA page_size = ${PAGE_SIZE}`);
    if (residence?.inMemory === true) {
      try {
        database.moveInto('memory', residence.memoryLimitBytes);
      } catch {
        // No memory for it: the store stays on sql.js's file, as readers hold it.
      }
    }
    migrate(database.db);
    database.dirty = true;
    return database;
  }

  /** Opens an existing file; a missing or unreadable one is reported, never thrown. */
  static async open(path: string, residence?: WriterResidence): Promise<OpenStoreOutcome> {
    removeStaleTemps(path);
    // lstat: a dangling link is not a missing store but a planted one (refused below).
    if (lstatSync(path, { throwIfNoEntry: false }) === undefined) return { ok: false, problem: { kind: 'missing' } };
    const SQL = await loadSqlJs();
    let db: Database | undefined;
    let target: LogbookDatabase | undefined;
    try {
      // A planted link (to another store, or any file) or FIFO is refused, not read: the writer
      // then moves the link aside and rebuilds, as for any unreadable store.
      const bytes = readSafe(path);
      db = new SQL.Database(bytes);
      const check = db.exec('PRAGMA quick_check')[0]?.values[0]?.[0];
      if (check !== 'ok') throw new Error(`integrity check: ${String(check)}`);
      const tables = db.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'events'");
      if (tables.length === 0) throw new Error('it has no events table');
      if (residence?.inMemory === true && bytes.length <= (residence.memoryLimitBytes ?? MEMORY_LIMIT_BYTES)) {
        target = LogbookDatabase.copyIntoMemory(SQL, db, path, residence.memoryLimitBytes);
        if (target !== undefined) {
          db.close();
          db = target.db;
        }
      }
      const migrated = migrate(db);
      const database = target?.db === db ? target : new LogbookDatabase(db, path, SQL);
      if (migrated.length > 0) database.dirty = true;
      return { ok: true, database, migrated };
    } catch (error) {
      db?.close();
      return { ok: false, problem: { kind: 'corrupt', reason: (error as Error).message } };
    }
  }

  /**
   * A copy of `source` in a database that is in memory from the start (sql.js's file of it stays
   * empty); undefined when it cannot be made (this sql.js, or no memory for it): the caller
   * keeps the file. Never a reason to call the store corrupt.
   */
  private static copyIntoMemory(SQL: SqlJsStatic, source: Database, path: string, memoryLimitBytes: number | undefined): LogbookDatabase | undefined {
    const target = new LogbookDatabase(new SQL.Database(), path, SQL);
    try {
      // SQLite copies into an in-memory database only between equal page sizes, and an
      // in-memory database takes its page size with the move.
      target.db.run(`PRAGMA page_size = ${Number(source.exec('PRAGMA page_size')[0]?.values[0]?.[0])}`);
      if (!target.moveInto('memory', memoryLimitBytes)) throw new Error('this sql.js cannot hold a database in memory');
      copyDatabase(SQL, source, target.db);
      return target;
    } catch {
      target.close();
      return undefined;
    }
  }

  /** Where the main database lives now: in SQLite's memory, or on sql.js's file. */
  get residence(): Residence {
    return this.where;
  }

  /**
   * The single writer's connection. Its rollback journal can live in memory, and a larger page
   * cache spills pages to sql.js's file less often in the middle of a pass. Neither touches
   * durability, which is the flush's (export, temp file, fsync, rename); a rollback still
   * undoes a failed pass. Kept across a move (pragmas belong to a connection).
   */
  tuneForWriting(): this {
    this.writerTuned = true;
    this.applyWriterPragmas();
    return this;
  }

  /**
   * Leaves memory for sql.js's file when the store, grown by `growthBytes` more, would pass the
   * limit; the writer calls it before a pass with what the pass may add. Returns whether it moved.
   */
  keepWithinMemory(growthBytes = 0): boolean {
    if (this.where !== 'memory' || this.store.inTransaction || this.byteSize() + growthBytes <= this.memoryLimit) return false;
    try {
      return this.moveInto('file');
    } catch {
      // SQLite refused the copy (it leaves the store as it was): it stays in memory, and the
      // next call tries again. Within WASM's 2 GB that is no loss, only a missed precaution.
      return false;
    }
  }

  /** The database's size: pages × page size. */
  byteSize(): number {
    const pages = Number(this.db.exec('PRAGMA page_count')[0]?.values[0]?.[0] ?? 0);
    const size = Number(this.db.exec('PRAGMA page_size')[0]?.values[0]?.[0] ?? 0);
    return pages * size;
  }

  private moveInto(to: Residence, memoryLimitBytes?: number): boolean {
    if (to === this.where || !residenceSupported(this.sqlJs, this.db)) return false;
    this.store.beforeExport();
    moveMainDatabase(this.sqlJs, this.db, to);
    this.where = to;
    if (memoryLimitBytes !== undefined) this.memoryLimit = memoryLimitBytes;
    this.applyWriterPragmas();
    return true;
  }

  private applyWriterPragmas(): void {
    if (!this.writerTuned) return;
    this.db.run('PRAGMA journal_mode = MEMORY');
    // Pages of an in-memory database are never evicted: the cache size only matters on the file.
    this.db.run(`PRAGMA cache_size = -${WRITER_CACHE_KIB}`);
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  markDirty(): void {
    this.dirty = true;
  }

  /** Runs `work` in one transaction: many appends, one commit. */
  transaction<T>(work: () => T): T {
    this.db.run('BEGIN');
    this.store.inTransaction = true;
    let result: T;
    try {
      result = work();
      this.db.run('COMMIT');
      this.dirty = true;
    } catch (error) {
      try {
        this.db.run('ROLLBACK');
      } catch {
        // SQLite already rolled it back (out of memory, disk full): the first error is the one to tell.
      }
      this.store.forgetVersions();
      this.store.inTransaction = false;
      // Out of memory while in memory: the next attempt of the same work runs on sql.js's file
      // (sql.js's own file system is JavaScript memory, outside WASM's 2 GB).
      if (this.where === 'memory' && /out of memory/i.test((error as Error).message)) this.keepWithinMemory(Number.POSITIVE_INFINITY);
      throw error;
    } finally {
      this.store.inTransaction = false;
    }
    this.keepWithinMemory();
    return result;
  }

  /** Brings the full-text index up to date (idle work for the writer); marks the file dirty. */
  catchUpFullText(limit?: number): number {
    const indexed = this.store.catchUpFullText(limit);
    if (indexed > 0) {
      this.dirty = true;
      this.keepWithinMemory();
    }
    return indexed;
  }

  /** Writes the whole database durably; returns the bytes written (0 when nothing changed). */
  flush(): number {
    if (!this.dirty || this.path === undefined) return 0;
    const bytes = this.export();
    writeFileDurably(this.path, bytes);
    this.dirty = false;
    return bytes.length;
  }

  export(): Uint8Array {
    this.store.beforeExport();
    return this.db.export();
  }

  /** For tests and migrations: raw SQL on the underlying database. */
  get raw(): Database {
    return this.db;
  }

  close(): void {
    this.store.beforeExport();
    this.db.close();
  }
}

/** Moves an unusable store file aside (never deletes it) and returns where it went. */
export function moveAside(path: string, now = new Date()): string {
  const target = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, target);
  return target;
}
