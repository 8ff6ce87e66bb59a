import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UsageRecordedData } from '../../src/domain/usage/events';
import { overviewOf } from '../../src/projections/overview/session-overview';
import type { SessionOverview } from '../../src/projections/overview/session-overview';
import { DEFAULT_PRICE_TABLE } from '../../src/projections/pricing';
import { buildSessionReport } from '../../src/projections/report';
import { summarizeSession } from '../../src/projections/session-summary';
import { buildTrends } from '../../src/projections/trends/build-trends';
import { medianAndP90 } from '../../src/projections/quantile';
import { sessionUsageFromEvents } from '../../src/projections/usage/session-usage';
import type { RecordedEvent } from '../../src/store/event-store';
import type { TrendFigures, Trends } from '../../src/protocol/trends';
import { random, SessionGenerator, T0 } from './session-stream-gen';
import type { Random } from './session-stream-gen';

// Trends across sessions: their totals are the sums of the sessions' own reports (the issue's
// "numbers that must be true"), every session counts in exactly one bucket, and the axis, the
// percentiles and the marks of workflow changes are where a reader expects them.

const DAY = 86_400_000;

/** A generated session's events on its own day, with the usage its transcript would give (a message's later lines right after it). */
function generatedSession(r: Random, id: string, day: number): RecordedEvent[] {
  const gen = new SessionGenerator(r, id);
  gen.b.clock = T0 + day * DAY + r.int(20) * 3_600_000;
  const events = gen.session();
  const models = ['claude-opus-4-5', 'claude-sonnet-4-5', 'not-a-priced-model'];
  for (let n = r.int(6); n > 0; n -= 1) {
    const data: UsageRecordedData = {
      key: `${id}-msg-${n}`, messageId: `${id}-msg-${n}`, requestId: null, model: r.pick(models), agentId: 'main',
      inputTokens: r.int(5000), outputTokens: r.int(2000), cacheCreationInputTokens: r.int(300), cacheCreation1hInputTokens: 0,
      cacheReadInputTokens: r.int(9000), fast: r.chance(0.2), at: null, file: 't.jsonl', line: n,
    };
    gen.b.add('UsageRecorded', () => data, { source: 'transcript' });
    if (r.chance(0.4)) gen.b.add('UsageRecorded', () => ({ ...data, outputTokens: data.outputTokens + r.int(100) }), { source: 'transcript' });
  }
  return events;
}

function sumOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function addInto(into: Map<string, number>, times: Readonly<Record<string, number>>): void {
  for (const [state, ms] of Object.entries(times)) if (ms > 0) into.set(state, (into.get(state) ?? 0) + ms);
}

function bucketsSum(trends: Trends, read: (f: TrendFigures) => number): number {
  return sumOf(trends.buckets.map(read)) + read(trends.untimed);
}

