// A process on the store, for store-file.test.ts (not a test itself):
//   spill <store>               opens the store as the writer, appends inside a transaction until
//                               SQLite has written pages into the file (a tiny cache), prints
//                               "spilled" and waits to be killed: a hot journal is left
//   journal-then-die <workspace> runs a writer's pass and SIGKILLs itself right after the pass's
//                               order-journal line, before its COMMIT
//   count <store>               prints the store's last global position, read-only
import { statSync } from 'node:fs';
import { logbookPaths } from '../../src/capture/paths';
import { LogbookWriter } from '../../src/ingest/writer';
import { SegmentLog } from '../../src/ingest/segments';
import { LogbookDatabase } from '../../src/store/logbook-database';

async function spill(path: string): Promise<void> {
  const opened = await LogbookDatabase.open(path, { writer: true });
  if (!opened.ok) throw new Error(JSON.stringify(opened.problem));
  const db = opened.database;
  db.raw.run('PRAGMA cache_size = 8');
  const before = statSync(path).mtimeMs;
  db.raw.run('BEGIN');
  db.store.inTransaction = true;
  for (let i = 0; ; i += 1) {
    db.store.append(`spill-${i % 7}`, [{ eventId: `spill-${i}`, type: 'Notification', schemaVersion: 1, data: { pad: 'z'.repeat(4000), i }, metadata: {} }]);
    if (i % 50 === 49 && statSync(path).mtimeMs !== before) break;
  }
  process.stdout.write('spilled\n');
  setInterval(() => undefined, 1000);
}

async function journalThenDie(workspace: string): Promise<void> {
  const original = SegmentLog.prototype.appendGroup;
  SegmentLog.prototype.appendGroup = function (this: SegmentLog, ...args: Parameters<SegmentLog['appendGroup']>): void {
    original.apply(this, args);
    process.kill(process.pid, 'SIGKILL');
  };
  const started = await LogbookWriter.start(logbookPaths(workspace), 'child', { maxFieldBytes: 65_536 });
  if (!started.ok) throw new Error('no lock');
  started.writer.ingest();
  throw new Error('the pass committed: the kill after the journal line did not happen');
}

async function count(path: string): Promise<void> {
  const opened = await LogbookDatabase.open(path);
  if (!opened.ok) throw new Error(JSON.stringify(opened.problem));
  process.stdout.write(`${opened.database.store.lastGlobalPosition()}\n`);
  opened.database.close();
}

function main(): void {
  const [mode, path] = process.argv.slice(2);
  if (path === undefined) throw new Error('usage: store-file-child.ts spill|journal-then-die|count <path>');
  const run = mode === 'spill' ? spill(path) : mode === 'journal-then-die' ? journalThenDie(path) : count(path);
  run.catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}

if (require.main === module) main();
