import assert from 'node:assert/strict';
import { join } from 'node:path';
import { appendToInboxLog, LOG_SUFFIX } from '../../src/capture/inbox-log';
import { entryFileName, entryText, stampNow, writeInboxEntry } from '../../src/capture/inbox-writer';
import type { LogbookPaths } from '../../src/capture/paths';
import { logbookPaths } from '../../src/capture/paths';
import { rebuildFromSegments } from '../../src/ingest/open-store';
import type { RebuiltStore } from '../../src/ingest/open-store';
import { LogbookWriter } from '../../src/ingest/writer';
import type { EventStore } from '../../src/store/event-store';

// Helpers of the poison and salvage tests: payload texts too deep for JSON.stringify (so they
// are built as text and written through the project's own entry writers), and the check that
// a rebuild gives the store the incremental ingest gave.

/** `[[[…]]]` nested `depth` levels deep. */
export function deepArrays(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** `{"a":{"a":…1…}}` nested `depth` levels deep. */
export function deepObjects(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/**
 * Arrays and objects in turn, `depth` levels deep, with `leaf` at the bottom. `from`: the text of
 * the subtree that starts at that level (0 is the whole).
 */
export function deepMixed(depth: number, leaf = '"bottom"', from = 0): string {
  let open = '';
  let close = '';
  for (let i = from; i < depth; i += 1) {
    open += i % 2 === 0 ? '[' : '{"k":';
    close = (i % 2 === 0 ? ']' : '}') + close;
  }
  return `${open}${leaf}${close}`;
}

/** Writes a hook entry file around a payload's JSON text, as the hook does; returns its event id and name. */
export function putTextInInbox(inboxDir: string, payloadText: string, hookEvent?: string): { id: string; name: string } {
  const stamp = stampNow();
  const name = entryFileName(stamp);
  writeInboxEntry(inboxDir, name, entryText(stamp, 'hook', hookEvent, payloadText));
  return { id: stamp.id, name };
}

/** Appends a hook entry around a payload's JSON text to the inbox's live log, as the hook does; returns its event id. */
export function logTextInInbox(inboxDir: string, payloadText: string, hookEvent?: string): string {
  const stamp = stampNow();
  const written = appendToInboxLog(inboxDir, entryText(stamp, 'hook', hookEvent, payloadText), () => entryFileName(stampNow(), LOG_SUFFIX));
  assert.ok(written !== undefined, 'the live log takes the entry');
  return stamp.id;
}

/** Starts the workspace's writer (the lock must be free). */
export async function startWriter(workspace: string, maxFieldBytes = 65_536): Promise<LogbookWriter> {
  const started = await LogbookWriter.start(logbookPaths(workspace), 'test', { maxFieldBytes });
  assert.ok(started.ok, 'the writer gets the lock');
  return started.writer;
}

/** One pass as `logbook ingest` runs it: ingest, flush, archive (and seal when due). */
export async function ingestPass(writer: LogbookWriter): Promise<ReturnType<LogbookWriter['ingest']>> {
  const report = writer.ingest();
  writer.flush();
  await writer.removeCommittedEntries();
  return report;
}

/** Everything a store holds of each event, in global order (the receive time aside, which a replay sets anew). */
export function storeRows(store: EventStore): unknown[][] {
  return store.readAll().map((e) => [e.globalPosition, e.streamId, e.streamPosition, e.eventId, e.type, e.correlationId, e.causationId, JSON.stringify(e.data), JSON.stringify(e.metadata)]);
}

/** Rebuilds from the workspace's segments into a file of its own; the caller closes the database. */
export async function rebuildBeside(paths: LogbookPaths, name = 'rebuilt.sqlite'): Promise<RebuiltStore> {
  return rebuildFromSegments({ ...paths, store: join(paths.dir, name) });
}

/** A rebuild from the segments gives the same events at the same positions as `store`, and reads everything. */
export async function assertRebuildMatches(paths: LogbookPaths, store: EventStore, message = 'the rebuild gives the incremental store'): Promise<RebuiltStore> {
  const rebuilt = await rebuildBeside(paths);
  try {
    assert.deepEqual(storeRows(rebuilt.database.store), storeRows(store), message);
    return rebuilt;
  } finally {
    rebuilt.database.close();
  }
}
