import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logbookPaths } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { main } from '../../src/cli/main';
import { LogbookWriter } from '../../src/ingest/writer';
import { CatalogKeeper } from '../../src/projections/overview/catalog-keeper';
import { currentOverview, currentOverviewInSlices, foldTail, foldTailInSlices, latestSessions, SESSION_OVERVIEW_NAME } from '../../src/projections/overview/overview-store';
import { overviewOf } from '../../src/projections/overview/session-overview';
import {
  loadCatalogSnapshot, SESSION_CATALOG_NAME, SESSION_CATALOG_VERSION, SessionCatalog,
} from '../../src/projections/session-catalog';
import type { CatalogSnapshot } from '../../src/projections/session-catalog';
import { summarizeSession } from '../../src/projections/session-summary';
import type { SessionSummaryState } from '../../src/projections/session-summary';
import type { EventStore, RecordedEvent } from '../../src/store/event-store';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { readSnapshotHeader, saveSnapshot } from '../../src/store/projection-snapshots';
import { WorkspaceLogbook } from '../../src/views/workspace-logbook';
import { fixturePayloads, putInInbox, tempDir } from './helpers';
import { random, roundTrip, SessionGenerator } from './session-stream-gen';
import type { Random } from './session-stream-gen';

// ---- builders ----

/** Several generated sessions and some quarantined input, interleaved the way parallel sessions append. */
function workspaceStream(r: Random): RecordedEvent[] {
  const streams = Array.from({ length: 2 + r.int(4) }, (_, i) => new SessionGenerator(r, `session-${i}`).session());
  streams.push(Array.from({ length: r.int(4) }, (_, i): RecordedEvent => ({ ...(streams[0]?.[0] as RecordedEvent), streamId: '$quarantine', eventId: `q${i}`, type: 'Invalid' })));
  const cursors = streams.map(() => 0);
  const out: RecordedEvent[] = [];
  let position = 0;
  for (;;) {
    const open = streams.map((s, i) => i).filter((i) => (cursors[i] as number) < (streams[i] as RecordedEvent[]).length);
    if (open.length === 0) return out;
    const pick = r.pick(open);
    const event = (streams[pick] as RecordedEvent[])[cursors[pick] as number] as RecordedEvent;
    cursors[pick] = (cursors[pick] as number) + 1;
    // Global positions grow, with the odd gap (a rolled-back append leaves one).
    position += 1 + (r.chance(0.05) ? 1 : 0);
    out.push({ ...event, globalPosition: position, eventId: `${event.streamId}#${event.eventId}` });
  }
}

/** The catalog as a from-scratch fold of each session stream alone. */
function fromScratch(events: readonly RecordedEvent[]): Map<string, SessionSummaryState> {
  const byStream = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    if (event.streamId.startsWith('$')) continue;
    byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event]);
  }
  return new Map([...byStream].map(([id, stream]) => [id, summarizeSession(stream)]));
}

function storedFromScratch(store: EventStore): Map<string, SessionSummaryState> {
  return fromScratch(store.readAll());
}

function append(database: LogbookDatabase, events: readonly RecordedEvent[]): void {
  database.transaction(() => {
    for (const e of events) database.store.append(e.streamId, [{ eventId: e.eventId, type: e.type, schemaVersion: 1, data: e.data, metadata: e.metadata }]);
  });
}

/** Appends and keeps the catalog in one transaction, as the writer's pass does. */
function appendAndKeep(database: LogbookDatabase, keeper: CatalogKeeper, events: readonly RecordedEvent[]): number {
  let folded = 0;
  database.transaction(() => {
    for (const e of events) database.store.append(e.streamId, [{ eventId: e.eventId, type: e.type, schemaVersion: 1, data: e.data, metadata: e.metadata }]);
    folded = keeper.update();
  });
  keeper.committed();
  return folded;
}

/** The stored overview rows, as a reader gets them. */
function storedOverview(database: LogbookDatabase): Map<string, unknown> {
  return new Map(currentOverview(database.raw, database.store).rows);
}

