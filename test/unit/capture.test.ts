import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { runHook } from '../../src/capture/hook';
import { hookCommand, installHooks } from '../../src/capture/installer';
import { LogbookWriter } from '../../src/ingest/writer';
import { QUARANTINE_STREAM } from '../../src/ingest/normalize';
import { isClaimedLog, LIVE_LOG, splitLog } from '../../src/capture/inbox-log';
import { pendingEntries } from '../../src/ingest/pending-entries';
import { tempDir } from './helpers';

const root = join(__dirname, '..', '..');
const bin = join(root, 'dist', 'logbook.js');

/** Runs the hook as Claude Code does: the installed command line, through sh. */
function runInstalledHook(workspace: string, stdin: string, event: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runChild('sh', ['-c', hookCommand(event)], workspace, stdin);
}

function runBinHook(workspace: string, stdin: string, event: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runChild(process.execPath, [bin, 'hook', event], workspace, stdin);
}

function runChild(command: string, args: string[], workspace: string, stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: workspace, env: { ...process.env, CLAUDE_PROJECT_DIR: workspace }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** 50 PostToolUse payloads of 200 KB, numbered. */
function bigPayloads(): string[] {
  const big = 'z'.repeat(200_000);
  return Array.from({ length: 50 }, (_, i) => JSON.stringify({ session_id: 'parallel', hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: `echo ${i}` }, tool_response: { stdout: big, n: i } }));
}

/** Ingests the workspace and checks that the 50 numbered payloads are stored once each. */
async function assertAllFiftyStored(dir: string): Promise<void> {
  const started = await LogbookWriter.start(logbookPaths(dir), 'test', { maxFieldBytes: 1_000_000 });
  assert.ok(started.ok);
  started.writer.ingest();
  started.writer.flush();
  const events = started.writer.database.store.readStream('parallel');
  const quarantined = started.writer.database.store.readStream(QUARANTINE_STREAM);
  started.writer.close();
  assert.deepEqual(quarantined, [], 'nothing kept aside');
  const ns = events.map((e) => ((e.data as { tool_response: { n: number } }).tool_response.n)).sort((a, b) => a - b);
  assert.deepEqual(ns, Array.from({ length: 50 }, (_, i) => i), '0 lost, 0 duplicated');
  assert.equal(new Set(events.map((e) => e.eventId)).size, 50);
}

test('50 installed hooks writing at once (as Claude Code runs them): the launcher saves each in a file of its own, none lost, none duplicated, none torn', { skip: !existsSync(bin) && 'run npm run build first' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    installHooks({ workspace: dir, scope: 'local', hookBundle: join(root, 'dist', 'hook.js') });
    const runs = await Promise.all(bigPayloads().map((payload) => runInstalledHook(dir, payload, 'PostToolUse')));
    assert.deepEqual(runs.map((r) => r.code), Array.from({ length: 50 }, () => 0), 'the hook always exits 0');
    assert.deepEqual(runs.filter((r) => r.stdout !== '' || r.stderr !== ''), [], 'the hook prints nothing');
    const inbox = logbookPaths(dir).inbox;
    const raw = readdirSync(inbox).filter((n) => n.endsWith('.rawhook'));
    assert.equal(raw.length, 50, 'PostToolUse decides nothing: sh saved each, no Node start');
    for (const name of raw) JSON.parse(readFileSync(join(inbox, name), 'utf8').split('\n').slice(1).join('\n'));
    await assertAllFiftyStored(dir);
  } finally {
    cleanup();
  }
});

