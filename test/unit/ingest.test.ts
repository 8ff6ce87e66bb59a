import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { logbookPaths } from '../../src/capture/paths';
import { LogbookWriter } from '../../src/ingest/writer';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { openStoreForWriting, rebuildStore } from '../../src/ingest/open-store';
import { capFields } from '../../src/ingest/cap-fields';
import { parseInboxEntry } from '../../src/ingest/inbox-entry';
import { normalizeEntry, normalizeEntryRecords, QUARANTINE_STREAM } from '../../src/ingest/normalize';
import type { IngestRecord } from '../../src/ingest/normalize';
import { isKnownHookEvent, knownHookSchemas } from '../../src/domain/hook-events';
import { HOOK_CHECKS, prepareHookEntry, preparedRecord } from '../../src/ingest/hook-fast-path';
import { SegmentLog } from '../../src/ingest/segments';
import { FIXTURE_SESSION, fixturePayloads, putInInbox, tempDir } from './helpers';
import { entryFileName, entryText, eventsEntryText, EVENTS_ENTRY_SUFFIX, stampNow, writeInboxEntry } from '../../src/capture/inbox-writer';
import type { InboxStamp } from '../../src/capture/inbox-writer';
import { Ingestor } from '../../src/ingest/ingestor';
import { provenanceKey, shStamp, stampEntry } from '../../src/capture/provenance';
import { entryReader } from '../../src/ingest/read-ahead';

async function writer(workspace: string, maxFieldBytes = 65_536): Promise<LogbookWriter> {
  const started = await LogbookWriter.start(logbookPaths(workspace), 'test', { maxFieldBytes });
  assert.ok(started.ok, 'the writer gets the lock');
  return started.writer;
}

function inboxNames(workspace: string): string[] {
  const inbox = logbookPaths(workspace).inbox;
  return existsSync(inbox) ? readdirSync(inbox).filter((n) => n.endsWith('.json') || n.endsWith('.rawhook')) : [];
}

test('the real captured session is ingested whole, in order, with tool causation linked', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const payloads = fixturePayloads();
    for (const p of payloads) putInInbox(logbookPaths(dir).inbox, p, String(p['hook_event_name']));
    const w = await writer(dir);
    const report = w.ingest();
    w.flush();
    await w.removeCommittedEntries();
    w.close();
    assert.equal(report.appended, payloads.length);
    const opened = await LogbookDatabase.open(logbookPaths(dir).store);
    assert.ok(opened.ok);
    const events = opened.database.store.readStream(FIXTURE_SESSION);
    assert.deepEqual(events.map((e) => e.type), payloads.map((p) => p['hook_event_name']));
    assert.deepEqual(events.map((e) => e.data), payloads, 'payloads stored as Claude Code sent them');
    const pre = events.find((e) => e.type === 'PreToolUse');
    const post = events.find((e) => e.type === 'PostToolUse' && (e.data as Record<string, unknown>)['tool_use_id'] === (pre?.data as Record<string, unknown>)['tool_use_id']);
    assert.equal(post?.causationId, pre?.eventId, 'PostToolUse is caused by its PreToolUse');
    const start = events.find((e) => e.type === 'SubagentStart');
    const stop = events.find((e) => e.type === 'SubagentStop' && (e.data as Record<string, unknown>)['agent_id'] === (start?.data as Record<string, unknown>)['agent_id']);
    assert.equal(stop?.causationId, start?.eventId);
    const prompt = events.find((e) => e.type === 'UserPromptSubmit');
    assert.equal(prompt?.correlationId, (prompt?.data as Record<string, unknown>)['prompt_id']);
    assert.deepEqual(inboxNames(dir), [], 'inbox emptied after the durable flush');
  } finally {
    cleanup();
  }
});

test('inbox entries stay until the store holding them is flushed; a second pass adds nothing', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    putInInbox(inbox, { session_id: 's', hook_event_name: 'Stop' });
    const w = await writer(dir);
    assert.equal(w.ingest().appended, 1);
    assert.equal(inboxNames(dir).length, 1, 'not removed before the flush');
    assert.equal(w.ingest().appended, 0, 'an appended entry is not read twice while it waits');
    w.flush();
    assert.equal(w.ingest().appended, 0, 'flushed but not yet removed: still not read twice');
    assert.equal(await w.removeCommittedEntries(), 1);
    assert.equal(inboxNames(dir).length, 0);
    assert.equal(w.ingest().appended, 0);
    w.close();
  } finally {
    cleanup();
  }
});

