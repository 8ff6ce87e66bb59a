import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupMember, GroupSummary, SessionLink } from '../../src/domain/groups/model';
import { buildGroupTimeline } from '../../src/projections/groups/timeline/group-timeline';
import { GROUP_MAX_ITEMS } from '../../src/projections/groups/timeline/lane-budget';
import { fitArrows, GROUP_MAX_ARROWS } from '../../src/projections/groups/timeline/arrow-budget';
import { groupTimelineWebviewMessage } from '../../src/protocol/group-timeline';
import type { GroupTimelineArrow, GroupTimelineModel } from '../../src/protocol/group-timeline';
import { decodeGroupTimeline, encodeGroupTimeline } from '../../src/protocol/group-timeline-wire';
import type { RecordedEvent } from '../../src/store/event-store';

// ---- builders: streams of one store (global positions shared), a group over them ----

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
type Data = Record<string, unknown>;

class Store {
  position = 0;
}

class Stream {
  readonly events: RecordedEvent[] = [];

  constructor(readonly id: string, private readonly store: Store, public clock = T0) {}

  hook(type: string, data: Data = {}, step = 1000): this {
    this.clock += step;
    this.store.position += 1;
    const position = this.store.position;
    this.events.push({
      globalPosition: position, streamId: this.id, streamPosition: this.events.length + 1, eventId: `e${position}`, type, schemaVersion: 1,
      recordedAt: iso(this.clock), correlationId: null, causationId: null,
      data: { session_id: this.id, hook_event_name: type, ...data }, metadata: { source: 'hook', receivedAt: iso(this.clock) },
    });
    return this;
  }

  /** The global position of the last event added. */
  get last(): RecordedEvent {
    return this.events[this.events.length - 1] as RecordedEvent;
  }
}

const call = (id: string, tool: string, extra: Data = {}): Data => ({ tool_name: tool, tool_input: { command: id }, tool_use_id: id, ...extra });

function member(sessionId: string, role: GroupMember['role'], parent: string | null, stream?: Stream): GroupMember {
  const first = stream?.events[0];
  return {
    sessionId, title: `title of ${sessionId}`, role, parentSessionId: parent, worktree: null, branch: null,
    firstEventAt: first === undefined ? null : Date.parse(first.recordedAt), lastEventAt: null, activeMs: 0, ended: false,
    lifecycleState: 'idle', toolCalls: 0, toolFailures: 0, costUsd: 0, tokens: 0,
  };
}

function group(members: readonly GroupMember[], links: readonly SessionLink[]): GroupSummary {
  return { id: 'run:r1', kind: 'run', label: 'r1', members, firstEventAt: null, lastEventAt: null, spanMs: 0, activeMs: 0, costUsd: 0, tokens: 0, failures: 0, links };
}

function evidence(stream: Stream, event: RecordedEvent, what: string): SessionLink['evidence'][number] {
  return { sessionId: stream.id, eventId: event.eventId, position: event.globalPosition, at: Date.parse(event.recordedAt), what };
}

/** A lead that starts a worker with Bash, runs a subagent that writes a file, and a worker that reads it. */
function leadAndWorker(): { lead: Stream; worker: Stream; spawnCall: RecordedEvent; written: RecordedEvent; read: RecordedEvent } {
  const store = new Store();
  const lead = new Stream('lead-session-1', store);
  const worker = new Stream('worker-session-2', store, T0 + 2500);
  lead.hook('SessionStart', { source: 'startup' }).hook('UserPromptSubmit', { prompt: 'split the work' });
  lead.hook('PreToolUse', call('t-spawn', 'Bash'));
  const spawnCall = lead.last;
  worker.hook('SessionStart', { source: 'startup' }).hook('UserPromptSubmit', { prompt: 'work A' });
  lead.hook('SubagentStart', { agent_id: 'agent-abcdef123', agent_type: 'general-purpose' })
    .hook('PreToolUse', call('t-write', 'Write', { agent_id: 'agent-abcdef123', tool_input: { file_path: '/w/a.txt' } }));
  const written = lead.last;
  lead.hook('PostToolUse', call('t-write', 'Write', { agent_id: 'agent-abcdef123' }))
    .hook('SubagentStop', { agent_id: 'agent-abcdef123', agent_type: 'general-purpose' })
    .hook('PostToolUse', call('t-spawn', 'Bash'));
  worker.hook('PreToolUse', call('w-read', 'Read', { tool_input: { file_path: '/w/a.txt' } }));
  const read = worker.last;
  worker.hook('PostToolUse', call('w-read', 'Read')).hook('Stop').hook('SessionEnd', { reason: 'exit' });
  lead.hook('Stop').hook('SessionEnd', { reason: 'exit' });
  return { lead, worker, spawnCall, written, read };
}