async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
  return { code, out, err };
}

/** Hook payloads of the fixture session, re-addressed to `sessionId`. */
function fillInbox(paths: LogbookPaths, sessionId: string): number {
  const payloads = fixturePayloads();
  for (const payload of payloads) putInInbox(paths.inbox, { ...payload, session_id: sessionId });
  return payloads.length;
}

// ---- properties ----

test('property: restored from a snapshot (read back from JSON) then caught up = from scratch, at every cut', () => {
  for (let seed = 1; seed <= 60; seed += 1) {
    const r = random(seed);
    const events = workspaceStream(r);
    const expected = fromScratch(events);
    const whole = new SessionCatalog();
    whole.applyAll(events);
    assert.deepStrictEqual(new Map(whole.all()), expected, `seed ${seed}: one pass`);
    for (const cut of new Set([0, r.int(events.length), r.int(events.length), events.length])) {
      const first = new SessionCatalog();
      first.applyAll(events.slice(0, cut));
      const snapshot = roundTrip(first.snapshot());
      assert.equal(snapshot.position, events[cut - 1]?.globalPosition ?? 0);
      const resumed = new SessionCatalog();
      resumed.restore(snapshot);
      // The whole stream again: what the snapshot already holds is skipped.
      resumed.applyAll(events);
      assert.deepStrictEqual(new Map(resumed.all()), expected, `seed ${seed}: resumed at ${cut} of ${events.length}`);
      assert.equal(resumed.position, events.at(-1)?.globalPosition);
    }
  }
});

test('property: the catalog and overview the writer keeps in each pass\'s transaction equal the from-scratch fold, across restarts and rolled-back passes', async () => {
  for (let seed = 1; seed <= 12; seed += 1) {
    const r = random(1000 + seed);
    const events = workspaceStream(r);
    const database = await LogbookDatabase.create();
    let keeper = new CatalogKeeper(database.raw, database.store);
    for (let at = 0; at < events.length;) {
      const chunk = events.slice(at, at + 1 + r.int(30));
      if (r.chance(0.1)) {
        // A pass that fails after its appends and the catalog's save: neither stays, nor the keeper's cache.
        assert.throws(() => database.transaction(() => {
          for (const e of chunk) database.store.append(e.streamId, [{ eventId: e.eventId, type: e.type, schemaVersion: 1, data: e.data, metadata: e.metadata }]);
          keeper.update();
          throw new Error('disk full');
        }), /disk full/);
        keeper.rolledBack();
      }
      at += chunk.length;
      appendAndKeep(database, keeper, chunk);
      // Now and then the writer restarts and goes on from what is stored.
      if (r.chance(0.15)) keeper = new CatalogKeeper(database.raw, database.store);
      const end = database.store.lastGlobalPosition();
      assert.equal(readSnapshotHeader(database.raw, SESSION_CATALOG_NAME)?.position, end, `seed ${seed}: the catalog stands at the store's end`);
      assert.equal(readSnapshotHeader(database.raw, SESSION_OVERVIEW_NAME)?.position, end, `seed ${seed}: so does the overview`);
      const expected = storedFromScratch(database.store);
      const stored = loadCatalogSnapshot(database.raw, end);
      assert.ok(stored !== undefined);
      assert.deepStrictEqual(new Map(Object.entries(roundTrip(stored).state)), expected, `seed ${seed}: catalog after ${at} events`);
      assert.deepStrictEqual(storedOverview(database), new Map([...expected].map(([id, summary]) => [id, overviewOf(summary, id)])), `seed ${seed}: overview after ${at} events`);
    }
    database.close();
  }
});

