import type { Database } from 'sql.js';
import { promptOf } from './prompt-text';
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
  {
    version: 5,
    name: 'streams: each stream\'s version, first and last event, kept by a trigger',
    // Listing the sessions grouped every event by stream: its cost grew with the whole history
    // (0.6 s at 1M events). Events are only ever appended, in position order, so the newest
    // insert of a stream is its last event; derived data, rebuilt with the events it comes from.
    sql: `
      CREATE TABLE streams (
        stream_id         TEXT    PRIMARY KEY,
        version           INTEGER NOT NULL,
        first_pos         INTEGER NOT NULL,
        last_pos          INTEGER NOT NULL,
        first_recorded_at TEXT    NOT NULL,
        last_recorded_at  TEXT    NOT NULL,
        last_type         TEXT    NOT NULL,
        first_occurred_at TEXT,
        last_occurred_at  TEXT
      ) WITHOUT ROWID;
      CREATE INDEX streams_by_first ON streams (first_pos);
      CREATE TRIGGER events_streams AFTER INSERT ON events BEGIN
        INSERT INTO streams VALUES (NEW.stream_id, NEW.stream_position, NEW.global_position, NEW.global_position, NEW.recorded_at,
          NEW.recorded_at, NEW.type, json_extract(NEW.metadata, '$.receivedAt'), json_extract(NEW.metadata, '$.receivedAt'))
        ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_pos = excluded.last_pos,
          last_recorded_at = excluded.last_recorded_at, last_type = excluded.last_type, last_occurred_at = excluded.last_occurred_at;
      END;
      INSERT INTO streams
        SELECT s.stream_id, s.version, s.first_pos, s.last_pos, f.recorded_at, e.recorded_at, e.type,
          json_extract(f.metadata, '$.receivedAt'), json_extract(e.metadata, '$.receivedAt')
        FROM (SELECT stream_id, MAX(stream_position) AS version, MIN(global_position) AS first_pos, MAX(global_position) AS last_pos
              FROM events GROUP BY stream_id) s
        JOIN events e ON e.global_position = s.last_pos
        JOIN events f ON f.global_position = s.first_pos;
    `,
  },
  {
    version: 6,
    name: 'session_overview: one row per session, kept by the writer with the events it folds',
    // What every view across sessions lists (projections/overview/): a row's JSON, with the times
    // a listing orders and bounds by as columns, so "the latest 100 sessions" reads 100 rows of a
    // year's thousands. Derived data: the writer fills it again after a rebuild or a new version.
    sql: `
      CREATE TABLE session_overview (
        session_id TEXT    PRIMARY KEY,
        first_at   INTEGER,
        last_at    INTEGER,
        row        TEXT    NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX session_overview_by_last ON session_overview (last_at, session_id);
      CREATE INDEX session_overview_by_first ON session_overview (first_at, session_id);
      -- Rows kept among the snapshot parts before: the writer fills the table from scratch.
      DELETE FROM projection_snapshot_parts WHERE name = 'session-overview';
      DELETE FROM projection_snapshots WHERE name = 'session-overview';
    `,
  },
  {
    version: 7,
    name: 'prompts_fts: the text of every prompt, for finding sessions by what was asked',
    // The full-text index of every event would answer too, but a common word there matches a
    // good part of a year's events; prompts are a few in a hundred. Kept with events_fts: the
    // rows its checkpoint covers are indexed here now, the rest as it catches up.
    sql: `
      CREATE VIRTUAL TABLE prompts_fts USING fts4(session_id, body, notindexed=session_id, tokenize=unicode61);
    `,
    after: backfillPrompts,
  },
];

/** The schema that added the session_overview table. */
export const SESSION_OVERVIEW_SCHEMA_VERSION = 6;

/** The schema that added the streams table. */
export const STREAMS_TABLE_SCHEMA_VERSION = 5;

/** The oldest schema a reader reads in place (page by page); an older store is read whole and migrated in memory. */
export const READ_IN_PLACE_SCHEMA_VERSION = 4;

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

function backfillPrompts(db: Database): void {
  const rows = db.prepare(`SELECT global_position, stream_id, data FROM events WHERE type = 'UserPromptSubmit'
    AND global_position <= COALESCE((SELECT position FROM projection_checkpoints WHERE name = 'fts'), 0) ORDER BY global_position`);
  const insert = db.prepare('INSERT INTO prompts_fts (docid, session_id, body) VALUES (?, ?, ?)');
  try {
    while (rows.step()) {
      const [position, streamId, data] = rows.get() as [number, string, string];
      const prompt = promptOf(data);
      if (prompt !== undefined) insert.run([position, streamId, prompt]);
    }
  } finally {
    rows.free();
    insert.free();
  }
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
