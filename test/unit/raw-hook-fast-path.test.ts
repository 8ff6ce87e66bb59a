import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { hookCommand, installHooks } from '../../src/capture/installer';
import { provenanceKey } from '../../src/capture/provenance';
import { isKnownHookEvent, knownHookSchemas } from '../../src/domain/hook-events';
import { MAX_JSON_DEPTH } from '../../src/domain/json-depth';
import { entryRecords } from '../../src/ingest/entry-records';
import { prepareRawHookEntry } from '../../src/ingest/hook-fast-path';
import { parseInboxEntry } from '../../src/ingest/inbox-entry';
import { normalizeEntryRecords } from '../../src/ingest/normalize';
import type { IngestRecord } from '../../src/ingest/normalize';
import { fixturePayloads, keyEnv, tempDir } from './helpers';

// Nearly every hook event reaches the writer as a raw payload the sh launcher saved (a t1 line,
// then stdin). The fast path reads those without zod; these tests hold it to the full path.

const root = join(__dirname, '..', '..');
const hookBundle = join(root, 'dist', 'hook.js');

/** A raw payload as the installed launcher saves it, run through sh as Claude Code runs it: its name and text. */
function launcherRawHook(payload: string, event: string): { name: string; text: string } {
  const { dir, cleanup } = tempDir();
  try {
    installHooks({ workspace: dir, scope: 'local', hookBundle });
    const run = spawnSync('sh', ['-c', hookCommand(event)], { cwd: dir, env: { ...process.env, ...keyEnv(), CLAUDE_PROJECT_DIR: dir }, input: payload, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const inbox = logbookPaths(dir).inbox;
    const names = readdirSync(inbox).filter((n) => n.endsWith('.rawhook'));
    assert.equal(names.length, 1, `the launcher saved ${event} itself: ${readdirSync(inbox).join(', ')}`);
    const name = names[0] as string;
    return { name, text: readFileSync(join(inbox, name), 'utf8') };
  } finally {
    cleanup();
  }
}

/** The parts of a record the store keeps. */
function stored(record: IngestRecord | undefined): unknown[] {
  const event = record?.event;
  return [record?.streamId, event?.eventId, event?.type, event?.schemaVersion, event?.correlationId, event?.causationId, event?.serialized, event?.data, event?.metadata];
}

/** Whether the fast path took the raw payload, after checking that the records match the full path's. */
function sameAsFullPath(name: string, text: string, maxFieldBytes = 65_536): boolean {
  const full = normalizeEntryRecords(parseInboxEntry(name, text), { maxFieldBytes }).map((r) => stored(r));
  const got = entryRecords(name, text, { maxFieldBytes });
  assert.deepEqual(got.map((r) => stored(r)), full, `${name}: ${text.slice(0, 200)}`);
  return prepareRawHookEntry(name, text, maxFieldBytes) !== null;
}

test('the fast path takes a raw payload the installed launcher saved, and makes the record full validation makes', { skip: !existsSync(hookBundle) && 'run npm run build first' }, () => {
  const payload = fixturePayloads().find((p) => p['hook_event_name'] === 'PostToolUse');
  assert.ok(payload);
  const { name, text } = launcherRawHook(JSON.stringify(payload), 'PostToolUse');
  assert.match(name, /^\d{17}-sh\d+-PostToolUse\.rawhook$/);
  assert.equal(sameAsFullPath(name, text), true);
  const [record] = entryRecords(name, text, { maxFieldBytes: 65_536 });
  assert.equal(record?.event.type, 'PostToolUse');
  assert.equal(record?.event.metadata['hookEvent'], 'PostToolUse');
  assert.deepEqual(record?.links, { toolUseId: payload['tool_use_id'], agentId: null });
});

test('the raw fast path takes exactly the valid, small hook payloads, as full validation reads them', { skip: !existsSync(hookBundle) && 'run npm run build first' }, () => {
  // The stamp line of a file the launcher wrote; the payloads after it vary.
  const { text: sample } = launcherRawHook('{}', 'Notification');
  const head = sample.slice(0, sample.indexOf('\n') + 1);
  const odd: unknown[] = [undefined, null, 0, 1.5, '', 'x', true, [], [1, 'a'], [{ tool_name: 1 }], {}, { a: 1 }];
  const samples = new Map(fixturePayloads().map((p) => [String(p['hook_event_name']), p]));
  let taken = 0;
  let compared = 0;
  let us = 1_795_371_401_982_000;
  const check = (event: string, payload: unknown, maxFieldBytes = 65_536): void => {
    us += 1;
    const name = `0${us}-sh${4000 + (us % 1000)}-${event}.rawhook`;
    const body = JSON.stringify(payload) ?? 'null';
    const sent = JSON.parse(body) as unknown;
    const eventName = (sent as { hook_event_name?: unknown } | null)?.hook_event_name;
    const valid = typeof eventName === 'string' && isKnownHookEvent(eventName) && knownHookSchemas[eventName].safeParse(sent).success
      && !String((sent as { session_id?: unknown }).session_id).startsWith('$');
    const fast = sameAsFullPath(name, `${head}${body}\n`, maxFieldBytes);
    assert.equal(fast, valid && body.length * 3 <= maxFieldBytes, `${event}: ${body.slice(0, 300)}`);
    compared += 1;
    if (fast) taken += 1;
  };
  for (const sample of samples.values()) {
    for (const [event, schema] of Object.entries(knownHookSchemas)) {
      const base: Record<string, unknown> = { ...sample, hook_event_name: event };
      check(event, base);
      check('', base);
      for (const whole of [null, [], 'text', 7]) check(event, whole);
      for (const key of [...Object.keys(schema.shape), 'extra', 'tool_use_id', 'agent_id']) {
        for (const value of odd) check(event, { ...base, [key]: value });
        const { [key]: _dropped, ...without } = base;
        check(event, without);
      }
    }
  }
  const pre = samples.get('PreToolUse') as Record<string, unknown>;
  check('FutureEvent', { ...pre, hook_event_name: 'FutureEvent' });
  check('PreToolUse', { ...pre, session_id: '$quarantine' });
  check('PreToolUse', { ...pre, tool_input: { content: 'ü'.repeat(30_000) } });
  check('PreToolUse', { ...pre, tool_input: { content: 'é "quoted" \\ 日本 🎉 \u2028' } });
  check('PreToolUse', pre, 150);
  assert.ok(taken > 1000 && compared > 10_000, `${taken} of ${compared}`);
});

test('a raw payload the fast path declines gets the full path\'s record and message: unstamped, forged, not JSON, not UTF-8, too deep, an older launcher\'s name stamp', { skip: !existsSync(hookBundle) && 'run npm run build first' }, () => {
  const { text: sample } = launcherRawHook('{}', 'Notification');
  const head = sample.slice(0, sample.indexOf('\n') + 1);
  const stop = JSON.stringify({ session_id: 'raw', transcript_path: '/t', cwd: '/c', hook_event_name: 'Stop', stop_hook_active: false });
  const forged = `#logbook t1.${'0'.repeat(64)}\n`;
  const cases: [string, string, string, RegExp | undefined][] = [
    ['accepted', '01795371401982001-sh4001-Stop.rawhook', `${head}${stop}\n`, undefined],
    ['no stamp line', '01795371401982002-sh4002-Stop.rawhook', `${stop}\n`, /was not ingested as a recorded event: it carries no provenance stamp/],
    ['another key', '01795371401982003-sh4003-Stop.rawhook', `${forged}${stop}\n`, /its provenance stamp is not this user's/],
    ['half a stamp line', '01795371401982004-sh4004-Stop.rawhook', `#logbook t1.abc\n${stop}\n`, /first line is not a whole provenance stamp/],
    ['not JSON', '01795371401982005-sh4005-Stop.rawhook', `${head}{broken\n`, /stdin is not valid JSON/],
    ['empty', '01795371401982006-sh4006-Stop.rawhook', head, /stdin was empty/],
    ['not an object', '01795371401982007-sh4007-Stop.rawhook', `${head}[1,2]\n`, /stdin JSON is not an object/],
    ['reserved session', '01795371401982008-sh4008-Stop.rawhook', `${head}${stop.replace('"raw"', '"$quarantine"')}\n`, /is reserved/],
    ['missing field', '01795371401982009-sh4009-Stop.rawhook', `${head}{"hook_event_name":"Stop"}\n`, /session_id/],
    // The name's stamp is the one checked, even before a t1 line.
    ['an older launcher\'s name stamp', `01795371401982010-sh4010-Stop.${'a'.repeat(64)}.rawhook`, `${head}${stop}\n`, /provenance stamp does not match/],
    ['not UTF-8 (read as U+FFFD)', '01795371401982011-sh4011-Stop.rawhook', `${head}${stop.replace('"raw"', '"r\uFFFDw"')}\n`, undefined],
    ['too deep to keep whole', '01795371401982012-sh4012-Stop.rawhook', `${head}${stop.slice(0, -1)},"x":${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}}\n`, undefined],
  ];
  assert.ok(provenanceKey().key);
  for (const [what, name, text, reason] of cases) {
    assert.equal(sameAsFullPath(name, text), what === 'accepted', what);
    const [record] = entryRecords(name, text, { maxFieldBytes: 65_536 });
    if (reason !== undefined) assert.match(String((record?.event.data as Record<string, unknown>)['reason']), reason, what);
  }
});
