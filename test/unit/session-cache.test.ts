import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { SessionIndexes } from '../../src/views/report/session-cache';
import { fixturePayloads } from './helpers';

async function bigSession(events: number): Promise<LogbookDatabase> {
  const db = await LogbookDatabase.create();
  const payloads = fixturePayloads();
  let at = Date.parse('2026-11-01T00:00:00Z');
  for (let n = 0; n < events; n += 500) {
    db.store.append('big', Array.from({ length: Math.min(500, events - n) }, (_, i) => {
      const p = payloads[(n + i) % payloads.length] as Record<string, unknown>;
      return { eventId: `e${n + i}`, type: String(p['hook_event_name']), schemaVersion: 1, data: { ...p, session_id: 'big' }, metadata: { source: 'hook', receivedAt: new Date(at += 1000).toISOString() } };
    }));
  }
  return db;
}

test('a report index caught up in slices equals one caught up at once, and gives the thread back between slices', async () => {
  const db = await bigSession(5000);
  const whole = await new SessionIndexes().sync('big', db.store, 1e9);
  let turns = 0;
  let running = true;
  const spin = (): void => { if (!running) return; turns += 1; setImmediate(spin); };
  setImmediate(spin);
  const sliced = await new SessionIndexes().sync('big', db.store, 700);
  running = false;
  assert.ok(turns >= 7, `the event loop ran between the slices (${turns} turns)`);
  assert.equal(sliced.index.rows.length, 5000);
  assert.deepEqual(sliced.index.rows, whole.index.rows);
  assert.deepEqual(sliced.index.summary, whole.index.summary);
  assert.deepEqual(sliced.index.timeline(), whole.index.timeline());
});

test('two catch-ups of one report in flight together fold each event once', async () => {
  const db = await bigSession(3000);
  const indexes = new SessionIndexes();
  const [a, b] = await Promise.all([indexes.sync('big', db.store, 400), indexes.sync('big', db.store, 400)]);
  assert.equal(a, b, 'the same entry');
  assert.equal(a.index.rows.length, 3000);
  assert.deepEqual(a.index.rows.map((r) => r.seq), Array.from({ length: 3000 }, (_, i) => i + 1));
  db.store.append('big', [{ eventId: 'late', type: 'Stop', schemaVersion: 1, data: { session_id: 'big', hook_event_name: 'Stop' }, metadata: { source: 'hook' } }]);
  assert.equal((await indexes.sync('big', db.store, 400)).index.rows.length, 3001, 'then only what is new');
});
