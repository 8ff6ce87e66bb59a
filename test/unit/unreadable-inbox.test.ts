import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { logbookPaths } from '../../src/capture/paths';
import type { EventStore } from '../../src/store/event-store';
import { entryFileName, EVENTS_ENTRY_SUFFIX, stampNow } from '../../src/capture/inbox-writer';
import { main } from '../../src/cli/main';
import { openStoreForWriting } from '../../src/ingest/open-store';
import { Ingestor } from '../../src/ingest/ingestor';
import { INVALID_INBOX_ENTRY, QUARANTINE_STREAM } from '../../src/ingest/normalize';
import { SegmentLog } from '../../src/ingest/segments';
import { logInInbox, putInInbox, tempDir } from './helpers';
import { assertRebuildMatches, ingestPass, startWriter } from './poison-helpers';

/** An inbox item that is not a readable file, made in `inbox`; returns the name it has there. */
interface BadItem {
  readonly name: string;
  /** What the reason must say about it. */
  readonly why: RegExp;
  /** Whether hooks may append to the live log meanwhile (not while live.log is a FIFO: opening it would block). */
  readonly logOk: boolean;
  make(inbox: string): void;
}

const fifo = (path: string): void => {
  execFileSync('mkfifo', [path]);
};
const aDirectory = /is a folder, not a regular file/;
const aFifo = /is a FIFO \(named pipe\), not a regular file/;

function badItems(): BadItem[] {
  const named = (suffix?: string): string => entryFileName(stampNow(), suffix);
  const items: BadItem[] = [
    { name: 'x.json', why: aDirectory, logOk: true, make: (inbox) => mkdirSync(join(inbox, 'x.json')) },
    ...[named(), named(EVENTS_ENTRY_SUFFIX), named('.log'), named('.rawhook')].map((name) => ({ name, why: aDirectory, logOk: true, make: (inbox: string) => mkdirSync(join(inbox, name)) })),
    { name: 'x.log', why: aDirectory, logOk: true, make: (inbox) => mkdirSync(join(inbox, 'x.log')) },
    { name: 'x.rawhook', why: aDirectory, logOk: true, make: (inbox) => mkdirSync(join(inbox, 'x.rawhook')) },
    { name: 'live.log', why: aDirectory, logOk: false, make: (inbox) => mkdirSync(join(inbox, 'live.log')) },
    { name: 'live.log', why: aFifo, logOk: false, make: (inbox) => fifo(join(inbox, 'live.log')) },
    { name: 'f.json', why: aFifo, logOk: true, make: (inbox) => fifo(join(inbox, 'f.json')) },
    { name: 'f.log', why: aFifo, logOk: true, make: (inbox) => fifo(join(inbox, 'f.log')) },
    { name: 'loop.json', why: /is a symbolic link to loop\.json/, logOk: true, make: (inbox) => symlinkSync('loop.json', join(inbox, 'loop.json')) },
    { name: 'loop.log', why: /is a symbolic link to loop\.log/, logOk: true, make: (inbox) => symlinkSync('loop.log', join(inbox, 'loop.log')) },
  ];
  // Root reads any file whatever its mode: the unreadable file is only a case for other users.
  if (process.getuid?.() !== 0) {
    items.push({ name: 'locked.json', why: /EACCES/, logOk: true, make: (inbox) => {
      writeFileSync(join(inbox, 'locked.json'), '{}');
      chmodSync(join(inbox, 'locked.json'), 0);
    } });
  }
  return items;
}

/** The quarantine records of items that could not be read. */
function unreadableRecords(store: EventStore): { reason: string; file: string }[] {
  return store.readStream(QUARANTINE_STREAM).filter((e) => e.type === INVALID_INBOX_ENTRY).map((e) => ({ reason: String((e.data as { reason: string }).reason), file: String(e.metadata['inboxFile']) }));
}

test('an inbox item that cannot be read (a directory or a FIFO under an entry\'s or a log\'s name, live.log as one, a symlink loop, no permission) is quarantined once with a reason naming it, archived, and ingest goes on', async () => {
  for (const item of badItems()) {
    const { dir, cleanup } = tempDir();
    const label = `${item.name} (${String(item.why)})`;
    try {
      const paths = logbookPaths(dir);
      mkdirSync(paths.inbox, { recursive: true });
      putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'SessionStart' });
      if (item.logOk) logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'UserPromptSubmit', prompt: 'go' });
      item.make(paths.inbox);
      putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop' });
      const writer = await startWriter(dir);
      const report = await ingestPass(writer);
      assert.equal(report.quarantined, 1, label);
      assert.equal(report.appended, item.logOk ? 4 : 3, label);
      const [record] = unreadableRecords(writer.database.store);
      assert.ok(record !== undefined, label);
      // live.log is claimed under a name of its own first: the reason names that.
      const stored = item.name === 'live.log' ? record.file : item.name;
      assert.match(record.reason, new RegExp(`^inbox file ${stored.replace(/\./g, '\\.')} could not be read: `), label);
      assert.match(record.reason, item.why, label);
      assert.deepEqual(report.unreadableFiles, [record.reason], label);
      assert.ok(!existsSync(join(paths.inbox, stored)) || item.name === 'live.log', `${label}: it left the inbox`);
      assert.ok(readdirSync(paths.archive).includes(stored), `${label}: it is in the archive`);
      // It never blocks again, nor comes back: later events go on.
      if (item.logOk) logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n: 2 });
      else putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n: 2 });
      const later = await ingestPass(writer);
      assert.deepEqual([later.appended, later.quarantined, later.unreadableFiles.length], [1, 0, 0], label);
      assert.equal(unreadableRecords(writer.database.store).length, 1, `${label}: recorded once`);
      await assertRebuildMatches(paths, writer.database.store, `${label}: a rebuild quarantines it alike, at the same position`);
      writer.close();
    } finally {
      cleanup();
    }
  }
});

