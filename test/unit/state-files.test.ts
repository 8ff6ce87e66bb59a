import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { logbookPaths, sessionStateFile } from '../../src/capture/paths';
import type { SessionWorkflowSnapshot } from '../../src/capture/workflow-snapshot';
import { SNAPSHOT_EVENT_IDS_KEPT } from '../../src/capture/workflow-snapshot';
import { foldWorkflow } from '../../src/domain/workflow/decider';
import type { WorkflowEvent } from '../../src/domain/workflow/events';
import type { EventStore, RecordedEvent, StreamRange } from '../../src/store/event-store';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { SessionSnapshotWriter } from '../../src/workflow/state-files';
import { tempDir } from './helpers';

// The session snapshots the hook decides from: after each flush the writer folds only what the
// flush appended to each workflow session (rereading whole streams made a long session cost
// events × flushes), and the snapshot still equals the fold of the whole stream.

const SESSION = 's-wf';

function journal(i: number): { type: string; data: Record<string, unknown> } {
  return { type: 'JournalEntryWritten', data: { text: `entry ${i}`, tags: [], files: [], state: 'plan', iteration: 1, at: '2026-03-01T10:00:00.000Z' } };
}

/** A store whose readStream calls are recorded: where each read started. */
function recorded(store: EventStore): { store: EventStore; reads: number[] } {
  const reads: number[] = [];
  const readStream = (streamId: string, range?: StreamRange): RecordedEvent[] => {
    reads.push(range?.from ?? 1);
    return store.readStream(streamId, range);
  };
  return { store: new Proxy(store, { get: (target, key) => (key === 'readStream' ? readStream : Reflect.get(target, key) as unknown) }), reads };
}

test('each flush folds only the events appended to a workflow session since the last; the snapshot equals the whole fold', async () => {
  const { dir, cleanup } = tempDir();
  const database = await LogbookDatabase.create();
  try {
    const paths = logbookPaths(dir);
    const { store, reads } = recorded(database.store);
    const writer = new SessionSnapshotWriter(paths, store);
    const start = { type: 'WorkflowStarted', data: { definitionHash: 'h', name: 'flow', definition: {}, state: 'plan', iteration: 1, at: '2026-03-01T09:00:00.000Z' } };
    let appended = 0;
    for (let flush = 0; flush < 6; flush += 1) {
      const batch = flush === 0 ? [start, journal(0)] : Array.from({ length: 250 }, (_, i) => journal(flush * 1000 + i));
      database.store.append(SESSION, batch.map((e, i) => ({ eventId: `e${flush}-${i}`, type: e.type, schemaVersion: 2, data: e.data, metadata: { source: 'cli' } })));
      database.store.append('other', [{ eventId: `hook${flush}`, type: 'Stop', schemaVersion: 1, data: {}, metadata: { source: 'hook' } }]);
      writer.write([SESSION]);
      assert.equal(reads.at(-1), appended + 1, `flush ${flush} reads on from stream position ${appended + 1}`);
      appended += batch.length;
    }
    const snapshot = JSON.parse(readFileSync(sessionStateFile(paths.sessionStates, SESSION), 'utf8')) as SessionWorkflowSnapshot;
    const all = database.store.readStream(SESSION);
    assert.deepEqual(snapshot.state, foldWorkflow(all.map((e) => ({ type: e.type, data: e.data }) as unknown as WorkflowEvent)));
    assert.deepEqual(snapshot.eventIds, all.map((e) => e.eventId).slice(-SNAPSHOT_EVENT_IDS_KEPT), 'the latest ids, as many as the hook keeps');
    // A writer started afresh (another window) folds the stream from its start, to the same snapshot.
    new SessionSnapshotWriter(paths, database.store).write([SESSION]);
    assert.deepEqual(JSON.parse(readFileSync(sessionStateFile(paths.sessionStates, SESSION), 'utf8')), snapshot);
  } finally {
    database.close();
    cleanup();
  }
});
