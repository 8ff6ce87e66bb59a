import { copyFileSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, SqlValue } from 'sql.js';
import { entryFileName, entryText, INBOX_ENTRY_SUFFIX, RAW_HOOK_SUFFIX, stampNow, writeInboxEntry } from '../src/capture/inbox-writer';
import { logbookPaths } from '../src/capture/paths';
import type { LogbookPaths } from '../src/capture/paths';
import { hookPayloadBase, isKnownHookEvent, knownHookSchemas } from '../src/domain/hook-events';
import { capFields } from '../src/ingest/cap-fields';
import { CausationLinker } from '../src/ingest/causation';
import { parseInboxEntry } from '../src/ingest/inbox-entry';
import type { InboxEntry } from '../src/ingest/inbox-entry';
import { appendRecords, emptyReport } from '../src/ingest/ingestor';
import { tryAcquireLock } from '../src/ingest/lock';
import { normalizeEntry } from '../src/ingest/normalize';
import type { IngestRecord } from '../src/ingest/normalize';
import { openStoreForWriting } from '../src/ingest/open-store';
import { SegmentLog } from '../src/ingest/segments';
import { LogbookWriter } from '../src/ingest/writer';
import { writeFileDurably } from '../src/store/durable-file';
import { LogbookDatabase } from '../src/store/logbook-database';
import { searchableText } from '../src/store/searchable-text';
import { loadSqlJs } from '../src/store/sqljs';
import { fmtInt, fmtMs, fmtRatio, msSince, pct, progress, textTable } from './stats';
import { WorkloadGenerator } from './workload';
import type { FixtureEvent } from './workload';

// Ingest throughput, durable flush included, against raw sql.js prepared inserts of the very
// same rows. Then where our time goes: the ingest pipeline re-run piece by piece on a copy of
// the same inbox (src/ is not instrumented; the pieces are the functions it calls, in its order).

export interface IngestBenchInput {
  readonly tempDir: string;
  readonly fixture: readonly FixtureEvent[];
  readonly events: number;
}

export interface IngestBenchResult {
  readonly events: number;
  readonly sessions: number;
  readonly oursMs: number;
  readonly rawMs: number;
}

const SESSIONS = 8;
const MAX_FIELD_BYTES = 65_536;
/** Ingestor's default batch (IngestOptions.batchSize): the breakdown uses the same. */
const BATCH = 2000;
const WARMUP_EVENTS = 300;
const OPTIONS = { maxFieldBytes: MAX_FIELD_BYTES };

export async function benchIngest(input: IngestBenchInput): Promise<IngestBenchResult> {
  const ws = (name: string): LogbookPaths => {
    const dir = join(input.tempDir, name);
    mkdirSync(dir);
    return logbookPaths(dir);
  };
  const warm = ws('ingest-warmup');
  const measured = ws('ingest-ws');
  const pieces = ws('ingest-breakdown');

  const generator = new WorkloadGenerator(input.fixture, SESSIONS);
  fillInbox(warm.inbox, generator, WARMUP_EVENTS);
  progress(`ingest: writing ${fmtInt(input.events)} inbox entries the way the hook does (fsync each; not timed)`);
  const names = fillInbox(measured.inbox, generator, input.events);
  // The breakdown runs on a byte-identical copy, so both runs read the same data.
  mkdirSync(pieces.inbox, { recursive: true });
  for (const name of names) copyFileSync(join(measured.inbox, name), join(pieces.inbox, name));

  // Warm-up of both contenders (JIT, sql.js instance), so neither pays a first-run cost alone.
  await runOurs(warm, WARMUP_EVENTS);
  const SQL = await loadSqlJs();
  rawInserts(SQL, readStoredRows(SQL, warm.store));

  progress('ingest: timing LogbookWriter start → ingest → flush → close');
  const ours = await runOurs(measured, input.events);
  const rows = readStoredRows(SQL, measured.store);
  if (rows.length !== input.events) throw new Error(`the store holds ${rows.length} events, expected ${input.events}`);
  progress('ingest: timing raw sql.js inserts of the same rows');
  const rawMs = rawInserts(SQL, rows);

  progress('ingest: breakdown (the pipeline piece by piece, on a copy of the same inbox)');
  const breakdown = await breakdownIngest(pieces, input.events);
  const inner = await mirrorStoreAppend(breakdown.records);

  const result: IngestBenchResult = { events: input.events, sessions: SESSIONS, oursMs: ours.total, rawMs };
  printIngest(result, ours, breakdown, inner);
  return result;
}

