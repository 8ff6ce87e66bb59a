import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database, SqlValue } from 'sql.js';
import { entryFileName, entryText, INBOX_ENTRY_SUFFIX, RAW_HOOK_SUFFIX, stampNow } from '../src/capture/inbox-writer';
import { appendToInboxLog, isClaimedLog, LOG_SUFFIX } from '../src/capture/inbox-log';
import { claimLiveLog, readClaimedLog } from '../src/ingest/claimed-logs';
import { logbookPaths } from '../src/capture/paths';
import type { LogbookPaths } from '../src/capture/paths';
import { isKnownHookEvent, knownHookSchemas } from '../src/domain/hook-events';
import { CausationLinker } from '../src/ingest/causation';
import { parseInboxEntry } from '../src/ingest/inbox-entry';
import { PreparedEvent, prepareHookEntry, preparedRecord } from '../src/ingest/hook-fast-path';
import { emptyReport } from '../src/ingest/ingestor';
import { appendInTransaction } from '../src/ingest/entry-records';
import { tryAcquireLock } from '../src/ingest/lock';
import { normalizeEntryRecords, serializeRecord } from '../src/ingest/normalize';
import { unreadable } from '../src/ingest/inbox-entry';
import type { IngestRecord } from '../src/ingest/normalize';
import { openStoreForWriting } from '../src/ingest/open-store';
import { SegmentLog } from '../src/ingest/segments';
import { LogbookWriter } from '../src/ingest/writer';
import { DirectBinder } from '../src/store/direct-bind';
import type { DirectValue } from '../src/store/direct-bind';
import { writeFileDurably } from '../src/store/durable-file';
import { LogbookDatabase } from '../src/store/logbook-database';
import { searchableText } from '../src/store/searchable-text';
import { loadSqlJs } from '../src/store/sqljs';
import { collectGarbage, fmtInt, fmtMs, fmtRatio, median, msSince, pct, progress, textTable, yieldToEventLoop } from './stats';
import { WorkloadGenerator } from './workload';
import type { FixtureEvent } from './workload';

// Ingest throughput, durable flush included, against raw sql.js prepared inserts of the very
// same rows, each baseline timed in a fresh process of this same command (`--raw-child`): run in
// the process that has just ingested, the raw inserts are 2-3× slower (V8 compiles sql.js's
// string-to-UTF-8 loop and its bind code for the mix our ingest feeds them), which flattered
// the ratio. Then where our time goes: the ingest pipeline re-run piece by piece on a twin
// inbox (the same entries appended to its own log; src/ is not instrumented: the pieces are
// the functions it calls, in its order). The re-enactment follows src/ingest/ingestor.ts as of this commit; the
// "sum vs end-to-end" line says when it has drifted from it.
//
// Work the writer defers (archiving claimed inbox logs after the flush and sealing them into a
// raw segment, the full-text projection's catch-up)
// is not in the headline figure, as the brief defines it (start → ingest → flush → close), but
// it is timed and shown beside it, and in an all-in figure: deferred work is still work.

export interface IngestBenchInput {
  readonly tempDir: string;
  readonly fixture: readonly FixtureEvent[];
  readonly events: number;
  /** Repetitions of the whole comparison; medians are reported (this VM-class disk is noisy). */
  readonly reps: number;
}

export interface IngestBenchResult {
  readonly events: number;
  readonly sessions: number;
  readonly reps: number;
  /** Medians over the repetitions: start → ingest → flush → close. */
  readonly oursMs: number;
  /** The same plus the deferred work (archive + seal, full-text catch-up and its flush). */
  readonly allInMs: number;
  readonly rawMs: number;
  /** Informational: the raw inserts with data and metadata bound as UTF-8 bytes (sql.js copies bytes; it encodes strings in JS). */
  readonly rawBytesMs: number;
  /** Informational: the same rows into a fresh store of our schema, bound as ours, nothing else. */
  readonly schemaMs: number;
}

const SESSIONS = 8;
const MAX_FIELD_BYTES = 65_536;
/** Ingestor's default batch (IngestOptions.batchSize): the breakdown uses the same. */
const BATCH = 500;
const OPTIONS = { maxFieldBytes: MAX_FIELD_BYTES };

