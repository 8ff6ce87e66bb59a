import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, closeSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendRecord, isClaimedLog, LIVE_LOG, openLiveLog, ROTATE_BYTES, sharedFileSystemOf, splitLog } from '../../src/capture/inbox-log';
import { entryFileName, entryText, stampNow } from '../../src/capture/inbox-writer';
import { logbookPaths } from '../../src/capture/paths';
import { runHook } from '../../src/capture/hook';
import { claimLiveLog, readClaimedLog, SETTLE_TRIES } from '../../src/ingest/claimed-logs';
import { rebuildFromSegments } from '../../src/ingest/open-store';
import { QUARANTINE_STREAM } from '../../src/ingest/normalize';
import { pendingEntries } from '../../src/ingest/pending-entries';
import { LogbookWriter } from '../../src/ingest/writer';
import { logInInbox, putInInbox, tempDir } from './helpers';

const root = join(__dirname, '..', '..');

async function startWriter(dir: string, maxFieldBytes = 65_536): Promise<LogbookWriter> {
  const started = await LogbookWriter.start(logbookPaths(dir), 'test', { maxFieldBytes });
  assert.ok(started.ok);
  return started.writer;
}

/** The `n` of each event stored in session `s`, in stream order. */
function storedNs(writer: LogbookWriter): number[] {
  return writer.database.store.readStream('s').map((e) => (e.data as { n: number }).n);
}

function entry(payload: Record<string, unknown>): string {
  const stamp = stampNow();
  return entryText(stamp, 'hook', String(payload['hook_event_name'] ?? 'Stop'), JSON.stringify(payload));
}

test('splitLog: whole records in order; a torn record in the middle, a torn tail and stray leading bytes are each reported, none swallows the next', () => {
  const a = '{"a":1}\n';
  const b = '{"b":2}\n';
  const bytes = Buffer.from(`junk\u001e${a}\u001e{"tor\u001e${b}\u001e{"tail"`);
  const records = splitLog(bytes);
  assert.deepEqual(records.map((r) => [r.offset, r.text, r.torn !== undefined]), [
    [0, 'junk', true],
    [4, a, false],
    [5 + a.length, '{"tor', true],
    [11 + a.length, b, false],
    [12 + a.length + b.length, '{"tail"', true],
  ]);
  assert.match(records[2]?.torn ?? '', /record at byte 13 of the log is incomplete \(5 bytes, no final newline\)/);
  assert.match(records[0]?.torn ?? '', /bytes 0-4 of the log are not a record/);
  assert.deepEqual(splitLog(bytes, 4).map((r) => r.offset), [4, 5 + a.length, 11 + a.length, 12 + a.length + b.length], 'reads on from an offset');
  assert.deepEqual(splitLog(Buffer.alloc(0)), []);
});

test('hooks append to one live log; ingest claims it, stores every event in order, archives the log and leaves no inbox file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    for (let i = 0; i < 20; i += 1) runHook({ inboxDir: inbox, hookEvent: 'Stop', readStdin: () => JSON.stringify({ session_id: 's', hook_event_name: 'Stop', i }) });
    assert.deepEqual(readdirSync(inbox).filter((n) => n !== '.tmp'), [LIVE_LOG], 'one log, no entry files');
    const writer = await startWriter(dir);
    const report = writer.ingest();
    assert.equal(report.appended, 20);
    writer.flush();
    assert.equal(await writer.removeCommittedEntries(), 1, 'the claimed log is archived as one file');
    const stored = writer.database.store.readStream('s');
    writer.close();
    assert.deepEqual(stored.map((e) => (e.data as { i: number }).i), Array.from({ length: 20 }, (_, i) => i));
    assert.match(String(stored[0]?.metadata['inboxFile']), /^\d{17}-[0-9a-f-]{36}\.log#0$/, 'metadata names the log and the record offset');
    assert.deepEqual(readdirSync(inbox).filter((n) => n.endsWith('.json') || n.endsWith('.log')), []);
  } finally {
    cleanup();
  }
});

test('a hook that opened the log before the writer claimed it sees, after its write, that the log was retired, and writes its entry again as a file: stored once', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n: 1 });
    // The late hook: it has the live log open when the writer claims, retires and reads it.
    const fd = openLiveLog(paths.inbox);
    const writer = await startWriter(dir);
    writer.ingest();
    const late = { session_id: 's', hook_event_name: 'Stop', n: 2 };
    const text = entry(late);
    let outcome: string;
    try {
      outcome = appendRecord(fd, text);
    } finally {
      closeSync(fd);
    }
    assert.equal(outcome, 'retired', 'the write landed after the read: the hook must not count on it');
    // What the hook then does: the same entry as a file of its own.
    const id = (JSON.parse(text) as { id: string }).id;
    writeFileSync(join(paths.inbox, entryFileName({ id, receivedAt: 'x', receivedUs: Number((JSON.parse(text) as { receivedUs: number }).receivedUs) })), text);
    writer.flush();
    await writer.removeCommittedEntries();
    // A crash before the archive would read the claimed log again, late record included: still once.
    writer.ingest();
    writer.flush();
    const ns = storedNs(writer);
    writer.close();
    assert.deepEqual(ns, [1, 2]);
  } finally {
    cleanup();
  }
});

