import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evolveLifecycle, foldLifecycle, initialLifecycleState, LIFECYCLE_STATES } from '../../src/domain/lifecycle';
import type { LifecycleEvent, LifecycleState, LifecycleStateName, OpenToolCall } from '../../src/domain/lifecycle';
import { DEFAULT_SILENCE_MS, deriveSessionStatus, timePerState, totalTime } from '../../src/domain/lifecycle-time';
import type { RecordedEvent } from '../../src/store/event-store';
import { seeded } from './seeded';

// ---- builders ----

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const STEP = 1000;

/** A hook event as the ingestor stores it; without `ms`, given() stamps it. */
function hook(type: string, data: Record<string, unknown> = {}, ms?: number): LifecycleEvent {
  const metadata: Record<string, unknown> = { source: 'hook' };
  if (ms !== undefined) metadata['receivedAt'] = new Date(ms).toISOString();
  return { type, data: { session_id: 's1', hook_event_name: type, ...data }, metadata };
}

function at(ms: number, event: LifecycleEvent): LifecycleEvent {
  return { ...event, metadata: { ...event.metadata, receivedAt: new Date(ms).toISOString() } };
}

const inAgent = (agentId: string | undefined): Record<string, unknown> => (agentId === undefined ? {} : { agent_id: agentId, agent_type: 'general-purpose' });
const call = (id: string, tool: string, agentId?: string): Record<string, unknown> => ({ tool_name: tool, tool_input: { command: id }, tool_use_id: id, ...inAgent(agentId) });

const start = (source = 'startup', extra: Record<string, unknown> = {}): LifecycleEvent => hook('SessionStart', { source, ...extra });
const prompt = (): LifecycleEvent => hook('UserPromptSubmit', { prompt: 'do it' });
const says = (agentId?: string): LifecycleEvent => hook('MessageDisplay', { delta: 'ok', final: true, ...inAgent(agentId) });
const pre = (id: string, tool = 'Bash', agentId?: string): LifecycleEvent => hook('PreToolUse', call(id, tool, agentId));
const post = (id: string, tool = 'Bash', agentId?: string): LifecycleEvent => hook('PostToolUse', { ...call(id, tool, agentId), tool_response: {} });
const fails = (id: string, tool = 'Bash'): LifecycleEvent => hook('PostToolUseFailure', { ...call(id, tool), error: 'Exit code 1' });
const denied = (id: string, tool = 'Bash'): LifecycleEvent => hook('PermissionDenied', { ...call(id, tool), reason: 'auto mode' });
/** PermissionRequest as captured: tool name and input, no tool_use_id. */
const asks = (id: string, tool = 'Bash', agentId?: string): LifecycleEvent => hook('PermissionRequest', { tool_name: tool, tool_input: { command: id }, permission_suggestions: [], ...inAgent(agentId) });
const batch = (...ids: string[]): LifecycleEvent => hook('PostToolBatch', { tool_calls: ids.map((id) => ({ ...call(id, 'Bash'), tool_response: 'done' })) });
const notify = (type: string): LifecycleEvent => hook('Notification', { message: 'Claude needs your attention', notification_type: type });
const subStart = (agentId: string): LifecycleEvent => hook('SubagentStart', { agent_id: agentId, agent_type: 'general-purpose' });
const subStop = (agentId: string, agentType = 'general-purpose'): LifecycleEvent => hook('SubagentStop', { agent_id: agentId, agent_type: agentType });
const preCompact = (trigger = 'manual'): LifecycleEvent => hook('PreCompact', { trigger, custom_instructions: null });
const postCompact = (trigger = 'manual'): LifecycleEvent => hook('PostCompact', { trigger, compact_summary: 'summary' });
const stop = (): LifecycleEvent => hook('Stop', { stop_hook_active: false });
const stopFailure = (): LifecycleEvent => hook('StopFailure', { error: 'rate_limit' });
const end = (reason = 'other'): LifecycleEvent => hook('SessionEnd', { reason });

/** Events without a time get T0, T0 + STEP, ... by their place in the history. */
function stamped(events: readonly LifecycleEvent[]): LifecycleEvent[] {
  return events.map((e, i) => (e.metadata['receivedAt'] === undefined ? at(T0 + i * STEP, e) : e));
}

