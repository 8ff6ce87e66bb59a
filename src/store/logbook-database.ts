import { existsSync, readFileSync, renameSync } from 'node:fs';
import type { Database, SqlJsStatic } from 'sql.js';
import { loadSqlJs } from './sqljs';
import { migrate } from './schema';
import { SqliteEventStore } from './sqlite-event-store';
import { removeStaleTemps, writeFileDurably } from './durable-file';

/** Why a store file could not be used as it is. */
export type StoreFileProblem =
  | { readonly kind: 'missing' }
  | { readonly kind: 'corrupt'; readonly reason: string };

export type OpenStoreOutcome =
  | { readonly ok: true; readonly database: LogbookDatabase; readonly migrated: number[] }
  | { readonly ok: false; readonly problem: StoreFileProblem };

/**
 * The store file: a real SQLite file that sql.js holds in memory. Only the single writer
 * flushes it; readers open a snapshot. A flush is durable (temp, fsync, rename).
 */
export class LogbookDatabase {
  readonly store: SqliteEventStore;
  private dirty = false;

  private constructor(private readonly db: Database, readonly path: string | undefined, sqlJs: SqlJsStatic) {
    this.store = new SqliteEventStore(db, undefined, sqlJs);
  }

  /** A fresh database (in memory, or to be flushed to `path`), with the current schema. */
  static async create(path?: string): Promise<LogbookDatabase> {
    const SQL = await loadSqlJs();
    const database = new LogbookDatabase(new SQL.Database(), path, SQL);
    migrate(database.db);
    database.dirty = true;
    return database;
  }

  /** Opens an existing file; a missing or unreadable one is reported, never thrown. */
  static async open(path: string): Promise<OpenStoreOutcome> {
    removeStaleTemps(path);
    if (!existsSync(path)) return { ok: false, problem: { kind: 'missing' } };
    const SQL = await loadSqlJs();
    let db: Database | undefined;
    try {
      db = new SQL.Database(readFileSync(path));
      const check = db.exec('PRAGMA quick_check')[0]?.values[0]?.[0];
      if (check !== 'ok') throw new Error(`integrity check: ${String(check)}`);
      const tables = db.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'events'");
      if (tables.length === 0) throw new Error('it has no events table');
      const migrated = migrate(db);
      const database = new LogbookDatabase(db, path, SQL);
      if (migrated.length > 0) database.dirty = true;
      return { ok: true, database, migrated };
    } catch (error) {
      db?.close();
      return { ok: false, problem: { kind: 'corrupt', reason: (error as Error).message } };
    }
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
    try {
      const result = work();
      this.db.run('COMMIT');
      this.dirty = true;
      return result;
    } catch (error) {
      this.db.run('ROLLBACK');
      this.store.forgetVersions();
      throw error;
    } finally {
      this.store.inTransaction = false;
    }
  }

  /** Brings the full-text index up to date (idle work for the writer); marks the file dirty. */
  catchUpFullText(limit?: number): number {
    const indexed = this.store.catchUpFullText(limit);
    if (indexed > 0) this.dirty = true;
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