test('an entry already in the store (crash between flush and inbox removal) is not stored twice', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    putInInbox(inbox, { session_id: 's', hook_event_name: 'Stop' });
    const name = inboxNames(dir)[0] as string;
    const text = readFileSync(join(inbox, name));
    const w = await writer(dir);
    w.ingest();
    w.flush();
    await w.removeCommittedEntries();
    w.close();
    // The crash: the store holds the event, the entry is back in the inbox, a new writer starts.
    writeFileSync(join(inbox, name), text);
    const w2 = await writer(dir);
    const again = w2.ingest();
    assert.equal(again.appended, 0);
    assert.equal(again.duplicates, 1);
    w2.flush();
    await w2.removeCommittedEntries();
    assert.equal(w2.database.store.readStream('s').length, 1);
    assert.deepEqual(inboxNames(dir), []);
    w2.close();
  } finally {
    cleanup();
  }
});

test('bad input is kept in the $quarantine stream with a reason naming what is wrong', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    putInInbox(inbox, { hook_event_name: 'Stop' });
    mkdirSync(inbox, { recursive: true });
    writeFileSync(join(inbox, '00000000000000001-junk.json'), 'not json at all');
    writeFileSync(join(inbox, '00000000000000002-shape.json'), stampEntry(JSON.stringify({ v: 1, hello: 'x' })));
    const w = await writer(dir);
    const report = w.ingest();
    w.flush();
    assert.equal(report.quarantined, 3);
    const reasons = w.database.store.readStream(QUARANTINE_STREAM).map((e) => `${e.type}: ${String((e.data as Record<string, unknown>)['reason'])}`);
    assert.match(reasons[0] ?? '', /UnverifiedInboxEntry: inbox file 00000000000000001-junk\.json was not ingested as a recorded event: it carries no provenance stamp/);
    assert.match(reasons[1] ?? '', /InvalidInboxEntry: inbox file 00000000000000002-shape\.json is not an inbox entry/);
    assert.match(reasons[2] ?? '', /InvalidHookInput: hook payload session_id: /);
    await w.removeCommittedEntries();
    assert.deepEqual(inboxNames(dir), []);
    w.close();
  } finally {
    cleanup();
  }
});

test('unknown events and fields are stored as they are; known events that do not match say why', () => {
  const base = { session_id: 's', transcript_path: '/t', cwd: '/c' };
  const unknown = normalizeEntry(parseInboxEntry('x.json', stampEntry(JSON.stringify({ v: 1, id: 'id-unknown-1', receivedAt: 'now', receivedUs: 1, source: 'hook', payload: { ...base, hook_event_name: 'FutureEvent', novel: { a: 1 } } }))), { maxFieldBytes: 1024 });
  assert.equal(unknown.event.type, 'FutureEvent');
  assert.deepEqual((unknown.event.data as Record<string, unknown>)['novel'], { a: 1 });
  assert.equal(unknown.event.metadata['unknownEvent'], true);
  const odd = normalizeEntry(parseInboxEntry('y.json', stampEntry(JSON.stringify({ v: 1, id: 'id-odd-00001', receivedAt: 'now', receivedUs: 2, source: 'hook', payload: { ...base, hook_event_name: 'PreToolUse', extra: true } }))), { maxFieldBytes: 1024 });
  assert.equal(odd.event.type, 'PreToolUse');
  assert.match(String(odd.event.metadata['schemaIssues']), /tool_name/);
  assert.equal((odd.event.data as Record<string, unknown>)['extra'], true);
});

