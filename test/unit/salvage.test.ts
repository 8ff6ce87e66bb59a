import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { logbookPaths } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { entryFileName, entryText, stampNow } from '../../src/capture/inbox-writer';
import { main } from '../../src/cli/main';
import { Ingestor } from '../../src/ingest/ingestor';
import { openStoreForWriting, rebuildFromSegments, rebuildStore } from '../../src/ingest/open-store';
import { normalizeEntry } from '../../src/ingest/normalize';
import { parseInboxEntry } from '../../src/ingest/inbox-entry';
import { SegmentLog } from '../../src/ingest/segments';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { logInInbox, putInInbox, tempDir } from './helpers';
import { assertRebuildMatches, deepArrays, ingestPass, rebuildBeside, startWriter, storeRows } from './poison-helpers';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
  return { code, out, err };
}

/** A workspace ingested in `passes` flushes of `perPass` events each (logs and entry files), archived; returns the ids. */
async function ingestedWorkspace(dir: string, passes: number, perPass: number): Promise<string[]> {
  const paths = logbookPaths(dir);
  const ids: string[] = [];
  const writer = await startWriter(dir);
  for (let pass = 0; pass < passes; pass += 1) {
    for (let i = 0; i < perPass; i += 1) {
      const payload = { session_id: `s${i % 2}`, hook_event_name: 'Notification', pass, i };
      ids.push(i % 3 === 2 ? putInInbox(paths.inbox, payload) : logInInbox(paths.inbox, payload));
    }
    await ingestPass(writer);
  }
  writer.close();
  return ids;
}

function journalOf(paths: LogbookPaths, n = 1): string {
  return join(paths.segments, `order-${String(n).padStart(6, '0')}.jsonl`);
}

async function storeOf(paths: LogbookPaths, path = paths.store): Promise<LogbookDatabase> {
  const opened = await LogbookDatabase.open(path);
  assert.ok(opened.ok, `${path} loads`);
  return opened.database;
}

const GARBAGE_LINES: readonly [string, RegExp][] = [
  ['not json at all', /not JSON/],
  ['{"last":"x","cap":1}', /not a valid line/],
  ['{"last":1,"cap":1,"bytes":1,"entries":["../../../etc/passwd"]}', /not a plain file name/],
  ['{"last":5,"cap":655', /not JSON/],
];

test('a garbage line anywhere in an order journal (first, middle, last) never stops ingest: it is reported with the file, line and byte offset, and a rebuild gives the same store', async () => {
  for (const where of ['first', 'middle', 'last'] as const) {
    for (const [garbage, why] of GARBAGE_LINES) {
      const { dir, cleanup } = tempDir();
      const label = `${where}: ${garbage}`;
      try {
        const paths = logbookPaths(dir);
        await ingestedWorkspace(dir, 3, 4);
        const lines = readFileSync(journalOf(paths), 'utf8').split('\n').filter((l) => l !== '');
        const at = where === 'first' ? 0 : where === 'middle' ? 2 : lines.length;
        lines.splice(at, 0, garbage);
        writeFileSync(journalOf(paths), `${lines.join('\n')}\n`);
        const offset = Buffer.byteLength(lines.slice(0, at).map((l) => `${l}\n`).join(''));
        const named = `segments/order-000001.jsonl line ${at + 1} (byte ${offset})`;
        // Later events are ingested; the writer says what it skipped.
        logInInbox(paths.inbox, { session_id: 's0', hook_event_name: 'Stop' });
        const writer = await startWriter(dir);
        const report = await ingestPass(writer);
        assert.equal(report.appended, 1, label);
        const problems = [...report.problems, ...writer.takeProblems()];
        assert.equal(problems.length, 1, `${label}: told once (${problems.join(' | ')})`);
        assert.ok(problems[0]?.startsWith(`${named}: `), `${label}: ${problems[0]}`);
        assert.match(problems[0] ?? '', why, label);
        const rebuilt = await assertRebuildMatches(paths, writer.database.store, label);
        assert.deepEqual(rebuilt.problems.map((p) => p.startsWith(`${named}: `)), [true], `${label}: the rebuild names the line`);
        assert.deepEqual(rebuilt.leftovers, [], label);
        writer.close();
        // The CLI: ingest and rebuild go on, exit 1, and name the line.
        logInInbox(paths.inbox, { session_id: 's0', hook_event_name: 'Stop', n: 2 });
        const ingest = await run(['ingest', '--workspace', dir]);
        assert.deepEqual([ingest.code, /ingested 1 event/.test(ingest.out)], [1, true], `${label}: ${ingest.err}`);
        assert.ok(ingest.err.includes(named), label);
        const rebuild = await run(['rebuild', '--workspace', dir]);
        assert.equal(rebuild.code, 1, label);
        assert.match(rebuild.out, /^rebuilt the store \(14 event\(s\)\); 1 thing\(s\) in the raw segments could not be read \(listed above\)\n$/, label);
        assert.ok(rebuild.err.includes(`could not read: ${named}`), label);
      } finally {
        cleanup();
      }
    }
  }
});

