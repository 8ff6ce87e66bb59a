import { writeFileDurably } from '../src/store/durable-file';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { uuidV7 } from '../src/capture/inbox-writer';
import type { NewEvent } from '../src/store/event-store';
import { LogbookDatabase } from '../src/store/logbook-database';
import { collectGarbage, fmtInt, fmtMB, fmtMs, fmtRatio, median, msSince, pct, progress, textTable, yieldToEventLoop } from './stats';
import { WorkloadGenerator } from './workload';
import type { FixtureEvent } from './workload';

// The durable flush rewrites the whole store file (sql.js keeps the database in memory), so
// its cost grows with the store. Measured against export() alone: the serialisation every
// flush pays before any byte reaches the disk.

export interface FlushBenchInput {
  readonly tempDir: string;
  readonly fixture: readonly FixtureEvent[];
  readonly sizes: readonly number[];
}

export interface FlushPoint {
  /** Where the writer held the store when flushing it: in SQLite's memory up to its limit, else on sql.js's file. */
  readonly residence: string;
  readonly events: number;
  readonly bytes: number;
  readonly avgDataBytes: number;
  readonly populateMs: number;
  readonly exportMs: number;
  readonly flushMs: number;
  readonly reps: number;
  /** What the file is made of (measured for stores up to COMPOSITION_MAX events). */
  readonly composition: Composition | undefined;
  /** Set when this size could not be measured (e.g. sql.js cannot hold the store). */
  readonly error: string | undefined;
}

export interface Composition {
  readonly dataBytes: number;
  readonly metadataBytes: number;
  readonly ftsContentBytes: number;
  readonly ftsIndexBytes: number;
}

const CHUNK = 5000;
/** Summing columns of a 1M-event store takes a while and the proportions do not change. */
const COMPOSITION_MAX = 100_000;
const SESSIONS = 8;

export async function benchFlush(input: FlushBenchInput): Promise<FlushPoint[]> {
  const dir = join(input.tempDir, 'flush');
  mkdirSync(dir);
  const points: FlushPoint[] = [];
  for (const events of input.sizes) {
    const file = join(dir, `store-${events}.sqlite`);
    // The whole-file write the store did before page files (a baseline now): a database in
    // memory, exported whole, written to a temp file, fsynced, renamed.
    const database = await LogbookDatabase.create();
    try {
      const started = process.hrtime.bigint();
      const avgDataBytes = await populate(database, new WorkloadGenerator(input.fixture, SESSIONS), events);
      const populateMs = msSince(started);
      progress(`flush: ${fmtInt(events)} events populated in ${(populateMs / 1000).toFixed(1)} s (not timed); timing export and flush`);
      // Big stores: fewer repetitions, each already takes seconds.
      const reps = events >= 1_000_000 ? 2 : events >= 100_000 ? 3 : 5;
      const exports: number[] = [];
      const flushes: number[] = [];
      let bytes = 0;
      for (let rep = 0; rep < reps; rep += 1) {
        await yieldToEventLoop();
        // Alternate which goes first, so neither always meets a freshly reopened database.
        const order = rep % 2 === 0 ? ['export', 'flush'] : ['flush', 'export'];
        for (const what of order) {
          // The previous export's image (up to gigabytes) must not be collected inside the next timing.
          collectGarbage();
          if (what === 'export') {
            const start = process.hrtime.bigint();
            const image = database.export();
            exports.push(msSince(start));
            bytes = image.length;
          } else {
            const start = process.hrtime.bigint();
            const image = database.export();
            writeFileDurably(file, image);
            bytes = image.length;
            flushes.push(msSince(start));
          }
        }
      }
      const composition = events <= COMPOSITION_MAX ? compositionOf(database) : undefined;
      points.push({ residence: 'memory', events, bytes, avgDataBytes, populateMs, exportMs: median(exports), flushMs: median(flushes), reps, composition, error: undefined });
    } catch (error) {
      // One size failing (sql.js is built without large-file support) must not lose the others.
      const message = error instanceof Error ? error.message : String(error);
      progress(`flush: ${fmtInt(events)} events failed: ${message}`);
      points.push({ residence: 'memory', events, bytes: 0, avgDataBytes: 0, populateMs: 0, exportMs: Number.NaN, flushMs: Number.NaN, reps: 0, composition: undefined, error: message });
    } finally {
      // Free the in-memory database (and its file) before the next, bigger one.
      try {
        database.close();
      } catch {
        // A database that failed mid-populate may refuse to close; its memory goes with it anyway.
      }
      rmSync(file, { force: true });
    }
  }
  printFlush(points);
  return points;
}