test('sessions named like prototype keys (__proto__, constructor, toString) survive a saved catalog and overview read back', async () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
  const events = workspaceStream(random(77)).map((e) => ({ ...e, streamId: e.streamId.startsWith('$') ? e.streamId : names[Number(e.streamId.slice(-1)) % names.length] as string }));
  const database = await LogbookDatabase.create();
  assert.equal(appendAndKeep(database, new CatalogKeeper(database.raw, database.store), events), events.length, 'every event folded');
  const stored = loadCatalogSnapshot(database.raw, database.store.lastGlobalPosition());
  assert.ok(stored !== undefined, 'the snapshot loads');
  const expected = storedFromScratch(database.store);
  assert.deepEqual(Object.keys(stored.state).sort(), [...expected.keys()].sort(), 'every session is an own key of the loaded state');
  const reader = new SessionCatalog();
  reader.restore(stored);
  assert.deepStrictEqual(new Map(reader.all()), expected);
  assert.deepEqual([...storedOverview(database).keys()].sort(), [...expected.keys()].sort());
  database.close();
});

test('a reader of a store whose catalog trails its events (a writer whose catalog stopped) folds the rest from the stored summaries', async () => {
  const database = await LogbookDatabase.create();
  const events = workspaceStream(random(21));
  const half = Math.floor(events.length / 2);
  appendAndKeep(database, new CatalogKeeper(database.raw, database.store), events.slice(0, half));
  append(database, events.slice(half));
  const expected = storedFromScratch(database.store);
  assert.ok((readSnapshotHeader(database.raw, SESSION_OVERVIEW_NAME)?.position ?? 0) < database.store.lastGlobalPosition());
  assert.deepStrictEqual(storedOverview(database), new Map([...expected].map(([id, summary]) => [id, overviewOf(summary, id)])));
  // The latest sessions, read through the table's index: sessions that moved since are folded and take their place.
  const latest = latestSessions(database.raw, database.store, { by: 'last', descending: true, limit: 3 });
  const byLast = [...expected.values()].sort((a, b) => (b.lastEventAt ?? 0) - (a.lastEventAt ?? 0) || ((b.sessionId ?? '') < (a.sessionId ?? '') ? -1 : 1));
  assert.deepStrictEqual(latest?.rows, byLast.slice(0, 3).map((summary) => overviewOf(summary, summary.sessionId ?? '')));
  assert.equal(latest?.total, expected.size);
  // A damaged row: the reader folds every session from its first event instead.
  database.raw.run(`UPDATE session_overview SET row = '{"broken":1}' WHERE session_id = (SELECT MIN(session_id) FROM session_overview)`);
  assert.deepStrictEqual(storedOverview(database), new Map([...expected].map(([id, summary]) => [id, overviewOf(summary, id)])));
  database.close();
});

test('a row that is not what the writer makes (a title that is an object, a count that is text) is not shown: the reader folds the events instead', async () => {
  const database = await LogbookDatabase.create();
  appendAndKeep(database, new CatalogKeeper(database.raw, database.store), workspaceStream(random(44)));
  const expected = new Map([...storedFromScratch(database.store)].map(([id, summary]) => [id, overviewOf(summary, id)]));
  assert.deepStrictEqual(storedOverview(database), expected, 'the rows as the writer made them');
  database.raw.run(`UPDATE session_overview SET row = json_set(row, '$.title', json('{"html":"<b>"}'), '$.toolFailures', 'many') WHERE session_id = (SELECT MIN(session_id) FROM session_overview)`);
  assert.deepStrictEqual(storedOverview(database), expected);
  database.close();
});

test('a window folds a store without rows (just upgraded) in slices, to the same summaries as in one piece', async () => {
  const database = await LogbookDatabase.create();
  append(database, workspaceStream(random(33)));
  const end = database.store.lastGlobalPosition();
  let pauses = 0;
  const sliced = await foldTailInSlices(database.raw, database.store, 0, end, async () => { pauses += 1; }, 7);
  assert.ok(pauses >= Math.floor(end / 7) - 1, `gave the thread back between slices (${pauses} pauses for ${end} events)`);
  assert.deepStrictEqual(sliced, foldTail(database.raw, database.store, 0, end));
  assert.deepStrictEqual(sliced, storedFromScratch(database.store));
  database.close();
});