test('a flush that never landed is still dropped past a garbage journal line, whose line stays', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    await ingestedWorkspace(dir, 2, 3);
    const late = putInInbox(paths.inbox, { session_id: 's0', hook_event_name: 'Stop' });
    const lateName = readdirSync(paths.inbox).find((n) => n.includes(late)) as string;
    writeFileSync(journalOf(paths), `${readFileSync(journalOf(paths), 'utf8')}garbage\n`, { flag: 'w' });
    new SegmentLog(paths.segments).appendGroup([lateName], 99, 65_536, 10);
    const writer = await startWriter(dir);
    assert.equal((await ingestPass(writer)).appended, 1);
    const lines = readFileSync(journalOf(paths), 'utf8').trim().split('\n');
    assert.deepEqual(lines.map((l) => (l === 'garbage' ? l : (JSON.parse(l) as { last: number }).last)), [3, 6, 'garbage', 7], 'the unlanded group is gone, the garbage line kept, the entry journaled where it landed');
    await assertRebuildMatches(paths, writer.database.store);
    writer.close();
  } finally {
    cleanup();
  }
});

test('a journal sealed with a garbage line keeps that line in its raw segment, and a rebuild from it still gives the same store and names the line', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const { database } = await openStoreForWriting(paths);
    const segments = new SegmentLog(paths.segments);
    const ingestor = new Ingestor(database, paths.inbox, segments, { maxFieldBytes: 65_536 });
    for (let pass = 0; pass < 3; pass += 1) {
      logInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Notification', pass });
      putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', pass });
      ingestor.ingestPending();
      await ingestor.removeCommitted();
      if (pass === 1) writeFileSync(journalOf(paths), `${readFileSync(journalOf(paths), 'utf8')}{"broken\n`);
    }
    segments.seal(paths.inbox);
    assert.match(segments.takeProblems().join('\n'), /segments\/order-000001\.jsonl line 3 \(byte \d+\): not JSON/, 'the seal tells it');
    for (const sealed of segments.unfinishedSeals()) {
      for (const name of sealed.entries) unlinkSync(join(paths.archive, name));
      segments.finishSeal(sealed.journal);
    }
    assert.ok(!existsSync(journalOf(paths)), 'the journal is sealed and gone');
    const lines = gunzipSync(readFileSync(join(paths.segments, 'raw-000001.jsonl.gz'))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.filter((l) => 'journalLine' in l).map((l) => l['journalLine']), ['{"broken'], 'the line is kept as it was');
    const rebuilt = await assertRebuildMatches(paths, database.store);
    assert.match(rebuilt.problems.join('\n'), /segments\/raw-000001\.jsonl\.gz keeps a line of its journal that could not be read when it was sealed \(segments\/order-000001\.jsonl line 3/);
    database.close();
  } finally {
    cleanup();
  }
});

test('a journal line garbled in place: its entries, still in the archive, come back after the journaled ones, and the rebuild says which', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const ids = await ingestedWorkspace(dir, 3, 4);
    const lines = readFileSync(journalOf(paths), 'utf8').split('\n');
    const lost = (JSON.parse(lines[1] as string) as { entries: string[] }).entries;
    lines[1] = 'x'.repeat((lines[1] as string).length);
    writeFileSync(journalOf(paths), lines.join('\n'));
    const rebuilt = await rebuildBeside(paths);
    assert.deepEqual(new Set(rebuilt.database.store.readAll().map((e) => e.eventId)), new Set(ids), 'every event comes back');
    assert.deepEqual(rebuilt.leftovers, [...lost].sort(), 'the garbled line\'s entries are replayed last');
    assert.match(rebuilt.problems.join('\n'), /segments\/order-000001\.jsonl line 2 \(byte \d+\): not JSON/);
    rebuilt.database.close();
  } finally {
    cleanup();
  }
});

