import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { entryFileName, entryText, eventsEntryText, EVENTS_ENTRY_SUFFIX, stampNow, writeInboxEntry } from '../../src/capture/inbox-writer';
import { MAX_JSON_DEPTH, findTooDeep } from '../../src/domain/json-depth';
import { prepareHookEntry } from '../../src/ingest/hook-fast-path';
import { parseInboxEntry } from '../../src/ingest/inbox-entry';
import { normalizeEntry, QUARANTINE_STREAM } from '../../src/ingest/normalize';
import type { RecordedEvent } from '../../src/store/event-store';
import { keyEnv, logInInbox, putInInbox, tempDir } from './helpers';
import { assertRebuildMatches, deepArrays, deepMixed, deepObjects, ingestPass, logTextInInbox, putTextInInbox, startWriter } from './poison-helpers';

const LIMIT = MAX_JSON_DEPTH;

/** The value at a path of segments. */
function at(value: unknown, segments: readonly (string | number)[]): unknown {
  let node = value;
  for (const segment of segments) node = (node as Record<string | number, unknown>)[segment];
  return node;
}

function pathText(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((path, s) => (typeof s === 'number' ? `${path}[${s}]` : path === '' ? s : `${path}.${s}`), '');
}

/** Segments from a field holding `deepMixed` down to its container at level LIMIT + 1 (the field's container is at `fieldLevel`). */
function mixedCutPath(field: string, fieldLevel: number): (string | number)[] {
  const segments: (string | number)[] = [field];
  for (let level = fieldLevel + 1; level <= LIMIT + 1; level += 1) segments.push((level - 1 - fieldLevel) % 2 === 0 ? 0 : 'k');
  return segments;
}

interface DeepCase {
  readonly name: string;
  readonly payload: string;
  readonly via: 'file' | 'log';
  /** Each cut: where, how deep the value went there, and the JSON text the subtree had. */
  readonly cuts: readonly { readonly segments: (string | number)[]; readonly depth: number; readonly text: string }[];
}

const S = 'deep-session';
const head = (event: string): string => `{"session_id":"${S}","hook_event_name":"${event}","marker":"zebra"`;
const repeat = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

const DEEP_CASES: readonly DeepCase[] = [
  { name: 'arrays 8,000 deep (the issue)', via: 'log', payload: `${head('Notification')},"x":${deepArrays(8000)}}`, cuts: [{ segments: ['x', ...repeat(LIMIT - 1, 0)], depth: 8001, text: deepArrays(8000 - (LIMIT - 1)) }] },
  { name: 'objects 8,000 deep', via: 'file', payload: `${head('Notification')},"y":${deepObjects(8000)}}`, cuts: [{ segments: ['y', ...repeat(LIMIT - 1, 'a')], depth: 8001, text: deepObjects(8000 - (LIMIT - 1)) }] },
  { name: 'arrays and objects in turn, 3,001 deep', via: 'log', payload: `${head('Notification')},"z":${deepMixed(3001)}}`, cuts: [{ segments: mixedCutPath('z', 2), depth: 3002, text: deepMixed(3001, '"bottom"', LIMIT - 1) }] },
  { name: 'two deep subtrees: each cut, in document order', via: 'file', payload: `${head('Notification')},"x":${deepArrays(500)},"y":{"in":${deepObjects(400)}}}`, cuts: [
    { segments: ['x', ...repeat(LIMIT - 1, 0)], depth: 501, text: deepArrays(500 - (LIMIT - 1)) },
    { segments: ['y', 'in', ...repeat(LIMIT - 2, 'a')], depth: 402, text: deepObjects(400 - (LIMIT - 2)) },
  ] },
  { name: 'exactly at the limit: nothing cut', via: 'file', payload: `${head('Notification')},"x":${deepArrays(LIMIT - 1)}}`, cuts: [] },
  { name: 'one past the limit: the innermost array is cut', via: 'log', payload: `${head('Notification')},"x":${deepArrays(LIMIT)}}`, cuts: [{ segments: ['x', ...repeat(LIMIT - 1, 0)], depth: LIMIT + 1, text: '[]' }] },
];

