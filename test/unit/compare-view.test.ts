import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../src/protocol/channel';
import { persistedWebviewState } from '../../src/protocol/channel';
import { compareKey, compareTargetOf, compareWebviewMessage } from '../../src/protocol/compare-view';
import { dashboardWebviewMessage } from '../../src/protocol/dashboard';
import type { FigureDelta } from '../../src/protocol/compare';
import { axisTicks, formatDelta, formatPercent, formatValue, laneBars, verdictOf, verdictText } from '../../webview/compare/model';
import { compareRequest } from '../../webview/dashboard/selection';

// The Compare view's pure parts: its panel keys (round trip, refusal of anything else, short
// enough to revive), the messages a webview may send (refused with the field named), what the
// webview derives from a figure (a regression in words, signed deltas, no percent of nothing),
// the two timelines on one scale, and what the dashboard's selection asks to compare.

const A = '0b7c3f4e-1111-4000-8000-000000000001';
const B = '0b7c3f4e-2222-4000-8000-000000000002';

function fig(key: string, a: number, b: number, unit: FigureDelta['unit'] = 'count'): FigureDelta {
  return { key, label: key, unit, a, b, delta: b - a, percent: a === 0 ? null : Math.round(((b - a) / a) * 1000) / 10 };
}

test('a panel key names its comparison and back; two whole session ids fit the state a webview keeps to revive', () => {
  const two = compareKey({ kind: 'sessions', a: A, b: B });
  assert.deepEqual(compareTargetOf(two), { kind: 'sessions', a: A, b: B });
  assert.deepEqual(compareTargetOf(compareKey({ kind: 'cohort', a: A, cohort: 'all' })), { kind: 'cohort', a: A, cohort: 'all' });
  assert.ok(persistedWebviewState.safeParse({ key: two }).success, `${two.length} characters`);
  const hostile = 'x","sessions"]<b>';
  assert.deepEqual(compareTargetOf(compareKey({ kind: 'sessions', a: hostile, b: B })), { kind: 'sessions', a: hostile, b: B }, 'quotes in an id stay in it');
});

test('a key compareKey did not make names no comparison', () => {
  for (const key of ['all', '', '["sessions","a"]', '["cohort","a",""]', '["other","a","b"]', `["sessions","${'x'.repeat(201)}","b"]`, '{"kind":"sessions"}', '["sessions","a","b","c"]']) {
    assert.equal(compareTargetOf(key), undefined, key);
  }
});

test('a message from the compare webview is refused with the field and what is wrong named', () => {
  assert.deepEqual(parseWebviewMessage(compareWebviewMessage, { type: 'openReport', sessionId: A }, 'compare'), { ok: true, message: { type: 'openReport', sessionId: A } });
  const cases: [unknown, RegExp][] = [
    [{ type: 'openReport', sessionId: 7 }, /compare view sent an invalid message "openReport": message\.sessionId: sessionId must be a string/],
    [{ type: 'openReport', sessionId: '' }, /message\.sessionId: sessionId must not be empty/],
    [{ type: 'discuss/copy', prompt: 'rm -rf /' }, /"discuss\/copy": message: Unrecognized key/],
    [{ type: 'run', command: 'x' }, /message\.type: type must be openReport, discuss\/copy or discuss\/terminal/],
  ];
  for (const [raw, expected] of cases) {
    const parsed = parseWebviewMessage(compareWebviewMessage, raw, 'compare');
    assert.equal(parsed.ok, false, JSON.stringify(raw));
    if (!parsed.ok) assert.match(parsed.problem, expected);
  }
});