test('the hook fast path takes exactly the valid, small hook entries, and makes the same records of them as full validation', () => {
  const odd: unknown[] = [undefined, null, 0, 1.5, '', 'x', true, [], [1, 'a'], [{ tool_name: 1 }], {}, { a: 1 }];
  const samples = new Map(fixturePayloads().map((p) => [String(p['hook_event_name']), p]));
  let taken = 0;
  let compared = 0;
  const check = (event: string | undefined, payload: unknown, maxFieldBytes = 65_536): void => {
    const stamp = stampNow();
    const name = entryFileName(stamp);
    const text = entryText(stamp, 'hook', event, JSON.stringify(payload) ?? 'null');
    const fast = prepareHookEntry(name, text, maxFieldBytes);
    const full = normalizeEntryRecords(parseInboxEntry(name, text), { maxFieldBytes })[0] as IngestRecord;
    // What the entry holds: JSON drops keys whose value is undefined.
    const sent = JSON.parse(JSON.stringify(payload) ?? 'null') as unknown;
    const eventName = (sent as { hook_event_name?: unknown } | null)?.hook_event_name;
    const valid = typeof eventName === 'string' && isKnownHookEvent(eventName) && knownHookSchemas[eventName].safeParse(sent).success;
    const small = (JSON.stringify(payload) ?? '').length * 3 <= maxFieldBytes;
    assert.equal(fast !== null, valid && small, `${String(eventName)}: ${JSON.stringify(payload)?.slice(0, 300)}`);
    compared += 1;
    if (fast === null) return;
    taken += 1;
    const record = preparedRecord(fast);
    assert.deepEqual(
      [record.streamId, record.event.eventId, record.event.type, record.event.schemaVersion, record.event.correlationId, record.event.causationId, record.event.serialized, record.event.data, record.event.metadata],
      [full.streamId, full.event.eventId, full.event.type, full.event.schemaVersion, full.event.correlationId, full.event.causationId, full.event.serialized, full.event.data, full.event.metadata],
    );
    const data = sent as Record<string, unknown>;
    assert.deepEqual(record.links, { toolUseId: typeof data['tool_use_id'] === 'string' ? data['tool_use_id'] : null, agentId: typeof data['agent_id'] === 'string' ? data['agent_id'] : null });
  };
  assert.deepEqual(Object.keys(HOOK_CHECKS).sort(), Object.keys(knownHookSchemas).sort(), 'every known event has a fast-path check');
  for (const sample of samples.values()) {
    for (const [event, schema] of Object.entries(knownHookSchemas)) {
      const base: Record<string, unknown> = { ...sample, hook_event_name: event };
      check(event, base);
      check(undefined, base);
      for (const whole of [null, [], 'text', 7]) check(event, whole);
      for (const key of [...Object.keys(schema.shape), 'extra', 'tool_use_id', 'agent_id']) {
        for (const value of odd) check(event, { ...base, [key]: value });
        const { [key]: _dropped, ...without } = base;
        check(event, without);
      }
    }
  }
  // Unknown events, big payloads, other characters, a small cap: the full path's, or the same result.
  const pre = samples.get('PreToolUse') as Record<string, unknown>;
  check('FutureEvent', { ...pre, hook_event_name: 'FutureEvent' });
  check('PreToolUse', { ...pre, tool_input: { content: 'ü'.repeat(30_000) } });
  check('PreToolUse', { ...pre, tool_input: { content: 'é "quoted" \\ 日本 🎉 \u2028' } });
  check('PreToolUse', pre, 150);
  check('PreToolUse', pre, 4096);
  assert.ok(taken > 1000 && compared > 10_000, `${taken} of ${compared}`);
});

test('oversized fields are capped at the setting with the cut recorded (size and SHA-256 of the whole value)', () => {
  const huge = 'é'.repeat(5000) + 'tail';
  const { value, cuts } = capFields({ tool_response: { stdout: huge, small: 'ok' }, list: ['x'.repeat(3000)] }, 2049);
  const capped = value as { tool_response: { stdout: string; small: string }; list: string[] };
  assert.equal(capped.tool_response.small, 'ok');
  assert.ok(Buffer.byteLength(capped.tool_response.stdout) <= 2049);
  assert.ok(huge.startsWith(capped.tool_response.stdout), 'a prefix, never a split character');
  assert.deepEqual(cuts.map((c) => c.path), ['tool_response.stdout', 'list[0]']);
  assert.equal(cuts[0]?.originalBytes, Buffer.byteLength(huge));
  assert.equal(cuts[0]?.keptBytes, 2048, 'é is 2 bytes: the cut steps back to a character start');
  assert.equal(cuts[0]?.sha256, createHash('sha256').update(huge).digest('hex'));
  const small = { a: 'short' };
  assert.equal(capFields(small, 1024).value, small, 'untouched values are not copied');
});

