import type { Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import { DirectBinder } from './direct-bind';
import type { DirectValue } from './direct-bind';
import { StreamVersionConflictError, LogbookError } from '../domain/errors';
import type { AppendResult, EventStore, ExpectedVersion, GlobalRange, NewEvent, RecordedEvent, SearchOptions, StreamRange, StreamSummary } from './event-store';
import { MAX_STREAMS_PER_READ } from './event-store';
import { searchableText } from './searchable-text';
import { promptOf } from './prompt-text';
import { quoteShort } from '../domain/text-quote';
import { upcast } from './upcasters';
import { CURRENT_SCHEMA_VERSION, STREAMS_TABLE_SCHEMA_VERSION } from './schema';
import { findTooDeep } from '../domain/json-depth';
import { cutTooDeep } from '../domain/json-depth-cut';

const INSERT_EVENT = `INSERT INTO events (stream_id, stream_position, event_id, type, schema_version, recorded_at, correlation_id, causation_id, data, metadata)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT)) ON CONFLICT (event_id) DO NOTHING`;
const COLUMNS = 'global_position, stream_id, stream_position, event_id, type, schema_version, recorded_at, correlation_id, causation_id, data, metadata';

/**
 * The event store on a sql.js database (in memory; durability is LogbookFile's job).
 * Statements are prepared lazily and dropped on export, which frees them in sql.js.
 */
export class SqliteEventStore implements EventStore {
  private readonly statements = new Map<string, Statement>();
  /** Stream versions known to this (single) writer: saves a query per appended event. */
  private readonly versions = new Map<string, number>();
  /** The INSERT's direct binder, for the statement it was made for (statements are re-prepared after an export). */
  private binder: { readonly statement: Statement; readonly binder: DirectBinder | undefined } | undefined;

  /** `sqlJs`, the module `db` comes from, lets appends bind by pointer (direct-bind.ts); without it they use Statement.run. */
  constructor(private readonly db: Database, private readonly now: () => string = () => new Date().toISOString(), private readonly sqlJs?: SqlJsStatic) {}

  /** sql.js frees every prepared statement on export(): forget ours before it does. */
  beforeExport(): void {
    for (const statement of this.statements.values()) statement.free();
    this.statements.clear();
    this.binder = undefined;
  }

  /** Set by the owner of an enclosing transaction: appends then skip their own savepoint. */
  inTransaction = false;

  /** A reader's connection: a search indexes what the writer has not yet in a TEMP table, never in the file. */
  readOnly = false;
  /** The schema this connection reads: lower only for a reader of a store the writer has not migrated yet. */
  schemaVersion = CURRENT_SCHEMA_VERSION;
  /** The last position the TEMP index of a read-only connection holds. */
  private tailIndexed = 0;

  append(streamId: string, events: readonly NewEvent[], expectedVersion: ExpectedVersion = 'any'): AppendResult {
    const current = this.streamVersion(streamId);
    checkExpected(streamId, expectedVersion, current);
    const insert = this.statement(INSERT_EVENT);
    let version = current;
    let duplicates = 0;
    let lastGlobal = 0;
    const recordedAt = this.now();
    // Several events must land together or not at all; inside a transaction its rollback does that.
    const atomic = !this.inTransaction && events.length > 1;
    if (atomic) this.db.run('SAVEPOINT append');
    try {
      const rows = events.map((event, i): DirectValue[] => [streamId, current + i + 1, event.eventId, event.type, event.schemaVersion, recordedAt,
        event.correlationId ?? null, event.causationId ?? null, event.serialized?.data ?? JSON.stringify(event.data ?? null), event.serialized?.metadata ?? JSON.stringify(event.metadata)]);
      const counted = (index: number, modified: number): void => {
        if (modified > 0) {
          version += 1;
          return;
        }
        duplicates += 1;
        // A skipped event takes no position: the later ones move down one (bound when their row runs).
        for (let later = index + 1; later < rows.length; later += 1) (rows[later] as DirectValue[])[1] = (rows[later]?.[1] as number) - 1;
      };
      const binder = this.directBinder(insert);
      if (binder !== undefined) binder.run(rows, counted);
      else {
        // Without direct binding, data and metadata go as UTF-8 bytes cast back to TEXT: sql.js
        // copies bytes, where it encodes a string character by character in JS. Same TEXT stored.
        rows.forEach((row, index) => {
          insert.run(row.map((value, column) => (column >= 8 && typeof value === 'string' ? utf8(value) : value)));
          counted(index, this.db.getRowsModified());
        });
      }
      if (version > current) lastGlobal = this.lastInsertRowId();
      if (atomic) this.db.run('RELEASE append');
    } catch (error) {
      if (atomic) {
        this.db.run('ROLLBACK TO append');
        this.db.run('RELEASE append');
      }
      this.versions.delete(streamId);
      throw error;
    }
    this.versions.set(streamId, version);
    return { nextExpectedVersion: version, lastGlobalPosition: lastGlobal, appended: version - current, duplicates };
  }

  /** The direct binder of the current INSERT statement, made once per statement. */
  private directBinder(insert: Statement): DirectBinder | undefined {
    if (this.sqlJs === undefined) return undefined;
    if (this.binder?.statement !== insert) this.binder = { statement: insert, binder: DirectBinder.for(this.sqlJs, this.db, insert, INSERT_EVENT) };
    return this.binder.binder;
  }

  /** Forgets cached stream versions, e.g. after the enclosing transaction rolled back. */
  forgetVersions(): void {
    this.versions.clear();
  }

  existingEventIds(eventIds: readonly string[]): Set<string> {
    const found = new Set<string>();
    // Ids are mostly time-ordered (UUIDv7): one newer than every stored id cannot be stored,
    // so in steady state nothing is looked up at all.
    const newest = this.scalar('SELECT MAX(event_id) FROM events', []);
    const candidates = typeof newest === 'string' ? eventIds.filter((id) => id <= newest) : [];
    for (let start = 0; start < candidates.length; start += 500) {
      const chunk = candidates.slice(start, start + 500);
      const rows = this.db.exec(`SELECT event_id FROM events WHERE event_id IN (${chunk.map(() => '?').join(',')})`, [...chunk]);
      for (const row of rows[0]?.values ?? []) found.add(String(row[0]));
    }
    return found;
  }

  catchUpFullText(limit = Number.MAX_SAFE_INTEGER): number {
    const from = Number(this.scalar("SELECT position FROM projection_checkpoints WHERE name = 'fts'", []) ?? 0);
    const rows = this.rows('SELECT global_position, type, data, stream_id FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?', [from, limit]);
    if (rows.length === 0) return 0;
    // The text goes as UTF-8 bytes cast back to TEXT, as the event rows do: sql.js encodes a bound string in JS.
    const insert = this.statement('INSERT INTO events_fts (docid, body) VALUES (?, CAST(? AS TEXT))');
    const prompts = this.hasPromptIndex() ? this.statement('INSERT INTO prompts_fts (docid, session_id, body) VALUES (?, ?, CAST(? AS TEXT))') : undefined;
    // A savepoint even inside a transaction: a failure takes back the index's rows alone, and
    // the caller's appends (an ingest pass that indexes before its COMMIT) still commit.
    this.db.run('SAVEPOINT fts');
    try {
      for (const [position, type, data, streamId] of rows) {
        const parsed = JSON.parse(String(data)) as unknown;
        insert.run([position as number, utf8(searchableText(String(type), parsed))]);
        const prompt = prompts !== undefined && type === 'UserPromptSubmit' ? promptOf(parsed) : undefined;
        if (prompt !== undefined) prompts?.run([position as number, String(streamId), utf8(prompt)]);
      }
      this.statement("UPDATE projection_checkpoints SET position = ? WHERE name = 'fts'").run([rows[rows.length - 1]?.[0] as number]);
      this.db.run('RELEASE fts');
    } catch (error) {
      this.db.run('ROLLBACK TO fts');
      this.db.run('RELEASE fts');
      throw error;
    }
    return rows.length;
  }

  /**
   * The sessions with a prompt that matches `query` (an FTS4 query over prompts), and those whose
   * prompts the index has not reached yet for which `matches(prompt)` holds. Undefined when the
   * store has no prompt index (written before schema 7: its writer adds it when it opens it).
   */
  sessionsByPrompt(query: string, matches: (prompt: string) => boolean): Set<string> | undefined {
    if (!this.hasPromptIndex()) return undefined;
    const found = new Set<string>();
    try {
      for (const [id] of this.rows('SELECT DISTINCT session_id FROM prompts_fts WHERE body MATCH ?', [query])) found.add(String(id));
    } catch (error) {
      throw new LogbookError('SEARCH_QUERY_INVALID', `search query ${quoteShort(query)} is not a valid full-text query (${whyMalformed(query, error)})`);
    }
    const checkpoint = Number(this.scalar("SELECT position FROM projection_checkpoints WHERE name = 'fts'", []) ?? 0);
    for (const [id, data] of this.rows("SELECT stream_id, data FROM events WHERE type = 'UserPromptSubmit' AND global_position > ?", [checkpoint])) {
      const prompt = promptOf(String(data));
      if (prompt !== undefined && matches(prompt)) found.add(String(id));
    }
    return found;
  }

  // Looked up each time: a reader may have opened the store before its writer added the index.
  private hasPromptIndex(): boolean {
    return this.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'prompts_fts'", []) !== undefined;
  }

  /**
   * A reader cannot write the index: the events the writer has not indexed yet (usually few: it
   * catches up after each pass) go into a TEMP full-text table of this connection, tokenized the
   * same way. Returns whether that table exists.
   */
  private indexTail(): boolean {
    const checkpoint = Number(this.scalar("SELECT position FROM projection_checkpoints WHERE name = 'fts'", []) ?? 0);
    const from = Math.max(checkpoint, this.tailIndexed);
    const rows = this.rows('SELECT global_position, type, data FROM events WHERE global_position > ? ORDER BY global_position', [from]);
    if (rows.length === 0) return this.tailIndexed > 0;
    if (this.tailIndexed === 0) this.db.run('CREATE VIRTUAL TABLE IF NOT EXISTS temp.events_fts_tail USING fts4(body, tokenize=unicode61)');
    const insert = this.statement('INSERT INTO temp.events_fts_tail (docid, body) VALUES (?, CAST(? AS TEXT))');
    for (const [position, type, data] of rows) insert.run([position as number, utf8(searchableText(String(type), JSON.parse(String(data)) as unknown))]);
    this.tailIndexed = Number(rows[rows.length - 1]?.[0]);
    return true;
  }

  streamVersion(streamId: string): number {
    const known = this.versions.get(streamId);
    if (known !== undefined) return known;
    const version = Number(this.scalar('SELECT COALESCE(MAX(stream_position), 0) FROM events WHERE stream_id = ?', [streamId]));
    // A reader's connection is re-queried while the writer appends: nothing it reads stays known.
    if (!this.readOnly) this.versions.set(streamId, version);
    return version;
  }

  hasEvent(eventId: string): boolean {
    return this.scalar('SELECT 1 FROM events WHERE event_id = ?', [eventId]) !== undefined;
  }

  readStream(streamId: string, range: StreamRange = {}): RecordedEvent[] {
    return this.query(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND stream_position BETWEEN ? AND ? ORDER BY stream_position LIMIT ?`,
      [streamId, ...bounds(range)]);
  }

  readStreams(streamIds: readonly string[], range: GlobalRange = {}): RecordedEvent[] {
    if (streamIds.length === 0) return [];
    if (streamIds.length > MAX_STREAMS_PER_READ) throw new RangeError(`readStreams reads at most ${MAX_STREAMS_PER_READ} streams at once (${streamIds.length} given)`);
    // "+stream_id": the table is walked in global order (each page read once) rather than through
    // the stream index, which reads a page per event when the streams are interleaved.
    return this.query(`SELECT ${COLUMNS} FROM events WHERE global_position BETWEEN ? AND ? AND +stream_id IN (${streamIds.map(() => '?').join(',')}) ORDER BY global_position LIMIT ?`,
      [range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER, ...streamIds, range.limit ?? -1]);
  }

  readAll(range: GlobalRange = {}): RecordedEvent[] {
    return this.query(`SELECT ${COLUMNS} FROM events WHERE global_position BETWEEN ? AND ? ORDER BY global_position LIMIT ?`, bounds(range));
  }

  readByType(type: string, range: GlobalRange = {}): RecordedEvent[] {
    return this.query(`SELECT ${COLUMNS} FROM events WHERE type = ? AND global_position BETWEEN ? AND ? ORDER BY global_position LIMIT ?`,
      [type, ...bounds(range)]);
  }

  readByCorrelation(correlationId: string, range: GlobalRange = {}): RecordedEvent[] {
    return this.query(`SELECT ${COLUMNS} FROM events WHERE correlation_id = ? AND global_position BETWEEN ? AND ? ORDER BY global_position LIMIT ?`,
      [correlationId, ...bounds(range)]);
  }

  /**
   * The first (or last) `limit` matching events, in position order. The index is read in docid
   * order with the filters applied as it goes, and stops at the limit: a common word matches a
   * quarter of a million events at 1M, and gathering every match first cost seconds and a
   * gigabyte. Within one stream only the stream's span of the index is read.
   */
  search(query: string, options: SearchOptions = {}): RecordedEvent[] {
    const tail = this.readOnly ? this.indexTail() : (this.catchUpFullText(), false);
    const limit = options.limit ?? -1;
    const span = options.streamId === undefined ? undefined : this.streamSpan(options.streamId);
    if (options.streamId !== undefined && span === undefined) return [];
    // Newest first reads the TEMP tail (the newest events) before the file's index.
    const tables = tail ? ['events_fts', 'temp.events_fts_tail'] : ['events_fts'];
    if (options.newest === true) tables.reverse();
    let positions: number[] = [];
    try {
      for (const table of tables) {
        const wanted = limit < 0 ? -1 : limit - positions.length;
        if (wanted === 0) break;
        positions = positions.concat(this.matchingPositions(table, query, wanted, options, span));
      }
    } catch (error) {
      throw new LogbookError('SEARCH_QUERY_INVALID', `search query ${quoteShort(query)} is not a valid full-text query (${whyMalformed(query, error)})`);
    }
    positions.sort((a, b) => a - b);
    const found: RecordedEvent[] = [];
    // Chunks keep SQLite's bound-parameter limit; positions are ascending, so are the chunks.
    for (let start = 0; start < positions.length; start += 500) {
      const chunk = positions.slice(start, start + 500);
      for (const event of this.query(`SELECT ${COLUMNS} FROM events WHERE global_position IN (${chunk.map(() => '?').join(',')}) ORDER BY global_position`, chunk)) found.push(event);
    }
    return found;
  }

  searchCount(query: string, streamId?: string): number {
    const tail = this.readOnly ? this.indexTail() : (this.catchUpFullText(), false);
    const span = streamId === undefined ? undefined : this.streamSpan(streamId);
    if (streamId !== undefined && span === undefined) return 0;
    let count = 0;
    try {
      for (const table of tail ? ['events_fts', 'temp.events_fts_tail'] : ['events_fts']) {
        const name = table.replace(/^temp\./, '');
        count += Number(span === undefined
          ? this.scalar(`SELECT COUNT(*) FROM ${table} WHERE ${name} MATCH ?`, [query])
          : this.scalar(`SELECT COUNT(*) FROM ${table} f JOIN events e ON e.global_position = f.docid
              WHERE f.${name} MATCH ? AND f.docid BETWEEN ? AND ? AND e.stream_id = ?`, [query, span[0], span[1], streamId as string]));
      }
    } catch (error) {
      throw new LogbookError('SEARCH_QUERY_INVALID', `search query ${quoteShort(query)} is not a valid full-text query (${whyMalformed(query, error)})`);
    }
    return count;
  }

  private matchingPositions(table: string, query: string, limit: number, options: SearchOptions, span: readonly [number, number] | undefined): number[] {
    const name = table.replace(/^temp\./, '');
    const where = [`f.${name} MATCH ?`];
    const params: SqlValue[] = [query];
    // The join only when a filter needs the event; a bare query reads the index alone.
    const needsEvent = span !== undefined || options.type !== undefined;
    if (span !== undefined) {
      where.push('f.docid BETWEEN ? AND ?', 'e.stream_id = ?');
      params.push(span[0], span[1], options.streamId as string);
    }
    if (options.from !== undefined || options.to !== undefined) {
      where.push(`${span === undefined ? 'f.docid' : 'e.stream_position'} BETWEEN ? AND ?`);
      params.push(options.from ?? 0, options.to ?? Number.MAX_SAFE_INTEGER);
    }
    if (options.type !== undefined) {
      where.push('e.type = ?');
      params.push(options.type);
    }
    const join = needsEvent ? ' JOIN events e ON e.global_position = f.docid' : '';
    const rows = this.rows(`SELECT f.docid FROM ${table} f${join} WHERE ${where.join(' AND ')}
      ORDER BY f.docid ${options.newest === true ? 'DESC' : 'ASC'} LIMIT ?`, [...params, limit]);
    return rows.map((row) => Number(row[0]));
  }

  /** A stream's first and last global positions, from the (stream, position) index: two seeks. */
  private streamSpan(streamId: string): readonly [number, number] | undefined {
    const first = this.scalar('SELECT global_position FROM events WHERE stream_id = ? ORDER BY stream_position LIMIT 1', [streamId]);
    const last = this.scalar('SELECT global_position FROM events WHERE stream_id = ? ORDER BY stream_position DESC LIMIT 1', [streamId]);
    return first === undefined || last === undefined ? undefined : [Number(first), Number(last)];
  }

  streams(): StreamSummary[] {
    const rows = this.schemaVersion >= STREAMS_TABLE_SCHEMA_VERSION
      ? this.rows(`SELECT stream_id, version, first_pos, last_pos, first_recorded_at, last_recorded_at, last_type, first_occurred_at, last_occurred_at
          FROM streams ORDER BY first_pos`, [])
      // A reader of a store the writer has not migrated yet: the same figures, from every event.
      : this.rows(`SELECT e.stream_id, s.version, s.first_pos, s.last_pos, f.recorded_at, e.recorded_at, e.type,
          json_extract(f.metadata, '$.receivedAt'), json_extract(e.metadata, '$.receivedAt')
        FROM (SELECT stream_id, MAX(stream_position) AS version, MIN(global_position) AS first_pos, MAX(global_position) AS last_pos
              FROM events GROUP BY stream_id) s
        JOIN events e ON e.global_position = s.last_pos
        JOIN events f ON f.global_position = s.first_pos
        ORDER BY s.first_pos`, []);
    return rows.map((r) => ({
      streamId: String(r[0]), version: Number(r[1]), firstGlobalPosition: Number(r[2]), lastGlobalPosition: Number(r[3]),
      firstRecordedAt: String(r[4]), lastRecordedAt: String(r[5]), lastType: String(r[6]),
      firstOccurredAt: String(r[7] ?? r[4]), lastOccurredAt: String(r[8] ?? r[5]),
    }));
  }

  streamsAfter(position: number): string[] {
    return this.rows('SELECT DISTINCT stream_id FROM events WHERE global_position > ?', [position]).map((r) => String(r[0]));
  }

  lastGlobalPosition(): number {
    return Number(this.scalar('SELECT COALESCE(MAX(global_position), 0) FROM events', []));
  }

  private lastInsertRowId(): number {
    return Number(this.scalar('SELECT last_insert_rowid()', []));
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private scalar(sql: string, params: SqlValue[]): SqlValue | undefined {
    const statement = this.statement(sql);
    try {
      statement.bind(params);
      return statement.step() ? statement.get()[0] : undefined;
    } finally {
      statement.reset();
    }
  }

  private rows(sql: string, params: SqlValue[]): SqlValue[][] {
    const statement = this.statement(sql);
    const out: SqlValue[][] = [];
    try {
      statement.bind(params);
      while (statement.step()) out.push(statement.get());
    } finally {
      statement.reset();
    }
    return out;
  }

  private query(sql: string, params: SqlValue[]): RecordedEvent[] {
    return this.rows(sql, params).map(toRecorded);
  }
}

/** A TEXT value as its UTF-8 bytes, for CAST(? AS TEXT); an empty one stays a string (sql.js binds an empty blob as NULL). */
function utf8(text: string): SqlValue {
  return text.length === 0 ? text : Buffer.from(text, 'utf8');
}

function bounds(range: GlobalRange | StreamRange): [number, number, number] {
  return [range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER, range.limit ?? -1];
}

function checkExpected(streamId: string, expected: ExpectedVersion, actual: number): void {
  const ok = expected === 'any'
    || (expected === 'no_stream' && actual === 0)
    || (expected === 'stream_exists' && actual > 0)
    || expected === actual;
  if (!ok) throw new StreamVersionConflictError(streamId, String(expected), actual);
}

// Every read passes here, so an event stored at an older schema version reads as the current one.
function toRecorded(row: SqlValue[]): RecordedEvent {
  return upcast({
    globalPosition: Number(row[0]),
    streamId: String(row[1]),
    streamPosition: Number(row[2]),
    eventId: String(row[3]),
    type: String(row[4]),
    schemaVersion: Number(row[5]),
    recordedAt: String(row[6]),
    correlationId: row[7] === null ? null : String(row[7]),
    causationId: row[8] === null ? null : String(row[8]),
    data: boundedJson(String(row[9])),
    metadata: boundedJson(String(row[10])) as Record<string, unknown>,
  });
}

/** SQLite's reason without its echo of the query ("malformed MATCH expression: [<query>]"): messages stay one short line. */
function whyMalformed(query: string, error: unknown): string {
  // eslint-disable-next-line no-control-regex
  const reason = (error instanceof Error ? error.message : String(error)).split(`: [${query}]`).join('').replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  return reason.length > 120 ? `${reason.slice(0, 119)}…` : reason;
}

/**
 * A stored JSON text, parsed, nested at most MAX_JSON_DEPTH deep: the ingest bounds every new
 * event (normalize.ts), but an earlier version stored some payloads as they came, and every
 * reader after this point (folds, event detail, reports, JSON output) walks data recursively.
 * The bracket count that rules a text out costs a fraction of its parse.
 */
function boundedJson(text: string): unknown {
  const value = JSON.parse(text) as unknown;
  return findTooDeep(text) === undefined ? value : cutTooDeep(value).value;
}