/** Appends `count` hook events shaped as the ingestor stores them; returns the mean data size. */
async function populate(database: LogbookDatabase, generator: WorkloadGenerator, count: number): Promise<number> {
  const started = process.hrtime.bigint();
  let dataBytes = 0;
  let us = Date.now() * 1000;
  const lastPreToolUse = new Map<string, string>();
  for (let done = 0; done < count; done += CHUNK) {
    const runs: { streamId: string; events: NewEvent[] }[] = [];
    for (let i = done; i < Math.min(count, done + CHUNK); i += 1) {
      const payload = generator.next();
      const data = JSON.parse(payload.json) as Record<string, unknown>;
      const type = String(data['hook_event_name']);
      us += 1500 + (i % 7) * 1000;
      // Time-ordered ids, as the hook stamps them: the UNIQUE(event_id) index sees appends.
      const eventId = uuidV7(Math.floor(us / 1000));
      dataBytes += payload.json.length;
      if (type === 'PreToolUse') lastPreToolUse.set(payload.sessionId, eventId);
      const isOutcome = type === 'PostToolUse' || type === 'PostToolUseFailure';
      const event: NewEvent = {
        eventId,
        type,
        schemaVersion: 1,
        data,
        // The metadata normalizeEntry writes for a hook entry.
        metadata: { source: 'hook', receivedAt: new Date(Math.floor(us / 1000)).toISOString(), receivedUs: us, inboxFile: `${String(us).padStart(17, '0')}-${eventId}.json`, hookEvent: payload.hookEvent },
        correlationId: typeof data['prompt_id'] === 'string' ? data['prompt_id'] : null,
        causationId: isOutcome ? (lastPreToolUse.get(payload.sessionId) ?? null) : null,
      };
      const last = runs.at(-1);
      if (last !== undefined && last.streamId === payload.sessionId) last.events.push(event);
      else runs.push({ streamId: payload.sessionId, events: [event] });
    }
    database.transaction(() => {
      for (const run of runs) database.store.append(run.streamId, run.events);
    });
    // A live store's full-text projection runs close behind the appends (idle work), so the
    // file a flush writes normally holds the index too.
    database.catchUpFullText(CHUNK);
    await yieldToEventLoop();
    const now = Math.min(count, done + CHUNK);
    if (count >= 100_000 && now % 100_000 === 0) progress(`flush: populating ${fmtInt(now)}/${fmtInt(count)} (${(msSince(started) / 1000).toFixed(0)} s)`);
  }
  return dataBytes / count;
}

/** Bytes of payload, metadata and full-text index, to see what a flush spends its time writing. */
function compositionOf(database: LogbookDatabase): Composition {
  const sum = (sql: string): number => Number(database.raw.exec(sql)[0]?.values[0]?.[0] ?? 0);
  return {
    dataBytes: sum('SELECT SUM(length(data)) FROM events'),
    metadataBytes: sum('SELECT SUM(length(metadata)) FROM events'),
    // FTS4 without content= keeps its own copy of every indexed body.
    ftsContentBytes: sum('SELECT SUM(length(c0body)) FROM events_fts_content'),
    ftsIndexBytes: sum('SELECT SUM(length(block)) FROM events_fts_segments') + sum('SELECT SUM(length(root)) FROM events_fts_segdir') + sum('SELECT SUM(length(size)) FROM events_fts_docsize'),
  };
}

function printFlush(points: readonly FlushPoint[]): void {
  console.log('\n## 3. Flush time by store size (median of the repetitions)\n');
  console.log(textTable(['events', 'held in', 'file', 'data/event', 'export()', 'flush()', 'ratio', 'flush MB/s', 'reps', 'populate (not timed)'],
    points.map((p) => p.error !== undefined ? [fmtInt(p.events), p.residence, 'failed', '', '', '', '', '', '', p.error] : [fmtInt(p.events), p.residence, fmtMB(p.bytes), `${Math.round(p.avgDataBytes)} B`, fmtMs(p.exportMs), fmtMs(p.flushMs), fmtRatio(p.flushMs / p.exportMs),
      (p.bytes / 1e6 / (p.flushMs / 1000)).toFixed(0), String(p.reps), `${(p.populateMs / 1000).toFixed(1)} s`]),
    new Set([0, 2, 3, 4, 5, 6, 7, 8, 9])));
  const measured = points.filter((p) => p.composition !== undefined);
  if (measured.length === 0) return;
  console.log('\nWhat the store file holds (bytes of column values; the rest is ids, indexes, b-tree pages and slack):');
  console.log(textTable(['events', 'file', 'data (JSON)', 'metadata (JSON)', 'FTS4 content copy', 'FTS4 index', 'rest'],
    measured.map((p) => {
      const c = p.composition as Composition;
      const rest = p.bytes - c.dataBytes - c.metadataBytes - c.ftsContentBytes - c.ftsIndexBytes;
      const cell = (n: number): string => `${fmtMB(n)} (${pct(n, p.bytes)})`;
      return [fmtInt(p.events), fmtMB(p.bytes), cell(c.dataBytes), cell(c.metadataBytes), cell(c.ftsContentBytes), cell(c.ftsIndexBytes), cell(rest)];
    }), new Set([0, 1, 2, 3, 4, 5, 6])));
}