test('the cap applies at ingest and the event metadata records the cut', async () => {
  const { dir, cleanup } = tempDir();
  try {
    putInInbox(logbookPaths(dir).inbox, { session_id: 's', hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: {}, tool_response: { stdout: 'y'.repeat(10_000) } });
    const w = await writer(dir, 4096);
    w.ingest();
    const [event] = w.database.store.readStream('s');
    const cuts = event?.metadata['cuts'] as { path: string; originalBytes: number }[];
    assert.deepEqual(cuts.map((c) => [c.path, c.originalBytes]), [['tool_response.stdout', 10_000]]);
    assert.equal(((event?.data as Record<string, Record<string, string>>)['tool_response'])?.['stdout']?.length, 4096);
    w.close();
  } finally {
    cleanup();
  }
});

test('a corrupt store is moved aside with a message and rebuilt from the raw segments with no event lost', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    for (const p of fixturePayloads()) putInInbox(paths.inbox, p);
    const w = await writer(dir);
    w.ingest();
    w.flush();
    const before = w.database.store.readAll();
    w.close();
    writeFileSync(paths.store, Buffer.from('SQLite format 3\0 but then garbage'.repeat(100)));
    const { database, messages } = await openStoreForWriting(paths);
    assert.match(messages[0] ?? '', /logbook\.sqlite could not be read .* moved to \.logbook\/logbook\.sqlite\.corrupt-.* rebuilt from the raw segments \(63 events\)/);
    assert.equal(readdirSync(paths.dir).filter((n) => n.includes('.corrupt-')).length, 1, 'the bad file is kept, not deleted');
    assert.deepEqual(database.store.readAll().map((e) => [e.eventId, e.globalPosition, e.streamPosition, e.causationId]), before.map((e) => [e.eventId, e.globalPosition, e.streamPosition, e.causationId]));
    database.close();
  } finally {
    cleanup();
  }
});

test('a deleted store is rebuilt from the raw segments; logbook rebuild keeps a backup', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    for (let i = 0; i < 20; i += 1) putInInbox(paths.inbox, { session_id: `s${i % 3}`, hook_event_name: 'Stop', i });
    const w = await writer(dir);
    w.ingest();
    w.flush();
    w.close();
    unlinkSync(paths.store);
    const reopened = await openStoreForWriting(paths);
    assert.match(reopened.messages[0] ?? '', /was missing: rebuilt it from the raw segments \(20 events\)/);
    reopened.database.close();
    const rebuilt = await rebuildStore(paths);
    assert.equal(rebuilt.events, 20);
    assert.ok(rebuilt.backup !== undefined && existsSync(rebuilt.backup));
    rebuilt.database.close();
  } finally {
    cleanup();
  }
});

