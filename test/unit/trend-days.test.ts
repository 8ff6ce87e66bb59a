import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UsageRecordedData } from '../../src/domain/usage/events';
import { CatalogKeeper } from '../../src/projections/overview/catalog-keeper';
import { currentOverview } from '../../src/projections/overview/overview-store';
import { listingOf, querySessions } from '../../src/projections/overview/session-query';
import type { SessionQuery } from '../../src/projections/overview/session-query';
import { DEFAULT_PRICE_TABLE } from '../../src/projections/pricing';
import { trendsOfListings } from '../../src/projections/trends/build-trends';
import { storedTrends, TREND_DAYS_NAME } from '../../src/projections/trends/stored-days';
import type { TrendPeriod, Trends } from '../../src/protocol/trends';
import type { RecordedEvent } from '../../src/store/event-store';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { readSnapshotHeader } from '../../src/store/projection-snapshots';
import { random, SessionGenerator, T0 } from './session-stream-gen';
import type { Random } from './session-stream-gen';

// The writer's day parts (trends/stored-days.ts): trends added up from them are the trends of the
// sessions' rows, field for field, after any sequence of passes (sessions that go on over several
// passes, writer restarts, rolled-back passes), with and without bounds; and a reader that cannot
// trust them (another time zone, a damaged part, parts behind the rows) says so and the rows answer.

const DAY = 86_400_000;

/** A generated session on its day, with usage lines (a message's later line right after it). */
function generatedSession(r: Random, id: string, day: number): RecordedEvent[] {
  const gen = new SessionGenerator(r, id);
  const hour = r.int(23);
  gen.b.clock = T0 + day * DAY + hour * 3_600_000;
  const events = gen.session();
  for (let n = r.int(5); n > 0; n -= 1) {
    const data: UsageRecordedData = {
      key: `${id}-msg-${n}`, messageId: `${id}-msg-${n}`, requestId: null, model: r.pick(['claude-opus-4-5', 'claude-sonnet-4-5', 'unpriced-model']), agentId: 'main',
      inputTokens: r.int(5000), outputTokens: r.int(2000), cacheCreationInputTokens: r.int(300), cacheCreation1hInputTokens: 0,
      cacheReadInputTokens: r.int(9000), fast: r.chance(0.2), at: null, file: 't.jsonl', line: n,
    };
    gen.b.add('UsageRecorded', () => data, { source: 'transcript' });
  }
  // One workflow definition before noon of day 10 and another after: a change with sessions on both
  // sides, made mid-day (that day has a part of each version, merged by readers; the names sort
  // against time, so parts read in key order are not already in start order).
  return events.map((e) => {
    const data = e.data as Record<string, unknown> | null;
    return data !== null && typeof data === 'object' && 'definitionHash' in data ? { ...e, data: { ...data, definitionHash: day * 24 + hour < 10 * 24 + 12 ? 'old' : 'new' } } : e;
  });
}

/** Sessions over a few weeks (many on day 10, the day of the workflow change), interleaved as parallel sessions append. */
function history(r: Random, seed: number): RecordedEvent[] {
  const streams = Array.from({ length: 6 + r.int(14) }, (_, i) => generatedSession(r, `s${seed}-${i}`, r.chance(0.3) ? 10 : r.int(20)));
  const cursors = streams.map(() => 0);
  const out: RecordedEvent[] = [];
  for (;;) {
    const open = streams.map((_, i) => i).filter((i) => (cursors[i] as number) < (streams[i] as RecordedEvent[]).length);
    if (open.length === 0) return out;
    const pick = r.pick(open);
    out.push((streams[pick] as RecordedEvent[])[cursors[pick] as number] as RecordedEvent);
    cursors[pick] = (cursors[pick] as number) + 1;
  }
}

function appendAll(database: LogbookDatabase, events: readonly RecordedEvent[]): void {
  for (const e of events) database.store.append(e.streamId, [{ eventId: `${e.streamId}#${e.eventId}`, type: e.type, schemaVersion: 1, data: e.data, metadata: e.metadata }]);
}

function pass(database: LogbookDatabase, keeper: CatalogKeeper, events: readonly RecordedEvent[]): void {
  database.transaction(() => {
    appendAll(database, events);
    keeper.update();
  });
  keeper.committed();
}

