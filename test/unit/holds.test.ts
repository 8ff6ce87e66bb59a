import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookCommand, installHooks } from '../../src/capture/installer';
import { logbookPaths } from '../../src/capture/paths';
import { holdFileOf, readHold } from '../../src/capture/holds';
import { runHook } from '../../src/capture/hook';
import { holdSession, resumeSession } from '../../src/control/hold';
import { parseInboxEntry } from '../../src/ingest/inbox-entry';
import { keyEnv, tempDir } from './helpers';

// A hold is the user's brake on an agent nobody watches (issue 15): the held session's next
// PreToolUse waits in the hook for a resume, then is denied with the user's message; both the
// hold and the wait are recorded. These run the hook program's own code, and the sh launcher.

const root = join(__dirname, '..', '..');
const hookBundle = join(root, 'dist', 'hook.js');
const SESSION = '0b7c2f7e-52a1-4c55-9a55-1f0b8a7c9d01';
const OTHER = '9a1d6c3e-0000-4c55-9a55-1f0b8a7c9d02';

function preToolUse(sessionId: string): string {
  return JSON.stringify({ session_id: sessionId, transcript_path: '/t.jsonl', cwd: '/w', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 'toolu_1' });
}

/** The decided events of every `.cmd.json` entry in the inbox, in file order. */
function decided(inbox: string): { type: string; data: Record<string, unknown>; source: string }[] {
  return readdirSync(inbox).filter((n) => n.endsWith('.cmd.json')).sort().flatMap((name) => {
    const entry = parseInboxEntry(name, readFileSync(join(inbox, name), 'utf8'));
    assert.equal(entry.kind, 'events', `${name} is read back as events: ${JSON.stringify(entry).slice(0, 300)}`);
    return entry.kind === 'events' ? entry.events.map((e) => ({ type: e.type, data: e.data, source: entry.stamp.source })) : [];
  });
}

function withKey<T>(body: () => T): T {
  const saved = process.env['LOGBOOK_KEY_FILE'];
  process.env['LOGBOOK_KEY_FILE'] = keyEnv()['LOGBOOK_KEY_FILE'];
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env['LOGBOOK_KEY_FILE'];
    else process.env['LOGBOOK_KEY_FILE'] = saved;
  }
}

test('a held session\'s PreToolUse is denied with the user\'s message once the wait ends, and the hold and the denied call are recorded', () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    withKey(() => {
      holdSession(paths, SESSION, { message: 'checking the <b>build</b> first', waitMs: 0, by: 'cli' });
      const outcome = runHook({ inboxDir: paths.inbox, hookEvent: 'PreToolUse', readStdin: () => preToolUse(SESSION) });
      assert.ok(outcome.output !== undefined, 'the call is answered');
      const answer = JSON.parse(outcome.output) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } };
      assert.equal(answer.hookSpecificOutput.permissionDecision, 'deny');
      assert.match(answer.hookSpecificOutput.permissionDecisionReason, /^held by the user: checking the <b>build<\/b> first\. This session is paused, not stopped: wait/);
      // Another session of the same workspace is not held.
      assert.equal(runHook({ inboxDir: paths.inbox, hookEvent: 'PreToolUse', readStdin: () => preToolUse(OTHER) }).output, undefined);
    });
    const events = decided(paths.inbox);
    assert.deepEqual(events.map((e) => e.type), ['SessionHeld', 'ToolCallHeld']);
    assert.equal(events[0]?.source, 'cli');
    assert.equal(events[1]?.data['outcome'], 'denied');
    assert.equal(events[1]?.data['toolName'], 'Bash');
    assert.equal(events[1]?.data['toolUseId'], 'toolu_1');
    assert.equal(events[1]?.source, 'hook');
  } finally {
    cleanup();
  }
});