test('the raw segments journal each flush in order, seal into gzip with the entries\' text, and replay in order; a torn last line is skipped', () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = join(dir, 'inbox');
    const log = new SegmentLog(join(dir, 'segments'), 2000);
    const names = Array.from({ length: 30 }, (_, i) => {
      const stamp = stampNow();
      const name = entryFileName(stamp);
      writeInboxEntry(inbox, name, `{"i":${i},"pad":"${'p'.repeat(100)}"}\n`);
      return name;
    });
    mkdirSync(log.archiveDir, { recursive: true });
    for (let i = 0; i < 30; i += 3) {
      const group = names.slice(i, i + 3);
      log.appendGroup(group, i + 3, 4096, 300);
      // Archived after its flush (all but the last group, whose move is still to come).
      if (i < 27) for (const name of group) renameSync(join(inbox, name), join(log.archiveDir, name));
      if (log.full) {
        log.seal(inbox);
        for (const sealed of log.unfinishedSeals()) {
          for (const name of sealed.entries) if (existsSync(join(log.archiveDir, name))) unlinkSync(join(log.archiveDir, name));
          log.finishSeal(sealed.journal);
        }
      }
    }
    const files = readdirSync(join(dir, 'segments'));
    assert.ok(files.some((n) => /^raw-\d{6}\.jsonl\.gz$/.test(n)), 'full journals are sealed');
    const open = files.find((n) => /^order-\d{6}\.jsonl$/.test(n));
    assert.ok(open !== undefined, 'the open journal');
    const replayed = (): string[] => [...log.replay(inbox)].map((item) => (item.kind === 'entry' ? `${item.name}|${item.maxFieldBytes}|${JSON.parse(item.text).i as number}` : item.kind));
    const expected = names.map((name, i) => `${name}|4096|${i}`);
    assert.deepEqual(replayed(), expected, 'sealed, archived and still-in-the-inbox entries, in journal order');
    writeFileSync(join(dir, 'segments', open), `${readFileSync(join(dir, 'segments', open), 'utf8')}{"last":99,"cap":4096,"entr`);
    assert.deepEqual(replayed(), expected, 'a torn last line is skipped');
    // The next flush (after the crash) cuts the fragment off instead of burying it mid-file.
    const late = entryFileName(stampNow());
    writeInboxEntry(inbox, late, '{"i":30}\n');
    log.appendGroup([late], 31, 4096, 10);
    assert.deepEqual(replayed(), [...expected, `${late}|4096|30`]);
  } finally {
    cleanup();
  }
});

test('a journaled flush that never reached the disk is dropped, and its entries are journaled again where they land', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n: 1 });
    const w = await writer(dir);
    w.ingest();
    w.flush();
    await w.removeCommittedEntries();
    w.close();
    // The crash: the journal names a second flush, the store never got it.
    const lateId = putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop', n: 2 });
    const late = inboxNames(dir)[0] as string;
    new SegmentLog(paths.segments).appendGroup([late], 2, 65_536, 100);
    // An entry with an earlier name lands after the crash: it is appended first now.
    const earlier = `00000000000000001-${lateId.slice(0, 8)}-0000-7000-8000-000000000000.json`;
    writeFileSync(join(paths.inbox, earlier), entryText({ id: `${lateId.slice(0, 8)}-0000-7000-8000-000000000000`, receivedAt: 'x', receivedUs: 1 }, 'hook', 'Stop', JSON.stringify({ session_id: 's', hook_event_name: 'Stop', n: 3 })));
    const w2 = await writer(dir);
    assert.equal(w2.ingest().appended, 2);
    w2.flush();
    await w2.removeCommittedEntries();
    const stored = w2.database.store.readAll().map((e) => [e.globalPosition, (e.data as { n: number }).n]);
    assert.deepEqual(stored, [[1, 1], [2, 3], [3, 2]]);
    w2.close();
    const rebuilt = await rebuildStore(paths);
    assert.deepEqual(rebuilt.database.store.readAll().map((e) => [e.globalPosition, (e.data as { n: number }).n]), stored, 'the rebuild gives the same positions');
    rebuilt.database.close();
  } finally {
    cleanup();
  }
});