test('a payload nested deeper than MAX_JSON_DEPTH keeps its event in its session, each too-deep subtree kept as its JSON text with the cut noted; later events, the search and a rebuild go on', async () => {
  for (const c of DEEP_CASES) {
    const { dir, cleanup } = tempDir();
    try {
      const paths = logbookPaths(dir);
      const id = c.via === 'log' ? logTextInInbox(paths.inbox, c.payload) : putTextInInbox(paths.inbox, c.payload).id;
      const writer = await startWriter(dir);
      const first = await ingestPass(writer);
      assert.deepEqual([first.appended, first.quarantined], [1, 0], c.name);
      const event = writer.database.store.readStream(S)[0] as RecordedEvent;
      assert.deepEqual([event.eventId, event.type, event.streamPosition], [id, 'Notification', 1], c.name);
      const noted = (event.metadata['depthCuts'] ?? []) as { path: string; depth: number }[];
      assert.deepEqual(noted, c.cuts.map((cut) => ({ path: pathText(cut.segments), depth: cut.depth })), `${c.name}: the cuts are noted`);
      for (const cut of c.cuts) {
        const kept = at(event.data, cut.segments);
        assert.equal(typeof kept, 'string', `${c.name}: the subtree is kept as text`);
        assert.equal(kept, cut.text, `${c.name}: the text is the subtree's JSON`);
        assert.equal(findTooDeep(kept as string, 1 << 30), undefined);
      }
      const stored = JSON.stringify(event.data);
      assert.equal(findTooDeep(stored), undefined, `${c.name}: what is stored nests at most MAX_JSON_DEPTH deep`);
      if (c.cuts.length === 0) assert.equal(stored, c.payload, `${c.name}: stored as received`);
      // The raw segments keep the entry as received.
      const archived = readFileSync(join(paths.archive, (readFileSync(join(paths.segments, 'order-000001.jsonl'), 'utf8').match(/"entries":\["([^"]+)"/) as RegExpMatchArray)[1] as string), 'utf8');
      assert.ok(archived.includes(c.payload), `${c.name}: the archive holds the payload as it came`);
      // Later genuine events, the full-text index, a second pass: all go on.
      logInInbox(paths.inbox, { session_id: S, hook_event_name: 'Stop' });
      const second = await ingestPass(writer);
      assert.equal(second.appended, 1, c.name);
      assert.deepEqual(writer.database.store.readStream(S).map((e) => e.type), ['Notification', 'Stop'], c.name);
      writer.catchUpFullText();
      assert.deepEqual(writer.database.store.search('zebra').map((e) => e.eventId), [id], `${c.name}: the search finds it`);
      await assertRebuildMatches(paths, writer.database.store, c.name);
      writer.close();
    } finally {
      cleanup();
    }
  }
});

test('a deep subtree too long as text is cut like any string field (both cuts noted); deep inside a PreToolUse\'s tool_input, its result is still linked to it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const huge = 'h'.repeat(100_000);
    const deep = deepMixed(300, `"${huge}"`);
    putTextInInbox(paths.inbox, `${head('Notification')},"x":${deep},"big":"${'b'.repeat(70_000)}"}`);
    const pre = putTextInInbox(paths.inbox, `{"session_id":"${S}","hook_event_name":"PreToolUse","tool_name":"Bash","tool_use_id":"tu-1","tool_input":{"command":"ls","nested":${deepArrays(5000)}}}`);
    putInInbox(paths.inbox, { session_id: S, hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_use_id: 'tu-1', tool_input: { command: 'ls' }, tool_response: 'ok' });
    const writer = await startWriter(dir, 65_536);
    const report = await ingestPass(writer);
    assert.deepEqual([report.appended, report.quarantined], [3, 0]);
    const [note, preEvent, post] = writer.database.store.readStream(S) as [RecordedEvent, RecordedEvent, RecordedEvent];
    const cutSegments = mixedCutPath('x', 2);
    const cutPath = pathText(cutSegments);
    assert.deepEqual(note.metadata['depthCuts'], [{ path: cutPath, depth: 301 }]);
    // The subtree's text, cut at the field cap like any string, with its size and hash.
    const subtree = deepMixed(300, `"${huge}"`, LIMIT - 1);
    const cuts = note.metadata['cuts'] as { path: string; originalBytes: number; keptBytes: number; sha256: string }[];
    assert.deepEqual(cuts.map((c) => c.path), [cutPath, 'big'], 'the subtree\'s text is cut where the depth cut put it, and the long field too');
    const kept = at(note.data, cutSegments) as string;
    assert.equal(Buffer.byteLength(kept), 65_536);
    assert.ok(subtree.startsWith(kept), 'what is kept is the start of the subtree\'s text');
    assert.equal(cuts[0]?.originalBytes, Buffer.byteLength(subtree), 'the original size is the subtree text\'s');
    assert.equal(cuts[0]?.sha256, createHash('sha256').update(subtree).digest('hex'), 'the hash is the whole subtree text\'s');
    assert.deepEqual(preEvent.metadata['depthCuts'], [{ path: `tool_input.nested${'[0]'.repeat(LIMIT - 2)}`, depth: 5002 }]);
    assert.equal(post.causationId, pre.id, 'the tool result is linked to its deep PreToolUse');
    await assertRebuildMatches(paths, writer.database.store);
    writer.close();
  } finally {
    cleanup();
  }
});

test('the fast path declines any entry with more than MAX_JSON_DEPTH opening brackets; the full path cuts a deep one and stores a shallow one as received', () => {
  const cases: [string, string, boolean, boolean][] = [
    ['deep', `${head('Notification')},"x":${deepArrays(LIMIT + 1)}}`, false, true],
    ['many brackets, shallow', `${head('Notification')},"x":[${repeat(LIMIT, '[]').join(',')}]}`, false, false],
    ['brackets inside strings count too (an upper bound)', `${head('Notification')},"x":"${'{'.repeat(LIMIT + 1)}"}`, false, false],
    ['few brackets', `${head('Notification')},"x":[${repeat(20, '[]').join(',')}]}`, true, false],
  ];
  for (const [name, payload, taken, cut] of cases) {
    const stamp = stampNow();
    const file = entryFileName(stamp);
    const text = entryText(stamp, 'hook', undefined, payload);
    assert.equal(prepareHookEntry(file, text, 65_536) !== null, taken, name);
    const record = normalizeEntry(parseInboxEntry(file, text), { maxFieldBytes: 65_536 });
    assert.equal(record.streamId, S, name);
    assert.equal(record.event.serialized?.data === payload, !cut, `${name}: stored as received unless cut`);
    assert.equal(record.event.metadata['depthCuts'] !== undefined, cut, name);
  }
});

test('a session id starting with "$" (the logbook\'s own streams) is quarantined as reserved, by the fast path and the full path alike, from hook payloads and workflow entries', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const ids = [
      putInInbox(paths.inbox, { session_id: '$quarantine', hook_event_name: 'Stop' }),
      logInInbox(paths.inbox, { session_id: '$anything', hook_event_name: 'Notification', message: 'hi' }),
      putInInbox(paths.inbox, { session_id: '$', hook_event_name: 'SomeFutureEvent' }),
      logInInbox(paths.inbox, { session_id: '$quarantine', hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_use_id: 't', tool_input: {}, tool_response: 'x'.repeat(100_000) }),
    ];
    const cmd = stampNow();
    writeInboxEntry(paths.inbox, entryFileName(cmd, EVENTS_ENTRY_SUFFIX), eventsEntryText(cmd, 'cli', '$quarantine', [{ type: 'JournalEntryWritten', data: { text: 'x', tags: [], files: [], state: 'a', iteration: 0, at: 'now' } }]));
    const fine = putInInbox(paths.inbox, { session_id: 'a$b', hook_event_name: 'Stop' });
    for (const name of ['$quarantine', '$anything']) {
      const stamp = stampNow();
      assert.equal(prepareHookEntry(entryFileName(stamp), entryText(stamp, 'hook', undefined, JSON.stringify({ session_id: name, hook_event_name: 'Stop' })), 65_536), null, `the fast path leaves ${name} to the full path`);
    }
    const writer = await startWriter(dir);
    const report = await ingestPass(writer);
    assert.deepEqual([report.appended, report.quarantined], [6, 5]);
    const quarantine = writer.database.store.readStream(QUARANTINE_STREAM);
    assert.deepEqual(quarantine.map((e) => e.eventId), [...ids, cmd.id]);
    for (const e of quarantine) assert.match(String((e.data as { reason: string }).reason), /(session_id|sessionId) "\$[a-z]*" is reserved: session ids starting with "\$" name the logbook's own streams/);
    assert.deepEqual(quarantine.map((e) => e.type), ['InvalidHookInput', 'InvalidHookInput', 'InvalidHookInput', 'InvalidHookInput', 'InvalidInboxEntry']);
    assert.deepEqual(writer.database.store.streams().map((s) => s.streamId).sort(), [QUARANTINE_STREAM, 'a$b'].sort(), 'no $-stream but the quarantine');
    assert.equal(writer.database.store.readStream('a$b')[0]?.eventId, fine);
    logInInbox(paths.inbox, { session_id: 'later', hook_event_name: 'Stop' });
    assert.equal((await ingestPass(writer)).appended, 1, 'later events are ingested');
    await assertRebuildMatches(paths, writer.database.store);
    writer.close();
  } finally {
    cleanup();
  }
});