/** given(history).when(event).then(expected state name) → the state after `event`. */
function given(...history: LifecycleEvent[]) {
  const before = foldLifecycle(stamped(history));
  return {
    before,
    when(event: LifecycleEvent) {
      const after = evolveLifecycle(before, event.metadata['receivedAt'] === undefined ? at(T0 + history.length * STEP, event) : event);
      return {
        then(expected: LifecycleStateName): LifecycleState {
          assert.equal(after.state, expected);
          return after;
        },
      };
    },
  };
}

const working = [start(), prompt(), says()];
const open = (s: LifecycleState, key: string): OpenToolCall | undefined => s.openTools.find((t) => t.key === key);

// ---- transitions ----

test('SessionStart starts the session in starting, at the time the hook received it', () => {
  const s = given().when(at(T0, start())).then('starting');
  assert.equal(s.startedAt, T0);
  assert.equal(s.enteredAt, T0);
});

test('UserPromptSubmit moves starting and idle to prompted', () => {
  given(start()).when(prompt()).then('prompted');
  given(...working, stop()).when(prompt()).then('prompted');
});

test('the first model activity after a prompt is model_working, or tool_running when it is a tool call', () => {
  given(start(), prompt()).when(says()).then('model_working');
  given(start(), prompt()).when(pre('t1')).then('tool_running');
});

test('PostToolUse, PostToolUseFailure and PermissionDenied end the call: back to model_working', () => {
  given(...working, pre('t1')).when(post('t1')).then('model_working');
  const failed = given(...working, pre('t1')).when(fails('t1')).then('model_working');
  assert.equal(failed.counts.toolFailures, 1);
  const refused = given(...working, pre('t1')).when(denied('t1')).then('model_working');
  assert.equal(refused.counts.permissionDenials, 1);
  assert.deepEqual(refused.openTools, []);
});

test('parallel tool calls stay tool_running until every open call has ended, in any order', () => {
  const one = given(...working, pre('t1'), pre('t2')).when(post('t1')).then('tool_running');
  assert.deepEqual(one.openTools.map((t) => t.key), ['t2']);
  given(...working, pre('t1'), pre('t2'), post('t1')).when(post('t2')).then('model_working');
});

test('a call denied by a hook gets no Post* event: PostToolBatch closes the calls it lists', () => {
  const s = given(...working, pre('t1'), pre('t2')).when(batch('t1', 't2')).then('model_working');
  assert.deepEqual(s.openTools, []);
  given(...working, pre('t1'), pre('t2')).when(batch('t1')).then('tool_running');
});

test('PermissionRequest (no tool_use_id) waits on the call with the same name and input', () => {
  const s = given(...working, pre('t1'), pre('t2')).when(asks('t1')).then('waiting_for_permission');
  assert.equal(open(s, 't1')?.awaitingPermission, true);
  assert.equal(open(s, 't2')?.awaitingPermission, false);
  assert.equal(s.counts.permissionRequests, 1);
});

test('waiting_for_permission lasts until that call ends, whichever way it ends', () => {
  given(...working, pre('t1'), asks('t1')).when(post('t1')).then('model_working');
  given(...working, pre('t1'), asks('t1')).when(fails('t1')).then('model_working');
  given(...working, pre('t1'), asks('t1')).when(denied('t1')).then('model_working');
  given(...working, pre('t1'), asks('t1')).when(batch('t1')).then('model_working');
  given(...working, pre('t1'), pre('t2'), asks('t1')).when(post('t2')).then('waiting_for_permission');
  given(...working, pre('t1'), pre('t2'), asks('t1')).when(post('t1')).then('tool_running');
});

test('a PermissionRequest whose PreToolUse was missed still waits, and its call ends it by name and input', () => {
  given(...working).when(asks('t9')).then('waiting_for_permission');
  given(...working, asks('t9')).when(post('t9')).then('model_working');
});

