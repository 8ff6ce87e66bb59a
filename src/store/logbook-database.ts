import { existsSync, lstatSync, renameSync, closeSync, statSync } from 'node:fs';
import type { Database, SqlJsStatic } from 'sql.js';
import { loadSqlJs } from './sqljs';
import { CURRENT_SCHEMA_VERSION, migrate, READ_IN_PLACE_SCHEMA_VERSION } from './schema';
import { SqliteEventStore } from './sqlite-event-store';
import { removeStaleTemps } from './durable-file';
import { openSafe, readSafe } from '../capture/safe-fs';
import { openPageFile } from './pagefile/page-file';
import { checkCompanions } from './pagefile/companions';

/** SQLite's page cache of the single writer, in KiB: the writer's memory bound, whatever the store's size. */
const WRITER_CACHE_KIB = 16 * 1024;
/** A reader's page cache, in KiB. */
const READER_CACHE_KIB = 8 * 1024;

/** Why a store file could not be used as it is. */
export type StoreFileProblem =
  | { readonly kind: 'missing' }
  | { readonly kind: 'corrupt'; readonly reason: string }
  /** A writer was killed mid-commit: its journal must be rolled back (by a writer) before anyone reads. */
  | { readonly kind: 'interrupted'; readonly reason: string };

export type OpenStoreOutcome =
  | { readonly ok: true; readonly database: LogbookDatabase; readonly migrated: number[] }
  | { readonly ok: false; readonly problem: StoreFileProblem };

/** Page size of a new store file, in bytes. */
export const PAGE_SIZE = 16_384;

export interface OpenOptions {
  /** The single writer (holding the ingest lock): read-write, which also rolls back a journal a killed writer left. Otherwise read-only. */
  readonly writer?: boolean;
}

/** How a LogbookDatabase holds its data: a page file (written a page at a time), or SQLite's memory (tests, old-schema readers). */
export type Holding = 'page-file' | 'read-only' | 'memory';

/**
 * The store file, read and written a page at a time (pagefile/): a COMMIT is durable (SQLite's
 * rollback journal, fsync), a query reads only the pages it needs. The single writer opens it
 * read-write; readers read-only, with locks that keep them off pages a commit is writing.
 */
export class LogbookDatabase {
  readonly store: SqliteEventStore;
  private closed = false;

  private constructor(private readonly db: Database, readonly path: string | undefined, sqlJs: SqlJsStatic, readonly holding: Holding) {
    this.store = new SqliteEventStore(db, undefined, sqlJs);
    this.store.readOnly = holding === 'read-only';
  }

  /**
   * A fresh database with the current schema: a new page file at `path` (which must not hold a
   * store already), or, without a path, in memory (tests, benches).
   */
  static async create(path?: string): Promise<LogbookDatabase> {
    const SQL = await loadSqlJs();
    let database: LogbookDatabase;
    if (path === undefined) {
      database = new LogbookDatabase(new SQL.Database(), undefined, SQL, 'memory');
      // Rows are hook payloads of ~1 KB, a few per 4 KB page; on 16 KB pages INSERTs split fewer pages.
      database.db.run(`PRAGMA page_size = ${PAGE_SIZE}`);
    } else {
      if (existsSync(path) && statSync(path).size > 0) throw new Error(`${path} already holds a store`);
      removeStaleTemps(path);
      checkCompanions(path);
      const file = await openPageFile(path, { cacheKiB: WRITER_CACHE_KIB, pageSize: PAGE_SIZE });
      database = new LogbookDatabase(file.db, file.path, SQL, 'page-file');
    }
    try {
      migrate(database.db);
    } catch (error) {
      database.close();
      throw error;
    }
    return database;
  }

