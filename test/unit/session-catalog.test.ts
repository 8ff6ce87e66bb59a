import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logbookPaths } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { main } from '../../src/cli/main';
import { LogbookWriter } from '../../src/ingest/writer';
import {
  loadCatalogSnapshot, loadCatalogSnapshotInSlices, PersistedCatalog, SESSION_CATALOG_NAME, SESSION_CATALOG_VERSION, SessionCatalog,
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

test('property: the writer-side catalog saved every few events (changed sessions only) restores to the from-scratch catalog', async () => {
  for (let seed = 1; seed <= 12; seed += 1) {
    const r = random(1000 + seed);
    const events = workspaceStream(r);
    const database = await LogbookDatabase.create();
    const every = 1 + r.int(40);
    let persisted = new PersistedCatalog(database.raw, database.store, every);
    let saves = 0;
    for (let at = 0; at < events.length;) {
      const chunk = events.slice(at, at + 1 + r.int(30));
      at += chunk.length;
      append(database, chunk);
      if (persisted.update()) saves += 1;
      // Now and then the writer restarts and resumes from what it saved.
      if (r.chance(0.15)) persisted = new PersistedCatalog(database.raw, database.store, every);
      const stored = loadCatalogSnapshot(database.raw, database.store.lastGlobalPosition());
      if (stored === undefined) continue;
      const reader = new SessionCatalog();
      reader.restore(roundTrip(stored));
      reader.catchUp(database.store);
      assert.deepStrictEqual(new Map(reader.all()), storedFromScratch(database.store), `seed ${seed}: restored after ${at} events`);
    }
    assert.ok(saves > 0, `seed ${seed}: saved at least once at every ${every}`);
    const behind = database.store.lastGlobalPosition() - (readSnapshotHeader(database.raw, SESSION_CATALOG_NAME)?.position ?? 0);
    assert.ok(behind < every, `seed ${seed}: the saved snapshot trails the store by ${behind} < ${every} events`);
    database.close();
  }
});

test('sessions named like prototype keys (__proto__, constructor, toString) survive a saved snapshot read back', async () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
  const events = workspaceStream(random(77)).map((e) => ({ ...e, streamId: e.streamId.startsWith('$') ? e.streamId : names[Number(e.streamId.slice(-1)) % names.length] as string }));
  const database = await LogbookDatabase.create();
  append(database, events);
  assert.equal(new PersistedCatalog(database.raw, database.store, 1).update(), true, 'a save is due');
  const stored = loadCatalogSnapshot(database.raw, database.store.lastGlobalPosition());
  assert.ok(stored !== undefined, 'the snapshot loads');
  const expected = storedFromScratch(database.store);
  assert.deepEqual(Object.keys(stored.state).sort(), [...expected.keys()].sort(), 'every session is an own key of the loaded state');
  const reader = new SessionCatalog();
  reader.restore(stored);
  assert.deepStrictEqual(new Map(reader.all()), expected);
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

  const writer = new PersistedCatalog(database.raw, database.store, 1);
  assert.equal(writer.update(), true, 'a stale snapshot counts as none: a save is due');
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

test('the writer saves catalog snapshots into the store file; a window resumes from them; a rebuild keeps every position', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const first = ['a', 'b', 'c'].reduce((n, id) => n + fillInbox(paths, id), 0);
    const started = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536 }, 50);
    assert.ok(started.ok);
    const { writer } = started;
    try {
      assert.equal(writer.ingest().appended, first);
      writer.flush();
      assert.equal(readSnapshotHeader(writer.database.raw, SESSION_CATALOG_NAME), undefined, 'the ingest flush does not fold');
      // Idle work folds (reading events back is never on the hot path); the next flush saves.
      assert.equal(writer.catchUpFullText(), first);
      assert.equal(writer.pendingFlush, true);
      writer.flush();
      assert.equal(readSnapshotHeader(writer.database.raw, SESSION_CATALOG_NAME)?.position, first, 'due: saved with the flush');
      fillInbox(paths, 'a');
      fillInbox(paths, 'd');
      writer.ingest();
      writer.flush();
      // Small idle steps, as the extension takes them; no full-text left to do must not stop the catalog.
      writer.catchUpFullText();
      writer.flush();
      fillInbox(paths, 'e');
      writer.ingest();
      writer.flush();
      while (writer.catchUpFullText(20) === 20) { /* full steps: keep going */ }
      assert.equal(writer.pendingFlush, true, 'a due save asks for a flush even with nothing else to write');
      writer.flush();
      assert.equal(writer.pendingFlush, false);
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
      o.database.close();
    });
    await marked;
    const logs: string[] = [];
    const window = new WorkspaceLogbook(paths, (m) => logs.push(m));
    const result = await window.catchUp();
    assert.deepStrictEqual([...result.sessions].sort(), ['a', 'b', 'c', 'd', 'e'], 'restored sessions count as changed');
    assert.equal(window.summary('a')?.prompts, 4242);
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
  } finally {
    cleanup();
  }
});

test('a window reads the catalog snapshot in slices: the same snapshot as in one piece, and a save between two slices is never mixed in', async () => {
  const database = await LogbookDatabase.create();
  append(database, workspaceStream(random(91)));
  const writer = new PersistedCatalog(database.raw, database.store, 1);
  assert.equal(writer.update(), true);
  const whole = loadCatalogSnapshot(database.raw, database.store.lastGlobalPosition());
  assert.ok(whole !== undefined && Object.keys(whole.state).length > 3, 'a snapshot of several sessions');
  let pauses = 0;
  const sliced = await loadCatalogSnapshotInSlices(database.raw, () => database.store.lastGlobalPosition(), async () => { pauses += 1; }, 2);
  assert.ok(pauses > 0, 'read in more than one slice');
  assert.deepEqual(sliced, whole);

  // The writer saves again while the reader pauses between its first slices: the reader must end
  // with one snapshot whole (the new one), never old parts beside new ones.
  let saved = false;
  const midway = async (): Promise<void> => {
    if (saved) return;
    saved = true;
    append(database, workspaceStream(random(92)).map((e) => ({ ...e, streamId: `${e.streamId}-later` })));
    assert.equal(writer.update(), true, 'a second save, between two slices');
  };
  const read = await loadCatalogSnapshotInSlices(database.raw, () => database.store.lastGlobalPosition(), midway, 2);
  assert.ok(saved);
  assert.deepEqual(read, loadCatalogSnapshot(database.raw, database.store.lastGlobalPosition()));
});