/**
 * A workspace whose first journal is sealed (raw-000001.jsonl.gz, its archived entries removed
 * but `kept` of them, as if the removal had been cut short), a second sealed journal, an open
 * journal, and entries still waiting in the inbox. Returns the ids of each part.
 */
async function sealedWorkspace(dir: string): Promise<{ first: string[]; kept: string[]; later: string[]; pending: string[] }> {
  const paths = logbookPaths(dir);
  const { database } = await openStoreForWriting(paths);
  const segments = new SegmentLog(paths.segments, 1);
  const ingestor = new Ingestor(database, paths.inbox, segments, { maxFieldBytes: 65_536 });
  const put = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Notification', tag, i, pad: 'p'.repeat(200 + i) }));
  const first = put(40, 'first');
  ingestor.ingestPending();
  const saved = join(dir, 'saved');
  mkdirSync(saved);
  const names = readdirSync(paths.inbox).filter((n) => n.endsWith('.json'));
  for (const name of names) copyFileSync(join(paths.inbox, name), join(saved, name));
  await ingestor.removeCommitted();
  // Five of the first journal's entries are still in the archive.
  const keptNames = names.slice(30, 35);
  for (const name of keptNames) copyFileSync(join(saved, name), join(paths.archive, name));
  const kept = first.filter((id) => keptNames.some((n) => n.includes(id)));
  const later = put(10, 'second');
  ingestor.ingestPending();
  await ingestor.removeCommitted();
  // The open journal (its entries in the archive, no seal: a big threshold), then entries never ingested.
  const open = new Ingestor(database, paths.inbox, new SegmentLog(paths.segments), { maxFieldBytes: 65_536 });
  later.push(...put(5, 'open'));
  open.ingestPending();
  await open.removeCommitted();
  database.close();
  const pending = put(3, 'pending');
  return { first, kept, later, pending };
}

test('a sealed segment cut short at any offset: the rebuild brings back every whole line before the cut (more as the cut moves on), says at which byte it stopped, and replays what the archive and the inbox still hold', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const { first, kept, later, pending } = await sealedWorkspace(dir);
    const sealed = join(paths.segments, 'raw-000001.jsonl.gz');
    const whole = readFileSync(sealed);
    let previous = -1;
    for (const fraction of [0, 0.1, 0.3, 0.6, 0.9, 1]) {
      const cut = fraction === 1 ? whole.length - 1 : Math.floor(whole.length * fraction);
      writeFileSync(sealed, whole.subarray(0, cut));
      const rebuilt = await rebuildBeside(paths);
      const ids = new Set(rebuilt.database.store.readAll().map((e) => e.eventId));
      rebuilt.database.close();
      const salvaged = first.filter((id) => ids.has(id) && !kept.includes(id)).length;
      assert.ok(salvaged >= previous, `cut at ${cut}: ${salvaged} salvaged, not fewer than before (${previous})`);
      previous = salvaged;
      for (const id of [...kept, ...later, ...pending]) assert.ok(ids.has(id), `cut at ${cut}: the archive, later journals and the inbox come back`);
      assert.match(rebuilt.problems.join('\n'), new RegExp(`segments/raw-000001\\.jsonl\\.gz is damaged: its gzip data stops at byte \\d+ of ${cut}`), `cut at ${cut}`);
      // The archive's copies no salvaged line names, and the pending entries, are replayed last.
      assert.ok(rebuilt.leftovers.length >= pending.length && rebuilt.leftovers.length <= pending.length + kept.length, `cut at ${cut}: ${rebuilt.leftovers.length} leftovers`);
      if (cut === 0) assert.equal(rebuilt.leftovers.length, pending.length + kept.length, 'nothing salvaged: every kept archive file is a leftover');
    }
    assert.ok(previous >= first.length - kept.length - 2, `nearly everything comes back from a file cut at its last byte (${previous})`);
  } finally {
    cleanup();
  }
});