export async function benchIngest(input: IngestBenchInput): Promise<IngestBenchResult> {
  const workspace = (dir: string, name: string): LogbookPaths => {
    mkdirSync(join(dir, name), { recursive: true });
    return logbookPaths(join(dir, name));
  };
  const SQL = await loadSqlJs();

  // Warm-up of both contenders (JIT, sql.js instance), so neither pays a first-run cost alone.
  const warmDir = join(input.tempDir, 'ingest-warmup');
  const warm = workspace(warmDir, 'ws');
  // A whole untimed run of the measured size, as the raw baseline's process gets one: every code
  // path compiled, and sql.js's WASM memory grown to what a run of this size needs.
  await fillInboxes([warm.inbox], new WorkloadGenerator(input.fixture, SESSIONS), input.events);
  await runOurs(warm, input.events);
  rmSync(warmDir, { recursive: true, force: true });

  const ours: OursTiming[] = [];
  const raw: number[] = [];
  const rawBytes: number[] = [];
  const schema: number[] = [];
  const breakdowns: Breakdown[] = [];
  for (let rep = 0; rep < input.reps; rep += 1) {
    const repDir = join(input.tempDir, `ingest-${rep}`);
    const measured = workspace(repDir, 'ours');
    const pieces = workspace(repDir, 'breakdown');
    progress(`ingest ${rep + 1}/${input.reps}: appending ${fmtInt(input.events)} entries to two inbox logs, the way the hook does (fsync each; not timed)`);
    // Both inboxes get the same names and bytes, written alike (fsynced entries cost more to unlink than unsynced copies).
    await fillInboxes([measured.inbox, pieces.inbox], new WorkloadGenerator(input.fixture, SESSIONS), input.events);
    const runMeasured = async (): Promise<void> => {
      progress(`ingest ${rep + 1}/${input.reps}: LogbookWriter start → ingest → flush → close, then raw sql.js inserts of the same rows`);
      await settleDisk();
      collectGarbage();
      ours.push(await runOurs(measured, input.events));
      const rows = readStoredRows(SQL, measured.store).length;
      if (rows !== input.events) throw new Error(`the store holds ${rows} events, expected ${input.events}`);
      raw.push(rawInChild(measured.store, 'strings'));
      rawBytes.push(rawInChild(measured.store, 'bytes'));
      schema.push(rawInChild(measured.store, 'schema'));
    };
    const runPieces = async (): Promise<void> => {
      progress(`ingest ${rep + 1}/${input.reps}: breakdown (the pipeline piece by piece on the twin inbox)`);
      await settleDisk();
      collectGarbage();
      // Only the last run's records are needed (the statement-by-statement split). Keeping every
      // run's 20,000 would grow the heap the timed runs after it must garbage-collect around.
      for (const earlier of breakdowns) earlier.records = [];
      breakdowns.push(await breakdownIngest(pieces, input.events));
    };
    // Alternate which goes first: the disk's state after one run must not always favour the same one.
    if (rep % 2 === 0) {
      await runMeasured();
      await runPieces();
    } else {
      await runPieces();
      await runMeasured();
    }
    rmSync(repDir, { recursive: true, force: true });
    await yieldToEventLoop();
  }
  const last = breakdowns.at(-1) as Breakdown;
  progress('ingest: store append statement by statement');
  collectGarbage();
  const inner = await mirrorStoreAppend(last.records);

  const result: IngestBenchResult = {
    events: input.events, sessions: SESSIONS, reps: input.reps,
    oursMs: median(ours.map((o) => o.total)), allInMs: median(ours.map((o) => o.total + o.removal + o.fullText)), rawMs: median(raw), rawBytesMs: median(rawBytes), schemaMs: median(schema),
  };
  printIngest(result, ours, raw, rawBytes, schema, breakdowns, inner);
  return result;
}

/**
 * Lets the disk go quiet before a timed run: the inboxes were just filled with 40,000 fsynced
 * appends, and the file system's writeback and journal threads still busy the 2 cores for a
 * moment after (the raw baseline, timed later in its own process, never met them).
 */
async function settleDisk(): Promise<void> {
  spawnSync('sync');
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

/** Appends `count` generated entries to every inbox given, each with the hook's own writer (the inbox log). */
async function fillInboxes(inboxes: readonly string[], generator: WorkloadGenerator, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const payload = generator.next();
    const stamp = stampNow();
    const text = entryText(stamp, 'hook', payload.hookEvent, payload.json);
    for (const inbox of inboxes) {
      if (appendToInboxLog(inbox, text, () => entryFileName(stampNow(), LOG_SUFFIX)) === undefined) throw new Error(`the live log of ${inbox} was retired while the bench filled it`);
    }
    if ((i + 1) % 1000 === 0) await yieldToEventLoop();
    if ((i + 1) % 5000 === 0 && count > 5000) progress(`ingest: ${fmtInt(i + 1)}/${fmtInt(count)} entries written`);
  }
}

interface OursTiming {
  /** start + ingest + flush + close: the headline. */
  readonly total: number;
  readonly start: number;
  readonly ingest: number;
  readonly flush: number;
  readonly close: number;
  /** Deferred: removeCommittedEntries (claimed logs moved to the archive; sealed, and their files removed, when the journal is full). */
  readonly removal: number;
  /** Deferred: catchUpFullText and the flush that persists it. */
  readonly fullText: number;
  readonly storeBytes: number;
}