test('entries ingested over several passes, out of name order, archived and sealed: a rebuild gives the same store', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const payloads = fixturePayloads();
    const segments = new SegmentLog(paths.segments, 8_000);
    const database = (await openStoreForWriting(paths)).database;
    const ingestor = new Ingestor(database, paths.inbox, segments, { maxFieldBytes: 150 });
    // Entries named earlier than ones already ingested (a slow hook) are appended after them.
    const stamps = payloads.map(() => stampNow());
    for (let pass = 0; pass < 4; pass += 1) {
      for (let i = payloads.length - 1 - pass; i >= 0; i -= 4) {
        const stamp = stamps[i] as InboxStamp;
        writeInboxEntry(paths.inbox, entryFileName(stamp), entryText(stamp, 'hook', undefined, JSON.stringify(payloads[i])));
      }
      ingestor.ingestPending();
      if (pass % 2 === 1) await ingestor.removeCommitted();
    }
    await ingestor.removeCommitted();
    assert.ok(readdirSync(paths.segments).some((n) => n.endsWith('.jsonl.gz')), 'sealed');
    assert.ok(existsSync(paths.archive));
    assert.deepEqual(readdirSync(paths.archive).filter((n) => n.endsWith('.json')).length < payloads.length, true, 'sealed entries leave the archive');
    assert.deepEqual(inboxNames(dir), []);
    const before = database.store.readAll().map((e) => [e.globalPosition, e.eventId, e.streamPosition, e.causationId, JSON.stringify(e.data), JSON.stringify(e.metadata)]);
    assert.ok(before.some((e) => e[3] !== null), 'some causes linked');
    assert.ok(before.some((e) => String(e[5]).includes('"cuts"')), 'some fields cut at 150 bytes');
    database.close();
    const rebuilt = await rebuildStore(paths);
    assert.equal(rebuilt.events, payloads.length);
    assert.deepEqual(rebuilt.missing, []);
    assert.deepEqual(rebuilt.database.store.readAll().map((e) => [e.globalPosition, e.eventId, e.streamPosition, e.causationId, JSON.stringify(e.data), JSON.stringify(e.metadata)]), before);
    rebuilt.database.close();
  } finally {
    cleanup();
  }
});

test('a big pass is read and prepared ahead on a helper thread: the same results as here, skipped names passed over, large and vanished entries read here', () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = join(dir, 'inbox');
    const payloads = fixturePayloads();
    const names: string[] = [];
    for (let i = 0; i < 1500; i += 1) {
      const stamp = stampNow();
      const name = entryFileName(stamp, i % 100 === 3 ? EVENTS_ENTRY_SUFFIX : undefined);
      const payload = { ...payloads[i % payloads.length], i, ...(i % 500 === 7 ? { big: 'é'.repeat(20_000) } : {}) };
      const text = i % 100 === 3
        ? eventsEntryText(stamp, 'cli', 's', [{ type: 'JournalEntryWritten', data: { text: 'x', tags: [], files: [], state: 'a', iteration: 0, at: 'now' } }])
        : i % 100 === 5 ? 'not json' : entryText(stamp, 'hook', undefined, JSON.stringify(payload));
      writeInboxEntry(inbox, name, text);
      names.push(name);
    }
    unlinkSync(join(inbox, names[900] as string));
    const reader = entryReader(inbox, names, 65_536, 0);
    // Give the helper time to start and fill its slots: the first entries come from it.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    let prepared = 0;
    try {
      names.forEach((name, i) => {
        if (i % 3 === 1) return; // already stored: the ingestor never asks
        if (i === 900) {
          assert.throws(() => reader.read(name), /ENOENT/);
          return;
        }
        const text = readFileSync(join(inbox, name), 'utf8');
        const got = reader.read(name);
        if (got.prepared === undefined) {
          assert.equal(got.text, text, `entry ${i}`);
          return;
        }
        prepared += 1;
        assert.deepEqual(got.prepared, prepareHookEntry(name, text, 65_536), `entry ${i}`);
        assert.equal(got.bytes, Buffer.byteLength(text));
      });
    } finally {
      reader.close();
    }
    assert.ok(prepared > 200, `the helper prepared entries (${prepared})`);
  } finally {
    cleanup();
  }
});