test('Notification permission_prompt marks the open call as waiting; other notifications change nothing', () => {
  given(...working, pre('t1')).when(notify('permission_prompt')).then('waiting_for_permission');
  given(...working).when(notify('permission_prompt')).then('model_working');
  given(...working, stop()).when(notify('idle_prompt')).then('idle');
  // Already waiting on t1: the notification is the same prompt, not one for the parallel t2.
  const s = given(...working, pre('t1'), pre('t2'), asks('t1')).when(notify('permission_prompt')).then('waiting_for_permission');
  assert.equal(open(s, 't2')?.awaitingPermission, false);
});

test('a subagent: subagent_running from its start to its stop, its own tool calls do not leave it', () => {
  const agent = [...working, pre('t1', 'Agent')];
  given(...agent).when(subStart('a1')).then('subagent_running');
  given(...agent, subStart('a1')).when(says('a1')).then('subagent_running');
  given(...agent, subStart('a1')).when(pre('t2', 'Bash', 'a1')).then('subagent_running');
  given(...agent, subStart('a1'), pre('t2', 'Bash', 'a1')).when(post('t2', 'Bash', 'a1')).then('subagent_running');
  // The Agent call itself is still open after SubagentStop (its PostToolUse follows).
  given(...agent, subStart('a1'), pre('t2', 'Bash', 'a1'), post('t2', 'Bash', 'a1')).when(subStop('a1')).then('tool_running');
  given(...agent, subStart('a1'), subStop('a1')).when(post('t1', 'Agent')).then('model_working');
});

test('a permission prompt inside a subagent shows waiting_for_permission, then back to subagent_running', () => {
  const inside = [...working, pre('t1', 'Agent'), subStart('a1'), pre('t2', 'Bash', 'a1')];
  given(...inside).when(asks('t2', 'Bash', 'a1')).then('waiting_for_permission');
  given(...inside, asks('t2', 'Bash', 'a1')).when(post('t2', 'Bash', 'a1')).then('subagent_running');
});

test('SubagentStop drops the calls its subagent left open', () => {
  const s = given(...working, pre('t1', 'Agent'), subStart('a1'), pre('t2', 'Bash', 'a1')).when(subStop('a1')).then('tool_running');
  assert.deepEqual(s.openTools.map((t) => t.key), ['t1']);
});

test('compaction exactly as captured: PreCompact, SubagentStop with empty agent_type, SessionStart compact, PostCompact', () => {
  const idle = [...working, stop()];
  given(...idle).when(preCompact()).then('compacting');
  given(...idle, preCompact()).when(subStop('a9', '')).then('compacting');
  const after = given(...idle, preCompact(), subStop('a9', '')).when(start('compact', { model: 'claude-opus' })).then('idle');
  assert.equal(after.model, 'claude-opus');
  const s = given(...idle, preCompact(), subStop('a9', ''), start('compact')).when(postCompact()).then('idle');
  assert.equal(s.counts.compactions, 1);
  assert.equal(s.counts.subagents, 0);
});

test('an automatic compaction in the middle of a turn returns to what the session was doing', () => {
  given(...working, preCompact('auto')).when(postCompact('auto')).then('model_working');
});

test('Stop and StopFailure end the turn: idle, and calls still open are dropped', () => {
  const s = given(...working, pre('t1')).when(stop()).then('idle');
  assert.deepEqual(s.openTools, []);
  given(...working).when(stopFailure()).then('idle');
});

test('activity after a Stop (a Stop hook blocked it) makes the model work again', () => {
  given(...working, stop()).when(says()).then('model_working');
  given(...working, stop()).when(pre('t1')).then('tool_running');
});

test('a tool end stamped after the Stop (a straggling parallel hook) does not wake the session', () => {
  given(...working, pre('t1'), stop()).when(post('t1')).then('idle');
});

test('SessionEnd ends the session; later events change nothing, not even a new startup', () => {
  const ended = given(...working, stop()).when(end('prompt_input_exit')).then('ended');
  assert.equal(ended.endReason, 'prompt_input_exit');
  for (const late of [prompt(), pre('t1'), stop(), start('startup'), start('compact')]) {
    assert.equal(evolveLifecycle(ended, at(T0 + 99 * STEP, late)), ended);
  }
});

