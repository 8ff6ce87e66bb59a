import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LiveSession } from '../../src/domain/control/live-session';
import type { UsageRecordedData } from '../../src/domain/usage/events';
import { burnUsdPerHour, HOUR_MS } from '../../src/projections/control/burn-rate';
import { evolveLiveSignals, foldLiveSession, initialLiveSignals, liveSessionOf, MAX_COMPACTIONS } from '../../src/projections/control/live-fold';
import { emptyTally, tallyCost, tallyUsage } from '../../src/projections/overview/usage-tally';
import type { RecordedEvent } from '../../src/store/event-store';
import { FIXTURE_SESSION, fixtureRecordedEvents } from './helpers';
import { random } from './session-stream-gen';

// The control center's fold: the real captured session read at each point that matters (a tool
// failing, a permission prompt, a subagent, the idle turn, a compaction, the end), and built
// streams for what the capture does not show (denial rules, holds, alerts, usage over time).

const WORKSPACE = '/work/example';
const T0 = Date.UTC(2026, 11, 5, 10, 0, 0);
const SID = 'live-1';

/** The live session after the first `count` events of the captured session. */
function fixtureAfter(count: number): LiveSession {
  const { summary, signals } = foldLiveSession(fixtureRecordedEvents().slice(0, count));
  return liveSessionOf(summary, signals, WORKSPACE);
}

function fixtureTime(index: number): number {
  return Date.parse((fixtureRecordedEvents()[index] as RecordedEvent).metadata['receivedAt'] as string);
}

let position = 0;
/** A stored event of session SID, `atMs` after T0 (its receive time), from the hook unless told. */
function ev(type: string, data: unknown, atMs: number, extra: { id?: string; source?: string } = {}): RecordedEvent {
  position += 1;
  return {
    globalPosition: position, streamId: SID, streamPosition: position, eventId: extra.id ?? `e${position}`, type, schemaVersion: 1,
    recordedAt: new Date(T0 + atMs).toISOString(), correlationId: null, causationId: null, data,
    metadata: { source: extra.source ?? 'hook', receivedAt: new Date(T0 + atMs).toISOString() },
  };
}

const pre = (tool: string, id: string, at: number): RecordedEvent => ev('PreToolUse', { session_id: SID, tool_name: tool, tool_use_id: id, tool_input: {} }, at);
const ok = (tool: string, id: string, at: number): RecordedEvent => ev('PostToolUse', { session_id: SID, tool_name: tool, tool_use_id: id, tool_input: {} }, at);
const fail = (tool: string, id: string, at: number, interrupt = false): RecordedEvent =>
  ev('PostToolUseFailure', { session_id: SID, tool_name: tool, tool_use_id: id, tool_input: {}, error: 'boom', is_interrupt: interrupt }, at);
const denied = (tool: string, id: string, rule: string, at: number): RecordedEvent =>
  ev('HookDenied', { toolName: tool, toolUseId: id, state: 'review', rule, reason: 'not now', at: new Date(T0 + at).toISOString() }, at, { source: 'hook' });
const start = (at = 0): RecordedEvent => ev('SessionStart', { session_id: SID, source: 'startup', model: 'claude-opus-4-5' }, at);

function live(events: RecordedEvent[], now?: number): LiveSession {
  const { summary, signals } = foldLiveSession(events);
  return liveSessionOf(summary, signals, WORKSPACE, now === undefined ? {} : { now });
}

test('the captured session read mid-way: a tool failing, then another tool failing starts a new run', () => {
  const afterRead = fixtureAfter(18);
  assert.deepEqual(afterRead.lastTool, { name: 'Read', at: fixtureTime(17), outcome: 'failed' });
  assert.deepEqual(afterRead.failureRun, { name: 'Read', count: 1, firstKey: 'toolu_mock000005', firstAt: fixtureTime(17), lastAt: fixtureTime(17) });
  const afterBash = fixtureAfter(22);
  assert.equal(afterBash.failureRun?.name, 'Bash');
  assert.equal(afterBash.failureRun?.count, 1);
  assert.equal(afterBash.failureRun?.firstKey, 'toolu_mock000006');
  // A call a PreToolUse hook denied has no Post* event: the batch that lists it is its end.
  assert.deepEqual(fixtureAfter(25).lastTool, { name: 'Bash', at: fixtureTime(24), outcome: 'denied' });
  assert.equal(fixtureAfter(25).failureRun?.name, 'Bash', 'a denial is not a success: the failure run stands');
  assert.equal(fixtureAfter(30).failureRun, null, 'a success of the failing tool ends its run');
  assert.equal(fixtureAfter(30).lastTool?.outcome, 'ok');
});