/** The product's own path in the order the CLI's `logbook ingest` runs it, each step timed. */
async function runOurs(paths: LogbookPaths, expected: number): Promise<OursTiming> {
  const t0 = process.hrtime.bigint();
  const started = await LogbookWriter.start(paths, 'bench', OPTIONS);
  if (!started.ok) throw new Error('could not take the ingest lock of a fresh bench workspace');
  const writer = started.writer;
  const start = msSince(t0);
  const t1 = process.hrtime.bigint();
  const report = writer.ingest();
  const ingest = msSince(t1);
  const t2 = process.hrtime.bigint();
  writer.flush();
  const storeBytes = writer.database.byteSize();
  const flush = msSince(t2);
  const t3 = process.hrtime.bigint();
  const removed = await writer.removeCommittedEntries();
  const removal = msSince(t3);
  const t4 = process.hrtime.bigint();
  if (writer.catchUpFullText() > 0) writer.flush();
  const fullText = msSince(t4);
  const t5 = process.hrtime.bigint();
  writer.close();
  const close = msSince(t5);
  if (report.appended !== expected || report.quarantined !== 0) {
    throw new Error(`ingest appended ${report.appended} (${report.quarantined} quarantined), expected ${expected} hook events`);
  }
  const left = pendingNames(paths.inbox);
  if (removed < 1 || left.length > 0) throw new Error(`removeCommittedEntries archived ${removed} inbox files and left ${left.join(', ')}`);
  return { total: start + ingest + flush + close, start, ingest, flush, close, removal, fullText, storeBytes };
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

type RawMode = 'strings' | 'bytes' | 'schema';

/** The raw inserts of a store's rows, timed in a fresh process of this command (see the top of the file). */
function rawInChild(storeFile: string, mode: RawMode): number {
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1] ?? '', '--raw-child', mode, storeFile], { encoding: 'utf8', timeout: 300_000 });
  const ms = Number(/^raw-ms (\S+)$/m.exec(child.stdout)?.[1]);
  if (child.status !== 0 || !Number.isFinite(ms)) throw new Error(`the raw baseline process (${mode}) failed (exit ${String(child.status)}): ${child.stderr}${child.stdout}`);
  return ms;
}

/**
 * `bench --raw-child strings|bytes <store>`: the baseline's own process. One untimed pass over the
 * rows (JIT and sql.js warm-up, as our side gets), then the timed one; prints "raw-ms N".
 */
export async function rawChild(mode: string, storeFile: string): Promise<void> {
  if (mode !== 'strings' && mode !== 'bytes' && mode !== 'schema') throw new Error(`--raw-child takes strings, bytes or schema, not ${JSON.stringify(mode)}`);
  const SQL = await loadSqlJs();
  const rows = readStoredRows(SQL, storeFile);
  const run = async (): Promise<number> => (mode === 'schema' ? schemaInserts(rows) : rawInserts(SQL, rows, mode === 'bytes'));
  await run();
  collectGarbage();
  console.log(`raw-ms ${await run()}`);
}

/**
 * Informational, the floor of our own store: the same rows into a fresh store of our schema
 * (UNIQUE stream position and event id, the type index, the triggers), in memory as the writer
 * keeps it, bound as our append binds
 * them (direct binding, BATCH rows a run), one prepared INSERT, one transaction, nothing else.
 */
async function schemaInserts(rows: readonly Row[]): Promise<number> {
  const start = process.hrtime.bigint();
  // In SQLite's memory: the inserts alone, no file I/O.
  const database = await LogbookDatabase.create();
  const db = database.raw;
  const insert = db.prepare(INSERT_SQL);
  const binder = DirectBinder.for(await loadSqlJs(), db, insert, INSERT_SQL);
  if (binder === undefined) throw new Error('this sql.js does not expose what direct binding needs');
  db.run('BEGIN');
  for (let from = 0; from < rows.length; from += BATCH) {
    binder.run(rows.slice(from, from + BATCH), () => undefined);
  }
  db.run('COMMIT');
  insert.free();
  const ms = msSince(start);
  database.close();
  return ms;
}

/**
 * The floor: the same columns as `events`, but no UNIQUE constraints, secondary indexes,
 * triggers or FTS; one prepared INSERT, one transaction, no file written. With `asBytes`
 * (informational, not the goal's baseline) data and metadata are bound the way our append
 * binds them: as UTF-8 bytes cast to TEXT, which sql.js copies instead of encoding in JS.
 */