test('a sealed segment with a garbage line in the middle, or damaged gzip data: everything else comes back, and the rebuild names the line or the byte', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const { first, kept } = await sealedWorkspace(dir);
    const sealed = join(paths.segments, 'raw-000001.jsonl.gz');
    const whole = readFileSync(sealed);
    const lines = gunzipSync(whole).toString('utf8').split('\n');
    lines[20] = '{"name":"x.json","cap":"not a number"}';
    writeFileSync(sealed, gzipSync(lines.join('\n')));
    const garbled = await rebuildBeside(paths);
    const ids = new Set(garbled.database.store.readAll().map((e) => e.eventId));
    garbled.database.close();
    assert.equal(first.filter((id) => !ids.has(id)).length, 1, 'only the garbage line\'s entry is lost');
    assert.match(garbled.problems.join('\n'), /segments\/raw-000001\.jsonl\.gz line 21: not a valid line/);
    const damaged = Buffer.from(whole);
    const at = Math.floor(whole.length / 2);
    for (let i = at; i < at + 16; i += 1) damaged[i] = (damaged[i] as number) ^ 0x5a;
    writeFileSync(sealed, damaged);
    const rebuilt = await rebuildBeside(paths);
    const back = new Set(rebuilt.database.store.readAll().map((e) => e.eventId));
    rebuilt.database.close();
    assert.ok(first.filter((id) => back.has(id)).length > kept.length, 'the lines before the damage come back');
    assert.match(rebuilt.problems.join('\n'), /segments\/raw-000001\.jsonl\.gz is damaged: its gzip data stops at byte \d+ of \d+ \(/);
  } finally {
    cleanup();
  }
});

test('records of an earlier version (seg-N.jsonl, seg-N.jsonl.gz) are read around a garbage line, and one nested too deep is bounded like a new event', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    mkdirSync(paths.segments, { recursive: true });
    const record = (payload: string): string => {
      const stamp = stampNow();
      const name = entryFileName(stamp);
      const r = normalizeEntry(parseInboxEntry(name, entryText(stamp, 'hook', undefined, payload)), { maxFieldBytes: 65_536 });
      // An earlier version wrote the record as it was; the payload's own text stands in for its data.
      return `{"streamId":${JSON.stringify(r.streamId)},"event":{"eventId":"${r.event.eventId}","type":"${r.event.type}","schemaVersion":1,"data":${payload},"metadata":${JSON.stringify(r.event.metadata)},"correlationId":null,"causationId":null}}`;
    };
    const open = [record('{"session_id":"old","hook_event_name":"Stop","n":1}'), 'garbage', record(`{"session_id":"old","hook_event_name":"Notification","x":${deepArrays(3000)}}`)];
    writeFileSync(join(paths.segments, 'seg-000002.jsonl'), `${open.join('\n')}\n`);
    writeFileSync(join(paths.segments, 'seg-000001.jsonl.gz'), gzipSync(`${[record('{"session_id":"old","hook_event_name":"SessionStart"}'), '{"streamId":""}'].join('\n')}\n`));
    const rebuilt = await rebuildBeside(paths);
    const events = rebuilt.database.store.readAll();
    rebuilt.database.close();
    assert.deepEqual(events.map((e) => e.type), ['SessionStart', 'Stop', 'Notification']);
    assert.deepEqual(events[2]?.metadata['depthCuts'], [{ path: `x${'[0]'.repeat(255)}`, depth: 3001 }]);
    assert.match(rebuilt.problems.join('\n'), /segments\/seg-000001\.jsonl\.gz line 2: not a valid line/);
    assert.match(rebuilt.problems.join('\n'), /segments\/seg-000002\.jsonl line 2: not JSON/);
  } finally {
    cleanup();
  }
});

test('a rebuild that fails midway leaves the store exactly where it was, and nothing beside it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    await ingestedWorkspace(dir, 2, 5);
    const before = readFileSync(paths.store);
    const files = readdirSync(paths.dir).sort();
    await assert.rejects(rebuildStore(paths, async (p) => {
      const halfway = await rebuildFromSegments(p, { write: false });
      halfway.database.close();
      throw new Error('out of disk space');
    }), /out of disk space/);
    assert.deepEqual(readFileSync(paths.store), before, 'the store is untouched');
    assert.deepEqual(readdirSync(paths.dir).sort(), files, 'no backup, no temp file: nothing moved');
    const writer = await startWriter(dir);
    assert.equal(writer.database.store.lastGlobalPosition(), 10, 'the writer opens it as before');
    writer.close();
  } finally {
    cleanup();
  }
});

