import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { constants, getPriority } from 'node:os';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { installHooks } from '../../src/capture/installer';
import { runHook } from '../../src/capture/hook';
import { DRAIN_AT, DRAIN_COOLDOWN_MS, DRAIN_MAX_MS, drainIfLong, WRITER_SILENT_MS } from '../../src/capture/hook-drain';
import { entryFileName, eventsEntryText, EVENTS_ENTRY_SUFFIX, RAW_HOOK_SUFFIX, stampNow, writeInboxEntry } from '../../src/capture/inbox-writer';
import { provenanceKey } from '../../src/capture/provenance';
import { LOCK_STALE_MS } from '../../src/ingest/lock';
import { LogbookWriter } from '../../src/ingest/writer';
import { loadWorkflow } from '../../src/workflow/definition-file';
import { BIN, runBuilt, skipUnbuilt } from './built-cli';
import { putInInbox, tempDir } from './helpers';

// A headless loop under a workflow runs for hours with no writer. The hook lists the inbox on
// every decision, so it starts one background `logbook ingest` when the inbox is long: the pile
// is drained, and every event still reaches the store once, in receive order.

const S = 'headless-drain';
const HOOK_BUNDLE = join(__dirname, '..', '..', 'dist', 'hook.js');
const deniedPre = { session_id: S, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: 'a.ts', content: 'x' }, tool_use_id: 'toolu_w' };

/** A workspace with the hooks installed as install-hooks does (the CLI recorded), under the team-loop workflow. */
function headlessWorkspace(dir: string, cliPath?: string): void {
  installHooks({ workspace: dir, scope: 'local', hookBundle: HOOK_BUNDLE, ...(cliPath === undefined ? {} : { cliPath }) });
  copyFileSync(join(__dirname, '..', '..', 'templates', 'workflow.team-loop.json'), logbookPaths(dir).workflow);
  assert.equal(loadWorkflow(logbookPaths(dir)).status, 'ok');
}

function launch(dir: string, event: string, payload: Record<string, unknown>): { out: string; err: string } {
  const keyFile = provenanceKey().key?.file;
  assert.ok(keyFile);
  const run = spawnSync('/bin/sh', ['-c', `"$CLAUDE_PROJECT_DIR"/.logbook/bin/logbook-hook ${event}`], {
    input: JSON.stringify(payload), encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', CLAUDE_PROJECT_DIR: dir, LOGBOOK_KEY_FILE: keyFile },
  });
  assert.equal(run.status, 0, run.stderr);
  return { out: run.stdout, err: run.stderr };
}

