import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareFiles, compareSessions, compareWithCohort, listingOfFolded } from '../../src/projections/compare/compare-sessions';
import { deltaOf, figureDeltas, figuresOf, median, medianFigures } from '../../src/projections/compare/figures';
import { diffSequences, SEQUENCE_CAP } from '../../src/projections/compare/sequence-diff';
import { foldForCompare } from '../../src/projections/compare/session-fold';
import { resolveSessionPrefix } from '../../src/projections/compare/session-prefix';
import type { SessionListing } from '../../src/projections/overview/session-query';
import { DEFAULT_PRICE_TABLE } from '../../src/projections/pricing';
import type { FigureDelta, SequenceRun } from '../../src/protocol/compare';
import type { RecordedEvent } from '../../src/store/event-store';
import { fixtureRecordedEvents } from './helpers';
import { seeded } from './seeded';

// Compare's pure core: figure deltas of two known sessions (the real fixture, and the same with a
// failing tool call and one more file edited), percents of nothing, the LCS diff of tool calls
// (optimal, bounded), files in both or one, a cohort's medians and naming sessions by a prefix.

const NOW = Date.UTC(2030, 0, 1);
const OPTIONS = { now: NOW, prices: DEFAULT_PRICE_TABLE };
const EXTRA_FILE = '/home/dev/full-session/src/extra.ts';

/** The fixture as `streamId`, with `extra` events (main agent) put in before its SessionEnd, positions renumbered. */
function session(streamId: string, extra: readonly { type: string; data: Record<string, unknown> }[] = []): RecordedEvent[] {
  const events = fixtureRecordedEvents(streamId);
  const end = events.findIndex((e) => e.type === 'SessionEnd');
  const before = events[end - 1] as RecordedEvent;
  const added = extra.map((e): RecordedEvent => ({ ...before, type: e.type, data: { session_id: streamId, hook_event_name: e.type, ...e.data } }));
  return [...events.slice(0, end), ...added, ...events.slice(end)].map((e, i) => ({ ...e, globalPosition: i + 1, streamPosition: i + 1, eventId: `${streamId}-${i + 1}` }));
}

const FAILING_CALL = [
  { type: 'PreToolUse', data: { tool_name: 'Bash', tool_input: { command: 'false' }, tool_use_id: 'extra-fail' } },
  { type: 'PostToolUseFailure', data: { tool_name: 'Bash', tool_input: { command: 'false' }, tool_use_id: 'extra-fail', error: 'exit 1' } },
];
const EXTRA_EDIT = [
  { type: 'PreToolUse', data: { tool_name: 'Edit', tool_input: { file_path: EXTRA_FILE, old_string: 'a', new_string: 'b' }, tool_use_id: 'extra-edit' } },
  { type: 'PostToolUse', data: { tool_name: 'Edit', tool_input: { file_path: EXTRA_FILE, old_string: 'a', new_string: 'b' }, tool_use_id: 'extra-edit', tool_response: {} } },
];

function figure(figures: readonly FigureDelta[], key: string): FigureDelta {
  const found = figures.find((f) => f.key === key);
  assert.ok(found !== undefined, `figure ${key}`);
  return found;
}

/** Every run's tools in order, of the kinds that make up side a (same + onlyA) or b (same + onlyB). */
function rebuilt(runs: readonly SequenceRun[], side: 'onlyA' | 'onlyB'): string[] {
  return runs.filter((r) => r.kind === 'same' || r.kind === side).flatMap((r) => [...r.tools]);
}

