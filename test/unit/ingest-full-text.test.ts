import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logbookPaths } from '../../src/capture/paths';
import { LogbookWriter } from '../../src/ingest/writer';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { putInInbox, tempDir } from './helpers';

// The CLI's writer indexes each pass's events for full-text search inside the pass's own
// transaction (one durable write instead of two); the index never keeps the events out.

async function cliWriter(workspace: string): Promise<LogbookWriter> {
  const started = await LogbookWriter.start(logbookPaths(workspace), 'test', { maxFieldBytes: 65_536, indexFullText: true });
  assert.ok(started.ok, 'the writer gets the lock');
  return started.writer;
}

function ftsCheckpoint(database: LogbookDatabase): number {
  return Number(database.raw.exec("SELECT position FROM projection_checkpoints WHERE name = 'fts'")[0]?.values[0]?.[0]);
}

test('a pass that indexes full text commits the index with its events: a reader finds them with no catch-up', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    putInInbox(inbox, { session_id: 's', transcript_path: '/t', cwd: '/c', hook_event_name: 'UserPromptSubmit', prompt: 'find the quokka in the logs' });
    putInInbox(inbox, { session_id: 's', transcript_path: '/t', cwd: '/c', hook_event_name: 'Stop' });
    const writer = await cliWriter(dir);
    try {
      const report = writer.ingest();
      assert.equal(report.appended, 2);
      const opened = await LogbookDatabase.open(logbookPaths(dir).store);
      assert.ok(opened.ok);
      try {
        assert.equal(ftsCheckpoint(opened.database), opened.database.store.lastGlobalPosition(), 'the index reaches the last event');
        assert.deepEqual(opened.database.store.search('quokka').map((e) => e.type), ['UserPromptSubmit']);
      } finally {
        opened.database.close();
      }
      assert.equal(writer.catchUpFullText(), 0, 'nothing left for the catch-up');
    } finally {
      writer.close();
    }
  } finally {
    cleanup();
  }
});

test('a full-text index that cannot be written keeps no event out of the pass; the writer\'s catch-up then says why', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    putInInbox(inbox, { session_id: 's', transcript_path: '/t', cwd: '/c', hook_event_name: 'Stop' });
    const writer = await cliWriter(dir);
    try {
      writer.ingest();
      writer.database.raw.run('DROP TABLE events_fts');
      putInInbox(inbox, { session_id: 's', transcript_path: '/t', cwd: '/c', hook_event_name: 'UserPromptSubmit', prompt: 'still stored' });
      const report = writer.ingest();
      assert.equal(report.appended, 1, 'the event is stored');
      assert.equal(writer.database.store.readStream('s').length, 2);
      assert.equal(ftsCheckpoint(writer.database), 1, 'the index stays where it was');
      assert.throws(() => writer.catchUpFullText(), /events_fts/);
    } finally {
      writer.close();
    }
  } finally {
    cleanup();
  }
});