function rawInserts(SQL: SqlJs, rows: readonly Row[], asBytes = false): number {
  const start = process.hrtime.bigint();
  const db = new SQL.Database();
  db.run(`CREATE TABLE events (
    global_position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, stream_position INTEGER NOT NULL, event_id TEXT NOT NULL,
    type TEXT NOT NULL, schema_version INTEGER NOT NULL, recorded_at TEXT NOT NULL, correlation_id TEXT, causation_id TEXT,
    data TEXT NOT NULL, metadata TEXT NOT NULL)`);
  const insert = db.prepare(`INSERT INTO events (stream_id, stream_position, event_id, type, schema_version, recorded_at, correlation_id, causation_id, data, metadata)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ${asBytes ? 'CAST(? AS TEXT), CAST(? AS TEXT)' : '?, ?'})`);
  db.run('BEGIN');
  // The encoding to bytes is timed too: our append pays it.
  for (const row of rows) insert.run(asBytes ? row.map((value, i) => (i >= 8 && typeof value === 'string' ? Buffer.from(value, 'utf8') : value)) : row);
  db.run('COMMIT');
  insert.free();
  const ms = msSince(start);
  db.close();
  return ms;
}

/** Runs a named piece of work, timing it or not. */
interface Timer {
  time<T>(name: string, work: () => T): T;
}

/** The same code path without timers: how much the per-step timers themselves cost. */
const UNTIMED: Timer = { time: (_name, work) => work() };

/** Named phase timings, kept in the order they were first seen. */
class Phases implements Timer {
  readonly totals = new Map<string, number>();

  time<T>(name: string, work: () => T): T {
    const start = process.hrtime.bigint();
    try {
      return work();
    } finally {
      this.add(name, msSince(start));
    }
  }