function claims(dir: string): string[] {
  const folder = join(dir, '.logbook', 'state', 'drain');
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

function pidOf(dir: string, claim: string): number {
  const match = /^drain pid (\d+)\n/.exec(readFileSync(join(dir, '.logbook', 'state', 'drain', claim), 'utf8'));
  assert.ok(match, `the claim ${claim} names the drain's pid`);
  return Number(match[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (no time limit asserted: the test runner's timeout bounds it) until the process is gone. */
async function exited(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
}

test('the installed launcher, run by sh with 10,000 entries pending and no writer, drains the pile in the background once; every event is stored exactly once, in receive order', { skip: skipUnbuilt || process.platform === 'win32', timeout: 600_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    headlessWorkspace(dir, BIN);
    const inbox = logbookPaths(dir).inbox;
    // The hook's real denial gives the decided events; a loop repeats them, each in an entry of its own.
    assert.ok(runHook({ inboxDir: inbox, hookEvent: 'PreToolUse', readStdin: () => JSON.stringify(deniedPre) }).output);
    const first = readdirSync(inbox).filter((n) => n.endsWith(EVENTS_ENTRY_SUFFIX));
    const denial = (JSON.parse(readFileSync(join(inbox, first[0] as string), 'utf8').split('\n').find((l) => l.startsWith('{')) as string) as { events: { type: string; data: unknown }[] }).events.filter((e) => e.type === 'HookDenied');
    assert.equal(denial.length, 1);
    for (let i = 0; i < 10_000; i += 1) {
      if (i % 10 === 9) putInInbox(inbox, { session_id: S, hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: { file_path: `f${i}` }, tool_response: {} }, 'PostToolUse');
      else {
        const stamp = stampNow();
        writeInboxEntry(inbox, entryFileName(stamp, EVENTS_ENTRY_SUFFIX), eventsEntryText(stamp, 'hook', S, denial));
      }
    }
    // Events that decide nothing, saved by sh alone, wait in the inbox too.
    for (let i = 0; i < 3; i += 1) assert.equal(launch(dir, 'PostToolUse', { session_id: S, hook_event_name: 'PostToolUse', tool_name: 'Read' }).err, '');
    assert.equal(readdirSync(inbox).filter((n) => n.endsWith(RAW_HOOK_SUFFIX)).length, 3);
    assert.ok(readdirSync(inbox).length > 10_000);
    assert.deepEqual(claims(dir), [], 'no drain before a hook that lists the inbox');

    const answered = launch(dir, 'PreToolUse', deniedPre);
    assert.match(answered.out, /"permissionDecision":"deny"/, 'the hook answered as always');
    assert.equal(answered.err, '');
    const started = claims(dir);
    assert.equal(started.length, 1, 'one drain claimed');
    const pid = pidOf(dir, started[0] as string);
    // Hooks while it runs start no other drain (the claim is this minute's; its process lives; then the writer's lock is fresh).
    for (let i = 0; i < 3; i += 1) assert.match(launch(dir, 'PreToolUse', deniedPre).out, /"deny"/);
    assert.deepEqual(claims(dir), started, 'still one drain');
    await exited(pid);
    const log = readFileSync(join(dir, '.logbook', 'state', 'drain', started[0] as string), 'utf8');
    assert.match(log, /ingested \d+ event\(s\)/, `the drain ingested: ${log}`);
    assert.ok(readdirSync(inbox).filter((n) => !n.startsWith('.')).length < 10, `the pile is gone: ${readdirSync(inbox).length} names left`);

    // Whatever came after the drain's pass goes in with the next ingest; then everything is in, once, in order.
    assert.equal(runBuilt(['ingest', '--workspace', dir]).code, 0);
    const opened = await LogbookWriter.start(logbookPaths(dir), 'test', { maxFieldBytes: 65_536 });
    assert.ok(opened.ok);
    try {
      const events = opened.writer.database.store.readAll().filter((e) => e.streamId === S);
      const ids = events.map((e) => e.eventId);
      assert.equal(new Set(ids).size, ids.length, 'no event stored twice');
      assert.equal(events.filter((e) => e.type === 'HookDenied').length, 1 + 9_000 + 4, 'every denial: the first, the pile, the four hooks run by sh');
      assert.equal(events.filter((e) => e.type === 'PostToolUse').length, 1_000 + 3, 'every PostToolUse: entry files and rawhooks');
      const received = events.map((e) => Number((e.metadata as { receivedUs?: number }).receivedUs));
      assert.ok(received.every((us, i) => Number.isFinite(us) && (i === 0 || us >= (received[i - 1] as number))), 'stored in receive order');
    } finally {
      opened.writer.close();
    }
  } finally {
    cleanup();
  }
});

test('no drain for a short inbox, while a writer holds the lock, or without a recorded CLI (nor through a link in its place)', () => {
  const { dir, cleanup } = tempDir();
  try {
    const logbookDir = join(dir, '.logbook');
    headlessWorkspace(dir);
    assert.deepEqual(drainIfLong(logbookDir, DRAIN_AT - 1), { kind: 'skipped', why: 'short' });
    assert.deepEqual(drainIfLong(logbookDir, DRAIN_AT), { kind: 'skipped', why: 'no-cli' }, 'hooks installed without the CLI');
    const planted = join(dir, 'planted.js');
    writeFileSync(planted, "require('fs').writeFileSync(process.argv[1] + '.ran', '')\n");
    writeFileSync(join(dir, 'cli-path'), `${planted}\n`);
    symlinkSync(join(dir, 'cli-path'), join(logbookDir, 'bin', 'cli'));
    assert.deepEqual(drainIfLong(logbookDir, DRAIN_AT), { kind: 'skipped', why: 'no-cli' }, 'a link in the place of bin/cli is not followed');
    const now = Date.now();
    writeFileSync(join(logbookDir, 'ingest.lock'), '{}');
    assert.deepEqual(drainIfLong(logbookDir, DRAIN_AT, now), { kind: 'skipped', why: 'writer' }, 'a fresh lock: the writer ingests the pile itself');
    assert.equal(claims(dir).length, 0);
    assert.ok(!existsSync(`${planted}.ran`));
    assert.equal(WRITER_SILENT_MS, LOCK_STALE_MS, 'a lock the writer would call stale is no writer for the hook either');
    // With a CLI recorded and no writer, a planted link in the claims folder's place is not written through.
    unlinkSync(join(logbookDir, 'ingest.lock'));
    unlinkSync(join(logbookDir, 'bin', 'cli'));
    writeFileSync(join(logbookDir, 'bin', 'cli'), `${planted}\n`, { mode: 0o644 });
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(join(logbookDir, 'state'), { recursive: true });
    symlinkSync(elsewhere, join(logbookDir, 'state', 'drain'));
    assert.deepEqual(drainIfLong(logbookDir, DRAIN_AT, now), { kind: 'skipped', why: 'failed' });
    assert.deepEqual(readdirSync(elsewhere), [], 'no claim written through the link');
    assert.ok(!existsSync(`${planted}.ran`), 'and nothing started');
  } finally {
    cleanup();
  }
});

test('one drain at a time: none while the last one runs, even a slot later; the next once it ended; a claim too old or from a future slot stops nothing', { skip: process.platform === 'win32' }, async () => {
  const { dir, cleanup } = tempDir();
  const children: number[] = [];
  try {
    const logbookDir = join(dir, '.logbook');
    // A stand-in CLI that records its arguments and runs until the test lets it go.
    const fake = join(dir, 'fake-cli.js');
    writeFileSync(fake, [
      "const { appendFileSync, existsSync } = require('fs');",
      "appendFileSync(__filename + '.runs', JSON.stringify(process.argv.slice(2)) + '\\n');",
      "const stop = setInterval(() => { if (existsSync(__filename + '.stop')) clearInterval(stop); }, 20);",
    ].join('\n'));
    headlessWorkspace(dir, fake);
    const now = Math.floor(Date.now() / DRAIN_COOLDOWN_MS) * DRAIN_COOLDOWN_MS;
    const first = drainIfLong(logbookDir, DRAIN_AT, now);
    assert.equal(first.kind, 'started');
    if (first.kind !== 'started') return;
    children.push(first.pid);
    assert.equal(getPriority(first.pid), constants.priority.PRIORITY_LOW, 'the drain yields the CPU to the agent and its hooks');
    assert.deepEqual(drainIfLong(logbookDir, DRAIN_AT * 10, now + 1), { kind: 'skipped', why: 'draining' }, 'the same slot');
    assert.deepEqual(drainIfLong(logbookDir, DRAIN_AT * 10, now + DRAIN_COOLDOWN_MS), { kind: 'skipped', why: 'draining' }, 'a slot later, the drain still runs');
    writeFileSync(`${fake}.stop`, '');
    await exited(first.pid);
    const second = drainIfLong(logbookDir, DRAIN_AT, now + 2 * DRAIN_COOLDOWN_MS);
    assert.equal(second.kind, 'started', 'the last drain ended: the next slot drains again');
    if (second.kind === 'started') children.push(second.pid);
    await exited(second.kind === 'started' ? second.pid : 0);
    const runs = readFileSync(`${fake}.runs`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    assert.deepEqual(runs, [['ingest', '--workspace', dir], ['ingest', '--workspace', dir]]);
    assert.equal(claims(dir).length, 1, 'one claim stays: the last drain\'s, with its output');

    // A claim naming a live process (planted, or a reused pid) stops drains for DRAIN_MAX_MS at most.
    const claimFolder = join(logbookDir, 'state', 'drain');
    const slot = Math.floor((now + 3 * DRAIN_COOLDOWN_MS) / DRAIN_COOLDOWN_MS);
    writeFileSync(join(claimFolder, `${slot}.log`), `drain pid ${process.pid}\n`, { mode: 0o600 });
    const later = now + 4 * DRAIN_COOLDOWN_MS;
    assert.deepEqual(drainIfLong(logbookDir, DRAIN_AT, later), { kind: 'skipped', why: 'draining' });
    unlinkSync(`${fake}.stop`);
    const old = (later - DRAIN_MAX_MS - 1000) / 1000;
    utimesSync(join(claimFolder, `${slot}.log`), old, old);
    const third = drainIfLong(logbookDir, DRAIN_AT, later);
    assert.equal(third.kind, 'started', 'a claim older than DRAIN_MAX_MS is over');
    if (third.kind === 'started') children.push(third.pid);
    // A planted link as the last claim is removed (never followed), and stops nothing.
    writeFileSync(`${fake}.stop`, '');
    await exited(third.kind === 'started' ? third.pid : 0);
    unlinkSync(`${fake}.stop`);
    const target = join(dir, 'target.txt');
    writeFileSync(target, 'drain pid 1\n');
    const linkSlot = Math.floor(later / DRAIN_COOLDOWN_MS) + 1;
    for (const c of claims(dir)) unlinkSync(join(claimFolder, c));
    symlinkSync(target, join(claimFolder, `${linkSlot}.log`));
    const afterLink = drainIfLong(logbookDir, DRAIN_AT, later + 2 * DRAIN_COOLDOWN_MS);
    assert.equal(afterLink.kind, 'started', 'a link in a claim\'s place is no drain');
    if (afterLink.kind === 'started') children.push(afterLink.pid);
    assert.equal(readFileSync(target, 'utf8'), 'drain pid 1\n', 'what the link points at is untouched');
    assert.ok(!claims(dir).includes(`${linkSlot}.log`), 'the link is gone');
    // A claim from a future slot (planted, or the clock went back) is removed, not obeyed.
    writeFileSync(join(claimFolder, `${slot + 1000}.log`), '', { mode: 0o600 });
    const fourth = drainIfLong(logbookDir, DRAIN_AT, later + 3 * DRAIN_COOLDOWN_MS);
    assert.deepEqual(fourth, { kind: 'skipped', why: 'draining' }, 'the last drain still runs');
    assert.ok(!claims(dir).includes(`${slot + 1000}.log`), 'the future claim is gone');
  } finally {
    writeFileSync(join(dir, 'fake-cli.js.stop'), '');
    for (const pid of children) await exited(pid);
    cleanup();
  }
});
