import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'sql.js';
import { openPageFile } from '../src/store/pagefile/page-file';
import { loadSqlJs } from '../src/store/sqljs';
import { writeFileDurably } from '../src/store/durable-file';
import { migrate } from '../src/store/schema';
import { searchableText } from '../src/store/searchable-text';
import { fmtInt, fmtMB, fmtMs, fmtRatio, markdownTable, msSince, progress } from './stats';
import { loadFixture } from './workload';

// Page-file store (src/store/pagefile/, what LogbookDatabase is now) against the whole-file store
// it replaced (the file read whole into sql.js, a flush exports and writes it whole), on the same SQLite file
// with the project's schema, at several history sizes. Each operation runs in a fresh process
// of its own, as the CLI would; its time is measured inside the process (sql.js loaded first,
// for both), its peak RSS is the process's. Not a test: it prints.
//   node --import tsx bench/pagefile-bench.ts [sizes, default 10000,100000,1000000]

const ROOT = join(__dirname, '..');
const EVENTS_PER_STREAM = 630;
const TURN = 63;
/** Today's store is read whole into WASM memory, which ends at 2 GB: past this it is not tried. */
const WHOLE_FILE_MAX_BYTES = 600 * 1024 * 1024;
const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu build test lint deploy refactor parser schema render widget cache'.split(' ');

type Approach = 'pagefile' | 'wholefile';
type Op = 'commit63' | 'count' | 'stream' | 'search';
const OPS: readonly Op[] = ['commit63', 'count', 'stream', 'search'];

interface Measured {
  readonly ms: number;
  readonly rssBytes: number;
  readonly detail: string;
}

function rowsFor(start: number, count: number, streamOf: (position: number) => string): unknown[][] {
  const fixture = loadFixture(ROOT);
  const rows: unknown[][] = [];
  let seed = start * 2654435761 % 4294967296;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let position = start; position < start + count; position += 1) {
    const base = fixture[position % fixture.length];
    if (base === undefined) throw new Error('the fixture is empty');
    const words: string[] = [];
    for (let length = base.json.length; length < 1650; length += 8) words.push(WORDS[next() % WORDS.length] as string);
    // One event in 1,000 names a rare word: what a search for something specific finds.
    if (position % 1000 === 7) words.push('needle');
    const stream = streamOf(position);
    const data = JSON.stringify({ ...base.payload, session_id: stream, note: words.join(' ') });
    rows.push([position, stream, position % EVENTS_PER_STREAM, `e-${position}`, base.hookEvent, 1, new Date(1_700_000_000_000 + position * 1000).toISOString(), null, null, data, '{"source":"bench"}']);
  }
  return rows;
}

const streamName = (position: number): string => `s-${Math.floor(position / EVENTS_PER_STREAM)}`;

function append(db: Database, rows: readonly unknown[][]): void {
  const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const fts = db.prepare('INSERT INTO events_fts (docid, body) VALUES (?, ?)');
  try {
    for (const row of rows) {
      insert.run(row as (string | number | null)[]);
      fts.run([row[0] as number, searchableText(row[4] as string, JSON.parse(row[9] as string) as unknown)]);
    }
  } finally {
    insert.free();
    fts.free();
  }
}

async function populate(path: string, events: number): Promise<void> {
  const { db } = await openPageFile(path, { cacheKiB: 64 * 1024 });
  migrate(db);
  for (let start = 1; start <= events; start += 10_000) {
    const count = Math.min(10_000, events - start + 1);
    db.run('BEGIN');
    append(db, rowsFor(start, count, streamName));
    db.run(`UPDATE projection_checkpoints SET position = ${start + count - 1} WHERE name = 'fts'`);
    db.run('COMMIT');
    if ((start - 1) % 100_000 === 0) progress(`populated ${fmtInt(start + count - 1)} / ${fmtInt(events)}`);
  }
  db.close();
}

/** One operation in this process (the child side). */
async function runOp(approach: Approach, op: Op, path: string, events: number): Promise<Measured> {
  await loadSqlJs();
  const started = process.hrtime.bigint();
  let detail = '';
  if (approach === 'pagefile') {
    const file = await openPageFile(path, { readonly: op !== 'commit63' });
    detail = runQuery(file.db, op, events);
    if (op !== 'commit63') detail += `; read ${fmtMB(file.vfs.counters.bytesRead)}`;
    else detail += `; wrote ${fmtMB(file.vfs.counters.bytesWritten)}, ${file.vfs.counters.fsyncs} fsyncs`;
    file.db.close();
  } else {
    // The whole-file store as it was before page files: read whole, written whole (temp, fsync, rename).
    const db = new (await loadSqlJs()).Database(readFileSync(path));
    detail = runQuery(db, op, events);
    if (op === 'commit63') {
      const image = db.export();
      writeFileDurably(path, image);
      detail += `; wrote ${fmtMB(image.length)}`;
    }
    db.close();
  }
  return { ms: msSince(started), rssBytes: process.resourceUsage().maxRSS * 1024, detail };
}