test('a window reads the rows in slices, giving the thread back between them; a commit between two slices still gives the rows as the store holds them after it', async () => {
  const database = await LogbookDatabase.create();
  const keeper = new CatalogKeeper(database.raw, database.store);
  const events = workspaceStream(random(45));
  const half = Math.floor(events.length / 2);
  appendAndKeep(database, keeper, events.slice(0, half));
  const stored = database.raw.exec('SELECT COUNT(*) FROM session_overview')[0]?.values[0]?.[0] as number;
  assert.ok(stored >= 2, `sessions enough for several slices (${stored})`);
  let pauses = 0;
  // Pages of 1 row, the thread given back after each (a budget of 0 ms); the first pause lets a writer commit.
  const state = await currentOverviewInSlices(database.raw, database.store, async () => {
    pauses += 1;
    if (pauses === 1) appendAndKeep(database, keeper, events.slice(half));
  }, 1, 0);
  assert.ok(pauses >= stored, `${pauses} pauses for ${stored} rows`);
  assert.equal(state.position, database.store.lastGlobalPosition(), 'the rows as of the store after the commit, never a mix');
  assert.deepStrictEqual(state.rows, currentOverview(database.raw, database.store).rows);
  database.close();
});

// ---- stale and foreign snapshots ----

test('a snapshot of another version is ignored by readers and rewritten whole by the writer; restore refuses it', async () => {
  const database = await LogbookDatabase.create();
  const events = workspaceStream(random(7));
  append(database, events);
  const catalog = new SessionCatalog();
  catalog.catchUp(database.store);
  const stale = { ...catalog.snapshot(), version: SESSION_CATALOG_VERSION + 1 };
  saveSnapshot(database.raw, stale, [...Object.entries(stale.state), ['gone-session', { lastPosition: 1 }]], 'replace');

  assert.equal(loadCatalogSnapshot(database.raw, database.store.lastGlobalPosition()), undefined, 'a reader folds from scratch instead');
  assert.throws(() => new SessionCatalog().restore(stale), /SNAPSHOT_MISMATCH|cannot resume/);
  assert.throws(() => new SessionCatalog().restore({ ...catalog.snapshot(), name: 'other-fold' }), /cannot resume/);

  assert.equal(appendAndKeep(database, new CatalogKeeper(database.raw, database.store), []), events.length, 'a stale snapshot counts as none: every event is folded again');
  assert.equal(readSnapshotHeader(database.raw, SESSION_CATALOG_NAME)?.version, SESSION_CATALOG_VERSION);
  const stored = loadCatalogSnapshot(database.raw, database.store.lastGlobalPosition());
  assert.ok(stored);
  assert.deepStrictEqual(new Map(Object.entries(stored.state)), storedFromScratch(database.store), 'the old parts are gone, not merged');
  database.close();
});

test('a snapshot ahead of the store (another file\'s) or with a damaged part is not used', async () => {
  const database = await LogbookDatabase.create();
  append(database, workspaceStream(random(8)));
  const catalog = new SessionCatalog();
  catalog.catchUp(database.store);
  const last = database.store.lastGlobalPosition();
  saveSnapshot(database.raw, { ...catalog.snapshot(), position: last + 10 }, Object.entries(catalog.snapshot().state), 'replace');
  assert.equal(loadCatalogSnapshot(database.raw, last), undefined);
  saveSnapshot(database.raw, catalog.snapshot(), [['s', 'not a summary']], 'replace');
  assert.equal(loadCatalogSnapshot(database.raw, last), undefined);
  database.raw.run("UPDATE projection_snapshot_parts SET state = '{broken' WHERE key = 's'");
  assert.equal(loadCatalogSnapshot(database.raw, last), undefined);
  database.close();
});

// ---- the writer, the views and a rebuild ----