function fillInbox(inbox: string, generator: WorkloadGenerator, count: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const payload = generator.next();
    const stamp = stampNow();
    const name = entryFileName(stamp);
    writeInboxEntry(inbox, name, entryText(stamp, 'hook', payload.hookEvent, payload.json));
    names.push(name);
    if ((i + 1) % 5000 === 0 && count > 5000) progress(`ingest: ${fmtInt(i + 1)}/${fmtInt(count)} entries written`);
  }
  return names;
}

interface OursTiming {
  readonly total: number;
  readonly start: number;
  readonly ingest: number;
  readonly flush: number;
  readonly close: number;
  readonly storeBytes: number;
}

/** The product's own path, exactly as the CLI runs one pass. */
async function runOurs(paths: LogbookPaths, expected: number): Promise<OursTiming> {
  const t0 = process.hrtime.bigint();
  const started = await LogbookWriter.start(paths, 'bench', OPTIONS);
  if (!started.ok) throw new Error('could not take the ingest lock of a fresh bench workspace');
  const writer = started.writer;
  const t1 = process.hrtime.bigint();
  const report = writer.ingest();
  const t2 = process.hrtime.bigint();
  const storeBytes = writer.flush();
  const t3 = process.hrtime.bigint();
  writer.close();
  const t4 = process.hrtime.bigint();
  if (report.appended !== expected || report.quarantined !== 0) {
    throw new Error(`ingest appended ${report.appended} (${report.quarantined} quarantined), expected ${expected} hook events`);
  }
  const ms = (a: bigint, b: bigint): number => Number(b - a) / 1e6;
  return { total: ms(t0, t4), start: ms(t0, t1), ingest: ms(t1, t2), flush: ms(t2, t3), close: ms(t3, t4), storeBytes };
}

type Row = SqlValue[];
type SqlJs = Awaited<ReturnType<typeof loadSqlJs>>;

/** The rows exactly as our store holds them: the raw baseline inserts the same bytes. */
function readStoredRows(SQL: SqlJs, storeFile: string): Row[] {
  const db = new SQL.Database(readFileSync(storeFile));
  try {
    const select = db.prepare('SELECT stream_id, stream_position, event_id, type, schema_version, recorded_at, correlation_id, causation_id, data, metadata FROM events ORDER BY global_position');
    const rows: Row[] = [];
    while (select.step()) rows.push(select.get());
    select.free();
    return rows;
  } finally {
    db.close();
  }
}

/**
 * The floor: the same columns as `events`, but no UNIQUE constraints, secondary indexes,
 * triggers or FTS; one prepared INSERT, one transaction, no file written.
 */