  /**
   * Opens an existing store file; a missing, unreadable or interrupted one is reported, never
   * thrown. There is no integrity check here (its cost would follow the file's size): damage is
   * found when SQLite meets it, and the writer then moves the file aside and rebuilds.
   */
  static async open(path: string, options: OpenOptions = {}): Promise<OpenStoreOutcome> {
    removeStaleTemps(path);
    // lstat: a dangling link is not a missing store but a planted one (refused below).
    if (lstatSync(path, { throwIfNoEntry: false }) === undefined) return { ok: false, problem: { kind: 'missing' } };
    // A planted journal link or lock marker is named, never followed (nor the store moved aside for it).
    checkCompanions(path);
    let database: LogbookDatabase | undefined;
    try {
      // A planted link (to another store, or any file), a FIFO or a hard link is refused, not
      // read: the writer then moves it aside and rebuilds, as for any unreadable store.
      closeSync(openSafe(path, 'read'));
      const SQL = await loadSqlJs();
      const writer = options.writer === true;
      const file = await openPageFile(path, { readonly: !writer, cacheKiB: writer ? WRITER_CACHE_KIB : READER_CACHE_KIB });
      database = new LogbookDatabase(file.db, file.path, SQL, writer ? 'page-file' : 'read-only');
      const tables = database.db.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'schema_migrations')");
      const names = new Set((tables[0]?.values ?? []).map((row) => String(row[0])));
      if (!names.has('events')) throw new Error('it has no events table');
      const version = names.has('schema_migrations') ? database.schemaVersion() : 0;
      if (!writer && version < READ_IN_PLACE_SCHEMA_VERSION) {
        // Readers never write the file: a store older than the page-file era (until the writer migrates it) is read whole and migrated in memory.
        database.close();
        database = undefined;
        return LogbookDatabase.openInMemory(SQL, path);
      }
      // A newer store not migrated yet is read in place: what the later migrations add, the store derives by scanning.
      if (!writer) database.store.schemaVersion = Math.min(version, CURRENT_SCHEMA_VERSION);
      return { ok: true, database, migrated: writer ? migrate(database.db) : [] };
    } catch (error) {
      database?.close();
      const reason = (error as Error).message;
      // A read-only connection cannot roll back a journal a killed writer left (SQLITE_READONLY_ROLLBACK).
      if (options.writer !== true && /readonly database/i.test(reason) && existsSync(`${path}-journal`)) return { ok: false, problem: { kind: 'interrupted', reason } };
      return { ok: false, problem: { kind: 'corrupt', reason } };
    }
  }

  private static openInMemory(SQL: SqlJsStatic, path: string): OpenStoreOutcome {
    const db = new SQL.Database(readSafe(path));
    try {
      const migrated = migrate(db);
      return { ok: true, database: new LogbookDatabase(db, path, SQL, 'memory'), migrated };
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private schemaVersion(): number {
    const value = this.db.exec('SELECT COALESCE(MAX(version), 0) FROM schema_migrations')[0]?.values[0]?.[0];
    return typeof value === 'number' ? value : 0;
  }

  /** The database's size: pages × page size. */
  byteSize(): number {
    const pages = Number(this.db.exec('PRAGMA page_count')[0]?.values[0]?.[0] ?? 0);
    const size = Number(this.db.exec('PRAGMA page_size')[0]?.values[0]?.[0] ?? 0);
    return pages * size;
  }

  /** Runs `work` in one transaction: many appends, one commit (durable on a page file). */
  transaction<T>(work: () => T): T {
    this.db.run('BEGIN');
    this.store.inTransaction = true;
    let result: T;
    try {
      result = work();
      this.db.run('COMMIT');
    } catch (error) {
      try {
        this.db.run('ROLLBACK');
      } catch {
        // SQLite already rolled it back (out of memory, disk full): the first error is the one to tell.
      }
      this.store.forgetVersions();
      throw error;
    } finally {
      this.store.inTransaction = false;
    }
    return result;
  }

  /** Brings the full-text index up to date (idle work for the writer), in one commit per call. */
  catchUpFullText(limit?: number): number {
    return this.transaction(() => this.store.catchUpFullText(limit));
  }

  /**
   * A copy of the whole database as one image (SQLite's file format), from a consistent read:
   * for a copy kept aside, never for the store's own durability (every COMMIT is durable).
   */
  export(): Uint8Array {
    this.store.beforeExport();
    return this.db.export();
  }

  /** For tests and migrations: raw SQL on the underlying database. */
  get raw(): Database {
    return this.db;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.store.beforeExport();
    this.db.close();
  }
}

/** Moves an unusable store file aside (never deletes it), with its journal if it has one; returns where it went. */
export function moveAside(path: string, now = new Date()): string {
  const target = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, target);
  // A journal left beside the path would be played into the next store made there.
  if (existsSync(`${path}-journal`)) renameSync(`${path}-journal`, `${target}-journal`);
  return target;
}