test('two known sessions: the one with an extra failing call and an extra edit differs by exactly those, with percents of A', () => {
  const a = foldForCompare('sess-a', session('sess-a'), DEFAULT_PRICE_TABLE);
  const b = foldForCompare('sess-b', session('sess-b', [...FAILING_CALL, ...EXTRA_EDIT]), DEFAULT_PRICE_TABLE);
  const c = compareSessions(a, b, OPTIONS);
  assert.equal(c.kind, 'sessions');
  assert.deepEqual([c.a.sessionId, c.b.sessionId], ['sess-a', 'sess-b']);
  const base = figure(c.figures, 'toolCalls').a;
  assert.ok(base > 0);
  assert.deepEqual(figure(c.figures, 'toolCalls'), { key: 'toolCalls', label: 'tool calls', unit: 'count', a: base, b: base + 2, delta: 2, percent: Math.round((2 / base) * 1000) / 10 });
  const failures = figure(c.figures, 'toolFailures');
  assert.equal(failures.delta, 1);
  assert.equal(failures.percent, Math.round((1 / failures.a) * 1000) / 10);
  assert.equal(figure(c.figures, 'filesTouched').delta, 1);
  assert.equal(figure(c.figures, 'events').delta, 4);
  for (const key of ['prompts', 'denials', 'rejections', 'refusals', 'iterations', 'transitions', 'compactions', 'subagents', 'durationMs']) {
    assert.equal(figure(c.figures, key).delta, 0, `${key} unchanged`);
  }
  assert.equal(figure(c.figures, 'transitions').percent, null, 'no workflow: a percent of 0 is null');
  assert.ok(c.figures.some((f) => f.key.startsWith('lifecycleMs.')), 'time per lifecycle state');

  assert.deepEqual(c.files.onlyB, [EXTRA_FILE]);
  assert.deepEqual(c.files.onlyA, []);
  assert.deepEqual(c.files.both, Object.keys(a.summary.files).sort());

  assert.equal(c.tools.aCalls, a.toolSequence.length);
  assert.equal(c.tools.bCalls, a.toolSequence.length + 2, 'the main agent\'s calls only (the subagent\'s Bash is not one)');
  assert.deepEqual([c.tools.common, c.tools.onlyA, c.tools.onlyB, c.tools.truncated], [a.toolSequence.length, 0, 2, false]);
  assert.deepEqual(c.tools.runs.filter((r) => r.kind !== 'same').map((r) => [r.kind, r.tools]), [['onlyB', ['Bash', 'Edit']]]);
  assert.deepEqual(rebuilt(c.tools.runs, 'onlyA'), a.toolSequence);
  assert.deepEqual(rebuilt(c.tools.runs, 'onlyB'), b.toolSequence);

  // Both timelines start at 0 on one scale; a state interval never leaves its session.
  assert.equal(c.timelines.scaleMs, Math.max(c.timelines.a.durationMs, c.timelines.b.durationMs));
  assert.equal(c.timelines.a.lifecycle[0]?.startMs, 0);
  for (const side of [c.timelines.a, c.timelines.b]) {
    assert.ok(side.lifecycle.length > 1);
    for (const i of side.lifecycle) assert.ok(i.startMs >= 0 && i.startMs <= i.endMs && i.endMs <= side.durationMs, JSON.stringify(i));
  }
  assert.equal(JSON.stringify(JSON.parse(JSON.stringify(c))), JSON.stringify(c), 'plain JSON');
});

test('cost per model and per agent comes from the usage events, the subagents summed by type', () => {
  const usage = (streamId: string, key: string, model: string, agentId: string, outputTokens: number): RecordedEvent => ({
    ...(fixtureRecordedEvents(streamId)[0] as RecordedEvent), type: 'UsageRecorded',
    data: { key, messageId: key, requestId: null, at: null, file: 'transcript.jsonl', line: 1, model, agentId, inputTokens: 1000, outputTokens, cacheCreationInputTokens: 0, cacheCreation1hInputTokens: 0, cacheReadInputTokens: 0, fast: false },
  });
  const withUsage = (streamId: string, extra: RecordedEvent[]): RecordedEvent[] =>
    [...session(streamId), ...extra].map((e, i) => ({ ...e, globalPosition: i + 1, streamPosition: i + 1 }));
  const a = foldForCompare('ua', withUsage('ua', [usage('ua', 'm1', 'claude-sonnet-4-5', 'main', 100)]), DEFAULT_PRICE_TABLE);
  const subagent = Object.keys(a.summary.subagents).find((id) => a.summary.subagents[id]?.agentType === 'general-purpose') ?? '';
  assert.notEqual(subagent, '');
  const b = foldForCompare('ub', withUsage('ub', [usage('ub', 'm1', 'claude-sonnet-4-5', 'main', 200), usage('ub', 'm2', 'claude-opus-4-1', subagent, 50)]), DEFAULT_PRICE_TABLE);
  const c = compareSessions(a, b, OPTIONS);
  assert.deepEqual(c.costs.perModel.map((r) => r.key).sort(), ['claude-opus-4-1', 'claude-sonnet-4-5']);
  const opus = c.costs.perModel.find((r) => r.key === 'claude-opus-4-1');
  assert.equal(opus?.a, null, 'a model one session did not use');
  assert.ok((opus?.b?.costUsd ?? 0) > 0 && opus?.deltaUsd === opus?.b?.costUsd);
  assert.deepEqual(c.costs.perAgent.map((r) => r.key).sort(), ['general-purpose', 'main']);
  const main = c.costs.perAgent.find((r) => r.key === 'main');
  assert.equal(main?.b?.tokens, 1200);
  assert.ok((main?.deltaUsd ?? 0) > 0);
});