function spawnLink(from: string, to: string, at: number, toolUseId?: string): SessionLink {
  return { id: `spawn:${from}>${to}`, kind: 'spawn', from, to, exact: true, at, subject: 'sh worker.sh A', ...(toolUseId === undefined ? {} : { toolUseId, toolUseMatch: 'command' as const }), evidence: [] };
}

function laneIds(model: GroupTimelineModel): string[] {
  return model.lanes.map((l) => l.id);
}

// ---- lanes ----

test('lanes: a lane per member in spawn-tree order, each member\'s subagents right under it, indented', () => {
  const { lead, worker } = leadAndWorker();
  // The worker is listed first: the tree still puts its parent above it.
  const model = buildGroupTimeline(group([member(worker.id, 'worker', lead.id, worker), member(lead.id, 'lead', null, lead)], []), [{ sessionId: lead.id, events: lead.events }, { sessionId: worker.id, events: worker.events }]);
  assert.deepEqual(laneIds(model), [lead.id, `${lead.id}/agent-abcdef123`, worker.id]);
  assert.deepEqual(model.lanes.map((l) => [l.role, l.depth]), [['lead', 0], ['subagent', 1], ['worker', 0]]);
  assert.equal(model.lanes[0]?.label, `title of ${lead.id}`);
  assert.equal(model.lanes[1]?.label, 'general-purpose agent-ab');
  assert.equal(model.start, Date.parse(lead.events[0]?.recordedAt ?? ''));
  assert.equal(model.stats.events, lead.events.length + worker.events.length);
});

test('lanes: a session lane holds its states on row 0 and its main-agent calls below; the subagent lane holds only the subagent\'s calls', () => {
  const { lead, worker, spawnCall, written } = leadAndWorker();
  const model = buildGroupTimeline(group([member(lead.id, 'lead', null, lead), member(worker.id, 'worker', lead.id, worker)], []), [{ sessionId: lead.id, events: lead.events }, { sessionId: worker.id, events: worker.events }]);
  const [leadLane, agentLane] = model.lanes;
  assert.ok(leadLane !== undefined && agentLane !== undefined);
  const states = leadLane.items.filter((i) => i.layer === 'state');
  assert.ok(states.length > 0 && states.every((i) => i.row === 0));
  assert.ok(states.some((i) => i.kind === 'subagent_running'), 'the lifecycle states are the report\'s');
  const calls = leadLane.items.filter((i) => i.layer === 'call');
  assert.deepEqual(calls.map((i) => [i.label, i.kind, i.position, i.row >= 1]), [['Bash', 'ok', spawnCall.globalPosition, true]]);
  assert.deepEqual(agentLane.items.map((i) => [i.label, i.kind, i.position, i.sessionId]), [['Write', 'ok', written.globalPosition, lead.id]]);
  assert.ok(agentLane.span !== null && agentLane.span.start < agentLane.span.end);
  assert.ok(leadLane.items.some((i) => i.layer === 'marker' && i.kind === 'prompt'), 'markers ride on the state row');
  for (const lane of model.lanes) for (const item of lane.items) assert.equal(item.sessionId, lane.sessionId);
});

test('lanes: a member without events keeps an empty lane', () => {
  const { lead } = leadAndWorker();
  const model = buildGroupTimeline(group([member(lead.id, 'lead', null, lead), member('silent', 'worker', lead.id)], []), [{ sessionId: lead.id, events: lead.events }]);
  const silent = model.lanes.find((l) => l.id === 'silent');
  assert.ok(silent !== undefined);
  assert.deepEqual([silent.items.length, silent.span], [0, null]);
});

// ---- arrows ----