test('a held call waits in the hook and goes on when the session is resumed during the wait', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    holdSession(paths, SESSION, { message: 'one moment', waitMs: 20_000, by: 'cli' });
    // The hook blocks its thread while it waits: the resume comes from another process, as it would.
    const remover = spawn('sh', ['-c', `sleep 0.4; rm -f '${holdFileOf(paths.dir, SESSION)}'`]);
    const started = Date.now();
    const outcome = withKey(() => runHook({ inboxDir: paths.inbox, hookEvent: 'PreToolUse', readStdin: () => preToolUse(SESSION) }));
    const took = Date.now() - started;
    await new Promise((done) => remover.on('exit', done));
    assert.equal(outcome.output, undefined, 'resumed: no denial');
    assert.ok(took >= 350 && took < 10_000, `waited ${took} ms for the resume`);
    const held = decided(paths.inbox).find((e) => e.type === 'ToolCallHeld');
    assert.equal(held?.data['outcome'], 'resumed');
    assert.ok(Number(held?.data['waitedMs']) >= 350, `recorded wait ${String(held?.data['waitedMs'])}`);
  } finally {
    cleanup();
  }
});

test('resume removes the hold and records it; resuming a session that is not held records nothing', () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    assert.equal(resumeSession(paths, SESSION, 'cli'), false);
    assert.equal(existsSync(paths.inbox) ? decided(paths.inbox).length : 0, 0);
    holdSession(paths, SESSION, { message: 'm', by: 'vscode' });
    assert.equal(readHold(paths.dir, SESSION).kind, 'held');
    assert.equal(resumeSession(paths, SESSION, 'vscode'), true);
    assert.equal(readHold(paths.dir, SESSION).kind, 'none');
    const events = decided(paths.inbox);
    assert.deepEqual(events.map((e) => [e.type, e.source]), [['SessionHeld', 'vscode'], ['SessionResumed', 'vscode']]);
    assert.equal(events[0]?.data['waitMs'], 540_000, 'the default wait ends inside PreToolUse\'s 600 s timeout');
  } finally {
    cleanup();
  }
});

test('an odd hold file or a link planted in its place is not followed: the call goes on, and stderr says why', () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const holds = join(paths.state, 'holds');
    mkdirSync(holds, { recursive: true, mode: 0o700 });
    writeFileSync(holdFileOf(paths.dir, SESSION), 'not json', { mode: 0o600 });
    const victim = join(dir, 'victim.json');
    writeFileSync(victim, JSON.stringify({ v: 1, message: 'planted', waitMs: 0, at: 'x' }));
    symlinkSync(victim, holdFileOf(paths.dir, OTHER));
    withKey(() => {
      const odd = runHook({ inboxDir: paths.inbox, hookEvent: 'PreToolUse', readStdin: () => preToolUse(SESSION) });
      assert.equal(odd.output, undefined);
      assert.match(odd.error ?? '', /is not a hold file Agent Logbook wrote; the call goes on/);
      const linked = runHook({ inboxDir: paths.inbox, hookEvent: 'PreToolUse', readStdin: () => preToolUse(OTHER) });
      assert.equal(linked.output, undefined);
      assert.match(linked.error ?? '', /symbolic link/);
    });
    assert.equal(decided(paths.inbox).length, 0);
  } finally {
    cleanup();
  }
});

test('the sh launcher sends PreToolUse to the hook program only while a hold is set, and the held call is denied through it', { skip: !existsSync(hookBundle) && 'run npm run build first' }, () => {
  const { dir, cleanup } = tempDir();
  try {
    installHooks({ workspace: dir, scope: 'local', hookBundle });
    const paths = logbookPaths(dir);
    const run = (): { stdout: string; raw: number } => {
      const before = readdirSync(paths.inbox).filter((n) => n.endsWith('.rawhook')).length;
      const ran = spawnSync('sh', ['-c', hookCommand('PreToolUse')], { cwd: dir, env: { ...process.env, ...keyEnv(), CLAUDE_PROJECT_DIR: dir }, input: preToolUse(SESSION), encoding: 'utf8' });
      assert.equal(ran.status, 0, ran.stderr);
      return { stdout: ran.stdout, raw: readdirSync(paths.inbox).filter((n) => n.endsWith('.rawhook')).length - before };
    };
    assert.deepEqual(run(), { stdout: '', raw: 1 }, 'no hold: saved by sh alone');
    holdSession(paths, SESSION, { message: 'stop here', waitMs: 0, by: 'cli' });
    const held = run();
    assert.equal(held.raw, 0, 'a hold is set: the hook program took the event');
    assert.match(held.stdout, /"permissionDecision":"deny".*held by the user: stop here/);
    resumeSession(paths, SESSION, 'cli');
    assert.deepEqual(run(), { stdout: '', raw: 1 }, 'resumed: back to sh alone');
  } finally {
    cleanup();
  }
});
