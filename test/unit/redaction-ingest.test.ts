import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { logbookPaths } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { entryFileName, eventsEntryText, EVENTS_ENTRY_SUFFIX, invalidEntryText, stampNow, writeInboxEntry } from '../../src/capture/inbox-writer';
import { LIVE_LOG } from '../../src/capture/inbox-log';
import { provenanceKey, shStamp } from '../../src/capture/provenance';
import { runHook } from '../../src/capture/hook';
import { ingestRedactor } from '../../src/ingest/redact-entry';
import { rebuildFromSegments } from '../../src/ingest/open-store';
import { QUARANTINE_STREAM } from '../../src/ingest/normalize';
import { SegmentLog } from '../../src/ingest/segments';
import { LogbookWriter } from '../../src/ingest/writer';
import type { RecordedEvent } from '../../src/store/event-store';
import { logInInbox, putInInbox, tempDir } from './helpers';

// Secrets never reach the store, the full-text index, the raw segments or an export: the writer
// takes them out of each inbox file before it ingests it, and writes the cleaned file over it.

const ANTHROPIC = `sk-ant-api03-${'Ab3_xY9-'.repeat(11)}AbCdEAA`;
const AWS = 'AKIAIOSFODNN7EXAMPLE';
const GITHUB = `ghp_${'a1B2c3D4e5'.repeat(3)}123456`;
const PASSWORD = 'hunter2-correct-horse';
const SECRETS = [ANTHROPIC, AWS, GITHUB, PASSWORD];

function bash(session: string, command: string, output: string): Record<string, unknown> {
  return { session_id: session, hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command }, tool_response: { stdout: output, stderr: '' }, tool_use_id: `toolu_${Math.random().toString(36).slice(2)}` };
}

async function ingest(paths: LogbookPaths, sealBytes?: number): Promise<RecordedEvent[]> {
  const started = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536, redactor: ingestRedactor({}).redactor });
  assert.ok(started.ok);
  const { writer } = started;
  try {
    writer.ingest();
    writer.flush();
    await writer.removeCommittedEntries();
    writer.catchUpFullText();
    writer.flush();
    if (sealBytes !== undefined) {
      const segments = new SegmentLog(paths.segments, sealBytes);
      segments.seal(paths.inbox);
    }
    return writer.database.store.readAll();
  } finally {
    writer.close();
  }
}

/** Every file under `.logbook/` except the inbox (the only place a secret may wait), as text (gzip unpacked). */
function everythingStored(paths: LogbookPaths): string {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (path === paths.inbox) continue;
      if (statSync(path).isDirectory()) walk(path);
      else out.push(name.endsWith('.gz') ? gunzipSync(readFileSync(path)).toString('latin1') : readFileSync(path).toString('latin1'));
    }
  };
  walk(paths.dir);
  return out.join('\n');
}

function assertNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} holds ${secret.slice(0, 12)}…`);
}

test('secrets in hook events (log records and entry files), decisions and invalid stdin are taken out before the store, the index and the raw segments see them', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    logInInbox(paths.inbox, bash('s', `curl -H "x-api-key: ${ANTHROPIC}" https://api`, `export AWS_ACCESS_KEY_ID=${AWS}`));
    putInInbox(paths.inbox, bash('s', `git push https://x:${GITHUB}@github.com/o/r`, 'done'));
    logInInbox(paths.inbox, bash('s', 'echo clean', 'nothing to hide'));
    const cmd = stampNow();
    writeInboxEntry(paths.inbox, entryFileName(cmd, EVENTS_ENTRY_SUFFIX), eventsEntryText(cmd, 'cli', 's', [{ type: 'JournalEntryWritten', data: { text: `db password=${PASSWORD}`, tags: [], files: [] } }]));
    const bad = stampNow();
    writeInboxEntry(paths.inbox, entryFileName(bad), invalidEntryText(bad, 'hook', 'Stop', 'stdin is not valid JSON', `{"token": "${GITHUB}"`));
    const events = await ingest(paths);
    assertNoSecret(JSON.stringify(events), 'the store');
    assertNoSecret(everythingStored(paths), 'the store file, archive or journal');
    const session = events.filter((e) => e.streamId === 's');
    assert.equal(session.length, 4);
    const [first, second, clean, journal] = session as [RecordedEvent, RecordedEvent, RecordedEvent, RecordedEvent];
    const notes = (e: RecordedEvent): { rule: string; path: string; hash: string }[] => (e.metadata['redactions'] as { notes: { rule: string; path: string; hash: string }[] } | undefined)?.notes ?? [];
    assert.deepEqual(notes(first).map((n) => [n.rule, n.path]), [['anthropic-api-key', 'tool_input.command'], ['aws-access-key-id', 'tool_response.stdout']]);
    assert.match(String((first.data as { tool_input: { command: string } }).tool_input.command), /\[REDACTED:anthropic-api-key:[0-9a-f]{8}\]/);
    assert.deepEqual(notes(second).map((n) => n.rule), ['github-token']);
    assert.equal(clean.metadata['redactions'], undefined, 'an event with nothing to hide is untouched');
    assert.deepEqual(notes(journal).map((n) => [n.rule, n.path]), [['password-assignment', 'text']]);
    const held = events.find((e) => e.streamId === QUARANTINE_STREAM);
    assert.ok(held !== undefined && !JSON.stringify(held).includes(GITHUB) && (held.metadata['redactions'] as { notes: unknown[] }).notes.length === 1);
    // The rebuilt store is the same, from the cleaned raw copies.
    const rebuilt = await rebuildFromSegments({ ...paths, store: join(dir, 'rebuilt.sqlite') }, { redactor: ingestRedactor({}).redactor });
    try {
      const again = rebuilt.database.store.readAll();
      assert.deepEqual(again.map((e) => [e.globalPosition, e.eventId, e.data, e.metadata]), events.map((e) => [e.globalPosition, e.eventId, e.data, e.metadata]));
    } finally {
      rebuilt.database.close();
    }
  } finally {
    cleanup();
  }
});

test('identical secrets get the same keyed hash, different ones another; the hash is not the secret\'s plain SHA-256', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    for (const secret of [AWS, AWS, 'AKIAJQ2Z3Y4X5W6V7UTS']) putInInbox(paths.inbox, bash('h', `aws --key ${secret}`, ''));
    const events = (await ingest(paths)).filter((e) => e.streamId === 'h');
    const hashes = events.map((e) => (e.metadata['redactions'] as { notes: { hash: string }[] }).notes[0]?.hash);
    assert.equal(hashes[0], hashes[1]);
    assert.notEqual(hashes[0], hashes[2]);
    const { createHash } = await import('node:crypto');
    assert.ok(!createHash('sha256').update(AWS).digest('hex').startsWith(String(hashes[0])));
  } finally {
    cleanup();
  }
});

test('what is not this machine\'s (a planted entry), a torn record and the sh launcher\'s raw payload are cleaned too; the raw payload stays a genuine event', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    mkdirSync(paths.inbox, { recursive: true, mode: 0o700 });
    const planted = `${String(Date.now() * 1000).padStart(17, '0')}-0190aaaa-0000-7000-8000-00000000beef.json`;
    writeFileSync(join(paths.inbox, planted), `{"v":1,"id":"x","payload":{"cmd":"export GITHUB_TOKEN=${GITHUB}"}}\n`, { mode: 0o600 });
    appendFileSync(join(paths.inbox, LIVE_LOG), `\u001e{"v":1,"torn":"password=${PASSWORD}`, { mode: 0o600 });
    const key = provenanceKey().key;
    assert.ok(key);
    const base = `${String(Date.now() * 1000 + 7).padStart(17, '0')}-sh77-PreToolUse`;
    const raw = JSON.stringify({ session_id: 'raw', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: `echo ${AWS}` }, tool_use_id: 't' });
    writeFileSync(join(paths.inbox, `${base}.${shStamp(key, base, raw)}.rawhook`), raw, { mode: 0o600 });
    const events = await ingest(paths, 1);
    assertNoSecret(JSON.stringify(events), 'the store');
    assertNoSecret(everythingStored(paths), 'the raw segments (archive and sealed)');
    assert.ok(readdirSync(paths.segments).some((n) => n.endsWith('.jsonl.gz')), 'the journal was sealed');
    const genuine = events.filter((e) => e.streamId === 'raw');
    assert.equal(genuine.length, 1, 'the raw payload is still a genuine event');
    assert.deepEqual((genuine[0]?.metadata['redactions'] as { notes: { rule: string }[] }).notes.map((n) => n.rule), ['aws-access-key-id']);
    assert.equal(events.filter((e) => e.streamId === QUARANTINE_STREAM).length, 2);
    const rebuilt = await rebuildFromSegments({ ...paths, store: join(dir, 'rebuilt.sqlite') }, { redactor: ingestRedactor({}).redactor });
    try {
      assert.deepEqual(rebuilt.database.store.readAll().map((e) => [e.globalPosition, e.eventId, e.data]), events.map((e) => [e.globalPosition, e.eventId, e.data]));
    } finally {
      rebuilt.database.close();
    }
  } finally {
    cleanup();
  }
});