  async timeAsync(name: string, work: () => Promise<void>): Promise<void> {
    const start = process.hrtime.bigint();
    try {
      await work();
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
  /** The headline's steps: start → ingest → flush → close. */
  readonly phases: Phases;
  /** Deferred steps, after the flush. */
  readonly deferred: Phases;
  /** Finer splits measured in separate passes over the same data (not part of the sums). */
  readonly details: Phases;
  /** The records appended: kept for the last run only (see breakdowns.push below). */
  records: IngestRecord[];
  readonly linkLookups: number;
}

/**
 * Ingestor.ingestPending + commit + removeCommitted, the CLI's full-text catch-up, and
 * LogbookWriter.start/close, called piece by piece in the same order on the same batches, so
 * each piece's time is its real cost in the pipeline.
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
  const consumed: string[] = [];
  let consumedBytes = 0;
  const report = emptyReport();
  const allRecords: IngestRecord[] = [];
  const lookups = new LookupCounter();

  phases.time('journal recovery check (once per writer)', () => segments.dropUnlanded(database.store.lastGlobalPosition()));
  phases.time('claim the live log (stat + rename)', () => claimLiveLog(paths.inbox));
  const pending = phases.time('list inbox (readdir + filter + sort, once)', () => pendingNames(paths.inbox));
  if (pending.some((name) => !isClaimedLog(name))) throw new Error(`the breakdown re-enacts the inbox log path; the bench wrote entry files: ${pending.join(', ')}`);
  // One transaction for the pass; its BEGIN and COMMIT are what the pass takes beyond its pieces.
  const passStart = process.hrtime.bigint();
  const inPass = phases.sum;
  database.transaction(() => {
    for (const log of pending) {
      const read = phases.time('retire + read + split a claimed log (chmod, one read, records at 0x1E)', () => readClaimedLog(paths.inbox, log));
      consumedBytes += read.size;
      for (let from = 0; from < read.records.length; from += BATCH) {
        const batch = read.records.slice(from, from + BATCH);
        // Record by record, as the ingestor goes: the fast path, else full validation.
        const parsed = batch.map((record) => {
          const label = `${log}#${record.offset}`;
          const prepared = phases.time('fast path (JSON.parse + plain checks)', () => (record.torn === undefined ? prepareHookEntry(label, record.text, MAX_FIELD_BYTES) : null));
          if (prepared !== null) return phases.time('record of a prepared entry', () => [preparedRecord(prepared)]);
          return phases.time('full validation (JSON.parse + zod envelope + zod event schema + metadata JSON)', () => (record.torn === undefined
            ? normalizeEntryRecords(parseInboxEntry(label, record.text), OPTIONS)
            : normalizeEntryRecords(unreadable(label, record.text, record.torn), OPTIONS)));
        });
        // A log's records carry no id in a name: one query for the batch (nothing newer than the store's newest id is looked up).
        const stored = phases.time('dedupe (existingEventIds: one query per batch)', () => database.store.existingEventIds(parsed.flatMap((records) => (records[0] === undefined ? [] : [records[0].event.eventId]))));
        const linked: IngestRecord[] = [];
        phases.time('causation link + serializeRecord', () => {
          for (const records of parsed) {
            if (records[0] !== undefined && stored.has(records[0].event.eventId)) continue;
            for (const record of records) {
              lookups.observe(record);
              linked.push(serializeRecord(linker.link(record)));
            }
          }
        });
        phases.time('store append (inside the pass\'s transaction)', () => appendInTransaction(database, linked, report));
        allRecords.push(...linked);
      }
      consumed.push(log);
    }
  });
  phases.add('BEGIN + COMMIT of the pass\'s transaction', msSince(passStart) - (phases.sum - inPass));
  if (report.appended !== expected) throw new Error(`breakdown appended ${report.appended}, expected ${expected}`);

  // LogbookDatabase.flush() is exactly export() then writeFileDurably(): timed as its two halves.
  const flushInHalves = (label: string, into: Phases): void => {
    const bytes = into.time(`${label}: export (sql.js serialises the db)`, () => database.export());
    into.time(`${label}: write temp + fsync + rename + fsync dir`, () => writeFileDurably(paths.store, bytes));
  };
  phases.time('journal (inbox file names in append order, write + fsync)', () => segments.appendGroup(consumed, database.store.lastGlobalPosition(), MAX_FIELD_BYTES, consumedBytes));
  flushInHalves('flush', phases);
  const deferred = new Phases();
  deferred.time('move claimed logs to the archive (rename)', () => moveAll(paths.inbox, segments, consumed));
  if (segments.full) {
    deferred.time('seal the journal (read archived logs + gzip + write durably)', () => segments.seal(paths.inbox));
    await deferred.timeAsync('remove sealed archived logs (async unlink, 16 at a time)', async () => {
      for (const sealed of segments.unfinishedSeals()) {
        await removeAll(segments.archiveDir, sealed.entries, 16);
        segments.finishSeal(sealed.journal);
      }
    });
  }
  deferred.time('full-text catch-up (catchUpFullText)', () => database.catchUpFullText());
  flushInHalves('second flush', deferred);
  phases.time('close: release lock + close db', () => {
    attempt.lock.release();
    database.close();
  });

  const details = new Phases();
  const payloadTexts = allRecords.map((r) => r.event.serialized?.data ?? 'null');
  const payloads = details.time('JSON.parse of the payload texts alone', () => payloadTexts.map((t) => JSON.parse(t) as unknown));
  details.time('zod: known event schema safeParse alone (what the fast path spares)', () => payloads.forEach((payload) => {
    const name = (payload as { hook_event_name?: unknown } | null)?.hook_event_name;
    if (typeof name === 'string' && isKnownHookEvent(name)) knownHookSchemas[name].safeParse(payload);
  }));
  return { phases, deferred, details, records: allRecords, linkLookups: lookups.count };
}

/** Ingestor.pendingNames, same behaviour (nothing is consumed yet on a fresh writer). */
function pendingNames(inbox: string): string[] {
  return readdirSync(inbox).filter((n) => n.endsWith(INBOX_ENTRY_SUFFIX) || n.endsWith(RAW_HOOK_SUFFIX) || isClaimedLog(n)).sort();
}

/** Ingestor.removeCommitted's first step, re-enacted. */
function moveAll(inbox: string, segments: SegmentLog, names: readonly string[]): void {
  segments.ensureDir();
  for (const name of names) renameSync(join(inbox, name), join(segments.archiveDir, name));
}

/** Ingestor.finishSeal, re-enacted: `concurrency` unlinks in flight at a time. */
async function removeAll(dir: string, names: readonly string[], concurrency: number): Promise<void> {
  for (let start = 0; start < names.length; start += concurrency) {
    await Promise.all(names.slice(start, start + concurrency).map((name) => unlink(join(dir, name))));
  }
}

/**
 * Counts the streams CausationLinker reads back whole: it does so on the first effect in a
 * stream whose cause it has not seen in this process (e.g. the SubagentStop of /compact).
 */
class LookupCounter {
  count = 0;
  private readonly known = new Set<string>();
  private readonly loaded = new Set<string>();

  observe(record: IngestRecord): void {
    const data = record.event instanceof PreparedEvent ? null : (record.event.data as Record<string, unknown> | null);
    const links = record.links ?? (data !== null && typeof data === 'object'
      ? { toolUseId: typeof data['tool_use_id'] === 'string' ? data['tool_use_id'] : null, agentId: typeof data['agent_id'] === 'string' ? data['agent_id'] : null }
      : undefined);
    if (links === undefined) return;
    const type = record.event.type;
    const tool = links.toolUseId !== null ? `${record.streamId}|tool:${links.toolUseId}` : undefined;
    const agent = links.agentId !== null ? `${record.streamId}|agent:${links.agentId}` : undefined;
    if (type === 'PreToolUse' && tool !== undefined) this.known.add(tool);
    if (type === 'SubagentStart' && agent !== undefined) this.known.add(agent);
    let key: string | undefined;
    if ((type === 'PostToolUse' || type === 'PostToolUseFailure' || type === 'PermissionDenied') && tool !== undefined) key = tool;
    if (type === 'SubagentStop' && agent !== undefined) key = agent;
    if (key === undefined || this.known.has(key) || this.loaded.has(record.streamId)) return;
    this.loaded.add(record.streamId);
    this.count += 1;
  }
}

interface StoreTotals {
  readonly append: number;
  readonly fullText: number;
}

interface StoreSplit {
  readonly phases: Phases;
  readonly timed: StoreTotals;
  /** The same re-enactment without per-step timers. */
  readonly untimed: StoreTotals;
}

/**
 * The store's work re-enacted statement by statement on a fresh LogbookDatabase (same schema,
 * same SQL, same transactions): SqliteEventStore.append for every batch, then its
 * catchUpFullText, with a timer around each step. Run once without timers to show their cost.
 */
async function mirrorStoreAppend(records: readonly IngestRecord[]): Promise<StoreSplit> {
  const untimed = await reenactStore(records, UNTIMED);
  collectGarbage();
  const phases = new Phases();
  const timed = await reenactStore(records, phases);
  return { phases, timed, untimed };
}

/** SqliteEventStore's INSERT, word for word (the binder checks the statement it is given against it). */
const INSERT_SQL = `INSERT INTO events (stream_id, stream_position, event_id, type, schema_version, recorded_at, correlation_id, causation_id, data, metadata)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT)) ON CONFLICT (event_id) DO NOTHING`;

async function reenactStore(records: readonly IngestRecord[], p: Timer): Promise<StoreTotals> {
  const database = await LogbookDatabase.create();
  const db: Database = database.raw;
  // Named from the schema itself, so the label stays true when migrations change the indexes.
  const indexes = (db.exec("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")[0]?.values ?? []).map((row) => String(row[0]));
  const insert = db.prepare(INSERT_SQL);
  const binder = DirectBinder.for(await loadSqlJs(), db, insert, INSERT_SQL);
  if (binder === undefined) throw new Error('this sql.js does not expose what direct binding needs: the re-enactment would not follow the store');
  const lastId = db.prepare('SELECT last_insert_rowid()');
  const versionOf = db.prepare('SELECT COALESCE(MAX(stream_position), 0) FROM events WHERE stream_id = ?');
  const fts = db.prepare('INSERT INTO events_fts (docid, body) VALUES (?, ?)');
  const versions = new Map<string, number>();
  const start = process.hrtime.bigint();
  p.time('BEGIN + COMMIT (one transaction per pass)', () => db.run('BEGIN'));
  for (let from = 0; from < records.length; from += BATCH) {
    const batch = records.slice(from, from + BATCH);
    let i = 0;
    while (i < batch.length) {
      const streamId = (batch[i] as IngestRecord).streamId;
      let end = i + 1;
      while (end < batch.length && (batch[end] as IngestRecord).streamId === streamId) end += 1;
      const current = p.time('stream version (cached; SELECT MAX once per stream)', () => {
        const known = versions.get(streamId);
        if (known !== undefined) return known;
        versionOf.bind([streamId]);
        const v = versionOf.step() ? Number(versionOf.get()[0]) : 0;
        versionOf.reset();
        return v;
      });
      let version = current;
      const recordedAt = new Date().toISOString();
      // Inside the pass's transaction append takes no savepoint of its own. Its rows go to the
      // direct binder in one run (encode into one buffer, one copy into the WASM heap, bind by pointer).
      const rows = batch.slice(i, end).map((record, k): DirectValue[] => {
        const event = record.event;
        const dataText = event.serialized?.data ?? p.time('JSON.stringify data + metadata (when not pre-serialised)', () => JSON.stringify(event.data ?? null));
        const metaText = event.serialized?.metadata ?? p.time('JSON.stringify data + metadata (when not pre-serialised)', () => JSON.stringify(event.metadata));
        return [streamId, current + k + 1, event.eventId, event.type, event.schemaVersion, recordedAt, event.correlationId ?? null, event.causationId ?? null, dataText, metaText];
      });
      p.time(`INSERT events, bound by pointer (rowid + ${indexes.length} indexes: ${indexes.join(', ')})`, () => binder.run(rows, (_index, modified) => {
        if (modified > 0) version += 1;
      }));
      if (version > current) {
        p.time('SELECT last_insert_rowid() (once per append)', () => {
          lastId.bind([]);
          lastId.step();
          lastId.reset();
        });
      }
      versions.set(streamId, version);
      i = end;
    }
  }
  p.time('BEGIN + COMMIT (one transaction per pass)', () => db.run('COMMIT'));
  const appendMs = msSince(start);
  // catchUpFullText: read what the checkpoint has not seen, index it, move the checkpoint.
  const ftsStart = process.hrtime.bigint();
  p.time('full-text: SAVEPOINT + RELEASE, checkpoint read + UPDATE', () => db.run('SAVEPOINT fts'));
  const rows = p.time('full-text: SELECT unindexed rows (type, data)', () => {
    const out: SqlValue[][] = [];
    const select = db.prepare('SELECT global_position, type, data FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?');
    select.bind([0, Number.MAX_SAFE_INTEGER]);
    while (select.step()) out.push(select.get());
    select.free();
    return out;
  });
  for (const [position, type, data] of rows) {
    const value = p.time('full-text: JSON.parse data', () => JSON.parse(String(data)) as unknown);
    const body = p.time('full-text: searchableText', () => searchableText(String(type), value));
    p.time('full-text: INSERT events_fts (FTS4 tokenise)', () => fts.run([position as number, body]));
  }
  p.time('full-text: SAVEPOINT + RELEASE, checkpoint read + UPDATE', () => {
    db.run("UPDATE projection_checkpoints SET position = ? WHERE name = 'fts'", [rows.at(-1)?.[0] ?? 0]);
    db.run('RELEASE fts');
  });
  const fullTextMs = msSince(ftsStart);
  for (const statement of [insert, lastId, versionOf, fts]) statement.free();
  database.close();
  return { append: appendMs, fullText: fullTextMs };
}

function printIngest(r: IngestBenchResult, ours: readonly OursTiming[], raw: readonly number[], rawBytes: readonly number[], schema: readonly number[], breakdowns: readonly Breakdown[], inner: StoreSplit): void {
  const rate = (ms: number): number => r.events / (ms / 1000);
  const rawRate = rate(r.rawMs);
  const runs = (values: readonly number[]): string => values.map((v) => fmtMs(v)).join(', ');
  console.log(`\n## 2. Ingest throughput (${fmtInt(r.events)} hook events, ${r.sessions} sessions, payloads from the fixture; median of ${r.reps} run${r.reps === 1 ? '' : 's'})\n`);
  console.log(textTable(['contender', 'time', 'events/s', 'ratio'], [
    ['ours: LogbookWriter start → ingest → flush → close', fmtMs(r.oursMs), fmtInt(rate(r.oursMs)), fmtRatio(rate(r.oursMs) / rawRate)],
    ['ours all-in: + deferred archive/seal + full-text catch-up and its flush', fmtMs(r.allInMs), fmtInt(rate(r.allInMs)), fmtRatio(rate(r.allInMs) / rawRate)],
    ['raw sql.js: 1 prepared INSERT, 1 transaction, no indexes/FTS/flush (own process)', fmtMs(r.rawMs), fmtInt(rawRate), fmtRatio(1)],
    ["(informational) raw sql.js binding data + metadata as UTF-8 bytes, the cheaper of sql.js's public binds (own process)", fmtMs(r.rawBytesMs), fmtInt(rate(r.rawBytesMs)), fmtRatio(rate(r.rawBytesMs) / rawRate)],
    ['(informational) the same rows into a fresh store of our schema, bound as ours (by pointer), nothing else (own process)', fmtMs(r.schemaMs), fmtInt(rate(r.schemaMs)), fmtRatio(rate(r.schemaMs) / rawRate)],
  ], new Set([1, 2, 3])));
  console.log(`The store's own INSERTs (unique indexes, type index, triggers) are ${fmtRatio(rate(r.schemaMs) / rawRate)} of the baseline by themselves: the most any ingest into this schema could reach.`);
  console.log(`Ours against that second floor: ${fmtRatio(rate(r.oursMs) / rate(r.rawBytesMs))} (sql.js encodes a bound string to UTF-8 in JavaScript, character by character; bytes are copied. The goal's baseline binds strings; our append encodes a batch's values into one buffer and binds them by pointer, src/store/direct-bind.ts.)`);
  if (ours.length > 1) console.log(`runs: ours ${runs(ours.map((o) => o.total))}; all-in ${runs(ours.map((o) => o.total + o.removal + o.fullText))}; raw ${runs(raw)}; raw, bytes ${runs(rawBytes)}; our schema ${runs(schema)}`);
  const coarse = (pick: (o: OursTiming) => number): string => fmtMs(median(ours.map(pick)));
  console.log(`Ours, coarse (medians): start ${coarse((o) => o.start)}, ingest ${coarse((o) => o.ingest)}, flush ${coarse((o) => o.flush)} (store ${((ours[0]?.storeBytes ?? 0) / 1e6).toFixed(1)} MB), close ${coarse((o) => o.close)}; deferred: archive + seal ${coarse((o) => o.removal)}, full-text catch-up + flush ${coarse((o) => o.fullText)}.`);

  const runsLabel = `median per phase over ${breakdowns.length} run${breakdowns.length === 1 ? '' : 's'}`;
  const phases = medianPhases(breakdowns.map((b) => b.phases));
  const sum = total(phases);
  console.log(`\nBreakdown of the headline: the same pipeline called piece by piece on a twin inbox (${runsLabel}; sum ${fmtMs(sum)} vs end-to-end ${fmtMs(r.oursMs)}):`);
  console.log(textTable(['phase', 'total', 'per event', 'share'], [...phases].map(([name, ms]) => [name, fmtMs(ms), perEvent(ms, r.events), pct(ms, sum)]), new Set([1, 2, 3])));
  // A large gap means noise, or src/ingest changed and this re-enactment no longer follows it.
  if (Math.abs(sum - r.oursMs) > 0.3 * r.oursMs) {
    console.log(`WARNING: the breakdown's sum is ${pct(Math.abs(sum - r.oursMs), r.oursMs)} away from the end-to-end time: a noisy machine, or src/ingest/ingestor.ts changed and bench/ingest-bench.ts no longer mirrors it.`);
  }
  const lookups = breakdowns.at(-1)?.linkLookups ?? 0;
  if (lookups > 0) console.log(`(causation link read ${lookups} stream${lookups === 1 ? '' : 's'} back whole: an effect whose cause was not seen in this process, e.g. the SubagentStop of /compact)`);

  const deferred = medianPhases(breakdowns.map((b) => b.deferred));
  const deferredSum = total(deferred);
  const deferredMeasured = median(ours.map((o) => o.removal + o.fullText));
  console.log(`\nDeferred work, same way (${runsLabel}; sum ${fmtMs(deferredSum)} vs ${fmtMs(deferredMeasured)} measured after the headline run):`);
  console.log(textTable(['phase', 'total', 'per event', 'share'], [...deferred].map(([name, ms]) => [name, fmtMs(ms), perEvent(ms, r.events), pct(ms, deferredSum)]), new Set([1, 2, 3])));

  console.log('\nFiner splits (separate passes over the same data, not in the sums above):');
  const details = medianPhases(breakdowns.map((b) => b.details));
  console.log(textTable(['piece', 'total', 'per event'], [...details].map(([name, ms]) => [name, fmtMs(ms), perEvent(ms, r.events)]), new Set([1, 2])));

  const storePhase = [...phases].find(([name]) => name.startsWith('store append'))?.[1] ?? Number.NaN;
  const ftsPhase = [...deferred].find(([name]) => name.startsWith('full-text'))?.[1] ?? Number.NaN;
  const steps = (fullText: boolean): [string, number][] => [...inner.phases.totals].filter(([name]) => name.startsWith('full-text:') === fullText).sort((a, c) => c[1] - a[1]);
  const stepTable = (list: [string, number][]): string => {
    const listSum = list.reduce((a, [, ms]) => a + ms, 0);
    return textTable(['step', 'total', 'per event', 'share'], list.map(([name, ms]) => [name, fmtMs(ms), perEvent(ms, r.events), pct(ms, listSum)]), new Set([1, 2, 3]));
  };
  console.log(`\nStore append, statement by statement (SqliteEventStore.append re-enacted on a fresh store, a timer per step; ${fmtMs(inner.timed.append)}, ${fmtMs(inner.untimed.append)} without the timers, vs ${fmtMs(storePhase)} in the pipeline):`);
  console.log(stepTable(steps(false)));
  console.log(`\nFull-text catch-up, statement by statement (catchUpFullText re-enacted; ${fmtMs(inner.timed.fullText)}, ${fmtMs(inner.untimed.fullText)} without the timers, vs ${fmtMs(ftsPhase)} in the pipeline):`);
  console.log(stepTable(steps(true)));
}

function total(phases: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const ms of phases.values()) sum += ms;
  return sum;
}

function perEvent(ms: number, events: number): string {
  return `${((ms * 1000) / events).toFixed(1)} µs`;
}

/** Per-phase medians, in the order the phases ran. */
function medianPhases(runs: readonly Phases[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of runs[0]?.totals.keys() ?? []) out.set(name, median(runs.map((p) => p.totals.get(name) ?? 0)));
  return out;
}