test('the writer keeps the catalog in each pass\'s commit; a window resumes from it; a rebuild keeps every position and the next writer folds again', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const first = ['a', 'b', 'c'].reduce((n, id) => n + fillInbox(paths, id), 0);
    const started = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536 });
    assert.ok(started.ok);
    const { writer } = started;
    try {
      assert.equal(writer.ingest().appended, first);
      assert.equal(readSnapshotHeader(writer.database.raw, SESSION_CATALOG_NAME)?.position, first, 'saved with the pass, no flush needed');
      assert.equal(readSnapshotHeader(writer.database.raw, SESSION_OVERVIEW_NAME)?.position, first);
      fillInbox(paths, 'a');
      fillInbox(paths, 'd');
      writer.ingest();
      fillInbox(paths, 'e');
      writer.ingest();
      assert.equal(readSnapshotHeader(writer.database.raw, SESSION_CATALOG_NAME)?.position, writer.database.store.lastGlobalPosition());
      assert.equal(writer.pendingFlush, false, 'nothing of the catalog is left for a flush');
      assert.equal(writer.catalogProblem, undefined);
    } finally {
      writer.close();
    }

    // A reading window: the snapshot in the file, then nothing left to fold.
    const opened = await LogbookDatabase.open(paths.store);
    assert.ok(opened.ok);
    const last = opened.database.store.lastGlobalPosition();
    const stored = loadCatalogSnapshot(opened.database.raw, last) as CatalogSnapshot;
    assert.equal(stored.position, last);
    const expected = storedFromScratch(opened.database.store);
    assert.deepStrictEqual(new Map(Object.entries(stored.state)), expected);
    const positions = opened.database.store.readAll().map((e) => [e.globalPosition, e.eventId, e.streamId, e.streamPosition]);
    opened.database.close();

    // Proof that the window restored rather than folded: a marker only the snapshot carries.
    const marked = LogbookDatabase.open(paths.store, { writer: true }).then((o) => {
      assert.ok(o.ok);
      const a = stored.state['a'] as SessionSummaryState;
      saveSnapshot(o.database.raw, stored, [['a', { ...a, prompts: 4242 }]], 'merge');
      o.database.raw.run("UPDATE session_overview SET row = json_set(row, '$.title', 'marker row') WHERE session_id = 'b'");
      o.database.close();
    });
    await marked;
    const logs: string[] = [];
    const window = new WorkspaceLogbook(paths, (m) => logs.push(m));
    const result = await window.catchUp();
    assert.deepStrictEqual([...result.sessions].sort(), ['a', 'b', 'c', 'd', 'e'], 'restored sessions count as changed');
    assert.equal(window.overview().get('b')?.title, 'marker row', 'the tree\'s rows are the stored overview, not a fold');
    assert.equal(window.summary('a')?.prompts, 4242, 'a full summary is read from the stored catalog when asked for');
    assert.deepStrictEqual(window.summary('b'), expected.get('b'));
    assert.deepStrictEqual(logs, []);
    window.dispose();

    // `logbook rebuild`: the same events at the same positions; snapshots are derived, so none.
    const rebuilt = await runCli(['rebuild', '--workspace', dir]);
    assert.equal(rebuilt.code, 0, rebuilt.err);
    const after = await LogbookDatabase.open(paths.store);
    assert.ok(after.ok);
    assert.deepStrictEqual(after.database.store.readAll().map((e) => [e.globalPosition, e.eventId, e.streamId, e.streamPosition]), positions);
    assert.equal(readSnapshotHeader(after.database.raw, SESSION_CATALOG_NAME), undefined);
    assert.deepStrictEqual(storedFromScratch(after.database.store), expected);
    after.database.close();
    // The next writer's pass folds every session again, from its first event.
    fillInbox(paths, 'f');
    const next = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536 });
    assert.ok(next.ok);
    try {
      next.writer.ingest();
      const all = storedFromScratch(next.writer.database.store);
      assert.deepStrictEqual(new Map(Object.entries(loadCatalogSnapshot(next.writer.database.raw, next.writer.database.store.lastGlobalPosition())?.state ?? {})), all);
    } finally {
      next.writer.close();
    }
  } finally {
    cleanup();
  }
});