test('a SessionStart with source resume reopens an ended session; the time it was closed counts as ended', () => {
  const history = [...working, stop(), end()];
  const s = given(...history).when(at(T0 + (history.length - 1) * STEP + 60_000, start('resume'))).then('starting');
  assert.equal(s.ended, false);
  assert.equal(s.counts.resumes, 1);
  assert.equal(s.timeInState.ended, 60_000);
  given(...history, start('resume')).when(prompt()).then('prompted');
});

test('a hard-killed session (no SessionEnd) is live until the silence passes, then abandoned', () => {
  const s = foldLifecycle(stamped([...working, pre('t1')]));
  const last = s.lastEventAt ?? 0;
  assert.equal(deriveSessionStatus(s, last + 1000), 'live');
  assert.equal(deriveSessionStatus(s, last + DEFAULT_SILENCE_MS), 'live');
  assert.equal(deriveSessionStatus(s, last + DEFAULT_SILENCE_MS + 1), 'abandoned');
  assert.equal(deriveSessionStatus(s, last + 5000, 4000), 'abandoned');
  assert.equal(s.state, 'tool_running', 'abandoned is derived at read time, never folded in');
});

test('deriveSessionStatus: idle while waiting for the user, ended once SessionEnd is seen, however long ago', () => {
  const idle = foldLifecycle(stamped([...working, stop()]));
  assert.equal(deriveSessionStatus(idle, (idle.lastEventAt ?? 0) + 1000), 'idle');
  assert.equal(deriveSessionStatus(foldLifecycle(stamped([start()])), T0 + 1000), 'idle');
  const ended = foldLifecycle(stamped([...working, end()]));
  assert.equal(deriveSessionStatus(ended, (ended.lastEventAt ?? 0) + 10 * DEFAULT_SILENCE_MS), 'ended');
});

test('unknown types, quarantined inputs and events of other origins return the very same state', () => {
  const s = foldLifecycle(stamped([...working, pre('t1')]));
  const others: LifecycleEvent[] = [
    hook('SomeFutureHookEvent', {}, T0 + 50 * STEP),
    { type: 'InvalidHookInput', data: { reason: 'bad json' }, metadata: { source: 'hook', receivedAt: new Date(T0 + 50 * STEP).toISOString() } },
    { type: 'WorkflowTransitioned', data: { to: 'review' }, metadata: { source: 'cli', receivedAt: new Date(T0 + 50 * STEP).toISOString() } },
    { ...stop(), metadata: { source: 'mcp', receivedAt: new Date(T0 + 50 * STEP).toISOString() } },
    hook('toString', {}, T0 + 50 * STEP),
  ];
  for (const event of others) assert.equal(evolveLifecycle(s, event), s, event.type);
});

test('a known hook event with no transition (TaskCreated) keeps the state but books the time', () => {
  const s = given(...working, pre('t1')).when(hook('TaskCreated', { task_id: '1' })).then('tool_running');
  assert.equal(s.timeInState.tool_running, STEP);
  assert.equal(s.counts.events, 5);
});

test('cwd, transcript_path and model are kept as last seen', () => {
  const s = foldLifecycle(stamped([start('startup', { cwd: '/a', transcript_path: '/t.jsonl' }), start('compact', { cwd: '/b', model: 'm1' }), prompt()]));
  assert.deepEqual([s.cwd, s.transcriptPath, s.model], ['/b', '/t.jsonl', 'm1']);
});

// ---- time per state ----

test('each event books the interval since the previous one to the state the session was in', () => {
  const s = foldLifecycle([at(T0, start()), at(T0 + 100, prompt()), at(T0 + 300, says()), at(T0 + 700, pre('t1')), at(T0 + 1500, post('t1')), at(T0 + 1600, stop())]);
  assert.deepEqual(
    { starting: s.timeInState.starting, prompted: s.timeInState.prompted, model_working: s.timeInState.model_working, tool_running: s.timeInState.tool_running, idle: s.timeInState.idle },
    { starting: 100, prompted: 200, model_working: 500, tool_running: 800, idle: 0 },
  );
  assert.equal(totalTime(s.timeInState), 1600);
  assert.deepEqual(s.transitions, { 'starting→prompted': 1, 'prompted→model_working': 1, 'model_working→tool_running': 1, 'tool_running→model_working': 1, 'model_working→idle': 1 });
  assert.equal(s.enteredAt, T0 + 1600);
});