test('the dashboard asks to compare one or two rows, against "all" or the rows shown, and nothing else', () => {
  const ok = (raw: unknown): boolean => parseWebviewMessage(dashboardWebviewMessage, raw, 'dashboard').ok;
  assert.ok(ok({ type: 'compare', keys: ['f\u0000a', 'f\u0000b'], cohort: 'all' }));
  assert.ok(ok({ type: 'compare', keys: ['f\u0000a'], cohort: ['f\u0000b', 'f\u0000c'] }));
  const none = parseWebviewMessage(dashboardWebviewMessage, { type: 'compare', keys: [], cohort: 'all' }, 'dashboard');
  assert.ok(!none.ok && /message\.keys: keys must name one or two rows/.test(none.problem));
  const three = parseWebviewMessage(dashboardWebviewMessage, { type: 'compare', keys: ['a', 'b', 'c'], cohort: 'all' }, 'dashboard');
  assert.ok(!three.ok && /keys must name one or two rows/.test(three.problem));
  const cohort = parseWebviewMessage(dashboardWebviewMessage, { type: 'compare', keys: ['a'], cohort: 'some' }, 'dashboard');
  assert.ok(!cohort.ok && /message\.cohort: cohort must be "all" or an array of row keys/.test(cohort.problem), cohort.ok ? '' : cohort.problem);
});

test('the dashboard\'s selection: two rows side by side; one row against the rows shown, or "all" when every row is shown', () => {
  assert.equal(compareRequest([], ['a', 'b'], 2), undefined);
  assert.deepEqual(compareRequest(['a', 'b'], ['a'], 5), { keys: ['a', 'b'], cohort: 'all' });
  assert.deepEqual(compareRequest(['b'], ['a', 'b', 'c'], 3), { keys: ['b'], cohort: 'all' });
  assert.deepEqual(compareRequest(['b'], ['a', 'b', 'c'], 9), { keys: ['b'], cohort: ['a', 'c'] }, 'the compared row is never in its cohort');
});

test('a regression reads in words: more duration, cost, failures, denials or rejections in B is worse; more events is neither', () => {
  assert.equal(verdictOf(fig('durationMs', 1000, 2000, 'ms')), 'worse');
  assert.equal(verdictOf(fig('costUsd', 2, 1, 'usd')), 'better');
  assert.equal(verdictOf(fig('toolFailures', 1, 1)), 'same');
  for (const key of ['denials', 'rejections']) assert.equal(verdictOf(fig(key, 0, 1)), 'worse', key);
  assert.equal(verdictOf(fig('events', 10, 30)), 'neutral');
  assert.equal(verdictText('worse'), '▲ worse');
  assert.equal(verdictText('better'), '▼ better');
  assert.equal(verdictText('neutral'), '');
});

test('values, signed deltas and percents: a minus sign for less, "—" where A is 0', () => {
  assert.equal(formatValue('ms', 90_000), '1 min 30 s');
  assert.equal(formatValue('usd', 0.01234), '$0.0123');
  assert.equal(formatValue('tokens', 1234567), '1,234,567');
  assert.equal(formatValue('count', 2.5), '2.5');
  assert.equal(formatDelta(fig('durationMs', 90_000, 30_000, 'ms')), '−1 min 0 s');
  assert.equal(formatDelta(fig('events', 3, 5)), '+2');
  assert.equal(formatDelta(fig('events', 3, 3)), '0');
  assert.equal(formatPercent(fig('events', 0, 5).percent), '—');
  assert.equal(formatPercent(12.5), '+12.5%');
  assert.equal(formatPercent(-3), '−3%');
  assert.equal(formatPercent(0), '0%');
});

test('both timelines share one scale: the same offset lands at the same place, the shorter session ends short of the edge', () => {
  const scale = 10_000;
  const a = laneBars([{ state: 'prompted', startMs: 0, endMs: 2_500, count: 1 }, { state: 'tool_running', startMs: 2_500, endMs: 5_000, count: 3 }], scale);
  const b = laneBars([{ state: 'prompted', startMs: 0, endMs: 2_500, count: 1 }, { state: 'model_working', startMs: 2_500, endMs: 10_000, count: 1 }], scale);
  assert.deepEqual(a.map((bar) => [bar.leftPct, bar.widthPct]), [[0, 25], [25, 25]]);
  assert.deepEqual(b.map((bar) => [bar.leftPct, bar.widthPct]), [[0, 25], [25, 75]]);
  assert.equal(a[1]?.count, 3, 'merged intervals say how many');
  assert.deepEqual(laneBars([{ state: 'x', startMs: 0, endMs: 1, count: 1 }], 0), [], 'nothing to draw on an empty scale');
  assert.deepEqual(axisTicks(10_000), [0, 2_000, 4_000, 6_000, 8_000, 10_000]);
});