test('an unreadable inbox item read again (a crash before it was archived) is not recorded twice', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    mkdirSync(join(paths.inbox, 'x.json'), { recursive: true });
    fifo(join(paths.inbox, 'f.log'));
    const first = await startWriter(dir);
    assert.equal(first.ingest().quarantined, 2);
    first.flush();
    first.close();
    const second = await startWriter(dir);
    const again = await ingestPass(second);
    assert.deepEqual([again.appended, again.duplicates], [0, 2]);
    assert.equal(unreadableRecords(second.database.store).length, 2);
    assert.deepEqual(readdirSync(paths.inbox).filter((n) => n !== '.tmp'), []);
    await assertRebuildMatches(paths, second.database.store);
    second.close();
  } finally {
    cleanup();
  }
});

test('a big pass read ahead on the helper thread does not hang on a FIFO or stop at a directory among its entries', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    for (let i = 0; i < 1_200; i += 1) {
      putInInbox(paths.inbox, { session_id: `s${i % 3}`, hook_event_name: 'Notification', message: `m${i}` });
      if (i === 300) fifo(join(paths.inbox, entryFileName(stampNow())));
      if (i === 700) mkdirSync(join(paths.inbox, entryFileName(stampNow())));
    }
    const writer = await startWriter(dir);
    const report = await ingestPass(writer);
    assert.deepEqual([report.appended, report.quarantined], [1_202, 2]);
    assert.deepEqual(unreadableRecords(writer.database.store).map((r) => /is a (FIFO|folder)/.exec(r.reason)?.[1]), ['FIFO', 'folder']);
    await assertRebuildMatches(paths, writer.database.store);
    writer.close();
  } finally {
    cleanup();
  }
});

test('sealing a journal keeps an unreadable item\'s reason (not its text) and leaves it in the archive; a rebuild from the sealed segment gives the same store', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const { database } = await openStoreForWriting(paths);
    // Every flush fills the journal: each is sealed at once.
    const ingestor = new Ingestor(database, paths.inbox, new SegmentLog(paths.segments, 1), { maxFieldBytes: 65_536 });
    for (let round = 0; round < 3; round += 1) {
      putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Notification', round });
      mkdirSync(join(paths.inbox, `d${round}.json`));
      fifo(join(paths.inbox, `f${round}.log`));
      logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', round });
      ingestor.ingestPending();
      await ingestor.removeCommitted();
    }
    const sealed = readdirSync(paths.segments).filter((n) => n.endsWith('.jsonl.gz'));
    assert.equal(sealed.length, 3);
    const lines = sealed.flatMap((n) => gunzipSync(readFileSync(join(paths.segments, n))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
    assert.deepEqual(lines.filter((l) => l['unreadable'] !== undefined).map((l) => l['name']).sort(), ['d0.json', 'd1.json', 'd2.json', 'f0.log', 'f1.log', 'f2.log']);
    assert.ok(lines.every((l) => l['unreadable'] === undefined || l['text'] === undefined));
    assert.deepEqual(readdirSync(paths.archive).sort(), ['d0.json', 'd1.json', 'd2.json', 'f0.log', 'f1.log', 'f2.log'], 'only the unreadable items stay in the archive');
    assert.equal(unreadableRecords(database.store).length, 6);
    const rebuilt = await assertRebuildMatches(paths, database.store);
    assert.deepEqual([rebuilt.problems, rebuilt.leftovers, rebuilt.missing], [[], [], []], 'nothing unread, nothing replayed as a leftover');
    database.close();
  } finally {
    cleanup();
  }
});

test('logbook ingest with unreadable inbox items: exit 0, each named on stderr, every genuine event stored', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'SessionStart' });
    mkdirSync(join(paths.inbox, 'x.json'));
    fifo(join(paths.inbox, 'f.rawhook'));
    logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop' });
    let out = '';
    let err = '';
    const code = await main(['ingest', '--workspace', dir], { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
    assert.equal(code, 0, err);
    assert.match(out, /ingested 4 event\(s\) from 1 session\(s\); 2 invalid input\(s\) kept in the \$quarantine stream/);
    assert.match(err, /inbox file x\.json could not be read: \S+\/x\.json is a folder, not a regular file; .*; kept in the \$quarantine stream and moved to \.logbook\/segments\/archive\//);
    assert.match(err, /inbox file f\.rawhook could not be read: \S+\/f\.rawhook is a FIFO \(named pipe\), not a regular file/);
    out = '';
    assert.equal(await main(['ingest', '--workspace', dir], { out: (t) => { out += `${t}\n`; }, err: () => undefined }), 0);
    assert.match(out, /ingested 0 event\(s\)/);
  } finally {
    cleanup();
  }
});