test('the captured session waits for permission, then for a subagent, then for the user, and compacts', () => {
  const asking = fixtureAfter(21);
  assert.equal(asking.lifecycleState, 'waiting_for_permission');
  assert.equal(asking.waitingFor, 'permission');
  assert.equal(asking.waitingSince, fixtureTime(20));
  assert.deepEqual(asking.lastTool, { name: 'Bash', at: fixtureTime(19), outcome: 'running' });

  const delegating = fixtureAfter(40);
  assert.equal(delegating.waitingFor, 'subagent');
  assert.equal(delegating.waitingSince, fixtureTime(38));
  assert.deepEqual(delegating.subagents, [{ agentId: 'a3c0aee9e956543e9', agentType: (fixtureRecordedEvents()[38]?.data as { agent_type: string }).agent_type, startedAt: fixtureTime(38) }]);
  assert.deepEqual(fixtureAfter(43).subagents, [], 'a stopped subagent is no longer listed');

  const idle = fixtureAfter(55);
  assert.equal(idle.lifecycleState, 'idle');
  assert.equal(idle.waitingFor, 'input');
  assert.equal(idle.waitingSince, fixtureTime(54));
  assert.equal(idle.title, 'HARNESS-MAIN: run the scripted demo session');

  assert.deepEqual(fixtureAfter(62).compactionTimes, [fixtureTime(58)], 'timed by PreCompact');
  assert.equal(fixtureAfter(62).model, 'claude-opus-4-8[1m]');

  const end = fixtureAfter(63);
  assert.equal(end.ended, true);
  assert.equal(end.waitingFor, null);
  assert.equal(end.waitingSince, null);
  assert.equal(end.sessionId, FIXTURE_SESSION);
  assert.equal(end.workspace, WORKSPACE);
  const total = Object.values(end.lifecycleMs).reduce((sum, ms) => sum + ms, 0);
  assert.equal(total, (end.lastEventAt ?? 0) - (end.startedAt ?? 0), 'time per state adds up to the session');
});

test('a running call is not hidden by the end of an older one; the last call started is the last tool', () => {
  const s = live([start(), pre('Bash', 'b1', 1000), pre('Read', 'r1', 2000), ok('Bash', 'b1', 3000)]);
  assert.deepEqual(s.lastTool, { name: 'Read', at: 2000 + T0, outcome: 'running' });
  const later = live([start(), pre('Bash', 'b1', 1000), pre('Read', 'r1', 2000), ok('Read', 'r1', 2500), ok('Bash', 'b1', 3000)]);
  assert.deepEqual(later.lastTool, { name: 'Bash', at: 3000 + T0, outcome: 'ok' }, 'once the newest ended, an older one ending is the latest news');
  assert.equal(live([start(), ev('PermissionDenied', { session_id: SID, tool_name: 'Bash', tool_use_id: 'b2', tool_input: {} }, 500)]).lastTool?.outcome, 'denied');
});