test('a percent of a zero base is null, never Infinity or NaN; money is kept to the micro-dollar', () => {
  assert.equal(deltaOf('denials', 'denials', 'count', 0, 3).percent, null);
  assert.equal(deltaOf('denials', 'denials', 'count', 0, 0).percent, null);
  assert.deepEqual(deltaOf('events', 'events', 'count', 4, 5), { key: 'events', label: 'events', unit: 'count', a: 4, b: 5, delta: 1, percent: 25 });
  assert.equal(deltaOf('events', 'events', 'count', 3, 1).percent, -66.7);
  const cost = deltaOf('costUsd', 'cost', 'usd', 0.1, 0.3);
  assert.equal(cost.delta, 0.2, 'not 0.19999999999999998');
  assert.equal(cost.percent, 200);
  const states = figureDeltas(new Map([['lifecycleMs.idle', 10]]), new Map([['workflowMs.review', 5]]));
  assert.deepEqual(states.filter((f) => f.key.includes('.')).map((f) => [f.key, f.label, f.a, f.b, f.percent]), [
    ['lifecycleMs.idle', 'time idle', 10, 0, -100], ['workflowMs.review', 'time in review', 0, 5, null],
  ], 'a state one side never was in counts 0 there');
});

test('the tool-call diff is a longest common subsequence, in runs that rebuild both sequences', () => {
  const small = diffSequences(['Read', 'Edit', 'Bash'], ['Read', 'Bash', 'Bash']);
  assert.deepEqual(small.runs.map((r) => [r.kind, r.aIndex, r.bIndex, r.tools]), [
    ['same', 0, 0, ['Read']], ['onlyA', 1, 1, ['Edit']], ['onlyB', 2, 1, ['Bash']], ['same', 2, 2, ['Bash']],
  ]);
  assert.deepEqual(diffSequences([], ['Read']).runs, [{ kind: 'onlyB', aIndex: 0, bIndex: 0, tools: ['Read'] }]);
  assert.deepEqual(diffSequences(['Read'], []).runs, [{ kind: 'onlyA', aIndex: 0, bIndex: 0, tools: ['Read'] }]);
  assert.equal(diffSequences([...'ABCBDAB'], [...'BDCABA']).common, 4, 'the textbook case');

  const random = seeded(14);
  for (let round = 0; round < 200; round += 1) {
    const word = (): string[] => Array.from({ length: Math.floor(random() * 30) }, () => 'ABCD'[Math.floor(random() * 4)] as string);
    const a = word();
    const b = word();
    const diff = diffSequences(a, b);
    assert.equal(diff.common, lcsLength(a, b), `${a.join('')} / ${b.join('')}`);
    assert.equal(diff.common + diff.onlyA, a.length);
    assert.equal(diff.common + diff.onlyB, b.length);
    assert.deepEqual(rebuilt(diff.runs, 'onlyA'), a);
    assert.deepEqual(rebuilt(diff.runs, 'onlyB'), b);
    for (let i = 1; i < diff.runs.length; i += 1) {
      const [before, after] = [diff.runs[i - 1]?.kind, diff.runs[i]?.kind];
      assert.ok(before !== after && !(before === 'onlyB' && after === 'onlyA'), 'runs alternate; in a gap, A\'s calls come first');
    }
  }
});

test('sequences are cut at the cap, and two full-length different sequences still diff exactly', () => {
  const events = session('long');
  const last = events[events.length - 1] as RecordedEvent;
  const calls = Array.from({ length: SEQUENCE_CAP + 100 }, (_, i): RecordedEvent => ({
    ...last, globalPosition: events.length + i + 1, streamPosition: events.length + i + 1, type: 'PreToolUse', data: { tool_name: i % 2 === 0 ? 'Read' : 'Grep', tool_use_id: `c${i}` },
  }));
  const long = foldForCompare('long', [...events, ...calls], DEFAULT_PRICE_TABLE);
  assert.equal(long.toolSequence.length, SEQUENCE_CAP);
  assert.equal(long.mainToolCalls, SEQUENCE_CAP + 100 + foldForCompare('x', session('x'), DEFAULT_PRICE_TABLE).mainToolCalls);
  const c = compareSessions(foldForCompare('short', session('short'), DEFAULT_PRICE_TABLE), long, OPTIONS);
  assert.equal(c.tools.truncated, true);
  assert.equal(c.tools.cap, SEQUENCE_CAP);
  assert.equal(c.tools.common + c.tools.onlyB, SEQUENCE_CAP, 'B diffed up to the cap');

  // Two sequences of the cap's length with nothing in common at either end: Hirschberg's worst case, exact.
  const a = Array.from({ length: SEQUENCE_CAP }, (_, i) => (i % 3 === 0 ? 'Read' : 'Bash'));
  const b = ['Edit', ...a.slice(1, -1).reverse(), 'Write'];
  const diff = diffSequences(a, b);
  assert.equal(diff.common + diff.onlyA, a.length);
  assert.equal(diff.common + diff.onlyB, b.length);
  assert.deepEqual(rebuilt(diff.runs, 'onlyA'), a);
  assert.deepEqual(rebuilt(diff.runs, 'onlyB'), b);
  assert.equal(diff.common, lcsLength(a, b), 'as long as the full table\'s answer');
});

