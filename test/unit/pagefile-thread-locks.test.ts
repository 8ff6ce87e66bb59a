import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { clearMarkersOfThread, MarkerLock } from '../../src/store/pagefile/file-locks';
import { LOCK } from '../../src/store/pagefile/sqlite-abi';
import { tempDir } from './helpers';

// The extension host reads the store on its main thread while its ingest worker writes it: the
// two threads' connections share a pid, and must still exclude each other like two processes.

/** A worker thread that takes SHARED on `db` (through the real MarkerLock) and keeps it until told. */
async function readerInAnotherThread(db: string): Promise<Worker> {
  const require = createRequire(__filename);
  const locks = join(__dirname, '..', '..', 'src', 'store', 'pagefile', 'file-locks.ts');
  const worker = new Worker([
    `require(${JSON.stringify(require.resolve('tsx/cjs'))});`,
    `const { MarkerLock } = require(${JSON.stringify(locks)});`,
    "const { parentPort, workerData } = require('node:worker_threads');",
    'const lock = new MarkerLock(workerData);',
    'parentPort.postMessage(lock.lock(1));',
    'parentPort.once("message", () => { lock.unlock(0); parentPort.postMessage("released"); });',
  ].join('\n'), { eval: true, workerData: db });
  const [shared] = await once(worker, 'message') as [unknown];
  assert.equal(shared, true, 'the other thread holds SHARED');
  return worker;
}

test('a reader in another thread of the same process keeps a writer from EXCLUSIVE until it lets go', async () => {
  const { dir, cleanup } = tempDir();
  const db = join(dir, 'store.sqlite');
  const reader = await readerInAnotherThread(db);
  const writer = new MarkerLock(db);
  try {
    assert.equal(writer.lock(LOCK.SHARED), true);
    assert.equal(writer.lock(LOCK.EXCLUSIVE), false, 'the other thread\'s reader is live: no EXCLUSIVE');
    reader.postMessage('release');
    await once(reader, 'message');
    assert.equal(writer.lock(LOCK.EXCLUSIVE), true, 'once it let go, the writer gets EXCLUSIVE');
  } finally {
    writer.unlock(LOCK.NONE);
    await reader.terminate();
    cleanup();
  }
});

test('the markers of a thread that died holding its locks are cleared for the threads that live on', async () => {
  const { dir, cleanup } = tempDir();
  const db = join(dir, 'store.sqlite');
  const reader = await readerInAnotherThread(db);
  const dead = reader.threadId;
  await reader.terminate();
  const writer = new MarkerLock(db);
  try {
    assert.equal(writer.lock(LOCK.SHARED), true);
    assert.equal(writer.lock(LOCK.EXCLUSIVE), false, 'the dead thread\'s marker names a live pid: it still counts');
    writer.unlock(LOCK.NONE);
    clearMarkersOfThread(db, dead);
    assert.deepEqual(readdirSync(`${db}-readers`), []);
    assert.equal(existsSync(`${db}-pending`), false);
    assert.equal(writer.lock(LOCK.EXCLUSIVE), true);
  } finally {
    writer.unlock(LOCK.NONE);
    cleanup();
  }
});
