import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isClaimedLog } from '../../src/capture/inbox-log';
import { logbookPaths } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { rebuildFromSegments } from '../../src/ingest/open-store';
import { QUARANTINE_STREAM } from '../../src/ingest/normalize';
import { LogbookWriter } from '../../src/ingest/writer';
import { loadCatalogSnapshot, SessionCatalog } from '../../src/projections/session-catalog';
import type { RecordedEvent } from '../../src/store/event-store';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { tempDir } from './helpers';
import type { Random } from './session-stream-gen';
import { fuzzCasesAsync, FUZZ_SEED } from './fuzz/harness';
import { emptyPlan, fillInbox, unreadableItem } from './fuzz/inbox';
import type { InboxPlan } from './fuzz/inbox';

// The ingest fuzz suite: generated inbox contents (genuine entries through the project's own
// writers, and malformed, truncated, garbage and torn ones written by hand; fuzz/inbox.ts)
// ingested by the real writer over several passes, with restarts between some of them. Nothing
// may throw; every genuine entry is stored exactly once; everything else is stored or kept in
// the $quarantine stream; the writer's catalog snapshot resumes to what a fresh fold gives; and a
// rebuild from the raw segments gives the same events at the same global positions.

const FILE = 'test/unit/fuzz-ingest.test.ts';
const WORKSPACES = 16;

test(`fuzz (seed ${FUZZ_SEED}): generated inboxes ingested over several passes: genuine entries stored once, the rest stored or quarantined, a rebuild equals the store`, async () => {
  await fuzzCasesAsync(FILE, 'ingest', WORKSPACES, async ({ r, note }) => {
    const { dir, cleanup } = tempDir('logbook-fuzz-ingest-');
    const plan = emptyPlan(r);
    try {
      const paths = logbookPaths(dir);
      await ingestInPasses(paths, r, plan);
      for (const c of new Set(plan.classes)) note(c);
      await checkStore(paths, plan);
    } finally {
      for (const c of new Set(plan.classes)) note(c);
      cleanup();
    }
  });
});

async function startWriter(paths: LogbookPaths, r: Random): Promise<LogbookWriter> {
  // A small snapshot interval now and then: the writer's catalog saves and resumes mid-run.
  const started = await LogbookWriter.start(paths, 'fuzz', { maxFieldBytes: r.pick([1024, 65_536]) });
  assert.ok(started.ok, 'the writer gets the lock');
  return started.writer;
}

async function ingestInPasses(paths: LogbookPaths, r: Random, plan: InboxPlan): Promise<void> {
  let writer = await startWriter(paths, r);
  try {
    const passes = 2 + r.int(3);
    for (let pass = 0; pass <= passes; pass += 1) {
      // The last pass only drains what the others left.
      if (pass < passes) fillInbox(paths.inbox, r, plan, 5 + r.int(25));
      if (pass === 1 && plan.rare.has('unreadable')) unreadableItem(paths.inbox, plan);
      writer.ingest();
      if (r.chance(0.5)) writer.catchUpFullText();
      writer.flush();
      await writer.removeCommittedEntries();
      if (r.chance(0.3)) {
        writer.close();
        writer = await startWriter(paths, r);
      }
    }
    writer.catchUpFullText();
    writer.flush();
    await writer.removeCommittedEntries();
    assert.equal(writer.catalogProblem, undefined, 'the catalog snapshots kept working');
  } finally {
    writer.close();
  }
}

async function checkStore(paths: LogbookPaths, plan: InboxPlan): Promise<void> {
  const opened = await LogbookDatabase.open(paths.store);
  assert.ok(opened.ok, 'the store opens');
  const { database } = opened;
  let events: RecordedEvent[];
  try {
    events = database.store.readAll();
    assert.equal(new Set(events.map((e) => e.eventId)).size, events.length, 'no event stored twice');
    const stored = database.store.existingEventIds(plan.genuineIds);
    const lost = plan.genuineIds.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `every genuine entry is stored (${lost.length} of ${plan.genuineIds.length} missing)`);
    const files = new Set(events.map((e) => e.metadata['inboxFile']));
    const unaccounted = [...plan.otherFiles, ...plan.unreadable].filter((name) => !files.has(name));
    assert.deepEqual(unaccounted, [], 'every malformed or unreadable inbox item is stored or quarantined');
    const torn = events.filter((e) => e.streamId === QUARANTINE_STREAM && /#\d+$/.test(String(e.metadata['inboxFile'])) && /incomplete|not a record/.test(String((e.data as Record<string, unknown>)['reason'])));
    assert.ok(torn.length >= plan.tornRecords, `every torn log record is quarantined (${torn.length} of ${plan.tornRecords})`);
    const pending = (n: string): boolean => (n.endsWith('.json') || n.endsWith('.rawhook') || isClaimedLog(n)) && !plan.unreadable.includes(n);
    const left = existsSync(paths.inbox) ? readdirSync(paths.inbox).filter(pending) : [];
    assert.deepEqual(left, [], 'nothing is left in the inbox');
    checkCatalogSnapshot(database, events);
  } finally {
    database.close();
  }
  const rebuilt = await rebuildFromSegments({ ...paths, store: join(paths.dir, 'rebuilt.sqlite') });
  try {
    assert.deepEqual(rebuilt.missing, [], 'every journaled entry can be replayed');
    const again = rebuilt.database.store.readAll();
    assert.deepEqual(again.map(identity), events.map(identity), 'a rebuild gives the same events at the same global positions');
    assert.deepEqual(again.map((e) => e.data), events.map((e) => e.data), 'with the same data');
  } finally {
    rebuilt.database.close();
  }
}

// The writer's saved catalog, resumed and caught up, equals a catalog folded from scratch.
function checkCatalogSnapshot(database: LogbookDatabase, events: readonly RecordedEvent[]): void {
  const fresh = new SessionCatalog();
  fresh.applyAll(events);
  const snapshot = loadCatalogSnapshot(database.raw, database.store.lastGlobalPosition());
  if (snapshot === undefined) return;
  const resumed = new SessionCatalog();
  resumed.restore(snapshot);
  resumed.catchUp(database.store);
  assert.deepStrictEqual(Object.fromEntries(resumed.all()), Object.fromEntries(fresh.all()), `the catalog resumed from the writer's snapshot at ${snapshot.position} equals a fresh fold`);
}

function identity(e: RecordedEvent): string {
  return `${e.globalPosition} ${e.streamId} ${e.streamPosition} ${e.eventId} ${e.type}`;
}