test('a failure run counts one tool through successes of others; an interrupt neither adds nor ends it', () => {
  const s = live([
    start(), pre('Bash', 'b1', 1), fail('Bash', 'b1', 2), pre('Read', 'r1', 3), ok('Read', 'r1', 4),
    pre('Bash', 'b2', 5), fail('Bash', 'b2', 6, true), pre('Bash', 'b3', 7), fail('Bash', 'b3', 8),
  ]);
  assert.deepEqual(s.failureRun, { name: 'Bash', count: 2, firstKey: 'b1', firstAt: T0 + 2, lastAt: T0 + 8 });
  const other = live([start(), pre('Bash', 'b1', 1), fail('Bash', 'b1', 2), pre('Read', 'r1', 3), fail('Read', 'r1', 4)]);
  assert.deepEqual(other.failureRun, { name: 'Read', count: 1, firstKey: 'r1', firstAt: T0 + 4, lastAt: T0 + 4 });
  assert.equal(live([start(), pre('Bash', 'b1', 1), fail('Bash', 'b1', 2), pre('Bash', 'b2', 3), ok('Bash', 'b2', 4)]).failureRun, null);
  const anonymous = live([start(), ev('PostToolUseFailure', { session_id: SID, tool_name: 'Bash', error: 'x' }, 5, { id: 'evt-no-id' })]);
  assert.equal(anonymous.failureRun?.firstKey, 'evt-no-id', 'a failure without a tool_use_id is named by its event id');
});

test('a denial run counts one rule; another rule starts anew; a call that ran ends it; a denial ingested before its PreToolUse stays denied', () => {
  const rule = 'states.review.tools.deny "Edit"';
  const s = live([start(), denied('Edit', 't1', rule, 1), pre('Edit', 't1', 2), denied('Edit', 't2', rule, 3), pre('Edit', 't2', 4)]);
  assert.deepEqual(s.denialRun, { name: rule, count: 2, firstKey: 't1', firstAt: T0 + 1, lastAt: T0 + 3 });
  assert.deepEqual(s.lastTool, { name: 'Edit', at: T0 + 4, outcome: 'denied' }, 'its PreToolUse came after the denial: still denied');
  const switched = live([start(), denied('Edit', 't1', rule, 1), denied('Write', 't2', 'other rule', 2)]);
  assert.equal(switched.denialRun?.name, 'other rule');
  assert.equal(switched.denialRun?.count, 1);
  assert.equal(live([start(), denied('Edit', 't1', rule, 1), pre('Read', 'r', 2), ok('Read', 'r', 3)]).denialRun, null);
  assert.equal(live([start(), denied('Edit', 't1', rule, 1), pre('Bash', 'b', 2), fail('Bash', 'b', 3)]).denialRun, null, 'a failed call was allowed to run');
});

test('review rejections, holds, alerts and mutes come from their events; the ids are the events\' own', () => {
  const at = (ms: number): string => new Date(T0 + ms).toISOString();
  const events = [
    start(),
    ev('ReviewRejected', { notes: 'no', state: 'review', backTo: 'build', at: at(10) }, 10, { id: 'rej-1', source: 'cli' }),
    ev('ReviewRejected', { notes: 'still no', state: 'review', backTo: 'build', at: at(20) }, 20, { id: 'rej-2', source: 'cli' }),
    ev('SessionHeld', { message: 'wait for me', waitMs: 1000, by: 'cli', at: at(30) }, 30, { source: 'cli' }),
    ev('AlertRaised', { rule: 'waiting', episode: 'x', message: 'm', figures: { minutes: 3 }, threshold: 2, thresholdSource: 's', at: at(40) }, 40, { id: 'alert-aaaa' }),
    ev('AlertRaised', { rule: 'stuck', episode: 'y', message: 'm', figures: {}, threshold: 2, thresholdSource: 's', at: at(41) }, 41, { id: 'alert-bbbb' }),
    ev('AlertRuleMuted', { rule: 'stuck', by: 'vscode', at: at(50) }, 50, { source: 'vscode' }),
    ev('AlertRuleMuted', { rule: 'stuck', by: 'cli', at: at(51) }, 51, { source: 'cli' }),
  ];
  const s = live(events);
  assert.equal(s.rejections, 2);
  assert.equal(s.firstRejectionKey, 'rej-1');
  assert.deepEqual(s.held, { message: 'wait for me', at: T0 + 30 });
  assert.deepEqual(s.alertIds, ['alert-aaaa', 'alert-bbbb']);
  assert.deepEqual(s.mutedRules, ['stuck']);
  const resumed = live([...events, ev('SessionResumed', { by: 'cli', at: at(60) }, 60, { source: 'cli' })]);
  assert.equal(resumed.held, null);
  const heldCall = live([...events, pre('Bash', 'h1', 70), ev('ToolCallHeld', { toolName: 'Bash', toolUseId: 'h1', message: 'wait', waitedMs: 5, outcome: 'denied', at: at(75) }, 75, { source: 'cli' })]);
  assert.deepEqual(heldCall.lastTool, { name: 'Bash', at: T0 + 75, outcome: 'denied' });
});