test('a hook that finds the live log retired (a claim between its open and its write) falls back to an entry file, and the event is stored once', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n: 1 });
    chmodSync(join(paths.inbox, LIVE_LOG), 0o400);
    const outcome = runHook({ inboxDir: paths.inbox, hookEvent: 'Stop', readStdin: () => JSON.stringify({ session_id: 's', hook_event_name: 'Stop', n: 2 }) });
    assert.equal(outcome.error, undefined);
    assert.match(outcome.file ?? '', /\d{17}-[0-9a-f-]{36}\.json$/, 'written as an entry file');
    chmodSync(join(paths.inbox, LIVE_LOG), 0o600);
    const writer = await startWriter(dir);
    writer.ingest();
    const ns = storedNs(writer);
    writer.close();
    // As root the retired log still took the write: the record and the file are one event.
    assert.deepEqual(ns, [1, 2]);
  } finally {
    cleanup();
  }
});

test('a write still running while the writer reads a claimed log: its first part is read again until whole, not quarantined; a tail that stays cut is reported after a few tries', () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n: 1 });
    const name = claimLiveLog(paths.inbox) as string;
    const path = join(paths.inbox, name);
    const late = Buffer.from(`\u001e${entry({ session_id: 's', hook_event_name: 'Stop', n: 2 })}`);
    // The reader sees the first half; the hook's write ends during the first pause.
    writeFileSync(path, Buffer.concat([readFileSync(path), late.subarray(0, 40)]));
    let pauses = 0;
    const read = readClaimedLog(paths.inbox, name, 0, () => {
      pauses += 1;
      if (pauses === 1) appendFileSync(path, late.subarray(40));
    });
    assert.equal(pauses, 1);
    assert.deepEqual(read.records.map((r) => [r.torn, (JSON.parse(r.text) as { payload: { n: number } }).payload.n]), [[undefined, 1], [undefined, 2]]);
    assert.equal(read.size, statSync(path).size);

    // A hook stopped mid-write: the tail never completes; it is reported torn after SETTLE_TRIES pauses.
    chmodSync(path, 0o600);
    appendFileSync(path, '\u001e{"v":1,"id":"cut-sh');
    let waits = 0;
    const cut = readClaimedLog(paths.inbox, name, 0, () => {
      waits += 1;
    });
    assert.equal(waits, SETTLE_TRIES);
    assert.deepEqual(cut.records.map((r) => r.torn === undefined), [true, true, false]);
    assert.match(cut.records[2]?.torn ?? '', /incomplete/);
  } finally {
    cleanup();
  }
});

test('on a network file system (NFS, SMB, 9p, FUSE…) the hook writes entry files, not the log; the writer stores them alike', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    assert.equal(sharedFileSystemOf(paths.inbox), undefined, 'this test machine\'s temp dir is local: the log is used');
    assert.equal(sharedFileSystemOf(paths.inbox, () => 0x6969), 'NFS');
    assert.equal(sharedFileSystemOf(paths.inbox, () => 0xff534d42), 'CIFS', 'f_type values past 2^31 are matched too');
    const nfs = (): number => 0x6969;
    const files: string[] = [];
    for (let n = 1; n <= 3; n += 1) {
      const outcome = runHook({ inboxDir: paths.inbox, hookEvent: 'Stop', readStdin: () => JSON.stringify({ session_id: 's', hook_event_name: 'Stop', n }), fileSystemType: nfs });
      assert.equal(outcome.error, undefined);
      files.push(outcome.file ?? '');
    }
    assert.ok(files.every((file) => /\d{17}-[0-9a-f-]{36}\.json$/.test(file)), files.join(', '));
    assert.equal(existsSync(join(paths.inbox, LIVE_LOG)), false, 'no log on a network file system');
    const writer = await startWriter(dir);
    writer.ingest();
    const ns = storedNs(writer);
    writer.close();
    assert.deepEqual(ns, [1, 2, 3]);
  } finally {
    cleanup();
  }
});