test('arrows: a spawn goes from the parent\'s call that started the child to the child\'s first event', () => {
  const { lead, worker, spawnCall } = leadAndWorker();
  const link = spawnLink(lead.id, worker.id, Date.parse(worker.events[0]?.recordedAt ?? ''), 't-spawn');
  const model = buildGroupTimeline(group([member(lead.id, 'lead', null, lead), member(worker.id, 'worker', lead.id, worker)], [link]), [{ sessionId: lead.id, events: lead.events }, { sessionId: worker.id, events: worker.events }]);
  assert.equal(model.arrows.length, 1);
  const arrow = model.arrows[0];
  assert.ok(arrow !== undefined);
  assert.deepEqual([arrow.id, arrow.kind, arrow.exact, arrow.label], [link.id, 'spawn', true, 'spawn: sh worker.sh A']);
  assert.deepEqual(arrow.from, { lane: 0, sessionId: lead.id, at: Date.parse(spawnCall.recordedAt), position: spawnCall.globalPosition });
  assert.deepEqual(arrow.to, { lane: 2, sessionId: worker.id, at: Date.parse(worker.events[0]?.recordedAt ?? ''), position: worker.events[0]?.globalPosition });
});

test('arrows: a spawn without its call starts on the parent\'s lane at the child\'s start, with no event', () => {
  const { lead, worker } = leadAndWorker();
  const model = buildGroupTimeline(group([member(lead.id, 'lead', null, lead), member(worker.id, 'worker', lead.id, worker)], [spawnLink(lead.id, worker.id, 0, 'not-a-call')]), [{ sessionId: lead.id, events: lead.events }, { sessionId: worker.id, events: worker.events }]);
  const arrow = model.arrows[0];
  assert.ok(arrow !== undefined);
  assert.deepEqual(arrow.from, { lane: 0, sessionId: lead.id, at: arrow.to.at, position: null });
});

test('arrows: a hand-off goes from its first evidence to its second, on the subagent\'s lane when a subagent produced it; inferred is kept', () => {
  const { lead, worker, written, read } = leadAndWorker();
  const link: SessionLink = {
    id: 'handoff-file:/w/a.txt', kind: 'handoff-file', from: lead.id, to: worker.id, exact: false, at: Date.parse(read.recordedAt), subject: '/w/a.txt',
    evidence: [evidence(lead, written, 'wrote /w/a.txt'), evidence(worker, read, 'read /w/a.txt')],
  };
  const model = buildGroupTimeline(group([member(lead.id, 'lead', null, lead), member(worker.id, 'worker', lead.id, worker)], [link]), [{ sessionId: lead.id, events: lead.events }, { sessionId: worker.id, events: worker.events }]);
  const arrow = model.arrows[0];
  assert.ok(arrow !== undefined);
  assert.deepEqual([arrow.kind, arrow.exact, arrow.label], ['handoff-file', false, 'file: /w/a.txt (inferred)']);
  assert.deepEqual(arrow.from, { lane: 1, sessionId: lead.id, at: Date.parse(written.recordedAt), position: written.globalPosition });
  assert.deepEqual(arrow.to, { lane: 2, sessionId: worker.id, at: Date.parse(read.recordedAt), position: read.globalPosition });
});

test('arrows: a link to a session outside the group is counted, not drawn', () => {
  const { lead, worker } = leadAndWorker();
  const model = buildGroupTimeline(group([member(lead.id, 'lead', null, lead)], [spawnLink(lead.id, worker.id, 0)]), [{ sessionId: lead.id, events: lead.events }]);
  assert.deepEqual([model.arrows.length, model.stats.unplacedLinks], [0, 1]);
});

// ---- bound ----

function busySession(id: string, store: Store, turns: number): Stream {
  const s = new Stream(id, store);
  s.hook('SessionStart', { source: 'startup' });
  for (let t = 0; t < turns; t += 1) {
    s.hook('UserPromptSubmit', { prompt: `turn ${t}` }, 200);
    for (let c = 0; c < 5; c += 1) {
      const id = `${s.id}-${t}-${c}`;
      s.hook('PreToolUse', call(id, 'Bash'), 50).hook(c === 4 ? 'PostToolUseFailure' : 'PostToolUse', call(id, 'Bash'), 300);
    }
    s.hook('Stop', {}, 100);
  }
  return s;
}