/** The trends of the rows, as the CLI computes them without day parts. */
function fromRows(database: LogbookDatabase, by: TrendPeriod, now: number, query: SessionQuery): Trends {
  const rows = [...currentOverview(database.raw, database.store).rows.values()].map((row) => listingOf(row, now, DEFAULT_PRICE_TABLE));
  const axis = query.since === undefined ? {} : { from: query.since, to: query.until ?? now };
  return trendsOfListings(querySessions(rows, query), { by, now, ...axis });
}

function fromDays(database: LogbookDatabase, by: TrendPeriod, now: number, query: SessionQuery): Trends | undefined {
  const axis = query.since === undefined ? {} : { from: query.since, to: query.until ?? now };
  return storedTrends(database.raw, database.store, { by, now, prices: DEFAULT_PRICE_TABLE, ...axis, ...(query.since === undefined ? {} : { since: query.since }), ...(query.until === undefined ? {} : { until: query.until }) });
}

// Costs are summed in another order (per day rather than per session): equal but for float noise.
function comparable(trends: Trends | undefined): string {
  return JSON.stringify(trends, (key, value: unknown) => (key === 'costUsd' && typeof value === 'number' ? 'cost' : value));
}

function costs(trends: Trends | undefined): number[] {
  const found: number[] = [];
  JSON.stringify(trends, (key, value: unknown) => {
    if (key === 'costUsd' && typeof value === 'number') found.push(value);
    return value;
  });
  return found;
}

function assertSameTrends(actual: Trends | undefined, expected: Trends, message: string): void {
  assert.equal(comparable(actual), comparable(expected), message);
  const [a, b] = [costs(actual), costs(expected)];
  assert.equal(a.length, b.length, message);
  a.forEach((cost, i) => assert.ok(Math.abs(cost - (b[i] as number)) <= 1e-9 * Math.max(1, Math.abs(cost)), `${message}: cost ${cost} against ${b[i]}`));
}