test('a big pass, prepared on the helper thread, stores what full validation would, and rebuilds to the same rows', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const payloads = fixturePayloads();
    for (let i = 0; i < 1500; i += 1) {
      const p = payloads[i % payloads.length] as Record<string, unknown>;
      putInInbox(paths.inbox, { ...p, session_id: `big-${Math.floor(i / payloads.length) % 3}`, i, ...(i % 400 === 9 ? { huge: 'x'.repeat(70_000) } : {}) });
    }
    const w = await writer(dir);
    w.ingest();
    w.flush();
    await w.removeCommittedEntries();
    const rows = (database: LogbookDatabase): unknown[] => database.raw.exec('SELECT global_position, stream_id, stream_position, event_id, type, correlation_id, causation_id, data, metadata FROM events ORDER BY global_position')[0]?.values ?? [];
    const stored = rows(w.database);
    w.close();
    assert.equal(stored.length, 1500);
    assert.ok(stored.some((r) => (r as unknown[])[6] !== null), 'causes linked');
    assert.ok(stored.some((r) => String((r as unknown[])[8]).includes('"cuts"')), 'the huge fields were cut');
    const rebuilt = await rebuildStore(paths);
    assert.deepEqual(rows(rebuilt.database), stored);
    rebuilt.database.close();
    // And full validation alone, entry by entry (the archive holds them: too few to seal), gives the same data and metadata.
    const archived = readdirSync(paths.archive).filter((n) => n.endsWith('.json'));
    assert.equal(archived.length, 1500);
    const byId = new Map(stored.map((r) => [String((r as unknown[])[3]), r as unknown[]]));
    for (const name of archived) {
      const [record] = normalizeEntryRecords(parseInboxEntry(name, readFileSync(join(paths.archive, name), 'utf8')), { maxFieldBytes: 65_536 });
      const row = byId.get(record?.event.eventId ?? '');
      assert.ok(row !== undefined && record !== undefined);
      assert.deepEqual([JSON.parse(String(row[7])), JSON.parse(String(row[8]))], [record.event.data, record.event.metadata]);
    }
  } finally {
    cleanup();
  }
});

test('a workspace ingested by an earlier version (record segments) keeps its order: old records first, then the journal', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    mkdirSync(paths.segments, { recursive: true });
    const old = (i: number): string => JSON.stringify({ streamId: 's', event: { eventId: `0190aaaa-0000-7000-8000-00000000000${i}`, type: 'PreToolUse', schemaVersion: 1, correlationId: null, causationId: null, data: { session_id: 's', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: {}, tool_use_id: `t${i}` }, metadata: { source: 'hook' } } });
    writeFileSync(join(paths.segments, 'seg-000001.jsonl'), `${old(1)}\n${old(2)}\n`);
    // No store yet: the writer rebuilds it from the old segments, then ingests new entries.
    putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: {}, tool_response: {}, tool_use_id: 't2' });
    putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop' });
    const w = await writer(dir);
    w.ingest();
    w.flush();
    await w.removeCommittedEntries();
    const stored = w.database.store.readAll().map((e) => [e.globalPosition, e.type, e.causationId]);
    w.close();
    assert.deepEqual(stored, [[1, 'PreToolUse', null], [2, 'PreToolUse', null], [3, 'PostToolUse', '0190aaaa-0000-7000-8000-000000000002'], [4, 'Stop', null]]);
    const rebuilt = await rebuildStore(paths);
    assert.deepEqual(rebuilt.database.store.readAll().map((e) => [e.globalPosition, e.type, e.causationId]), stored);
    rebuilt.database.close();
  } finally {
    cleanup();
  }
});

test('only one writer: a second writer is refused while the first holds the lock; a dead holder is taken over', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const first = await writer(dir);
    const second = await LogbookWriter.start(paths, 'test2', { maxFieldBytes: 65_536 });
    assert.equal(second.ok, false);
    assert.equal(second.ok ? undefined : second.holder?.pid, process.pid);
    first.close();
    writeFileSync(paths.lock, JSON.stringify({ pid: 2 ** 22 + 12345, hostname: (await import('node:os')).hostname(), owner: 'vscode', acquiredAt: 'x', token: 'dead' }));
    const third = await LogbookWriter.start(paths, 'test3', { maxFieldBytes: 65_536 });
    assert.ok(third.ok);
    assert.match(third.ok ? third.messages.join() : '', /took over a stale ingest lock from vscode/);
    if (third.ok) third.writer.close();
    assert.equal(existsSync(paths.lock), false, 'released on close');
  } finally {
    cleanup();
  }
});