test('bound: 20 sessions of 2,500 events give a few thousand items, every call still counted once, positions real', () => {
  const store = new Store();
  const streams = Array.from({ length: 20 }, (_, i) => busySession(`s${String(i).padStart(2, '0')}`, store, 200));
  const model = buildGroupTimeline(group(streams.map((s, i) => member(s.id, i === 0 ? 'lead' : 'worker', i === 0 ? null : 's00', s)), []), streams.map((s) => ({ sessionId: s.id, events: s.events })));
  assert.equal(model.stats.events, 20 * (1 + 200 * 12));
  assert.ok(model.stats.items <= GROUP_MAX_ITEMS, `${model.stats.items} items`);
  assert.ok(model.stats.itemsBeforeMerge > GROUP_MAX_ITEMS * 5, 'the input was well over the budget');
  for (const [i, lane] of model.lanes.entries()) {
    assert.ok(lane.merged > 0, 'every busy lane was merged');
    const calls = lane.items.filter((x) => x.layer === 'call');
    assert.equal(calls.reduce((n, x) => n + x.count, 0), 200 * 5, 'merged calls add up to the session\'s calls');
    assert.ok(calls.some((x) => x.kind === 'failed'), 'a merged run shows its worst outcome');
    const positions = new Set(streams[i]?.events.map((e) => e.globalPosition));
    assert.ok(lane.items.every((x) => x.position !== null && positions.has(x.position)), 'a merged item opens one of its own session\'s events');
  }
});

// ---- protocol ----

test('protocol: the host accepts only a well-formed open message', () => {
  assert.ok(groupTimelineWebviewMessage.safeParse({ type: 'open', sessionId: 's1', position: 12 }).success);
  assert.ok(groupTimelineWebviewMessage.safeParse({ type: 'open', sessionId: 's1', position: null }).success);
  for (const bad of [{ type: 'open', sessionId: '', position: 1 }, { type: 'open', sessionId: 's1', position: -1 }, { type: 'open', sessionId: 's1', position: 1, extra: 1 }, { type: 'run', command: 'x' }]) {
    assert.ok(!groupTimelineWebviewMessage.safeParse(bad).success, JSON.stringify(bad));
  }
});

test('arrows are bounded: past the budget, inferred arrows between the same lanes close in time become one that counts them; exact ones stay', () => {
  const end = (lane: number, at: number): GroupTimelineArrow['from'] => ({ lane, sessionId: `s${lane}`, at, position: at });
  const inferred = Array.from({ length: 3000 }, (_, i): GroupTimelineArrow => ({ id: `h${i}`, kind: 'handoff-file', exact: false, label: `file: /w/${i % 40}.ts (inferred)`, from: end(i % 3, T0 + i * 1000), to: end(3 + (i % 2), T0 + i * 1000 + 500) }));
  const exact = Array.from({ length: 5 }, (_, i): GroupTimelineArrow => ({ id: `s${i}`, kind: 'spawn', exact: true, label: 'spawn: sh w.sh', from: end(0, T0 + i), to: end(i + 1, T0 + i + 10) }));
  const fitted = fitArrows([...inferred, ...exact], { start: T0, end: T0 + 3000 * 1000 + 500 });
  assert.ok(fitted.length <= GROUP_MAX_ARROWS, `${fitted.length} arrows`);
  assert.deepEqual(fitted.filter((a) => a.exact).map((a) => a.id).sort(), exact.map((a) => a.id).sort(), 'every exact arrow, unmerged');
  assert.equal(fitted.filter((a) => !a.exact).reduce((n, a) => n + (a.count ?? 1), 0), 3000, 'the merged arrows count every link');
  for (const a of fitted.filter((x) => (x.count ?? 1) > 1)) {
    assert.match(a.label, /^file: \/w\/\d+\.ts \(inferred\) and \d+ more$/);
    assert.equal(a.label.endsWith(`and ${(a.count ?? 1) - 1} more`), true);
  }
  assert.deepEqual(fitArrows(inferred.slice(0, 10), { start: T0, end: T0 + 1e6 }), inferred.slice(0, 10), 'under the budget nothing changes');
});

// ---- the wire form (what the panel sends and an exported page embeds) ----