function runQuery(db: Database, op: Op, events: number): string {
  const scalar = (sql: string, params: (string | number)[] = []): unknown => {
    const statement = db.prepare(sql);
    try {
      statement.bind(params);
      return statement.step() ? statement.get()[0] : undefined;
    } finally {
      statement.free();
    }
  };
  switch (op) {
    case 'commit63': {
      const top = Number(scalar('SELECT MAX(global_position) FROM events'));
      db.run('BEGIN');
      append(db, rowsFor(top + 1, TURN, () => 'new-session'));
      db.run('COMMIT');
      return `${TURN} rows`;
    }
    case 'count':
      return `${fmtInt(Number(scalar('SELECT COUNT(*) FROM events')))} rows`;
    case 'stream': {
      const stream = streamName(Math.floor(events / 2));
      return `${fmtInt(Number(scalar('SELECT COUNT(*) FROM (SELECT data FROM events WHERE stream_id = ? ORDER BY stream_position)', [stream])))} rows of ${stream}`;
    }
    case 'search': {
      const hits = db.exec("SELECT e.global_position, e.data FROM events_fts f JOIN events e ON e.global_position = f.docid WHERE f.body MATCH 'needle' ORDER BY f.docid DESC LIMIT 20");
      return `${hits[0]?.values.length ?? 0} hits`;
    }
    default:
      return op satisfies never;
  }
}

function measureInChild(approach: Approach, op: Op, path: string, events: number): Measured {
  // commit63 writes: each run gets its own copy, so every size is measured on the same history.
  const target = op === 'commit63' ? `${path}.${approach}-commit` : path;
  if (op === 'commit63') copyFileSync(path, target);
  const run = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', approach, op, target, String(events)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (op === 'commit63') rmSync(target, { force: true });
  if (run.status !== 0) return { ms: Number.NaN, rssBytes: Number.NaN, detail: `failed: ${run.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Measured;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const [approach, op, path, events] = process.argv.slice(3) as [Approach, Op, string, string];
    console.log(JSON.stringify(await runOp(approach, op, path, Number(events))));
    return;
  }
  const sizes = (process.argv[2] ?? '10000,100000,1000000').split(',').map(Number);
  const dir = mkdtempSync(join(process.env['LOGBOOK_BENCH_DIR'] ?? tmpdir(), 'logbook-pagefile-bench-'));
  const rows: string[][] = [];
  try {
    await populate(join(dir, 'empty.sqlite'), 0);
    const baseline = measureInChild('pagefile', 'count', join(dir, 'empty.sqlite'), 0);
    progress(`baseline process (sql.js loaded, empty file): rss ${fmtMB(baseline.rssBytes)}`);
    for (const events of sizes) {
      const path = join(dir, `store-${events}.sqlite`);
      const started = process.hrtime.bigint();
      await populate(path, events);
      const bytes = statSync(path).size;
      progress(`${fmtInt(events)} events: ${fmtMB(bytes)} in ${fmtMs(msSince(started))}`);
      for (const op of OPS) {
        const page = measureInChild('pagefile', op, path, events);
        const whole = bytes <= WHOLE_FILE_MAX_BYTES ? measureInChild('wholefile', op, path, events) : undefined;
        rows.push([fmtInt(events), fmtMB(bytes), op, fmtMs(page.ms), fmtMB(page.rssBytes), whole === undefined ? 'not tried (past 2 GB WASM)' : `${fmtMs(whole.ms)}, ${fmtMB(whole.rssBytes)}`,
          whole === undefined ? '-' : fmtRatio(whole.ms / page.ms), whole === undefined ? '-' : fmtRatio(whole.rssBytes / page.rssBytes), page.detail]);
        progress(rows[rows.length - 1]?.join(' | ') ?? '');
      }
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(markdownTable(['events', 'file', 'operation', 'page file: time', 'page file: peak RSS', 'whole file: time, peak RSS', 'time whole/page', 'RSS whole/page', 'page file detail'], rows));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
