import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { LiveIngest } from '../../src/ingest/live-ingest';
import type { LiveIngestOptions } from '../../src/ingest/live-ingest';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { WorkspaceLogbook } from '../../src/views/workspace-logbook';
import { putInInbox, tempDir } from './helpers';

// The extension's writer in its worker thread (src/ingest/worker/): a real Worker on real files.

function live(workspace: string, logs: string[], extra: Partial<LiveIngestOptions> = {}): LiveIngest {
  return new LiveIngest(logbookPaths(workspace), {
    owner: 'vscode', maxFieldBytes: () => 65_536, debounceMs: () => 20, flushDebounceMs: () => 50,
    log: (m) => logs.push(m), retryMs: 100, pollMs: 200, ...extra,
  });
}

/** Waits for a condition (not a timing assertion: the limit only stops a broken run). */
async function eventually(what: string, check: () => Promise<boolean> | boolean, limitMs = 20_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`never happened: ${what}`);
}

/** The `n` of each stored event of a session, in stream order, read from a fresh connection. */
async function storedNumbers(workspace: string, session: string): Promise<number[]> {
  const opened = await LogbookDatabase.open(logbookPaths(workspace).store);
  if (!opened.ok) return [];
  try {
    return opened.database.store.readStream(session).map((e) => (e.data as { n: number }).n);
  } finally {
    opened.database.close();
  }
}

const inboxEntries = (workspace: string): string[] => readdirSync(logbookPaths(workspace).inbox).filter((n) => n.endsWith('.json'));
const numbered = (count: number): number[] => Array.from({ length: count }, (_, i) => i);
const put = (workspace: string, session: string, count: number): void => {
  for (let n = 0; n < count; n += 1) putInInbox(logbookPaths(workspace).inbox, { session_id: session, hook_event_name: 'Notification', n });
};

test('entries written while the worker ingests are stored exactly once, in order, and the views\' read-only connection folds them', async () => {
  const { dir, cleanup } = tempDir();
  const logs: string[] = [];
  const window = live(dir, logs);
  const ws = new WorkspaceLogbook(logbookPaths(dir), (m) => logs.push(m));
  try {
    await window.start();
    assert.equal(window.isWriter, true, logs.join('\n'));
    put(dir, 'w', 25);
    await eventually('the first 25 folded by the views', async () => { await ws.catchUp(); return ws.summary('w')?.eventsFolded === 25; });
    for (let n = 25; n < 60; n += 1) putInInbox(logbookPaths(dir).inbox, { session_id: 'w', hook_event_name: 'Notification', n });
    await eventually('all 60 folded by the views', async () => { await ws.catchUp(); return ws.summary('w')?.eventsFolded === 60; });
    const store = await ws.store();
    assert.deepEqual(store?.readStream('w').map((e) => (e.data as { n: number }).n), numbered(60), 'the views read them in the order written');
    assert.deepEqual(await storedNumbers(dir, 'w'), numbered(60), 'stored once each, in order');
    await eventually('the inbox drained', () => inboxEntries(dir).length === 0);
  } finally {
    await window.close();
    ws.dispose();
    cleanup();
  }
});

test('closing with a pass in flight loses nothing: the pass commits, the final flush runs, the lock is released', async () => {
  const { dir, cleanup } = tempDir();
  const logs: string[] = [];
  // No debounced pass of its own: the only pass is the one asked for below.
  const window = live(dir, logs, { debounceMs: () => 60_000, pollMs: 60_000, retryMs: 60_000 });
  try {
    await window.start();
    assert.equal(window.isWriter, true, logs.join('\n'));
    put(dir, 'c', 150);
    const pass = window.ingestNow();
    await window.close();
    assert.equal((await pass)?.appended, 150, 'the pass in flight was answered');
    assert.equal(existsSync(logbookPaths(dir).lock), false, 'the lock is released when close() resolves');
    assert.deepEqual(await storedNumbers(dir, 'c'), numbered(150));
    assert.equal(window.isWriter, false);
    assert.deepEqual(logs.filter((m) => /failed|stopped/.test(m)), []);
  } finally {
    await window.close();
    cleanup();
  }
});

test('a worker that dies mid-run is reported, its lock released, its entries left in the inbox; the next writer stores them once', async () => {
  const { dir, cleanup } = tempDir();
  const logs: string[] = [];
  // The real worker, except that it exits (as a crash would end it) when asked for a pass.
  const crashing = join(dir, 'crashing-worker.js');
  const require = createRequire(__filename);
  writeFileSync(crashing, [
    "const { parentPort } = require('node:worker_threads');",
    "parentPort.on('message', (m) => { if (m && m.type === 'ingest') process.exit(7); });",
    `require(${JSON.stringify(require.resolve('tsx/cjs'))});`,
    `require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'ingest', 'worker', 'ingest-worker.ts'))});`,
  ].join('\n'));
  const broken = live(dir, logs, { workerScript: crashing, retryMs: 60_000 });
  try {
    await broken.start();
    assert.equal(broken.isWriter, true, 'the worker took the lock before it died');
    put(dir, 'x', 3);
    await eventually('the crash reported', () => logs.some((m) => /the ingest worker stopped \(exit code 7\); entries stay in the inbox/.test(m)));
    assert.equal(broken.isWriter, false);
    assert.equal(existsSync(logbookPaths(dir).lock), false, 'the dead worker\'s lock is released');
    assert.equal(inboxEntries(dir).length, 3, 'the entries stay in the inbox');
    assert.deepEqual(await storedNumbers(dir, 'x'), [], 'nothing half-stored');
  } finally {
    await broken.close();
  }
  const next = live(dir, logs);
  try {
    await next.start();
    await eventually('the entries stored by the next writer', async () => (await storedNumbers(dir, 'x')).length === 3);
    assert.deepEqual(await storedNumbers(dir, 'x'), numbered(3));
  } finally {
    await next.close();
    cleanup();
  }
});

test('a worker that cannot start is reported once and this window only reads; nothing in the inbox is touched', async () => {
  const { dir, cleanup } = tempDir();
  const logs: string[] = [];
  const script = join(dir, 'failing-worker.js');
  writeFileSync(script, "throw new Error('no sql.js here');\n");
  put(dir, 'f', 2);
  const window = live(dir, logs, { workerScript: script, retryMs: 60_000 });
  try {
    await window.start();
    assert.equal(window.isWriter, false);
    assert.ok(logs.some((m) => /the ingest worker stopped \(no sql\.js here\)/.test(m)), logs.join('\n'));
    assert.equal(inboxEntries(dir).length, 2);
    assert.equal(existsSync(logbookPaths(dir).store), false, 'no store written');
  } finally {
    await window.close();
    cleanup();
  }
});