/** A model built from real folds (a spawn, a subagent lane, a hand-off, a busy lane), plus the odd cases the builder can make. */
function wireModel(): GroupTimelineModel {
  const { lead, worker, spawnCall, written, read } = leadAndWorker();
  const links: SessionLink[] = [
    spawnLink(lead.id, worker.id, Date.parse(worker.events[0]?.recordedAt ?? ''), 't-spawn'),
    { id: 'handoff-file:/w/a.txt', kind: 'handoff-file', from: lead.id, to: worker.id, exact: false, at: Date.parse(read.recordedAt), subject: '/w/a.txt', evidence: [evidence(lead, written, 'wrote'), evidence(worker, read, 'read')] },
  ];
  const busy = busySession('busy-3', new Store(), 300);
  const built = buildGroupTimeline(group([member(lead.id, 'lead', null, lead), member(worker.id, 'worker', lead.id, worker), member(busy.id, 'worker', lead.id, busy)], links),
    [{ sessionId: lead.id, events: lead.events }, { sessionId: worker.id, events: worker.events }, { sessionId: busy.id, events: busy.events }]);
  assert.ok(built.arrows.length === 2 && spawnCall !== undefined && built.lanes.some((l) => l.depth === 1));
  // A clock that stepped back, a fractional time, an item without an event, hostile text, a merged item.
  const odd = { start: T0 + 0.25, end: T0 - 5000, row: 2, layer: 'call' as const, label: '</script><b>x</b>', kind: 'failed', sessionId: lead.id, position: null, count: 1 };
  const merged = { start: T0 + 10, end: T0 + 99_000, row: 1, layer: 'call' as const, label: '12 calls', kind: 'ok', sessionId: lead.id, position: 3, count: 12 };
  return { ...built, lanes: built.lanes.map((l, i) => (i === 0 ? { ...l, items: [...l.items, odd, merged], merged: 11 } : l)) };
}

test('wire: the model goes through JSON as its wire form and comes back equal, in about a fifth of the bytes', () => {
  const model = wireModel();
  const text = JSON.stringify(encodeGroupTimeline(model));
  const back = decodeGroupTimeline(JSON.parse(text));
  assert.ok(back.ok, back.ok ? '' : back.problem);
  assert.deepEqual(back.model, JSON.parse(JSON.stringify(model)));
  const ratio = text.length / JSON.stringify(model).length;
  assert.ok(ratio < 0.3, `the wire form is ${(ratio * 100).toFixed(0)}% of the objects' JSON`);
});

test('wire: what is malformed is named, never half decoded', () => {
  const good = JSON.parse(JSON.stringify(encodeGroupTimeline(wireModel()))) as Record<string, unknown> & { lanes: Record<string, unknown>[] };
  const lane = (items: unknown): unknown => ({ ...good, lanes: [{ ...good.lanes[0], items }] });
  const cases: [unknown, RegExp][] = [
    [null, /the timeline is not an object/],
    [{ ...good, wire: 1 }, /wire version is 1, not 2/],
    [{ ...good, kind: 'gang' }, /kind is not a group kind/],
    [{ ...good, strings: ['a', 3] }, /strings\[1\] is not text/],
    [lane([0, 1, 0, 0, 0, 0, 0, 5]), /lanes\[0\]\.items holds 8 numbers, not a multiple of 9/],
    [lane([0, 1, 0, 0, 0, 0, 0, 5, 1, 0, 'x', 0, 0, 0, 0, 0, 5, 1]), /lanes\[0\]\.items\[1\] has a field that is not a number/],
    [lane([0, 1, 0, 7, 0, 0, 0, 5, 1]), /lanes\[0\]\.items\[0\]\.layer is not a layer/],
    [lane([0, 1, 0, 0, 99999, 0, 0, 5, 1]), /lanes\[0\]\.items\[0\]\.label names no string of the table/],
    [lane([0, 1, 0.5, 0, 0, 0, 0, 5, 1]), /lanes\[0\]\.items\[0\]\.row is not a row/],
    [lane([0, 1, 0, 0, 0, 0, 0, -3, 1]), /position is not an event's position/],
    [lane([0, 1, 0, 0, 0, 0, 0, 5, 0]), /count is not a count/],
    [{ ...good, lanes: [{ ...good.lanes[0], role: 'boss' }] }, /lanes\[0\]\.role is not a role/],
    [{ ...good, arrows: [{ id: 'a', label: 'x', kind: 'spawn', exact: true, from: { lane: 0, sessionId: 's', at: 1, position: null }, to: { lane: 99, sessionId: 's', at: 1, position: null } }] }, /arrows\[0\]\.to\.lane is not a lane/],
    [{ ...good, stats: { ...(good['stats'] as object), reading: 'all' } }, /stats\.reading is not a number/],
  ];
  for (const [value, problem] of cases) {
    const decoded = decodeGroupTimeline(value);
    assert.ok(!decoded.ok, `accepted ${JSON.stringify(value).slice(0, 120)}`);
    assert.match(decoded.problem, problem);
  }
});
