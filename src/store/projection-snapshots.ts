import type { Database } from 'sql.js';

// Stored projection snapshots (migration 4): a header per projection (which fold, which version,
// up to which global position) and its state in keyed parts (JSON). Parts let a fold that keeps
// one state per stream rewrite only the streams that changed since its last save.
// These are derived data in the same file as the events they describe, so a snapshot always
// belongs to the very events beside it; a rebuilt store simply starts without one.

/** Which fold a stored snapshot belongs to and how far it got. */
export interface SnapshotHeader {
  readonly name: string;
  readonly version: number;
  /** Global position of the last event folded into it. */
  readonly position: number;
}

/** A stored snapshot: its header and its state's parts, parsed. */
export interface StoredSnapshot extends SnapshotHeader {
  readonly savedAt: string;
  readonly parts: ReadonlyMap<string, unknown>;
}

/**
 * How a save treats parts already stored: 'replace' drops every stored part first (the stored
 * state is another version's, or unknown), 'merge' rewrites only the parts given (the others are
 * known to be unchanged since the stored header).
 */
export type SaveMode = 'replace' | 'merge';

/** The stored header of `name`, or undefined when there is none (or it is unreadable). */
export function readSnapshotHeader(db: Database, name: string): (SnapshotHeader & { readonly savedAt: string }) | undefined {
  const statement = db.prepare('SELECT name, version, position, saved_at FROM projection_snapshots WHERE name = ?');
  try {
    statement.bind([name]);
    if (!statement.step()) return undefined;
    const [rowName, version, position, savedAt] = statement.get();
    // Rows read back are checked like any other input crossing into the program.
    if (rowName !== name || !isCount(version) || !isCount(position) || typeof savedAt !== 'string') return undefined;
    return { name, version, position, savedAt };
  } finally {
    statement.free();
  }
}

/** The stored snapshot of `name` with its parts; undefined when missing or any part is unreadable. */
export function loadSnapshot(db: Database, name: string): StoredSnapshot | undefined {
  const header = readSnapshotHeader(db, name);
  if (header === undefined) return undefined;
  const parts = new Map<string, unknown>();
  const statement = db.prepare('SELECT key, state FROM projection_snapshot_parts WHERE name = ?');
  try {
    statement.bind([name]);
    while (statement.step()) {
      const [key, state] = statement.get();
      if (typeof key !== 'string' || typeof state !== 'string') return undefined;
      parts.set(key, JSON.parse(state) as unknown);
    }
  } catch {
    // A part that does not parse makes the whole snapshot useless: fold from scratch instead.
    return undefined;
  } finally {
    statement.free();
  }
  return { ...header, parts };
}

/** Saves a header and parts atomically (a savepoint, so it also works inside a transaction); returns the parts written. */
export function saveSnapshot(db: Database, header: SnapshotHeader, parts: Iterable<readonly [string, unknown]>, mode: SaveMode, now: Date = new Date()): number {
  let written = 0;
  db.run('SAVEPOINT projection_snapshot');
  try {
    if (mode === 'replace') db.run('DELETE FROM projection_snapshot_parts WHERE name = ?', [header.name]);
    const insert = db.prepare('INSERT OR REPLACE INTO projection_snapshot_parts (name, key, state) VALUES (?, ?, ?)');
    try {
      for (const [key, state] of parts) {
        insert.run([header.name, key, JSON.stringify(state)]);
        written += 1;
      }
    } finally {
      insert.free();
    }
    db.run('INSERT OR REPLACE INTO projection_snapshots (name, version, position, saved_at) VALUES (?, ?, ?, ?)',
      [header.name, header.version, header.position, now.toISOString()]);
    db.run('RELEASE projection_snapshot');
  } catch (error) {
    db.run('ROLLBACK TO projection_snapshot');
    db.run('RELEASE projection_snapshot');
    throw error;
  }
  return written;
}

/** Forgets the snapshot of `name` (header and parts). */
export function deleteSnapshot(db: Database, name: string): void {
  db.run('DELETE FROM projection_snapshot_parts WHERE name = ?', [name]);
  db.run('DELETE FROM projection_snapshots WHERE name = ?', [name]);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