test('payloads the sh launcher saved without a runtime (.rawhook) are ingested with the stamp from their name', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    mkdirSync(inbox, { recursive: true });
    const us = 1_795_371_401_982_123;
    const key = provenanceKey().key;
    assert.ok(key);
    // As the launcher names them: the stamp it makes with sha256sum and the key file's derived secrets.
    const raw = (base: string, text: string): void => writeFileSync(join(inbox, `${base}.${shStamp(key, base, text)}.rawhook`), text);
    raw(`0${us}-sh4242-PreToolUse`, JSON.stringify({ session_id: 'raw', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } }));
    raw(`0${us + 1}-sh4243-Stop`, '{broken');
    writeFileSync(join(inbox, `0${us + 2}-sh4244-Stop.rawhook`), JSON.stringify({ session_id: 'raw', hook_event_name: 'Stop' }));
    const w = await writer(dir);
    const report = w.ingest();
    w.flush();
    assert.equal(report.appended, 3);
    const [event] = w.database.store.readStream('raw');
    assert.equal(event?.type, 'PreToolUse');
    assert.equal(event?.metadata['receivedAt'], new Date(Math.floor(us / 1000)).toISOString());
    assert.equal(event?.metadata['hookEvent'], 'PreToolUse');
    const [bad, unstamped] = w.database.store.readStream(QUARANTINE_STREAM);
    assert.match(String((bad?.data as Record<string, unknown>)['reason']), /stdin is not valid JSON/);
    assert.match(String((unstamped?.data as Record<string, unknown>)['reason']), /sh4244-Stop\.rawhook was not ingested as a recorded event: it carries no provenance stamp/);
    assert.equal(w.database.store.readStream('raw').length, 1);
    await w.removeCommittedEntries();
    assert.deepEqual(inboxNames(dir), []);
    w.close();
  } finally {
    cleanup();
  }
});

test('workflow events decided by a CLI/MCP writer, and a hook decision, land in the session stream once and in order', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    const at = '2026-11-22T10:00:00.000Z';
    putInInbox(inbox, { session_id: 'wf', hook_event_name: 'SessionStart', source: 'startup' });
    const cmd = stampNow();
    const cmdName = entryFileName(cmd, EVENTS_ENTRY_SUFFIX);
    writeInboxEntry(inbox, cmdName, eventsEntryText(cmd, 'mcp', 'wf', [
      { type: 'JournalEntryWritten', data: { text: 'planned', tags: [], files: [], state: 'planning', iteration: 0, at } },
      { type: 'WorkflowTransitioned', data: { from: 'planning', to: 'developing', reason: 'plan done', iteration: 1, at } },
    ]));
    const hook = stampNow();
    writeInboxEntry(inbox, entryFileName(hook), entryText(hook, 'hook', 'PreToolUse',
      JSON.stringify({ session_id: 'wf', hook_event_name: 'PreToolUse', tool_name: 'Edit', tool_input: {}, tool_use_id: 't1' })));
    const decision = stampNow();
    writeInboxEntry(inbox, entryFileName(decision, EVENTS_ENTRY_SUFFIX), eventsEntryText(decision, 'hook', 'wf',
      [{ type: 'HookDenied', data: { toolName: 'Edit', toolUseId: 't1', state: 'reviewing', rule: 'states.reviewing.tools.deny "Edit"', reason: 'no', at } }], hook.id));
    writeFileSync(join(inbox, `${String(Date.now() * 1000).padStart(17, '0')}-0190aaaa-0000-7000-8000-000000000000.cmd.json`),
      stampEntry(JSON.stringify({ v: 1, id: '0190aaaa-0000-7000-8000-000000000000', receivedAt: at, receivedUs: 1, source: 'cli', sessionId: 'wf', events: [{ type: 'DropTables', data: {} }] })));
    const w = await writer(dir);
    w.ingest();
    w.flush();
    const types = w.database.store.readStream('wf').map((e) => e.type);
    assert.deepEqual(types, ['SessionStart', 'JournalEntryWritten', 'WorkflowTransitioned', 'PreToolUse', 'HookDenied']);
    const denied = w.database.store.readStream('wf').find((e) => e.type === 'HookDenied');
    assert.equal(denied?.causationId, hook.id, 'a decision is caused by the hook event it answered');
    const [bad] = w.database.store.readStream(QUARANTINE_STREAM);
    assert.match(String((bad?.data as Record<string, unknown>)['reason']), /is not an inbox entry/, 'an unknown event type is refused, kept aside');
    // Re-reading the same entries (a crash before their removal) adds nothing.
    w.close();
    const w2 = await writer(dir);
    assert.equal(w2.ingest().appended, 0);
    w2.close();
  } finally {
    cleanup();
  }
});