function rawInserts(SQL: SqlJs, rows: readonly Row[]): number {
  const start = process.hrtime.bigint();
  const db = new SQL.Database();
  db.run(`CREATE TABLE events (
    global_position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, stream_position INTEGER NOT NULL, event_id TEXT NOT NULL,
    type TEXT NOT NULL, schema_version INTEGER NOT NULL, recorded_at TEXT NOT NULL, correlation_id TEXT, causation_id TEXT,
    data TEXT NOT NULL, metadata TEXT NOT NULL)`);
  const insert = db.prepare(`INSERT INTO events (stream_id, stream_position, event_id, type, schema_version, recorded_at, correlation_id, causation_id, data, metadata)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  db.run('BEGIN');
  for (const row of rows) insert.run(row);
  db.run('COMMIT');
  insert.free();
  const ms = msSince(start);
  db.close();
  return ms;
}

/** Named phase timings, kept in the order they were first seen. */
class Phases {
  readonly totals = new Map<string, number>();

  time<T>(name: string, work: () => T): T {
    const start = process.hrtime.bigint();
    try {
      return work();
    } finally {
      this.add(name, msSince(start));
    }
  }

  add(name: string, ms: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + ms);
  }

  get sum(): number {
    let total = 0;
    for (const ms of this.totals.values()) total += ms;
    return total;
  }
}

interface Breakdown {
  readonly phases: Phases;
  /** Finer splits measured in separate passes over the same data (not part of the sum). */
  readonly details: Phases;
  readonly records: IngestRecord[];
  readonly storeBytes: number;
  readonly linkLookups: number;
}

/**
 * Ingestor.ingestPending + commit and LogbookWriter.start/close, called piece by piece in the
 * same order on the same batches, so each piece's time is its real cost in the pipeline.
 */
async function breakdownIngest(paths: LogbookPaths, expected: number): Promise<Breakdown> {
  const phases = new Phases();
  const start = process.hrtime.bigint();
  const attempt = tryAcquireLock(paths.lock, 'bench');
  if (!attempt.acquired) throw new Error('could not take the ingest lock of the breakdown workspace');
  const { database } = await openStoreForWriting(paths);
  phases.add('open: lock + create store (sql.js db + schema)', msSince(start));

  const segments = new SegmentLog(paths.segments);
  const linker = new CausationLinker(database.store);
  const consumed = new Set<string>();
  const report = emptyReport();
  const allRecords: IngestRecord[] = [];
  const allTexts: string[] = [];
  const allEntries: InboxEntry[] = [];
  const lookups = new LookupCounter();

  for (;;) {
    const names = phases.time('list inbox (readdir + filter + sort, once per batch)', () => pendingNames(paths.inbox, consumed, BATCH));
    if (names.length === 0) break;
    const texts = phases.time('read inbox files (readFileSync)', () => names.map((name) => readFileSync(join(paths.inbox, name), 'utf8')));
    const entries = phases.time('parse entry (JSON.parse + zod envelope)', () => names.map((name, i) => parseInboxEntry(name, texts[i] as string)));
    const records = phases.time('normalize (zod payload schemas + capFields + metadata)', () => entries.map((entry) => normalizeEntry(entry, OPTIONS)));
    const fresh = phases.time('dedupe (store.hasEvent: one SELECT per entry)', () => {
      const seen = new Set<string>();
      const kept: IngestRecord[] = [];
      records.forEach((record, i) => {
        consumed.add(names[i] as string);
        if (seen.has(record.event.eventId) || database.store.hasEvent(record.event.eventId)) return;
        seen.add(record.event.eventId);
        kept.push(record);
      });
      return kept;
    });
    const linked = phases.time('causation link', () => fresh.map((record) => {
      const out = linker.link(record);
      lookups.observe(record);
      return out;
    }));
    phases.time('segments append (JSON.stringify + write + fsync)', () => segments.append(linked));
    phases.time('store append incl. FTS (appendRecords: one transaction per batch)', () => appendRecords(database, linked, report));
    allRecords.push(...linked);
    allTexts.push(...texts);
    allEntries.push(...entries);
  }
  if (report.appended !== expected) throw new Error(`breakdown appended ${report.appended}, expected ${expected}`);

  // LogbookDatabase.flush() is exactly export() then writeFileDurably(): timed as its two halves.
  const bytes = phases.time('flush: export (sql.js serialises the db)', () => database.export());
  phases.time('flush: write temp + fsync + rename + fsync dir', () => writeFileDurably(paths.store, bytes));
  phases.time('inbox unlink (one per entry)', () => {
    for (const name of consumed) unlinkSync(join(paths.inbox, name));
  });
  phases.time('close: release lock + close db', () => {
    attempt.lock.release();
    database.close();
  });

  const details = new Phases();
  details.time('JSON.parse of the entry texts alone', () => allTexts.forEach((t) => JSON.parse(t)));
  details.time('zod: hookPayloadBase.safeParse alone', () => allEntries.forEach((e) => e.kind === 'payload' && hookPayloadBase.safeParse(e.payload)));
  details.time('zod: known event schema safeParse alone', () => allEntries.forEach((e) => {
    if (e.kind !== 'payload') return;
    const name = (e.payload as { hook_event_name?: unknown }).hook_event_name;
    if (typeof name === 'string' && isKnownHookEvent(name)) knownHookSchemas[name].safeParse(e.payload);
  }));
  details.time('capFields alone', () => allEntries.forEach((e) => e.kind === 'payload' && capFields(e.payload, MAX_FIELD_BYTES)));
  details.time('segment lines: JSON.stringify of the records alone', () => void allRecords.map((r) => JSON.stringify(r)).join('\n'));
  return { phases, details, records: allRecords, storeBytes: bytes.length, linkLookups: lookups.count };
}

/** Ingestor.pendingNames, verbatim in behaviour. */
function pendingNames(inbox: string, consumed: ReadonlySet<string>, limit: number): string[] {
  return readdirSync(inbox)
    .filter((n) => (n.endsWith(INBOX_ENTRY_SUFFIX) || n.endsWith(RAW_HOOK_SUFFIX)) && !consumed.has(n))
    .sort()
    .slice(0, limit);
}

/**
 * Counts the effects whose cause CausationLinker has not seen in this process: it resolves
 * each by reading the whole stream back, a cost that grows with the stream.
 */
class LookupCounter {
  count = 0;
  private readonly known = new Set<string>();

  observe(record: IngestRecord): void {
    const data = record.event.data as Record<string, unknown> | null;
    if (data === null || typeof data !== 'object') return;
    const type = record.event.type;
    const tool = typeof data['tool_use_id'] === 'string' ? `${record.streamId}|tool:${data['tool_use_id']}` : undefined;
    const agent = typeof data['agent_id'] === 'string' ? `${record.streamId}|agent:${data['agent_id']}` : undefined;
    if (type === 'PreToolUse' && tool !== undefined) this.known.add(tool);
    if (type === 'SubagentStart' && agent !== undefined) this.known.add(agent);
    let key: string | undefined;
    if ((type === 'PostToolUse' || type === 'PostToolUseFailure' || type === 'PermissionDenied') && tool !== undefined) key = tool;
    if (type === 'SubagentStop' && agent !== undefined) key = agent;
    if (key === undefined || this.known.has(key)) return;
    this.known.add(key); // the linker remembers the answer, found or not
    this.count += 1;
  }
}

interface StoreSplit {
  readonly phases: Phases;
  readonly total: number;
}

/**
 * SqliteEventStore.append re-enacted statement by statement (same SQL, same schema from
 * LogbookDatabase.create, same transactions and savepoints) with a timer around each step.
 * FTS4 buffers new terms and writes them at COMMIT, so part of the FTS cost shows there.
 */
async function mirrorStoreAppend(records: readonly IngestRecord[]): Promise<StoreSplit> {
  const database = await LogbookDatabase.create();
  const db: Database = database.raw;
  const insert = db.prepare(`INSERT INTO events (stream_id, stream_position, event_id, type, schema_version, recorded_at, correlation_id, causation_id, data, metadata)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`);
  const fts = db.prepare('INSERT INTO events_fts (docid, body) VALUES (?, ?)');
  const lastId = db.prepare('SELECT last_insert_rowid()');
  const versionOf = db.prepare('SELECT COALESCE(MAX(stream_position), 0) FROM events WHERE stream_id = ?');
  const versions = new Map<string, number>();
  const p = new Phases();
  const start = process.hrtime.bigint();
  for (let from = 0; from < records.length; from += BATCH) {
    const batch = records.slice(from, from + BATCH);
    p.time('BEGIN', () => db.run('BEGIN'));
    let i = 0;
    while (i < batch.length) {
      const streamId = (batch[i] as IngestRecord).streamId;
      let end = i + 1;
      while (end < batch.length && (batch[end] as IngestRecord).streamId === streamId) end += 1;
      let version = p.time('stream version (cached; SELECT MAX once per stream)', () => {
        const known = versions.get(streamId);
        if (known !== undefined) return known;
        versionOf.bind([streamId]);
        const v = versionOf.step() ? Number(versionOf.get()[0]) : 0;
        versionOf.reset();
        return v;
      });
      const recordedAt = new Date().toISOString();
      p.time('SAVEPOINT + RELEASE (per stream run)', () => db.run('SAVEPOINT append'));
      for (const record of batch.slice(i, end)) {
        const event = record.event;
        const [dataText, metaText] = p.time('JSON.stringify data + metadata', () => [JSON.stringify(event.data ?? null), JSON.stringify(event.metadata)]);
        p.time('INSERT events (PK + 2 UNIQUE + 2 indexes)', () => insert.run([streamId, version + 1, event.eventId, event.type, event.schemaVersion, recordedAt,
          event.correlationId ?? null, event.causationId ?? null, dataText, metaText]));
        if (p.time('getRowsModified', () => db.getRowsModified()) === 0) continue;
        version += 1;
        const rowId = p.time('SELECT last_insert_rowid()', () => {
          lastId.bind([]);
          const id = lastId.step() ? Number(lastId.get()[0]) : 0;
          lastId.reset();
          return id;
        });
        const body = p.time('searchableText (FTS body)', () => searchableText(event.type, event.data));
        p.time('INSERT events_fts (FTS4 tokenise)', () => fts.run([rowId, body]));
      }
      p.time('SAVEPOINT + RELEASE (per stream run)', () => db.run('RELEASE append'));
      versions.set(streamId, version);
      i = end;
    }
    p.time('COMMIT (incl. FTS4 pending-terms write)', () => db.run('COMMIT'));
  }
  const total = msSince(start);
  for (const statement of [insert, fts, lastId, versionOf]) statement.free();
  database.close();
  return { phases: p, total };
}

function printIngest(r: IngestBenchResult, ours: OursTiming, b: Breakdown, inner: StoreSplit): void {
  const oursRate = r.events / (ours.total / 1000);
  const rawRate = r.events / (r.rawMs / 1000);
  console.log(`\n## 2. Ingest throughput (${fmtInt(r.events)} hook events, ${r.sessions} sessions, payloads from the fixture)\n`);
  console.log(textTable(['contender', 'time', 'events/s', 'ratio'], [
    ['ours: LogbookWriter start → ingest → flush → close', fmtMs(ours.total), fmtInt(oursRate), fmtRatio(oursRate / rawRate)],
    ['raw sql.js: 1 prepared INSERT, 1 transaction, no indexes/FTS/flush', fmtMs(r.rawMs), fmtInt(rawRate), fmtRatio(1)],
  ], new Set([1, 2, 3])));
  console.log(`\nOurs, coarse: start ${fmtMs(ours.start)}, ingest ${fmtMs(ours.ingest)}, flush ${fmtMs(ours.flush)} (${(ours.storeBytes / 1e6).toFixed(1)} MB), close ${fmtMs(ours.close)}.`);

  const sum = b.phases.sum;
  console.log(`\nBreakdown (same pipeline called piece by piece on a copy of the inbox; sum ${fmtMs(sum)} vs end-to-end ${fmtMs(ours.total)}):`);
  const rows = [...b.phases.totals].map(([name, ms]) => [name, fmtMs(ms), `${((ms * 1000) / r.events).toFixed(1)} µs`, pct(ms, sum)]);
  console.log(textTable(['phase', 'total', 'per event', 'share'], rows, new Set([1, 2, 3])));
  if (b.linkLookups > 0) console.log(`(causation link: ${b.linkLookups} effects had no cause in memory, each resolved by readStream of its whole stream)`);

  console.log('\nFiner splits (separate passes over the same data, not in the sum above):');
  console.log(textTable(['piece', 'total', 'per event'], [...b.details.totals].map(([name, ms]) => [name, fmtMs(ms), `${((ms * 1000) / r.events).toFixed(1)} µs`]), new Set([1, 2])));

  const storePhase = [...b.phases.totals].find(([name]) => name.startsWith('store append'))?.[1] ?? Number.NaN;
  console.log(`\nStore append, statement by statement (SqliteEventStore.append re-enacted with a timer per step; total ${fmtMs(inner.total)} vs ${fmtMs(storePhase)} in the pipeline):`);
  const innerSum = inner.phases.sum;
  console.log(textTable(['step', 'total', 'per event', 'share'],
    [...inner.phases.totals].sort((a, c) => c[1] - a[1]).map(([name, ms]) => [name, fmtMs(ms), `${((ms * 1000) / r.events).toFixed(1)} µs`, pct(ms, innerSum)]),
    new Set([1, 2, 3])));
}
