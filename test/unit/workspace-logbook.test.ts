import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { logbookPaths } from '../../src/capture/paths';
import { LiveIngest } from '../../src/ingest/live-ingest';
import { LogbookWriter } from '../../src/ingest/writer';
import { parseWebviewMessage, readyMessage } from '../../src/protocol/channel';
import { WorkspaceLogbook } from '../../src/views/workspace-logbook';
import { putInInbox, tempDir } from './helpers';

// The views' read side without VS Code: the store file through a read-only connection (re-read
// when it changes), whoever writes it; the catalog only folds what is new.

async function ingestOnce(workspace: string): Promise<void> {
  const started = await LogbookWriter.start(logbookPaths(workspace), 'test', { maxFieldBytes: 65_536 });
  assert.ok(started.ok);
  started.writer.ingest();
  started.writer.flush();
  started.writer.close();
}

const hook = (session: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ session_id: session, hook_event_name: name, ...extra });

test('a reading window folds the store file, then only what a later flush added', async () => {
  const { dir, cleanup } = tempDir();
  const paths = logbookPaths(dir);
  const ws = new WorkspaceLogbook(paths, () => undefined);
  try {
    assert.deepEqual([...(await ws.catchUp()).sessions], [], 'no store yet: nothing, no error');
    putInInbox(paths.inbox, hook('s1', 'SessionStart', { source: 'startup' }));
    putInInbox(paths.inbox, hook('s1', 'UserPromptSubmit', { prompt: 'hi' }));
    await ingestOnce(dir);
    const first = await ws.catchUp();
    assert.deepEqual([...first.sessions], ['s1']);
    assert.equal(ws.summary('s1')?.eventsFolded, 2);
    assert.deepEqual([...(await ws.catchUp()).sessions], [], 'an unchanged file is not re-read into changes');
    putInInbox(paths.inbox, hook('s2', 'SessionStart', { source: 'startup' }));
    await ingestOnce(dir);
    const second = await ws.catchUp();
    assert.deepEqual([...second.sessions], ['s2'], 's1 did not change');
    assert.equal(second.reset, false);
    assert.equal((await ws.readStream('s1')).length, 2);
  } finally {
    ws.dispose();
    cleanup();
  }
});

test('a store replaced by a shorter one resets the catalog instead of showing stale sessions', async () => {
  const { dir, cleanup } = tempDir();
  const other = tempDir();
  const paths = logbookPaths(dir);
  const ws = new WorkspaceLogbook(paths, () => undefined);
  try {
    for (let i = 0; i < 3; i += 1) putInInbox(paths.inbox, hook('long', 'Notification', { i }));
    await ingestOnce(dir);
    await ws.catchUp();
    putInInbox(logbookPaths(other.dir).inbox, hook('short', 'SessionStart'));
    await ingestOnce(other.dir);
    renameSync(logbookPaths(other.dir).store, paths.store);
    const result = await ws.catchUp();
    assert.equal(result.reset, true);
    assert.deepEqual([...ws.overview().keys()], ['short']);
  } finally {
    ws.dispose();
    cleanup();
    other.cleanup();
  }
});

test('the writing window reads the store file while its worker writes: a pass is folded once it committed, before the flush archives its entries', async () => {
  const { dir, cleanup } = tempDir();
  const paths = logbookPaths(dir);
  const live = new LiveIngest(paths, { owner: 'test', maxFieldBytes: () => 65_536, debounceMs: () => 10, flushDebounceMs: () => 60_000, log: () => undefined, retryMs: 60_000, pollMs: 60_000 });
  const ws = new WorkspaceLogbook(paths, () => undefined);
  try {
    await live.start();
    putInInbox(paths.inbox, hook('w', 'SessionStart'));
    putInInbox(paths.inbox, hook('w', 'UserPromptSubmit', { prompt: 'x' }));
    const until = Date.now() + 15_000;
    while (ws.summary('w')?.eventsFolded !== 2 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
      await ws.catchUp();
    }
    assert.equal(ws.summary('w')?.eventsFolded, 2);
    assert.equal(live.isWriter, true, 'this window\'s worker is the writer');
    assert.equal(readdirSync(paths.inbox).filter((n) => n.endsWith('.json')).length, 2, 'seen before the flush moved the entries to the archive');
  } finally {
    await live.close();
    ws.dispose();
    cleanup();
  }
});

test('a webview message is checked against its schema and the problem names the view and field', () => {
  assert.equal(parseWebviewMessage(readyMessage, { type: 'ready' }, 'report').ok, true);
  const bad = parseWebviewMessage(readyMessage, { type: 'ready', extra: '<script>' }, 'report');
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.problem, /^report view sent an invalid message "ready": message: /);
  const noType = parseWebviewMessage(readyMessage, 42, 'journal');
  assert.match(noType.ok ? '' : noType.problem, /journal view sent an invalid message without a type/);
});