test('property: trends from the writer\'s day parts equal trends from the rows, after every pass, by day and by week, within bounds', async () => {
  const seen = { regressions: 0, versionBaselines: 0, changes: 0, sharedDays: 0 };
  for (let seed = 1; seed <= 10; seed += 1) {
    const r = random(500 + seed);
    const events = history(r, seed);
    const database = await LogbookDatabase.create();
    let keeper = new CatalogKeeper(database.raw, database.store);
    for (let at = 0; at < events.length;) {
      const chunk = events.slice(at, at + 1 + r.int(40));
      if (r.chance(0.1)) {
        assert.throws(() => database.transaction(() => {
          appendAll(database, chunk);
          keeper.update();
          throw new Error('disk full');
        }), /disk full/);
        keeper.rolledBack();
      }
      // Event ids are unique per stream: a rolled-back chunk is appended again with the same ids.
      pass(database, keeper, chunk);
      at += chunk.length;
      if (r.chance(0.15)) keeper = new CatalogKeeper(database.raw, database.store);
      assert.equal(readSnapshotHeader(database.raw, TREND_DAYS_NAME)?.position, database.store.lastGlobalPosition(), `seed ${seed}: the day parts stand at the store's end`);
      const now = T0 + r.int(25) * DAY;
      const by: TrendPeriod = r.chance(0.5) ? 'day' : 'week';
      const since = r.chance(0.4) ? T0 + r.int(15) * DAY + r.int(DAY) : undefined;
      const until = since !== undefined && r.chance(0.5) ? since + r.int(10) * DAY : undefined;
      const query: SessionQuery = { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
      const days = fromDays(database, by, now, query);
      assert.ok(days !== undefined, `seed ${seed}: the day parts answer`);
      assertSameTrends(days, fromRows(database, by, now, query), `seed ${seed} after ${at} events, by ${by}, ${JSON.stringify(query)}`);
      for (const bucket of days.buckets) {
        seen.regressions += bucket.regressions.length;
        seen.versionBaselines += bucket.regressions.filter((r) => r.basis.kind === 'version').length;
      }
      seen.changes += days.workflowChanges.length;
    }
    // Days holding a part of each of several versions: the readers' merge of one day's parts.
    const partDays = (database.raw.exec('SELECT key FROM projection_snapshot_parts WHERE name = ?', [TREND_DAYS_NAME])[0]?.values ?? []).map((v) => String(v[0]).split('\u0000')[0]);
    seen.sharedDays += partDays.length - new Set(partDays).size;
    database.close();
  }
  // The histories reach every path: regressions against earlier buckets and against a workflow's previous version.
  assert.ok(seen.regressions > 0 && seen.versionBaselines > 0 && seen.changes > 0 && seen.sharedDays > 0, JSON.stringify(seen));
});

test('a reader in another time zone than the writer, or one that meets a damaged part, gets no trends from the day parts (the rows answer)', async () => {
  const zone = process.env['TZ'];
  try {
    process.env['TZ'] = 'America/New_York';
    const database = await LogbookDatabase.create();
    const keeper = new CatalogKeeper(database.raw, database.store);
    pass(database, keeper, history(random(9), 9));
    const now = T0 + 30 * DAY;
    assert.ok(fromDays(database, 'day', now, {}) !== undefined, 'the writer\'s own zone reads them');
    process.env['TZ'] = 'Asia/Tokyo';
    assert.equal(fromDays(database, 'day', now, {}), undefined, 'days 13 hours apart: some session starts outside its part\'s day here');
    process.env['TZ'] = 'America/New_York';
    database.raw.run("UPDATE projection_snapshot_parts SET state = '{\"day\":1}' WHERE name = ? AND key = (SELECT MIN(key) FROM projection_snapshot_parts WHERE name = ?)", [TREND_DAYS_NAME, TREND_DAYS_NAME]);
    assert.equal(fromDays(database, 'day', now, {}), undefined, 'a part that is not what the writer makes');
    // Every part damaged; the writer's next pass touches one of them, and makes them all again.
    database.raw.run("UPDATE projection_snapshot_parts SET state = '[]' WHERE name = ?", [TREND_DAYS_NAME]);
    const last = database.store.readAll().at(-1);
    assert.ok(last !== undefined);
    pass(database, keeper, [{ ...last, eventId: 'one-more' }]);
    assertSameTrends(fromDays(database, 'day', now, {}), fromRows(database, 'day', now, {}), 'after the pass that met a damaged part');
    database.close();
  } finally {
    if (zone === undefined) delete process.env['TZ'];
    else process.env['TZ'] = zone;
  }
});

test('a store written before day parts existed gets them at the writer\'s next pass, for every session', async () => {
  const database = await LogbookDatabase.create();
  const events = history(random(31), 31);
  const half = Math.floor(events.length / 2);
  pass(database, new CatalogKeeper(database.raw, database.store), events.slice(0, half));
  // As an older writer left it: rows and their header, no parts.
  database.raw.run('DELETE FROM projection_snapshot_parts WHERE name = ?', [TREND_DAYS_NAME]);
  database.raw.run('DELETE FROM projection_snapshots WHERE name = ?', [TREND_DAYS_NAME]);
  const now = T0 + 30 * DAY;
  assert.equal(fromDays(database, 'week', now, {}), undefined, 'no parts: the rows answer');
  // Parts of an older format (version 1) are as good as none: the rows answer until the next pass.
  database.raw.run("INSERT INTO projection_snapshots (name, version, position, saved_at) SELECT ?, 1, position, saved_at FROM projection_snapshots WHERE name = 'session-overview'", [TREND_DAYS_NAME]);
  database.raw.run('INSERT INTO projection_snapshot_parts (name, key, state) VALUES (?, ?, ?)', [TREND_DAYS_NAME, 'x', JSON.stringify({ day: '2026-01-01', workflow: null, hash: null, sessions: [], denials: 0, rejections: 0, toolFailures: 0, iterations: 0, lifecycleMs: {}, workflowMs: {}, usage: {} })]);
  assert.equal(fromDays(database, 'week', now, {}), undefined, 'parts of format 1: the rows answer');
  pass(database, new CatalogKeeper(database.raw, database.store), events.slice(half));
  assertSameTrends(fromDays(database, 'week', now, {}), fromRows(database, 'week', now, {}), 'after the upgrade pass');
  database.close();
});