test('50 hook programs writing at once: every entry lands in the log, none lost, none duplicated, none torn', { skip: !existsSync(bin) && 'run npm run build first' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    installHooks({ workspace: dir, scope: 'local', hookBundle: join(root, 'dist', 'hook.js') });
    // The hook program itself, as the launcher runs it for events that may decide.
    const program = join(logbookPaths(dir).bin, 'hook.cjs');
    const runs = await Promise.all(bigPayloads().map((payload) => runChild(process.execPath, [program, 'PostToolUse'], dir, payload)));
    assert.deepEqual(runs.map((r) => r.code), Array.from({ length: 50 }, () => 0), 'the hook always exits 0');
    assert.deepEqual(runs.filter((r) => r.stdout !== ''), [], 'the hook prints nothing when no rule asks it to answer');
    const inbox = logbookPaths(dir).inbox;
    assert.deepEqual(readdirSync(inbox).filter((n) => n.endsWith('.json')), [], 'all in the log, no entry file');
    // 50 writes of 200 KB each to one O_APPEND log (10 MB: rotated once past 8 MB): whole records, never interleaved.
    const logs = readdirSync(inbox).filter((n) => n === LIVE_LOG || isClaimedLog(n));
    assert.ok(logs.length >= 2, `the live log and at least one rotated away (${logs.length})`);
    const records = logs.flatMap((n) => splitLog(readFileSync(join(inbox, n))));
    assert.equal(records.length, 50);
    assert.deepEqual(records.filter((r) => r.torn !== undefined), [], 'no torn record');
    for (const record of records) JSON.parse(record.text);
    await assertAllFiftyStored(dir);
  } finally {
    cleanup();
  }
});

test('invalid hook stdin never breaks Claude Code: exit 0, kept whole in a quarantine entry with the reason', { skip: !existsSync(bin) && 'run npm run build first' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const bad = await runBinHook(dir, '{"session_id": "s", truncated', 'PreToolUse');
    const empty = await runBinHook(dir, '', 'Stop');
    assert.equal(bad.code, 0);
    assert.equal(empty.code, 0);
    const started = await LogbookWriter.start(logbookPaths(dir), 'test', { maxFieldBytes: 65_536 });
    assert.ok(started.ok);
    started.writer.ingest();
    const kept = started.writer.database.store.readStream(QUARANTINE_STREAM).map((e) => e.data as { reason: string; raw: string });
    started.writer.close();
    assert.equal(kept.length, 2);
    assert.match(kept[0]?.reason ?? '', /stdin is not valid JSON/);
    assert.equal(kept[0]?.raw, '{"session_id": "s", truncated');
    assert.equal(kept[1]?.reason, 'stdin was empty');
  } finally {
    cleanup();
  }
});

test('a hook that cannot write its entry still exits 0 and says why on stderr', () => {
  const { dir, cleanup } = tempDir();
  try {
    // A file where the .logbook folder should be: the entry cannot be written.
    writeFileSync(join(dir, 'not-a-folder'), '');
    const inboxDir = join(dir, 'not-a-folder', '.logbook', 'inbox');
    const outcome = runHook({ inboxDir, hookEvent: 'Stop', readStdin: () => '{"session_id":"s"}' });
    assert.equal(outcome.file, undefined);
    assert.ok(outcome.error?.includes(`could not write the inbox entry in ${inboxDir}`), outcome.error);
  } finally {
    cleanup();
  }
});

test('entries are stamped with a unique id and a receive time, and sort in receive order', () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = join(dir, 'inbox');
    for (let i = 0; i < 20; i += 1) runHook({ inboxDir: inbox, hookEvent: 'Stop', readStdin: () => JSON.stringify({ session_id: 's', hook_event_name: 'Stop', i }) });
    const entries = pendingEntries(inbox)
      .map((e) => JSON.parse(e.text() ?? '') as { id: string; receivedAt: string; receivedUs: number; payload: { i: number } });
    assert.deepEqual(entries.map((e) => e.payload.i), Array.from({ length: 20 }, (_, i) => i));
    assert.equal(new Set(entries.map((e) => e.id)).size, 20);
    assert.ok(entries.every((e) => !Number.isNaN(Date.parse(e.receivedAt)) && Math.abs(e.receivedUs / 1000 - Date.now()) < 60_000));
  } finally {
    cleanup();
  }
});