test('property: trend totals equal the sums of the sessions\' reports and usage, and every session counts in exactly one bucket', () => {
  for (let seed = 1; seed <= 25; seed += 1) {
    const r = random(seed);
    const streams = new Map<string, RecordedEvent[]>();
    for (let i = 0; i < 3 + r.int(10); i += 1) streams.set(`s${seed}-${i}`, generatedSession(r, `s${seed}-${i}`, r.int(30)));
    const rows: SessionOverview[] = [];
    let latest = 0;
    for (const [id, events] of streams) {
      const row = overviewOf(summarizeSession(events), id);
      rows.push(row);
      latest = Math.max(latest, row.lastEventAt ?? 0);
    }
    // A minute after the latest event: that session may still be live, and still counts as its report does.
    const now = latest + 60_000;
    const by = r.chance(0.5) ? 'day' : 'week';
    const trends = buildTrends(rows, { by, now, prices: DEFAULT_PRICE_TABLE });

    let duration = 0, failures = 0, denials = 0, rejections = 0, iterations = 0, tokens = 0, cost = 0;
    const lifecycle = new Map<string, number>();
    const workflow = new Map<string, number>();
    for (const events of streams.values()) {
      const report = buildSessionReport(summarizeSession(events), { now });
      duration += report.durationMs;
      failures += report.tools.totals.failures;
      denials += report.tools.totals.denied;
      rejections += report.workflow.reviews.rejected;
      iterations += report.workflow.iteration;
      addInto(lifecycle, report.lifecycle.timePerStateMs);
      addInto(workflow, report.workflow.timePerStateMs);
      const usage = sessionUsageFromEvents(events, DEFAULT_PRICE_TABLE);
      if (usage !== undefined) {
        tokens += usage.totals.inputTokens + usage.totals.outputTokens + usage.totals.cacheCreationInputTokens + usage.totals.cacheReadInputTokens;
        cost += usage.costUsd;
      }
    }
    const t = trends.totals;
    const at = `seed ${seed} (${by})`;
    assert.equal(t.sessions, streams.size, `${at}: sessions`);
    assert.equal(t.totalDurationMs, duration, `${at}: duration`);
    assert.equal(t.toolFailures, failures, `${at}: tool failures`);
    assert.equal(t.denials, denials, `${at}: denials`);
    assert.equal(t.rejections, rejections, `${at}: rejections`);
    assert.equal(t.iterations, iterations, `${at}: iterations`);
    assert.deepEqual(new Map(Object.entries(t.lifecycleMs)), lifecycle, `${at}: time per lifecycle state`);
    assert.deepEqual(new Map(Object.entries(t.workflowMs)), workflow, `${at}: time per workflow state`);
    assert.equal(t.tokens, tokens, `${at}: tokens`);
    assert.ok(Math.abs(t.costUsd - cost) < 1e-9 * Math.max(1, cost), `${at}: cost ${t.costUsd} against ${cost}`);

    // The buckets add up to the totals, and each session sits in the one bucket that holds its start.
    assert.equal(bucketsSum(trends, (f) => f.sessions), t.sessions, `${at}: buckets' sessions`);
    assert.equal(bucketsSum(trends, (f) => f.totalDurationMs), t.totalDurationMs, `${at}: buckets' durations`);
    assert.equal(bucketsSum(trends, (f) => f.toolFailures), t.toolFailures, `${at}: buckets' failures`);
    assert.ok(Math.abs(bucketsSum(trends, (f) => f.costUsd) - t.costUsd) < 1e-9 * Math.max(1, cost), `${at}: buckets' cost`);
    const seen = new Map<string, number>();
    for (const b of [...trends.buckets, trends.untimed]) for (const id of b.sessionIds) seen.set(id, (seen.get(id) ?? 0) + 1);
    assert.deepEqual([...seen.keys()].sort(), [...streams.keys()].sort(), `${at}: every session in a bucket`);
    assert.ok([...seen.values()].every((n) => n === 1), `${at}: no session in two buckets`);
    for (const b of trends.buckets) {
      for (const id of b.sessionIds) {
        const row = rows.find((x) => x.sessionId === id);
        const start = row?.firstEventAt ?? row?.lastEventAt ?? NaN;
        assert.ok(start >= b.startMs && start < b.endMs, `${at}: ${id} started within its bucket ${b.key}`);
      }
    }
    trends.buckets.slice(1).forEach((b, i) => assert.equal(b.startMs, trends.buckets[i]?.endMs, `${at}: the axis is continuous at ${b.key}`));
    assert.equal(sumOf(trends.versions.map((v) => v.sessions)), t.sessions, `${at}: every session in one workflow version`);
  }
});

/** An overview row with zeros, named `id`, started at `start` and lasting `durationMs`. */
function row(id: string, start: number | null, durationMs = 0, extra: Partial<SessionOverview> = {}): SessionOverview {
  const empty = overviewOf(summarizeSession([]), id);
  return { ...empty, ended: true, firstEventAt: start, lastEventAt: start === null ? null : start + durationMs, ...extra };
}

const local = (y: number, m: number, d: number, h = 12): number => new Date(y, m - 1, d, h).getTime();

