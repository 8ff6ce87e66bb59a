import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { logbookPaths } from '../../src/capture/paths';
import { LogbookWriter } from '../../src/ingest/writer';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { openStoreForWriting, rebuildStore } from '../../src/ingest/open-store';
import { capFields } from '../../src/ingest/cap-fields';
import { parseInboxEntry } from '../../src/ingest/inbox-entry';
import { normalizeEntry, QUARANTINE_STREAM } from '../../src/ingest/normalize';
import { SegmentLog } from '../../src/ingest/segments';
import { FIXTURE_SESSION, fixturePayloads, putInInbox, tempDir } from './helpers';
import { entryFileName, entryText, eventsEntryText, EVENTS_ENTRY_SUFFIX, stampNow, writeInboxEntry } from '../../src/capture/inbox-writer';

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
    writeFileSync(join(inbox, '00000000000000002-shape.json'), JSON.stringify({ v: 1, hello: 'x' }));
    const w = await writer(dir);
    const report = w.ingest();
    w.flush();
    assert.equal(report.quarantined, 3);
    const reasons = w.database.store.readStream(QUARANTINE_STREAM).map((e) => `${e.type}: ${String((e.data as Record<string, unknown>)['reason'])}`);
    assert.match(reasons[0] ?? '', /InvalidInboxEntry: inbox file 00000000000000001-junk\.json is not valid JSON/);
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
  const unknown = normalizeEntry(parseInboxEntry('x.json', JSON.stringify({ v: 1, id: 'id-unknown-1', receivedAt: 'now', receivedUs: 1, source: 'hook', payload: { ...base, hook_event_name: 'FutureEvent', novel: { a: 1 } } })), { maxFieldBytes: 1024 });
  assert.equal(unknown.event.type, 'FutureEvent');
  assert.deepEqual((unknown.event.data as Record<string, unknown>)['novel'], { a: 1 });
  assert.equal(unknown.event.metadata['unknownEvent'], true);
  const odd = normalizeEntry(parseInboxEntry('y.json', JSON.stringify({ v: 1, id: 'id-odd-00001', receivedAt: 'now', receivedUs: 2, source: 'hook', payload: { ...base, hook_event_name: 'PreToolUse', extra: true } })), { maxFieldBytes: 1024 });
  assert.equal(odd.event.type, 'PreToolUse');
  assert.match(String(odd.event.metadata['schemaIssues']), /tool_name/);
  assert.equal((odd.event.data as Record<string, unknown>)['extra'], true);
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

test('raw segments roll into gzip files and replay in order; a torn last line is skipped', () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = new SegmentLog(dir, 2000);
    const records = Array.from({ length: 30 }, (_, i) => ({ streamId: 's', event: { eventId: `e${i}`, type: 'T', schemaVersion: 1, data: { i, pad: 'p'.repeat(100) }, metadata: {} } }));
    for (const r of records) log.append([r]);
    assert.ok(readdirSync(dir).some((n) => n.endsWith('.jsonl.gz')), 'full segments are sealed');
    const open = readdirSync(dir).find((n) => n.endsWith('.jsonl'));
    if (open !== undefined) writeFileSync(join(dir, open), readFileSync(join(dir, open), 'utf8') + '{"streamId":"s","ev');
    assert.deepEqual([...log.records()].map((r) => r.event.eventId), records.map((r) => r.event.eventId));
    // The next append (after the crash) cuts the fragment off instead of burying it mid-file.
    const next = { streamId: 's', event: { eventId: 'after-crash', type: 'T', schemaVersion: 1, data: {}, metadata: {} } };
    log.append([next]);
    assert.deepEqual([...log.records()].map((r) => r.event.eventId), [...records.map((r) => r.event.eventId), 'after-crash']);
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
    writeFileSync(join(inbox, `0${us}-sh4242-PreToolUse.rawhook`), JSON.stringify({ session_id: 'raw', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } }));
    writeFileSync(join(inbox, `0${us + 1}-sh4243-Stop.rawhook`), '{broken');
    const w = await writer(dir);
    const report = w.ingest();
    w.flush();
    assert.equal(report.appended, 2);
    const [event] = w.database.store.readStream('raw');
    assert.equal(event?.type, 'PreToolUse');
    assert.equal(event?.metadata['receivedAt'], new Date(Math.floor(us / 1000)).toISOString());
    assert.equal(event?.metadata['hookEvent'], 'PreToolUse');
    const [bad] = w.database.store.readStream(QUARANTINE_STREAM);
    assert.match(String((bad?.data as Record<string, unknown>)['reason']), /stdin is not valid JSON/);
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
      JSON.stringify({ v: 1, id: '0190aaaa-0000-7000-8000-000000000000', receivedAt: at, receivedUs: 1, source: 'cli', sessionId: 'wf', events: [{ type: 'DropTables', data: {} }] }));
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