test('a rebuild that brings back fewer events than the store holds keeps the store in place and the rebuilt one aside, and says so (logbook rebuild exits 1)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    await ingestedWorkspace(dir, 2, 6);
    const gone = readdirSync(paths.archive).filter((n) => n.endsWith('.json'))[0] as string;
    unlinkSync(join(paths.archive, gone));
    const before = readFileSync(paths.store);
    const outcome = await rebuildStore(paths);
    outcome.database.close();
    assert.equal(outcome.kept, 'current');
    assert.deepEqual([outcome.currentEvents, outcome.events, outcome.missing], [12, 11, [gone]]);
    assert.deepEqual(readFileSync(paths.store), before, 'the fuller store stays in place, untouched');
    assert.ok(outcome.aside !== undefined && existsSync(outcome.aside));
    const aside = await storeOf(paths, outcome.aside);
    assert.equal(aside.store.lastGlobalPosition(), 11, 'the rebuilt store is kept aside');
    aside.close();
    assert.match(outcome.messages[0] ?? '', /the rebuilt store has 11 event\(s\), fewer than the 12 of the current store \.logbook\/logbook\.sqlite, which stays in place; the rebuilt store is kept as \.logbook\/logbook\.sqlite\.rebuilt-/);
    assert.match(outcome.messages.join('\n'), new RegExp(`could not be replayed: ${gone}`));
    const cli = await run(['rebuild', '--workspace', dir]);
    assert.equal(cli.code, 1);
    assert.match(cli.out, /^kept the current store \(it holds more events\); 1 thing\(s\) in the raw segments could not be read \(listed above\)\n$/);
    assert.match(cli.err, /which stays in place; the rebuilt store is kept as \.logbook\/logbook\.sqlite\.rebuilt-/);
    assert.deepEqual(readFileSync(paths.store), before);
  } finally {
    cleanup();
  }
});

test('logbook rebuild of a readable workspace: the rebuilt store replaces the old one, kept as before-rebuild-<time>; exit 0 with one summary line', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    await ingestedWorkspace(dir, 2, 6);
    const before = await storeOf(paths);
    const rows = storeRows(before.store);
    before.close();
    const cli = await run(['rebuild', '--workspace', dir]);
    assert.equal(cli.code, 0, cli.err);
    assert.equal(cli.out, 'rebuilt the store (12 event(s)); everything in the raw segments was read\n');
    assert.match(cli.err, /^rebuilt \.logbook\/logbook\.sqlite from the raw segments: 12 event\(s\); the previous store is kept as \.logbook\/logbook\.sqlite\.before-rebuild-\S+ \(12 event\(s\)\)\n$/);
    const backups = readdirSync(paths.dir).filter((n) => n.startsWith('logbook.sqlite.before-rebuild-'));
    assert.equal(backups.length, 1);
    const after = await storeOf(paths);
    assert.deepEqual(storeRows(after.store), rows);
    after.close();
  } finally {
    cleanup();
  }
});

test('entry files merged between a log\'s records (a workflow decision after its hook event) replay in the order they were appended, from the open journal and once sealed', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const { database } = await openStoreForWriting(paths);
    const segments = new SegmentLog(paths.segments);
    const ingestor = new Ingestor(database, paths.inbox, segments, { maxFieldBytes: 65_536 });
    for (let pass = 0; pass < 2; pass += 1) {
      for (let i = 0; i < 6; i += 1) {
        const payload = { session_id: 's', hook_event_name: 'Notification', pass, i };
        if (i % 2 === 0) logInInbox(paths.inbox, payload);
        else putInInbox(paths.inbox, payload);
      }
      // Two passes, each committed with a journal line of its own.
      ingestor.ingestPending();
    }
    await ingestor.removeCommitted();
    const order = database.store.readAll().map((e) => `${(e.data as { pass: number }).pass}.${(e.data as { i: number }).i}`);
    assert.deepEqual(order, ['0.0', '0.1', '0.2', '0.3', '0.4', '0.5', '1.0', '1.1', '1.2', '1.3', '1.4', '1.5'], 'appended in receive order');
    await assertRebuildMatches(paths, database.store, 'replayed from the open journal');
    segments.seal(paths.inbox);
    await assertRebuildMatches(paths, database.store, 'replayed from the sealed segment');
    database.close();
  } finally {
    cleanup();
  }
});
