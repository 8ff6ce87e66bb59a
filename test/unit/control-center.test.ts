import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { changeSignature, ControlCenter, DEFAULT_CONTROL_SETTINGS, dayCostOf } from '../../src/control/control-center';
import type { ControlSnapshot, RaisedAlert } from '../../src/control/control-center';
import { parseInboxEntry } from '../../src/ingest/inbox-entry';
import { readFileSync } from 'node:fs';
import { putInInbox, tempDir } from './helpers';

// The control center's engine over real workspaces on disk (inbox entries, no writer: a headless
// loop): it lists the live sessions of each, re-reads a workspace when its inbox changes, raises an
// alert once per episode, records it in the session's inbox, and skips a poll's read when nothing changed.

function event(sessionId: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { session_id: sessionId, transcript_path: '/t.jsonl', cwd: '/w', hook_event_name: name, ...extra };
}

function failure(sessionId: string, n: number): Record<string, unknown>[] {
  const call = { tool_name: 'Bash', tool_input: { command: `make ${n}` }, tool_use_id: `toolu_${sessionId}_${n}` };
  return [event(sessionId, 'PreToolUse', call), event(sessionId, 'PostToolUseFailure', { ...call, error: 'exit 2', is_interrupt: false })];
}

function started(inbox: string, sessionId: string, prompt: string): void {
  putInInbox(inbox, event(sessionId, 'SessionStart', { source: 'startup' }));
  putInInbox(inbox, event(sessionId, 'UserPromptSubmit', { prompt }));
}

async function until<T>(get: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

test('the control center lists both workspaces\' live sessions, follows a change, and raises one alert per episode, recorded in the session', async () => {
  const a = tempDir();
  const b = tempDir();
  try {
    const inboxA = logbookPaths(a.dir).inbox;
    const inboxB = logbookPaths(b.dir).inbox;
    started(inboxA, 'sess-a', 'fix the build in A');
    started(inboxB, 'sess-b', 'write docs in B');
    let latest: ControlSnapshot | undefined;
    const alerts: RaisedAlert[] = [];
    const center = new ControlCenter({
      workspaces: () => [a.dir, b.dir], settingsOf: () => DEFAULT_CONTROL_SETTINGS, source: 'cli', settleMs: 10,
      onUpdate: (snapshot) => { latest = snapshot; }, onAlert: (raised) => alerts.push(raised),
    });
    try {
      await center.start();
      assert.deepEqual(latest?.sessions.map((s) => [s.workspace, s.sessionId, s.title]).sort(), [[a.dir, 'sess-a', 'fix the build in A'], [b.dir, 'sess-b', 'write docs in B']].sort());
      // Three failures of Bash in B: the watch sees them, one alert.
      for (let n = 1; n <= 3; n += 1) for (const e of failure('sess-b', n)) putInInbox(inboxB, e);
      await until(() => (alerts.length > 0 ? alerts : undefined), 'the tool-failures alert');
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.alert.data.rule, 'tool-failures');
      assert.equal(alerts[0]?.alert.sessionId, 'sess-b');
      assert.equal(alerts[0]?.tell, true);
      // A fourth failure is the same run: no second alert.
      for (const e of failure('sess-b', 4)) putInInbox(inboxB, e);
      await until(() => latest?.sessions.find((s) => s.sessionId === 'sess-b' && s.failureRun?.count === 4), 'the fourth failure read');
      await center.refreshAll();
      assert.equal(alerts.length, 1, 'one alert per episode');
      // Recorded in B's inbox, with the alert's own id.
      const recorded = readdirSync(inboxB).filter((n) => n.endsWith('.cmd.json')).map((n) => parseInboxEntry(n, readFileSync(join(inboxB, n), 'utf8')));
      assert.equal(recorded.length, 1);
      const entry = recorded[0];
      assert.ok(entry?.kind === 'events');
      assert.equal(entry.sessionId, 'sess-b');
      assert.deepEqual(entry.events.map((e) => [e.type, e.id]), [['AlertRaised', alerts[0]?.alert.id]]);
    } finally {
      center.dispose();
    }
    // A second watcher (another window) reads the alert back from the inbox: nothing to raise or tell.
    const again: RaisedAlert[] = [];
    const second = new ControlCenter({ workspaces: () => [b.dir], settingsOf: () => DEFAULT_CONTROL_SETTINGS, source: 'vscode', onUpdate: () => undefined, onAlert: (r) => again.push(r) });
    await second.start();
    second.dispose();
    assert.deepEqual(again, []);
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

test('a poll skips a workspace whose inbox and store have not changed since its last read', () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    mkdirSync(inbox, { recursive: true });
    const before = changeSignature(dir);
    assert.equal(changeSignature(dir), before, 'nothing changed');
    started(inbox, 's', 'p');
    assert.notEqual(changeSignature(dir), before, 'a new entry changes it');
  } finally {
    cleanup();
  }
});

test('the day\'s cost counts the sessions active since local midnight', () => {
  const now = new Date(2026, 11, 5, 15, 0).getTime();
  const usage = { buckets: { '0|s|claude-sonnet-4-5': { messages: 1, inputTokens: 1_000_000, outputTokens: 0, cacheCreationInputTokens: 0, cacheCreation1hInputTokens: 0, cacheReadInputTokens: 0 } } };
  const row = (lastEventAt: number) => ({ lastEventAt, usage }) as unknown as Parameters<typeof dayCostOf>[0][number];
  const today = dayCostOf([row(new Date(2026, 11, 5, 9, 0).getTime()), row(new Date(2026, 11, 4, 23, 0).getTime())], now);
  assert.equal(today.day, '2026-12-05');
  assert.ok(today.costUsd > 0);
  assert.equal(dayCostOf([row(new Date(2026, 11, 5, 9, 0).getTime())], now).costUsd, today.costUsd, 'yesterday\'s session is left out');
});