test('compaction times keep the last 32', () => {
  const events = [start()];
  for (let i = 1; i <= 40; i += 1) events.push(ev('PreCompact', { session_id: SID, trigger: 'auto' }, i * 1000));
  const s = live(events);
  assert.equal(s.compactionTimes.length, MAX_COMPACTIONS);
  assert.equal(s.compactionTimes[0], T0 + 9000);
  assert.equal(s.compactionTimes.at(-1), T0 + 40_000);
});

function usage(key: string, atMs: number | null, model = 'claude-opus-4-5', output = 1000): UsageRecordedData {
  return {
    key, messageId: key, requestId: null, model, agentId: 'main', inputTokens: 10_000, outputTokens: output, cacheCreationInputTokens: 2000,
    cacheCreation1hInputTokens: 0, cacheReadInputTokens: 50_000, fast: false, at: atMs === null ? null : new Date(T0 + atMs).toISOString(), file: 't.jsonl', line: 1,
  };
}

function costOf(data: UsageRecordedData[]): number {
  return tallyCost(data.reduce((tally, d) => tallyUsage(tally, d), emptyTally)).costUsd;
}

test('tokens and cost are the session\'s; the burn rate is the cost of the last hour of usage by the lines\' own times', () => {
  const old = usage('m1', 0);
  const recent = [usage('m2', 2 * HOUR_MS), usage('m3', 2.5 * HOUR_MS)];
  const events = [start(), ...[old, ...recent].map((d) => ev('UsageRecorded', d, 1, { source: 'transcript' })), ev('Stop', { session_id: SID }, 3 * HOUR_MS)];
  const s = live(events);
  assert.equal(s.tokens, 3 * (10_000 + 1000 + 2000 + 50_000));
  assert.ok(Math.abs((s.costUsd ?? 0) - costOf([old, ...recent])) < 1e-9);
  // The window ends at the last event (3 h): the two recent messages are in it, the first is not.
  assert.ok(Math.abs((s.burnUsdPerHour ?? 0) - costOf(recent)) < 1e-9);
  assert.equal(live(events, T0 + 10 * HOUR_MS).burnUsdPerHour, 0, 'an hour with no usage burns nothing');
  // Since the first usage, if that is sooner than an hour: two messages over 30 minutes.
  const young = live([start(), ev('UsageRecorded', usage('a', 0), 1), ev('UsageRecorded', usage('b', HOUR_MS / 2), 2)], T0 + HOUR_MS / 2);
  assert.ok(Math.abs((young.burnUsdPerHour ?? 0) - 2 * costOf([usage('a', 0), usage('b', HOUR_MS / 2)])) < 1e-9);
  // A later line of the same message replaces the earlier, as the overview's tally counts it.
  const twice = live([start(), ev('UsageRecorded', usage('a', 0, 'claude-opus-4-5', 10), 1), ev('UsageRecorded', usage('a', 1000, 'claude-opus-4-5', 2000), 2)], T0 + HOUR_MS);
  assert.ok(Math.abs((twice.burnUsdPerHour ?? 0) - costOf([usage('a', 0, 'claude-opus-4-5', 2000)])) < 1e-9);
});

test('cost and burn are unknown without a priced model; a session with no usage has no cost yet', () => {
  const unpriced = live([start(), ev('UsageRecorded', usage('u', 0, 'not-a-model'), 1)], T0 + 1000);
  assert.equal(unpriced.costUsd, null);
  assert.equal(unpriced.burnUsdPerHour, null);
  assert.ok(unpriced.tokens > 0);
  const none = live([start()]);
  assert.equal(none.costUsd, null);
  assert.equal(none.burnUsdPerHour, null);
  assert.equal(none.tokens, 0);
  assert.equal(burnUsdPerHour({ firstAt: null, latestAt: null, marks: [], lastModel: null }), null);
  const undated = live([ev('UsageRecorded', usage('n', null, 'claude-haiku-4-5'), 1)]);
  assert.equal(undated.burnUsdPerHour, null, 'a line without a time cannot be placed in the hour');
  assert.equal(undated.model, 'claude-haiku-4-5', 'no SessionStart named a model: the usage does');
});

