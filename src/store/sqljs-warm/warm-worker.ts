import { parentPort } from 'node:worker_threads';
import { LogbookDatabase } from '../logbook-database';
import { compileSqlJsModule, loadSqlJs } from '../sqljs';

// The thread that compiles sql.js for the extension host and runs, once, what the views run first
// (the schema, appends, the reads a tree and a report make, a search). V8 compiles WASM functions
// lazily, on their first call, on the thread that calls them: 100–200 ms of blocking for the first
// queries of a window. Compiled here, that code belongs to the module, which this thread then
// hands over; the main thread instantiates it and finds those functions compiled.

async function warm(): Promise<void> {
  const module = await compileSqlJsModule();
  await loadSqlJs(module);
  const database = await LogbookDatabase.create();
  try {
    const store = database.store;
    const event = (type: string, n: number): Parameters<typeof store.append>[1][number] => ({
      eventId: `warm-${type}-${n}`, type, schemaVersion: 1,
      data: { session_id: 'warm', hook_event_name: type, tool_name: 'Bash', tool_input: { command: 'echo warm' } },
      metadata: { source: 'warm', receivedAt: new Date(0).toISOString() },
    });
    for (let n = 0; n < 3; n += 1) store.append('warm', [event('PreToolUse', n), event('PostToolUse', n)]);
    store.streams();
    store.readStream('warm', { limit: 10 });
    store.readAll({ from: 1, limit: 10 });
    store.search('warm', { limit: 5 });
    store.searchCount('warm');
    store.lastGlobalPosition();
  } finally {
    database.close();
  }
  parentPort?.postMessage(module);
}

warm().catch((error: unknown) => parentPort?.postMessage({ failed: error instanceof Error ? error.message : String(error) }));
