// A process on a page file, for pagefile.test.ts (not a test itself):
//   commit-loop <file> <tag>   commits batches of 63 rows forever, printing "committed <n>" after each COMMIT
//   count <file>               prints the row count, read-only
//   read-loop <file> <n>       reads the count <n> times, read-only, printing each
import { openPageFile } from '../../src/store/pagefile/page-file';

export const BATCH = 63;
const PAYLOAD = 'x'.repeat(1700);

async function commitLoop(path: string, tag: string): Promise<void> {
  const { db } = await openPageFile(path);
  db.run('CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, batch TEXT NOT NULL, body TEXT NOT NULL)');
  for (let n = 0; ; n += 1) {
    db.run('BEGIN');
    for (let i = 0; i < BATCH; i += 1) db.run('INSERT INTO rows VALUES (?, ?, ?)', [`${tag}-${n}-${i}`, `${tag}-${n}`, PAYLOAD]);
    db.run('COMMIT');
    process.stdout.write(`committed ${n}\n`);
  }
}

async function count(path: string, times: number): Promise<void> {
  const { db } = await openPageFile(path, { readonly: true });
  for (let i = 0; i < times; i += 1) {
    const value = db.exec('SELECT COUNT(*) FROM rows')[0]?.values[0]?.[0];
    process.stdout.write(`${String(value)}\n`);
  }
  db.close();
}

function main(): void {
  const [mode, path, arg] = process.argv.slice(2);
  if (path === undefined) throw new Error('usage: pagefile-child.ts commit-loop|count|read-loop <file> [arg]');
  const run = mode === 'commit-loop' ? commitLoop(path, arg ?? 'a') : count(path, mode === 'read-loop' ? Number(arg) : 1);
  run.catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}

// The test imports BATCH from here; only a run as a process does the work.
if (require.main === module) main();
