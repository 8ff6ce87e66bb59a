import type { Database } from 'sql.js';
import type { EventStore } from '../../store/event-store';
import { readJsonArray } from '../../store/blob-column';
import { readSnapshotHeader, saveSnapshot } from '../../store/projection-snapshots';
import { readAllRows, storedPosition, storedRowsOf } from '../overview/overview-store';
import type { SessionOverview } from '../overview/session-overview';
import type { Trends } from '../../protocol/trends';
import { dayPartOf, dayPartsOf, isDayPart, partKeyOf } from './day-parts';
import type { DayPart } from './day-parts';
import { placeParts, trendsOfDays } from './trends-of-days';
import type { DayTrendOptions, PlacedPart } from './trends-of-days';

// The day parts in the store: snapshot parts named TREND_DAYS_NAME, keyed by day and workflow
// version, kept by the writer in the same transaction as the overview rows they add up (its
// header stands at the same position). Derived data: a part that does not read, or a header that
// stands elsewhere, sends readers to the rows, and the next writer builds them again.

export const TREND_DAYS_NAME = 'trend-days';
// 2: sessions as columns in start order (1: an entry array per session, in any order).
export const TREND_DAYS_VERSION = 2;

/**
 * In the writer's pass, after the overview rows of `touched` were saved: the parts those sessions
 * left or joined are made again from their members' rows. `before` holds the touched sessions'
 * rows as they were stored before this pass (absent: new; undefined: one did not read). Parts
 * that do not stand at `from` (none yet, another version, a writer that failed) are all made again
 * from every row.
 */
export function keepTrendDays(db: Database, touched: ReadonlyMap<string, SessionOverview>, before: ReadonlyMap<string, SessionOverview> | undefined, from: number, end: number, now: Date): void {
  const header = { name: TREND_DAYS_NAME, version: TREND_DAYS_VERSION, position: end };
  const stored = readSnapshotHeader(db, TREND_DAYS_NAME);
  if (from === 0 || before === undefined || stored === undefined || stored.version !== TREND_DAYS_VERSION || stored.position !== from) {
    rebuild(db, header, from === 0 ? touched.values() : undefined, now);
    return;
  }
  const keys = new Set<string>();
  for (const row of touched.values()) keys.add(partKeyOf(row));
  for (const row of before.values()) keys.add(partKeyOf(row));
  const parts: [string, DayPart][] = [];
  for (const key of keys) {
    const members = membersAfter(db, key, touched);
    if (members === undefined) {
      rebuild(db, header, undefined, now);
      return;
    }
    if (members.length === 0) db.run('DELETE FROM projection_snapshot_parts WHERE name = ? AND key = ?', [TREND_DAYS_NAME, key]);
    else parts.push([key, dayPartOf(members)]);
  }
  saveSnapshot(db, header, parts, 'merge', now);
}

// The rows of a part's sessions after this pass: its stored members not touched, read back, and
// the touched sessions that belong in it now. Undefined when the part or a member's row does not read.
function membersAfter(db: Database, key: string, touched: ReadonlyMap<string, SessionOverview>): SessionOverview[] | undefined {
  const stored = readPart(db, key);
  if (stored === undefined) return undefined;
  const others = (stored?.ids ?? []).filter((id) => !touched.has(id));
  const rows = storedRowsOf(db, others);
  if (rows === undefined || rows.length !== others.length) return undefined;
  for (const row of touched.values()) if (partKeyOf(row) === key) rows.push(row);
  return rows;
}

function rebuild(db: Database, header: { name: string; version: number; position: number }, rows: Iterable<SessionOverview> | undefined, now: Date): void {
  const all = rows ?? readAllRows(db);
  if (all === undefined) {
    // A row that does not read: no parts (readers use the rows, and fold the one that fails).
    db.run('DELETE FROM projection_snapshot_parts WHERE name = ?', [TREND_DAYS_NAME]);
    db.run('DELETE FROM projection_snapshots WHERE name = ?', [TREND_DAYS_NAME]);
    return;
  }
  saveSnapshot(db, header, dayPartsOf(all), 'replace', now);
}

// The stored part of a key: null when there is none, undefined when it does not read.
function readPart(db: Database, key: string): DayPart | null | undefined {
  const found = db.exec('SELECT state FROM projection_snapshot_parts WHERE name = ? AND key = ?', [TREND_DAYS_NAME, key])[0]?.values[0];
  if (found === undefined) return null;
  const text = found[0];
  if (typeof text !== 'string') return undefined;
  try {
    const part = JSON.parse(text) as unknown;
    return isDayPart(part) ? part : undefined;
  } catch {
    return undefined;
  }
}

/** The bounds of a query over session starts, and of the time axis. */
export interface StoredTrendQuery extends DayTrendOptions {
  readonly since?: number;
  readonly until?: number;
  readonly from?: number;
  readonly to?: number;
}

/**
 * Trends of every session started within [since, until], from the stored day parts; undefined
 * when they cannot answer exactly (none stored, stale, damaged, or made in another time zone):
 * the caller then reads the rows. A part on a bound's day is made again from the rows of its
 * sessions within the bounds.
 */
export function storedTrends(db: Database, store: EventStore, query: StoredTrendQuery): Trends | undefined {
  const end = store.lastGlobalPosition();
  const header = readSnapshotHeader(db, TREND_DAYS_NAME);
  if (header === undefined || header.version !== TREND_DAYS_VERSION || header.position !== end || storedPosition(db, end) !== end) return undefined;
  const parts = readAllParts(db);
  if (parts === undefined) return undefined;
  const placed = placeParts(parts);
  if (placed === undefined) return undefined;
  const bounded = query.since === undefined && query.until === undefined ? placed : withinBounds(db, placed, query);
  if (bounded === undefined) return undefined;
  return trendsOfDays(bounded, query, (ids) => storedPartOf(db, ids));
}

function withinBounds(db: Database, placed: readonly PlacedPart[], query: StoredTrendQuery): PlacedPart[] | undefined {
  const inside = (at: number | null): boolean => at !== null && (query.since === undefined || at >= query.since) && (query.until === undefined || at <= query.until);
  const kept: PlacedPart[] = [];
  for (const p of placed) {
    const ids = p.part.ids.filter((_, i) => inside(p.part.starts[i] ?? null));
    if (ids.length === p.part.ids.length) kept.push(p);
    else if (ids.length > 0) {
      const part = storedPartOf(db, ids);
      if (part === undefined) return undefined;
      kept.push({ part, dayStart: p.dayStart });
    }
  }
  return kept;
}

/** The part of these sessions, made from their stored rows; undefined when one is missing or does not read. */
function storedPartOf(db: Database, sessionIds: readonly string[]): DayPart | undefined {
  const rows = storedRowsOf(db, sessionIds);
  return rows === undefined || rows.length !== sessionIds.length ? undefined : dayPartOf(rows);
}

const ALL_PARTS = 'SELECT CAST(state AS BLOB) FROM projection_snapshot_parts WHERE name = ?';

// Every part as one JSON array parsed at once (as the overview's rows are read).
function readAllParts(db: Database): DayPart[] | undefined {
  const parsed = readJsonArray(db, ALL_PARTS, [TREND_DAYS_NAME]);
  return parsed !== undefined && parsed.every(isDayPart) ? parsed : undefined;
}