test('torn records (a hook killed mid-write) are quarantined with the log and byte offset; the records around them are stored; a rebuild gives the same store', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n: 1 });
    const live = join(paths.inbox, LIVE_LOG);
    writeFileSync(live, Buffer.concat([readFileSync(live), Buffer.from('\u001e{"v":1,"id":"cut-sh')]));
    logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n: 2 });
    const writer = await startWriter(dir);
    const report = writer.ingest();
    writer.flush();
    await writer.removeCommittedEntries();
    const ns = storedNs(writer);
    const quarantined = writer.database.store.readStream(QUARANTINE_STREAM).map((e) => e.data as { reason: string; raw: string });
    const all = writer.database.store.readAll().map((e) => e.eventId);
    writer.close();
    assert.deepEqual(ns, [1, 2]);
    assert.equal(report.quarantined, 1);
    assert.match(quarantined[0]?.reason ?? '', /^inbox log \d{17}-[0-9a-f-]{36}\.log#\d+: the record at byte \d+ of the log is incomplete/);
    assert.equal(quarantined[0]?.raw, '{"v":1,"id":"cut-sh');
    const rebuilt = await rebuildFromSegments({ ...paths, store: join(dir, 'rebuilt.sqlite') });
    assert.deepEqual(rebuilt.database.store.readAll().map((e) => e.eventId), all, 'same events, same positions');
    rebuilt.database.close();
  } finally {
    cleanup();
  }
});

test(`a log past ${ROTATE_BYTES / 1024 / 1024} MB is rotated by the hook that filled it; the next hook starts a new one; ingest reads both in order`, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n: 1, pad: 'p'.repeat(ROTATE_BYTES) });
    assert.equal(existsSync(join(paths.inbox, LIVE_LOG)), false, 'rotated away');
    assert.equal(readdirSync(paths.inbox).filter(isClaimedLog).length, 1);
    logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n: 2 });
    assert.equal(existsSync(join(paths.inbox, LIVE_LOG)), true);
    const writer = await startWriter(dir, 64 * 1024 * 1024);
    writer.ingest();
    const ns = storedNs(writer);
    writer.close();
    assert.deepEqual(ns, [1, 2]);
  } finally {
    cleanup();
  }
});

test('entry files and log records are ingested in receive order, merged', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    for (let n = 0; n < 12; n += 1) (n % 3 === 1 ? putInInbox : logInInbox)(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n });
    assert.deepEqual(pendingEntries(paths.inbox).map((e) => (JSON.parse(e.text() ?? '') as { payload: { n: number } }).payload.n), Array.from({ length: 12 }, (_, n) => n), 'the read-only view agrees');
    const writer = await startWriter(dir);
    writer.ingest();
    const ns = storedNs(writer);
    writer.close();
    assert.deepEqual(ns, Array.from({ length: 12 }, (_, n) => n));
  } finally {
    cleanup();
  }
});

/** A child process appending `count` entries to the inbox log the way the hook does, as fast as it can. */
function appender(inbox: string, tag: number, count: number): Promise<string[]> {
  const code = `
    const { runHook } = require(${JSON.stringify(join(root, 'src', 'capture', 'hook.ts'))});
    const ids = [];
    for (let i = 0; i < ${count}; i += 1) {
      const outcome = runHook({ inboxDir: ${JSON.stringify(inbox)}, hookEvent: 'Stop', readStdin: () => JSON.stringify({ session_id: 'race-${tag}', hook_event_name: 'Stop', i }) });
      if (outcome.file === undefined) { console.error(outcome.error); process.exit(1); }
      if (outcome.file.endsWith('.json')) ids.push('fallback');
    }
    console.log(JSON.stringify(ids.length));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`appender ${tag} exited ${String(code)}: ${err}`))));
  });
}

test('4 processes appending while the writer claims, ingests, flushes and archives in a loop: every event exactly once, in each session\'s order', { timeout: 240_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const COUNT = 1500;
    const writer = await startWriter(dir);
    let passes = 0;
    let running = true;
    const appenders = Promise.all([0, 1, 2, 3].map((tag) => appender(paths.inbox, tag, COUNT))).finally(() => { running = false; });
    while (running) {
      writer.ingest();
      writer.flush();
      await writer.removeCommittedEntries();
      passes += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const fallbacks = (await appenders).map(Number);
    writer.ingest();
    writer.flush();
    await writer.removeCommittedEntries();
    for (let tag = 0; tag < 4; tag += 1) {
      const is = writer.database.store.readStream(`race-${tag}`).map((e) => (e.data as { i: number }).i);
      assert.deepEqual(is, Array.from({ length: COUNT }, (_, i) => i), `session race-${tag}: every event once, in order (fallback files: ${String(fallbacks[tag])})`);
    }
    writer.close();
    assert.ok(passes >= 10, `the writer claimed the log while the hooks wrote (${passes} passes)`);
    assert.deepEqual(readdirSync(paths.inbox).filter((n) => n.endsWith('.json') || isClaimedLog(n)), [], 'inbox drained');
  } finally {
    cleanup();
  }
});
