import type { Database } from 'sql.js';
import { searchableText } from './searchable-text';

/** One schema change, applied once, in order, recorded in schema_migrations. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** Work SQL alone cannot do, e.g. backfilling with the same extractor the writer uses. */
  readonly after?: (db: Database) => void;
}

// Never edit a migration that has shipped: add a new one.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events table, append-only triggers',
    sql: `
      CREATE TABLE events (
        global_position INTEGER PRIMARY KEY,
        stream_id       TEXT    NOT NULL,
        stream_position INTEGER NOT NULL,
        event_id        TEXT    NOT NULL UNIQUE,
        type            TEXT    NOT NULL,
        schema_version  INTEGER NOT NULL,
        recorded_at     TEXT    NOT NULL,
        correlation_id  TEXT,
        causation_id    TEXT,
        data            TEXT    NOT NULL,
        metadata        TEXT    NOT NULL,
        UNIQUE (stream_id, stream_position)
      );
      CREATE INDEX events_by_type ON events (type, global_position);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are immutable: UPDATE is not allowed'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are immutable: DELETE is not allowed'); END;
    `,
  },
  {
    version: 2,
    name: 'full-text index (FTS4: sql.js has no FTS5)',
    sql: `
      CREATE VIRTUAL TABLE events_fts USING fts4(body, tokenize=unicode61);
    `,
    after: backfillFullText,
  },
  {
    version: 3,
    name: 'projection checkpoints; the full-text index becomes a projection that catches up',
    // Migration 2 indexed everything that existed; appends are no longer indexed inline.
    sql: `
      CREATE TABLE projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
      INSERT INTO projection_checkpoints (name, position) SELECT 'fts', COALESCE(MAX(global_position), 0) FROM events;
      -- Measured at about a tenth of the append cost; correlation reads are rare and scan instead.
      DROP INDEX IF EXISTS events_by_correlation;
    `,
  },
  {
    version: 4,
    name: 'projection snapshots: which fold, which version, up to which event; its state in parts',
    // A read model's state at a global position, so a reader resumes there instead of folding the
    // whole store. The state is kept in parts (one per stream for the session catalog) so a save
    // rewrites only what changed since the last one. Derived data: a rebuilt store starts without.
    sql: `
      CREATE TABLE projection_snapshots (
        name     TEXT    PRIMARY KEY,
        version  INTEGER NOT NULL,
        position INTEGER NOT NULL,
        saved_at TEXT    NOT NULL
      );
      CREATE TABLE projection_snapshot_parts (
        name  TEXT NOT NULL,
        key   TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (name, key)
      ) WITHOUT ROWID;
    `,
  },
];

export const CURRENT_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Applies every migration newer than the database's; returns the versions applied. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const current = schemaVersion(db);
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.run('BEGIN');
    try {
      db.run(migration.sql);
      migration.after?.(db);
      db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [migration.version, migration.name, new Date().toISOString()]);
      db.run('COMMIT');
    } catch (error) {
      db.run('ROLLBACK');
      throw error;
    }
    applied.push(migration.version);
  }
  return applied;
}

export function schemaVersion(db: Database): number {
  const result = db.exec('SELECT COALESCE(MAX(version), 0) FROM schema_migrations');
  const value = result[0]?.values[0]?.[0];
  return typeof value === 'number' ? value : 0;
}

function backfillFullText(db: Database): void {
  const rows = db.prepare('SELECT global_position, type, data FROM events ORDER BY global_position');
  const insert = db.prepare('INSERT INTO events_fts (docid, body) VALUES (?, ?)');
  try {
    while (rows.step()) {
      const [position, type, data] = rows.get() as [number, string, string];
      insert.run([position, searchableText(type, JSON.parse(data) as unknown)]);
    }
  } finally {
    rows.free();
    insert.free();
  }
}