test('the median and p90 interpolate between the closest ranks', () => {
  assert.deepEqual(medianAndP90([]), { median: null, p90: null });
  assert.deepEqual(medianAndP90([7]), { median: 7, p90: 7 });
  assert.deepEqual(medianAndP90([3, 1, 2]), { median: 2, p90: 2.8 });
  const ten = medianAndP90([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  assert.equal(ten.median, 5.5);
  assert.ok(Math.abs((ten.p90 ?? 0) - 9.1) < 1e-12, `p90 of 1..10 is 9.1, got ${ten.p90}`);

  const trends = buildTrends([row('a', local(2026, 3, 2, 9), 60_000), row('b', local(2026, 3, 2, 10), 180_000), row('c', local(2026, 3, 2, 11), 120_000), row('d', local(2026, 3, 2, 13), 600_000)], { by: 'day', now: local(2026, 4, 1) });
  const day = trends.buckets[0];
  assert.equal(day?.medianDurationMs, 150_000, 'the mean of the middle two of four');
  assert.equal(day?.p90DurationMs, 474_000, '180 s + 0.7 × (600 s − 180 s), in whole ms');
  assert.deepEqual(day?.sessionIds, ['a', 'b', 'c', 'd'], 'by start');
});

test('empty days between the first and the last are present with zeros (unless there would be more than MAX_TREND_BUCKETS); sessions without a time are counted apart', () => {
  const trends = buildTrends([row('late', local(2026, 3, 5), 1000, { toolFailures: 2 }), row('early', local(2026, 3, 2), 1000), row('none', null, 0, { denials: 4 })], { by: 'day', now: local(2026, 4, 1) });
  assert.deepEqual(trends.buckets.map((b) => [b.key, b.sessions]), [['2026-03-02', 1], ['2026-03-03', 0], ['2026-03-04', 0], ['2026-03-05', 1]]);
  const empty = trends.buckets[1];
  assert.deepEqual([empty?.sessionIds, empty?.medianDurationMs, empty?.costUsd, empty?.lifecycleMs], [[], null, 0, {}]);
  assert.deepEqual(trends.untimed.sessionIds, ['none']);
  assert.equal(trends.totals.sessions, 3, 'the totals hold the untimed session too');
  assert.equal(trends.totals.denials, 4);
  assert.equal(trends.totals.toolFailures, 2);
  assert.equal(trends.continuous, true);

  const stretched = buildTrends([row('one', local(2026, 3, 3), 1000)], { by: 'day', now: local(2026, 4, 1), from: local(2026, 3, 1, 0), to: local(2026, 3, 4, 23) });
  assert.deepEqual(stretched.buckets.map((b) => b.key), ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'], 'a --since/--until range stretches the axis');
  assert.deepEqual(buildTrends([], { by: 'week', now: 0 }).buckets, [], 'no sessions, no axis');

  const decades = [row('old', local(1990, 1, 1)), row('new', local(2026, 3, 2))];
  const byDay = buildTrends(decades, { by: 'day', now: local(2026, 4, 1) });
  assert.deepEqual([byDay.continuous, byDay.buckets.map((b) => b.key)], [false, ['1990-01-01', '2026-03-02']], 'past MAX_TREND_BUCKETS days: only the days with sessions');
  const byWeek = buildTrends(decades, { by: 'week', now: local(2026, 4, 1) });
  assert.equal(byWeek.continuous, true);
  assert.equal(byWeek.buckets.length, Math.round((new Date(2026, 2, 2).getTime() - new Date(1990, 0, 1).getTime()) / (7 * DAY)) + 1, 'every week between, 1990-01-01 and 2026-03-02 both Mondays');
});

test('weeks start on Monday, local time, across a month boundary', () => {
  // 2026-03-29 is a Sunday (the day clocks go forward in Europe), 2026-03-30 a Monday, 2026-04-05 a Sunday.
  const rows = [
    row('sun-mar-29', local(2026, 3, 29, 23)), row('mon-mar-30', local(2026, 3, 30, 0)), row('wed-apr-1', local(2026, 4, 1)),
    row('sun-apr-5', local(2026, 4, 5, 23)), row('mon-apr-6', local(2026, 4, 6, 1)),
  ];
  const trends = buildTrends(rows, { by: 'week', now: local(2026, 5, 1) });
  assert.deepEqual(trends.buckets.map((b) => [b.key, b.sessionIds]), [
    ['2026-03-23', ['sun-mar-29']],
    ['2026-03-30', ['mon-mar-30', 'wed-apr-1', 'sun-apr-5']],
    ['2026-04-06', ['mon-apr-6']],
  ]);
  const week = trends.buckets[1];
  assert.equal(week?.startMs, new Date(2026, 2, 30).getTime(), 'local midnight of the Monday');
  assert.equal(week?.endMs, new Date(2026, 3, 6).getTime(), 'the next Monday');
});

test('a change of a workflow\'s definition is marked in the bucket of the first session run with it', () => {
  const flow = (hash: string | null): Partial<SessionOverview> => ({ workflow: 'flow', workflowHash: hash });
  const rows = [
    row('third', local(2026, 3, 4), 1000, flow('B')),
    row('first', local(2026, 3, 2), 1000, flow('A')),
    row('no-hash', local(2026, 3, 3, 9), 1000, flow(null)),
    row('second', local(2026, 3, 3), 1000, flow('A')),
    row('other', local(2026, 3, 3), 1000, { workflow: 'other', workflowHash: 'X' }),
    row('fourth', local(2026, 3, 5), 1000, flow('B')),
    row('plain', local(2026, 3, 5), 1000),
  ];
  const trends = buildTrends(rows, { by: 'day', now: local(2026, 4, 1) });
  const change = { workflow: 'flow', fromHash: 'A', toHash: 'B', sessionId: 'third', atMs: local(2026, 3, 4) };
  assert.deepEqual(trends.workflowChanges, [change], 'one change, ordered by start whatever the rows\' order');
  assert.deepEqual(trends.buckets.map((b) => [b.key, b.workflowChanges.length]), [['2026-03-02', 0], ['2026-03-03', 0], ['2026-03-04', 1], ['2026-03-05', 0]]);
  assert.deepEqual(trends.buckets[2]?.workflowChanges, [change]);
  assert.deepEqual(trends.versions.map((v) => [v.workflow, v.hash, v.sessionIds]), [
    ['flow', 'A', ['first', 'second']], ['flow', null, ['no-hash']], ['other', 'X', ['other']], ['flow', 'B', ['third', 'fourth']], [null, null, ['plain']],
  ], 'per workflow version, in order of its first session');
});