test('time per state includes the open interval up to the last event, a workflow event included', () => {
  const at = (ms: number): string => new Date(T0 + ms).toISOString();
  const events = [
    start(0), ev('UserPromptSubmit', { session_id: SID, prompt: 'go' }, 1000), pre('Bash', 'b', 2000),
    ev('WorkflowStarted', { definitionHash: 'h', name: 'flow', definition: { name: 'flow' }, state: 'build', iteration: 1, at: at(3000) }, 3000, { source: 'cli' }),
    ev('JournalEntryWritten', { text: 'note', tags: [], files: [], state: 'build', iteration: 1, at: at(7000) }, 7000, { source: 'cli' }),
  ];
  const s = live(events);
  assert.equal(s.lifecycleState, 'tool_running');
  assert.equal(s.lifecycleEnteredAt, T0 + 2000);
  assert.equal(s.lifecycleMs['tool_running'], 5000);
  assert.equal(s.workflow, 'flow');
  assert.equal(s.workflowState, 'build');
  assert.equal(s.workflowEnteredAt, T0 + 3000);
  assert.equal(s.workflowMs['build'], 4000);
  assert.deepEqual(s.lastJournal, { text: 'note', at: T0 + 7000 });
  assert.equal(s.waitingFor, null);
});

test('the fold is total: unknown types and malformed data leave the signals as they are, never throw', () => {
  const base = foldLiveSession([start()]).signals;
  const odd: [string, unknown][] = [
    ['SessionHeld', { message: 5 }], ['SessionResumed', null], ['AlertRuleMuted', { rule: 1 }], ['ToolCallHeld', 'x'],
    ['UsageRecorded', { key: '' }], ['SomethingNew', { a: 1 }], ['PostToolBatch', { tool_calls: 'nope' }],
  ];
  for (const [type, data] of odd) {
    const event = ev(type, data, 0, { source: 'cli' });
    assert.equal(evolveLiveSignals(base, event), base, `${type} with odd data changes nothing`);
  }
  const r = random(15);
  const types = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionDenied', 'PostToolBatch', 'PreCompact', 'HookDenied', 'ReviewRejected', 'SessionHeld', 'SessionResumed', 'ToolCallHeld', 'AlertRaised', 'AlertRuleMuted', 'UsageRecorded', 'Stop'];
  const shapes: unknown[] = [null, 'text', 42, [], [1, 2], {}, { tool_name: 7, tool_use_id: {} }, { tool_calls: [null, 3, { tool_use_id: 5 }] }, { rule: null, toolUseId: [] }, { at: 'not a time' }];
  let signals = initialLiveSignals;
  for (let i = 0; i < 2000; i += 1) {
    const event = { ...ev(r.pick(types), r.pick(shapes), r.int(1000)), metadata: r.chance(0.5) ? { source: 'hook', receivedAt: r.pick(['bad', 7, new Date(T0).toISOString()]) } : {} };
    signals = evolveLiveSignals(signals, event);
  }
  assert.doesNotThrow(() => JSON.stringify(signals));
});

test('an alert or a hold recorded during a silence does not count as the agent\'s last event (the stuck rule would re-raise itself)', () => {
  const alert = ev('AlertRaised', { rule: 'stuck', episode: 'x', message: 'm', figures: {}, threshold: 10, thresholdSource: 's', at: new Date(T0 + 60_000).toISOString() }, 60_000, { id: 'alert-1', source: 'cli' });
  const held = ev('SessionHeld', { message: 'wait', waitMs: 1000, by: 'cli', at: new Date(T0 + 70_000).toISOString() }, 70_000, { source: 'cli' });
  const session = live([start(0), pre('Bash', 't1', 1000), alert, held]);
  assert.equal(session.lastEventAt, T0 + 1000);
  assert.deepEqual(session.alertIds, ['alert-1']);
  assert.equal(session.held?.message, 'wait');
});
