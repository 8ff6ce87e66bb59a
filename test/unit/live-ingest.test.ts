import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { logbookPaths } from '../../src/capture/paths';
import { LiveIngest } from '../../src/ingest/live-ingest';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { putInInbox, tempDir } from './helpers';

function live(workspace: string, logs: string[]): LiveIngest {
  return new LiveIngest(logbookPaths(workspace), {
    owner: 'vscode', maxFieldBytes: () => 65_536, debounceMs: () => 20, flushDebounceMs: () => 50,
    log: (m) => logs.push(m), retryMs: 100, pollMs: 200,
  });
}

/** Waits for a condition (not a timing assertion: the limit only stops a broken run). */
async function eventually(what: string, check: () => Promise<boolean> | boolean, limitMs = 15_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`never happened: ${what}`);
}

async function storedCount(workspace: string): Promise<number> {
  const opened = await LogbookDatabase.open(logbookPaths(workspace).store);
  if (!opened.ok) return 0;
  const n = opened.database.store.lastGlobalPosition();
  opened.database.close();
  return n;
}

test('a window ingests new inbox entries as they arrive and flushes them durably; the inbox drains', async () => {
  const { dir, cleanup } = tempDir();
  const logs: string[] = [];
  const window = live(dir, logs);
  try {
    await window.start();
    assert.equal(window.isWriter, true);
    for (let i = 0; i < 30; i += 1) putInInbox(logbookPaths(dir).inbox, { session_id: 'live', hook_event_name: 'Notification', i });
    await eventually('30 events on disk', async () => (await storedCount(dir)) === 30);
    await eventually('inbox drained', () => readdirSync(logbookPaths(dir).inbox).filter((n) => n.endsWith('.json')).length === 0);
  } finally {
    await window.close();
    cleanup();
  }
});

test('a second window only reads while the first writes, and takes over when the first closes', async () => {
  const { dir, cleanup } = tempDir();
  const logs: string[] = [];
  const first = live(dir, logs);
  const second = live(dir, logs);
  try {
    await first.start();
    await second.start();
    assert.equal(first.isWriter, true);
    assert.equal(second.isWriter, false);
    assert.ok(logs.some((m) => /a VS Code window \(pid \d+ on .*\) is ingesting this workspace; this window reads only/.test(m)), logs.join('\n'));
    putInInbox(logbookPaths(dir).inbox, { session_id: 'w', hook_event_name: 'Stop' });
    await first.close();
    assert.equal(existsSync(logbookPaths(dir).lock), false, 'the lock is released on close');
    await eventually('the second window becomes the writer', () => second.isWriter);
    putInInbox(logbookPaths(dir).inbox, { session_id: 'w', hook_event_name: 'Stop' });
    await eventually('both events stored once', async () => (await storedCount(dir)) === 2);
  } finally {
    await first.close();
    await second.close();
    cleanup();
  }
});