test('an event stamped earlier than the last one (parallel hooks) is folded at the last time: no negative interval', () => {
  const s = foldLifecycle([at(T0, start()), at(T0 + 500, prompt()), at(T0 + 200, says()), at(T0 + 900, stop())]);
  assert.equal(s.timeInState.prompted, 0);
  assert.equal(s.timeInState.model_working, 400);
  assert.equal(s.lastEventAt, T0 + 900);
});

test('an event without a readable receivedAt keeps the previous time', () => {
  const noStamp = { ...prompt(), metadata: { source: 'hook', receivedAt: 'not a date' } };
  const s = foldLifecycle([at(T0, start()), noStamp, at(T0 + 300, says())]);
  assert.equal(s.timeInState.starting, 0);
  assert.equal(s.timeInState.prompted, 300);
  assert.equal(s.state, 'model_working');
});

test('timePerState with now adds the open interval to the current state, unless the session ended', () => {
  const s = foldLifecycle([at(T0, start()), at(T0 + 100, prompt()), at(T0 + 300, pre('t1'))]);
  assert.equal(timePerState(s).tool_running, 0);
  assert.equal(timePerState(s, T0 + 1300).tool_running, 1000);
  assert.equal(totalTime(timePerState(s, T0 + 1300)), 1300);
  assert.equal(timePerState(s, T0 + 200).tool_running, 0, 'a clock behind the last event adds nothing');
  const ended = evolveLifecycle(s, at(T0 + 400, end()));
  assert.equal(totalTime(timePerState(ended, T0 + 99_000)), 400);
});

test('the state is plain JSON: a snapshot read back folds on to the same result', () => {
  const events = stamped([...working, pre('t1', 'Agent'), subStart('a1'), pre('t2', 'Bash', 'a1'), asks('t2', 'Bash', 'a1')]);
  const snapshot = JSON.parse(JSON.stringify(foldLifecycle(events.slice(0, 5)))) as LifecycleState;
  assert.deepEqual(snapshot, foldLifecycle(events.slice(0, 5)));
  assert.deepEqual(foldLifecycle(events.slice(5), snapshot), foldLifecycle(events));
  assert.deepEqual(LIFECYCLE_STATES, Object.keys(initialLifecycleState.timeInState));
});

// ---- the real captured session ----

function fixtureEvents(): LifecycleEvent[] {
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'full-session.hooks.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => {
    const row = JSON.parse(line) as { event: string; ts_ms: number; payload: Record<string, unknown> };
    return { type: row.event, data: row.payload, metadata: { source: 'hook', receivedAt: new Date(row.ts_ms).toISOString() } };
  });
}

function stateChanges(events: readonly LifecycleEvent[]): LifecycleStateName[] {
  const names: LifecycleStateName[] = [];
  let state = initialLifecycleState;
  for (const event of events) {
    state = evolveLifecycle(state, event);
    if (names[names.length - 1] !== state.state) names.push(state.state);
  }
  return names;
}

test('the captured session folds to the expected sequence of states', () => {
  const W = 'model_working', T = 'tool_running', P = 'waiting_for_permission';
  assert.deepEqual(stateChanges(fixtureEvents()), [
    'starting', 'prompted', W,
    T, W, T, W, T, W, T, W, // Write, Read, Bash, Edit
    T, W, // Read that fails
    T, P, W, // Bash asks permission, then fails
    T, W, T, W, // two Bash calls denied by a hook: no Post*, PostToolBatch closes them
    T, P, W, // Bash asks permission, then runs
    T, W, // Bash and Read in parallel, ending in the other order
    T, 'subagent_running', T, W, // Agent call, its subagent with an inner Bash, the Agent call ends
    T, W, T, W, // TaskCreate, TaskUpdate
    'idle', 'prompted', W, 'idle', // second prompt
    'compacting', 'idle', // /compact
    'ended',
  ]);
});