const bin = join(__dirname, '..', '..', 'dist', 'logbook.js');

test('the issue\'s repro, for real: the installed hook takes a payload 8,000 levels deep, then logbook ingest, events, report and rebuild all succeed, and later events are ingested', { skip: !existsSync(bin) && 'run npm run build first' }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync(process.execPath, [bin, ...args, '--workspace', dir], { encoding: 'utf8' });
    const hook = (event: string, payload: string): void => {
      const run = spawnSync('/bin/sh', [logbookPaths(dir).hookLauncher, event], { input: payload, env: { ...keyEnv(), PATH: dirname(process.execPath), CLAUDE_PROJECT_DIR: dir }, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
    };
    assert.equal(cli('install-hooks').status, 0);
    for (const [event, deep] of [['Notification', deepArrays(8000)], ['PreToolUse', deepObjects(8000)]] as const) {
      hook(event, `{"session_id":"S","hook_event_name":"${event}","tool_name":"Bash","tool_input":{"x":${deep}},"x":${deep}}`);
      const ingest = cli('ingest');
      assert.equal(ingest.status, 0, ingest.stderr);
      assert.match(ingest.stdout, /ingested 1 event\(s\) from 1 session\(s\)/);
    }
    hook('Stop', '{"session_id":"S","hook_event_name":"Stop"}');
    assert.match(cli('ingest').stdout, /ingested 1 event\(s\)/, 'a later event goes in');
    const events = cli('events', '--session', 'S', '--json');
    assert.equal(events.status, 0, events.stderr);
    const stored = JSON.parse(events.stdout) as RecordedEvent[];
    assert.deepEqual(stored.map((e) => [e.type, (e.metadata['depthCuts'] as unknown[] | undefined)?.length ?? 0]), [['Notification', 2], ['PreToolUse', 2], ['Stop', 0]]);
    assert.equal(cli('events', '--search', 'Bash').status, 0, 'the full-text index took them');
    const report = cli('report', 'S', '--html', join(dir, 'report.html'));
    assert.equal(report.status, 0, report.stderr);
    const rebuild = cli('rebuild');
    assert.equal(rebuild.status, 0, rebuild.stderr);
    assert.equal(rebuild.stdout, 'rebuilt the store (3 event(s)); everything in the raw segments was read\n');
    const again = JSON.parse(cli('events', '--session', 'S', '--json').stdout) as RecordedEvent[];
    const withoutTime = (e: RecordedEvent): unknown => ({ ...e, recordedAt: undefined });
    assert.deepEqual(again.map(withoutTime), stored.map(withoutTime), 'the rebuilt store holds the same events');
  } finally {
    cleanup();
  }
});