test('stdin that was not UTF-8 and held a secret: the exact bytes are dropped with it, the note on the bad byte stays', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const stdin = Buffer.concat([Buffer.from(`{"session_id":"u","hook_event_name":"Notification","message":"key ${AWS} caf`), Buffer.from([0xff]), Buffer.from('"}')]);
    runHook({ inboxDir: paths.inbox, hookEvent: 'Notification', readStdin: () => stdin });
    const events = (await ingest(paths)).filter((e) => e.streamId === 'u');
    assert.equal(events.length, 1);
    assert.ok(events[0]?.metadata['invalidUtf8'] !== undefined);
    assert.ok(!everythingStored(paths).includes(stdin.toString('base64').slice(0, 40)), 'the base64 of the original bytes is gone');
    assertNoSecret(everythingStored(paths), 'the raw segments');
  } finally {
    cleanup();
  }
});

test('a rebuild of raw segments an earlier version wrote (secrets still in them) stores them redacted', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    putInInbox(paths.inbox, bash('old', `echo ${GITHUB}`, ''));
    // Ingested without a redactor: what an earlier version left in the archive.
    const started = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536 });
    assert.ok(started.ok);
    started.writer.ingest();
    started.writer.flush();
    await started.writer.removeCommittedEntries();
    started.writer.close();
    assert.ok(everythingStored(paths).includes(GITHUB));
    const rebuilt = await rebuildFromSegments({ ...paths, store: join(dir, 'rebuilt.sqlite') }, { redactor: ingestRedactor({}).redactor });
    try {
      const events = rebuilt.database.store.readAll();
      assert.equal(events.length, 1);
      assertNoSecret(JSON.stringify(events), 'the rebuilt store');
    } finally {
      rebuilt.database.close();
    }
  } finally {
    cleanup();
  }
});

test('logbook ingest takes the workspace\'s redaction settings: a user pattern, a detector turned off, a bad pattern named', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cli = join(__dirname, '..', '..', 'dist', 'logbook.js');
    const paths = logbookPaths(dir);
    mkdirSync(join(dir, '.vscode'));
    writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify({
      'logbook.redaction.patterns': [{ name: 'ticket-secret', pattern: 'TKT-[0-9]{6}' }, { name: 'bad', pattern: '(a+)+$' }],
      'logbook.redaction.disabled': ['aws-access-key-id'],
    }));
    putInInbox(paths.inbox, bash('p', 'echo TKT-123456', `id ${AWS}`));
    const run = spawnSync(process.execPath, [cli, 'ingest', '--workspace', dir], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /logbook\.redaction: logbook\.redaction\.patterns\[1\]/);
    const events = spawnSync(process.execPath, [cli, 'events', '--session', 'p', '--json', '--workspace', dir], { encoding: 'utf8' });
    assert.ok(!events.stdout.includes('TKT-123456'), 'the user pattern applies');
    assert.ok(events.stdout.includes(AWS), 'the detector turned off does not');
  } finally {
    cleanup();
  }
});