test('the captured session: time per state sums to its duration, counts and nothing left open', () => {
  const events = fixtureEvents();
  const s = foldLifecycle(events);
  const first = Date.parse(String(events[0]?.metadata['receivedAt']));
  const last = Date.parse(String(events[events.length - 1]?.metadata['receivedAt']));
  assert.equal(totalTime(timePerState(s)), last - first);
  assert.equal(last - first, 2315);
  assert.equal(s.timeInState.starting, 114);
  assert.equal(s.timeInState.waiting_for_permission, 48 + 167);
  assert.equal(s.timeInState.compacting, 71);
  assert.equal(s.timeInState.ended, 0);
  assert.deepEqual([s.ended, s.endReason, s.compacting, s.openTools, s.openSubagents], [true, 'other', false, [], []]);
  assert.deepEqual(s.counts, { events: 63, prompts: 2, toolCalls: 15, toolFailures: 2, permissionRequests: 2, permissionDenials: 0, subagents: 1, compactions: 1, stops: 2, stopFailures: 0, resumes: 0 });
  assert.deepEqual([s.cwd, s.model], ['/home/dev/full-session', 'claude-opus-4-8[1m]']);
});

test('events read back from the store (RecordedEvent) fold as they are', () => {
  const recorded: RecordedEvent[] = fixtureEvents().map((e, i) => ({
    globalPosition: i + 1, streamId: 's1', streamPosition: i + 1, eventId: `e${i}`, type: e.type, schemaVersion: 1,
    recordedAt: String(e.metadata['receivedAt']), correlationId: null, causationId: null, data: e.data, metadata: e.metadata,
  }));
  assert.deepEqual(foldLifecycle(recorded), foldLifecycle(fixtureEvents()));
});

// ---- generated sequences ----


function randomEvents(random: () => number, length: number): LifecycleEvent[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const id = (): string => pick(['t1', 't2', 't3', 't4']);
  const agent = (): string | undefined => pick([undefined, undefined, 'a1', 'a2']);
  const makers: (() => LifecycleEvent)[] = [
    () => start(pick(['startup', 'resume', 'compact', 'clear'])), prompt, () => says(agent()),
    () => pre(id(), 'Bash', agent()), () => post(id(), 'Bash', agent()), () => fails(id()), () => denied(id()),
    () => asks(id(), 'Bash', agent()), () => batch(id(), id()), () => notify(pick(['permission_prompt', 'idle_prompt'])),
    () => subStart(pick(['a1', 'a2'])), () => subStop(pick(['a1', 'a2', 'a9']), pick(['general-purpose', ''])),
    () => preCompact(), () => postCompact(), stop, stopFailure, () => end(),
    () => hook('TaskCreated'), () => hook('SomeFutureHookEvent'), () => ({ type: 'WorkflowTransitioned', data: 42, metadata: { source: 'cli' } }),
  ];
  let clock = T0;
  return Array.from({ length }, () => {
    const event = pick(makers)();
    clock += Math.floor(random() * 3000) - 500; // sometimes earlier than the previous stamp
    const roll = random();
    if (roll < 0.05) return event; // no stamp at all
    if (roll < 0.08) return { ...event, metadata: { ...event.metadata, receivedAt: 'garbage' } };
    return at(clock, event);
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

test('on generated sequences: time per state sums to lastEventAt − startedAt (and to now − startedAt), never negative, state never mutated', () => {
  for (let seed = 1; seed <= 300; seed += 1) {
    const random = seeded(seed);
    let state = deepFreeze(initialLifecycleState);
    for (const event of randomEvents(random, Math.floor(random() * 80))) {
      const json = JSON.stringify(state);
      state = deepFreeze(evolveLifecycle(state, event));
      assert.equal(typeof json, 'string');
      const duration = state.lastEventAt === null || state.startedAt === null ? 0 : state.lastEventAt - state.startedAt;
      assert.equal(totalTime(timePerState(state)), duration, `seed ${seed}`);
      assert.ok(Object.values(state.timeInState).every((ms) => ms >= 0), `seed ${seed}`);
      assert.equal(state.ended, state.state === 'ended', `seed ${seed}`);
      if (!state.ended && state.startedAt !== null && state.lastEventAt !== null) {
        const now = state.lastEventAt + 12_345;
        assert.equal(totalTime(timePerState(state, now)), now - state.startedAt, `seed ${seed}`);
      }
    }
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state, `seed ${seed}: JSON round trip`);
  }
});
