import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trendsOfListings } from '../../src/projections/trends/build-trends';
import type { TrendListing } from '../../src/projections/trends/figures';
import { regressionText } from '../../src/projections/trends/regression-text';
import { BASELINE_RULE } from '../../src/protocol/trends';
import type { Regression, Trends } from '../../src/protocol/trends';
import { random } from './session-stream-gen';
import type { Random } from './session-stream-gen';

// The baseline of trends: a bucket is compared with the pooled sessions of the buckets with
// sessions before it (or, where a workflow changed, with the previous version's sessions), and a
// figure 25% worse or more, with 3 sessions or more on each side, is a regression. Generated
// histories: a flat one (every figure within ±10% of its level) flags nothing; one with a
// deliberate jump flags exactly the bucket and the figure that jumped.

const MIN = 60_000;
const local = (day: number, hour = 12): number => new Date(2026, 2, 2 + day, hour).getTime();

interface Figures {
  readonly durationMs: number;
  readonly costUsd: number;
  readonly toolFailures: number;
  readonly denials: number;
  readonly rejections: number;
  readonly workflow?: string;
  readonly hash?: string;
}

const LEVEL: Figures = { durationMs: 20 * MIN, costUsd: 0.5, toolFailures: 2, denials: 1, rejections: 1 };

let serial = 0;
function listing(start: number, f: Figures): TrendListing {
  serial += 1;
  return {
    status: 'ended', tokens: 1000, costUsd: f.costUsd,
    row: {
      sessionId: `s-${String(serial).padStart(5, '0')}`, firstEventAt: start, lastEventAt: start + f.durationMs,
      denials: f.denials, rejections: f.rejections, toolFailures: f.toolFailures, iterations: 0, lifecycleMs: {}, workflowMs: {},
      workflow: f.workflow ?? null, workflowHash: f.hash ?? null,
    },
  };
}

/** Sessions within ±10% of the level (counts stay whole: the level's, jittered by at most 10% of it, rounded down). */
function near(r: Random, f: Figures): Figures {
  const jitter = (x: number): number => x * (0.9 + 0.2 * r.int(1001) / 1000);
  return { ...f, durationMs: Math.round(jitter(f.durationMs)), costUsd: jitter(f.costUsd) };
}

function history(r: Random, days: number, perDay: (day: number) => Figures): TrendListing[] {
  const rows: TrendListing[] = [];
  for (let day = 0; day < days; day += 1) {
    // Some days have no session (a weekend): the baseline skips them.
    if (day > 0 && r.chance(0.2)) continue;
    for (let n = BASELINE_RULE.minSessions + r.int(4); n > 0; n -= 1) rows.push(listing(local(day, 8 + r.int(10)), near(r, perDay(day))));
  }
  return rows;
}

function flagged(trends: Trends): [string, string[]][] {
  return trends.buckets.filter((b) => b.regressions.length > 0).map((b) => [b.key, b.regressions.map((x) => x.figure)]);
}

test('property: a flat history flags no bucket; a jump of one figure on one day flags that day and that figure alone, against the 4 days with sessions before it', () => {
  const figures = ['durationMs', 'costUsd', 'toolFailures', 'denials', 'rejections'] as const;
  const names = { durationMs: 'medianDurationMs', costUsd: 'costPerSession', toolFailures: 'toolFailuresPerSession', denials: 'denialsPerSession', rejections: 'rejectionsPerSession' } as const;
  for (let seed = 1; seed <= 40; seed += 1) {
    const r = random(seed);
    const days = 8 + r.int(20);
    const flat = trendsOfListings(history(r, days, () => LEVEL), { by: 'day', now: local(60) });
    assert.deepEqual(flagged(flat), [], `seed ${seed}: a flat history has no regression`);

    const jumpDay = 5 + r.int(days - 5);
    const figure = r.pick(figures);
    // 1.6×: past the threshold whatever the ±10% jitter does (1.6 × 0.9 / 1.1 ≈ 1.31).
    const jumped = (day: number): Figures => (day === jumpDay ? { ...LEVEL, [figure]: LEVEL[figure] * (figure === 'durationMs' || figure === 'costUsd' ? 1.6 : 2) } : LEVEL);
    const trends = trendsOfListings(history(r, days, jumped), { by: 'day', now: local(60) });
    const key = trends.buckets.find((b) => b.startMs <= local(jumpDay) && local(jumpDay) < b.endMs)?.key ?? '';
    const marked = flagged(trends);
    // A day after the jump may see it in its baseline: only lower figures, never flagged.
    assert.deepEqual(marked, trends.buckets.some((b) => b.key === key && b.sessions > 0) ? [[key, [names[figure]]]] : [], `seed ${seed}: ${figure} jumped on ${key}`);
    const regression = trends.buckets.find((b) => b.key === key)?.regressions[0];
    if (regression === undefined) continue;
    assert.equal(regression.basis.kind, 'buckets');
    const before = trends.buckets.filter((b) => b.key < key && b.sessions > 0).slice(-BASELINE_RULE.precedingBuckets);
    assert.deepEqual(regression.basis.kind === 'buckets' ? regression.basis.keys : [], before.map((b) => b.key), 'the 4 days with sessions before it');
    assert.equal(regression.baselineSessions, before.reduce((sum, b) => sum + b.sessions, 0), 'pooled');
    assert.ok(regression.percent !== null && regression.percent >= BASELINE_RULE.thresholdPercent, `${regression.percent}%`);
  }
});