test('files changed: in both, only in A, only in B, each sorted', () => {
  assert.deepEqual(compareFiles(['/w/b.ts', '/w/a.ts', '/w/c.ts'], ['/w/c.ts', '/w/d.ts', '/w/a.ts']), { both: ['/w/a.ts', '/w/c.ts'], onlyA: ['/w/b.ts'], onlyB: ['/w/d.ts'] });
  assert.deepEqual(compareFiles([], []), { both: [], onlyA: [], onlyB: [] });
});

test('a cohort\'s medians: the middle value (the mean of two for an even count), a state a session never was in counting 0', () => {
  const base = listingOfFolded(foldForCompare('base', session('base'), DEFAULT_PRICE_TABLE), OPTIONS);
  const listing = (id: string, toolFailures: number, costUsd: number, workflowMs: Record<string, number>): SessionListing => ({
    ...base, costUsd, row: { ...base.row, sessionId: id, toolFailures, workflowMs },
  });
  const cohort = [listing('c1', 1, 0.5, { review: 100 }), listing('c2', 5, 1.5, {}), listing('c3', 3, 0.25, { review: 300 })];
  const medians = medianFigures(cohort);
  assert.ok(medians !== undefined);
  assert.equal(medians.get('toolFailures'), 3);
  assert.equal(medians.get('costUsd'), 0.5);
  assert.equal(medians.get('workflowMs.review'), 100, 'the median of 100, 0 and 300');
  assert.equal(medianFigures([...cohort, listing('c4', 8, 1, {})])?.get('toolFailures'), 4, '1 3 5 8: (3 + 5) / 2');
  assert.equal(medianFigures([]), undefined);
  assert.equal(median([]), 0);

  const subject = listing('me', 6, 1, { review: 50 });
  const c = compareWithCohort(subject, cohort, { condition: 'failures>0', since: null, until: null });
  assert.ok(c !== undefined);
  assert.deepEqual({ ...c.a }, { condition: 'failures>0', since: null, until: null, sessions: 3, sessionIds: ['c1', 'c2', 'c3'] });
  assert.equal(c.b.sessionId, 'me');
  assert.deepEqual(figure(c.figures, 'toolFailures'), { key: 'toolFailures', label: 'tool failures', unit: 'count', a: 3, b: 6, delta: 3, percent: 100 });
  assert.deepEqual([figure(c.figures, 'workflowMs.review').a, figure(c.figures, 'workflowMs.review').b], [100, 50]);
  assert.deepEqual(c.figures.map((f) => f.key), figureDeltas(medians, figuresOf(subject)).map((f) => f.key));
  assert.equal(compareWithCohort(subject, [], { condition: 'all', since: null, until: null }), undefined);
});

test('a session is named by its whole id, or by a start of at least 4 characters that only it has', () => {
  const ids = ['abcd1234-x', 'abcd5678-y', 'abc', 'ffff0000-z'];
  assert.deepEqual(resolveSessionPrefix(ids, 'abcd1'), { ok: true, sessionId: 'abcd1234-x' });
  assert.deepEqual(resolveSessionPrefix(ids, 'ffff'), { ok: true, sessionId: 'ffff0000-z' });
  assert.deepEqual(resolveSessionPrefix(ids, 'abc'), { ok: true, sessionId: 'abc' }, 'a whole id, however short');
  assert.deepEqual(resolveSessionPrefix(ids, 'abcd'), { ok: false, problem: 'ambiguous', candidates: ['abcd1234-x', 'abcd5678-y'] });
  assert.deepEqual(resolveSessionPrefix(ids, 'ff'), { ok: false, problem: 'short', candidates: [] });
  assert.deepEqual(resolveSessionPrefix(ids, 'eeee'), { ok: false, problem: 'unknown', candidates: [] });
  assert.deepEqual(resolveSessionPrefix(ids, 'ee'), { ok: false, problem: 'unknown', candidates: [] });
});

function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] as number;
      row[j] = x === b[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1] as number);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}