test('the threshold and the minimum of sessions are respected on both sides', () => {
  const days = (value: Partial<Figures>, counts: readonly number[] = [3, 3]): TrendListing[] => counts.flatMap((n, day) =>
    Array.from({ length: n }, () => listing(local(day), day === counts.length - 1 ? { ...LEVEL, ...value } : LEVEL)));
  const regressionsOf = (rows: TrendListing[]): readonly Regression[] => trendsOfListings(rows, { by: 'day', now: local(60) }).buckets.at(-1)?.regressions ?? [];

  assert.deepEqual(regressionsOf(days({ costUsd: 0.62 })), [], '+24% is under the threshold');
  const at = regressionsOf(days({ costUsd: 0.625 }));
  assert.deepEqual(at.map((x) => [x.figure, x.baseline, x.value, x.percent, x.sessions, x.baselineSessions]), [['costPerSession', 0.5, 0.625, 25, 3, 3]], '+25% is a regression');
  assert.deepEqual(regressionsOf(days({ costUsd: 5 }, [3, 2])), [], 'two sessions in the bucket are too few');
  assert.deepEqual(regressionsOf(days({ costUsd: 5 }, [2, 3])), [], 'two sessions before it are too few');
  assert.deepEqual(regressionsOf(days({ costUsd: 5 }, [1, 1, 1, 3])).map((x) => x.baselineSessions), [3], 'days of one session each pool into a baseline of three');
  assert.deepEqual(regressionsOf(days({ costUsd: 0.2, durationMs: MIN })), [], 'cheaper and quicker is no regression');

  const fromZero = (f: Partial<Figures>): readonly Regression[] => regressionsOf(days({ toolFailures: 0, denials: 0, rejections: 0, costUsd: 0, ...f }).map((l, i) => (i < 3 ? { ...l, costUsd: 0, row: { ...l.row, toolFailures: 0, denials: 0, rejections: 0 } } : l)));
  assert.deepEqual(fromZero({ denials: 1 }).map((x) => [x.figure, x.percent]), [['denialsPerSession', null]], 'a denial per session where there were none: no percent, still flagged');
  assert.deepEqual(fromZero({ costUsd: 1 }), [], 'a cost where there was none has nothing to be compared with');
  const denials = (counts: readonly number[]): TrendListing[] => [
    ...[1, 1, 1].map((d) => listing(local(0), { ...LEVEL, denials: d })), ...counts.map((d) => listing(local(1), { ...LEVEL, denials: d }))];
  assert.deepEqual(regressionsOf(denials([1, 1, 2])), [], '+33% denials per session, but one denial more in the bucket: under the step of 0.5 per session');
  assert.deepEqual(regressionsOf(denials([1, 2, 2])).map((x) => [x.figure, x.percent]), [['denialsPerSession', 67]], 'two more in three sessions');
  const text = regressionText(at[0] as Regression, 'day');
  assert.equal(text, 'cost per session $0.625 vs $0.500 (+25%) against the day before (3 sessions)');
});

test('where a workflow changed, the bucket is compared with the previous version\'s sessions; with too few of them, with the buckets before', () => {
  const v = (hash: string, durationMs: number): Figures => ({ ...LEVEL, durationMs, workflow: 'flow', hash });
  const rows = [
    ...[0, 1, 2].map(() => listing(local(0), v('A', 10 * MIN))),
    // Other sessions the same days, slow: the days' baseline would hide the change's.
    ...[0, 1, 2].map(() => listing(local(0, 14), { ...LEVEL, durationMs: 60 * MIN })),
    ...[0, 1, 2].map(() => listing(local(1), v('B', 20 * MIN))),
  ];
  const trends = trendsOfListings(rows, { by: 'day', now: local(60) });
  const changed = trends.buckets[1];
  assert.equal(changed?.workflowChanges.length, 1);
  assert.deepEqual(changed?.regressions.map((x) => [x.figure, x.baseline, x.value, x.percent, x.basis]), [
    ['medianDurationMs', 10 * MIN, 20 * MIN, 100, { kind: 'version', workflow: 'flow', fromHash: 'A', toHash: 'B' }],
  ]);
  assert.match(regressionText(changed?.regressions[0] as Regression, 'day'), /^median duration 20m 00s vs 10m 00s \(\+100%\) against flow's previous version \(A, 3 sessions\)$/);

  const few = trendsOfListings([...rows.slice(1), listing(local(1), { ...LEVEL, costUsd: 2 })], { by: 'day', now: local(60) }).buckets[1];
  assert.deepEqual(few?.regressions.map((x) => [x.figure, x.basis.kind]), [['costPerSession', 'buckets']], 'two sessions of the old version: the day before is the baseline');
});
