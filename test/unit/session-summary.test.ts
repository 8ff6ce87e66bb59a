import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { totalTime } from '../../src/domain/lifecycle-time';
import type { RecordedEvent } from '../../src/store/event-store';
import { foldWithSnapshots, runProjection } from '../../src/projections/projection';
import type { ProjectionSnapshot } from '../../src/projections/projection';
import { buildSessionReport } from '../../src/projections/report';
import {
  foldSessionWithSnapshots, lifecycleTimes, sessionSummaryProjection, summarizeSession, workflowTimes,
} from '../../src/projections/session-summary';
import type { SessionSummaryState, ToolStats, ToolTable } from '../../src/projections/session-summary';
import { computeSessionUsage } from '../../src/projections/transcript-usage';
import { FIXTURE_SESSION } from './helpers';

// ---- builders ----

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
type Data = Record<string, unknown>;

/** A stream of RecordedEvents; each event is one `step` ms after the previous unless told otherwise. */
class StreamBuilder {
  readonly events: RecordedEvent[] = [];
  clock = T0;
  private position = 0;

  constructor(private readonly streamId = 's1') {}

  /** A hook event: the payload carries session_id and hook_event_name like Claude Code's. */
  hook(type: string, data: Data = {}, options: EventOptions = {}): this {
    return this.add(type, () => ({ session_id: this.streamId, hook_event_name: type, ...data }), options);
  }

  /** A workflow event: its time is in data.at; the ingestor copies it into metadata.receivedAt. */
  workflow(type: string, data: Data = {}, options: EventOptions = {}): this {
    return this.add(type, (at) => ({ ...data, at }), options);
  }

  add(type: string, build: (at: string) => Data, options: EventOptions): this {
    this.clock += options.step ?? 1000;
    const stamp = options.stamp === undefined ? this.clock : options.stamp;
    this.position += 1 + (options.gap ?? 0);
    const metadata: Data = { source: options.source ?? 'hook' };
    if (stamp !== null) metadata['receivedAt'] = iso(stamp);
    this.events.push({
      globalPosition: this.position, streamId: this.streamId, streamPosition: this.events.length + 1, eventId: `e${this.position}`,
      type, schemaVersion: 1, recordedAt: iso(this.clock), correlationId: null, causationId: null, data: build(iso(this.clock)), metadata,
    });
    return this;
  }
}

interface EventOptions {
  readonly step?: number;
  /** receivedAt (ms); null leaves it out. Defaults to the stream's clock. */
  readonly stamp?: number | null;
  readonly gap?: number;
  readonly source?: string;
}

const call = (id: string, tool: string, input: Data = { command: id }, agentId?: string): Data =>
  ({ tool_name: tool, tool_input: input, tool_use_id: id, ...(agentId === undefined ? {} : { agent_id: agentId, agent_type: 'general-purpose' }) });

function stats(calls: number, failures = 0, denied = 0, durationMs = 0): ToolStats {
  return { calls, failures, denied, durationMs };
}

/** Sets an own property even for `__proto__` (a plain assignment would set the prototype). */
function put<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}

const sum = (times: Readonly<Record<string, number>>): number => Object.values(times).reduce((a, b) => a + b, 0);
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// ---- seeded generator of session streams ----

/** mulberry32: small, seeded, good enough to explore event orders reproducibly. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number): number => Math.floor(next() * n),
    chance: (p: number): boolean => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
  };
}
type Random = ReturnType<typeof random>;

const TOOLS = ['Bash', 'Read', 'Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'Grep', 'constructor'];
// `__proto__` as a path checks that payload-named keys cannot reach the prototype.
const FILES = ['/w/a.ts', '/w/b.ts', '/w/nb.ipynb', '__proto__'];
const STATES = ['plan', 'build', 'review', 'done'];
type CallKind = 'ok' | 'fail' | 'permissionDenied' | 'hookDenied' | 'hookDeniedFirst' | 'batchOnly';

/** What the generator knows it produced: the fold must find exactly this. */
interface Expected {
  readonly tools: Record<string, Record<string, ToolStats>>;
  readonly files: Record<string, number>;
  prompts: number;
  compactions: number;
  transitions: number;
  refusals: number;
  hookDenials: number;
  journal: number;
}

class SessionGenerator {
  readonly b = new StreamBuilder('gen');
  readonly expected: Expected = { tools: {}, files: {}, prompts: 0, compactions: 0, transitions: 0, refusals: 0, hookDenials: 0, journal: 0 };
  private ids = 0;
  private agents = 0;
  private workflowState: string | null = null;
  private iteration = 0;

  constructor(private readonly r: Random) {}

  // Mostly in order; sometimes a parallel hook stamps earlier, sometimes the stamp is missing.
  private opts(): EventOptions {
    const step = this.r.int(4000);
    const gap = this.r.chance(0.2) ? this.r.int(5) : 0;
    const roll = this.r.next();
    if (roll < 0.05) return { step, gap, stamp: null };
    if (roll < 0.12) return { step, gap, stamp: this.b.clock + step - this.r.int(3000) };
    return { step, gap };
  }

  hook(type: string, data: Data = {}): void { this.b.hook(type, data, this.opts()); }
  wf(type: string, data: Data = {}): void {
    // A CLI writer's events may carry no receivedAt: the fold then reads data.at.
    const o = this.opts();
    this.b.workflow(type, data, this.r.chance(0.3) ? { ...o, stamp: null } : o);
  }

  private tally(agent: string, tool: string, delta: Partial<ToolStats>): void {
    const table = (this.expected.tools[agent] ??= {});
    const t = (Object.hasOwn(table, tool) ? table[tool] : undefined) ?? stats(0);
    put(table, tool, stats(t.calls + (delta.calls ?? 0), t.failures + (delta.failures ?? 0), t.denied + (delta.denied ?? 0), t.durationMs + (delta.durationMs ?? 0)));
  }

  /** One call: what starts it, what ends it, and its entry in the PostToolBatch. */
  plan(agentId?: string, forced?: CallKind): { start: () => void; finish: () => void; entry: Data } {
    const r = this.r;
    const id = `toolu_${++this.ids}`;
    const tool = r.pick(TOOLS);
    const path = r.pick(FILES);
    const input: Data = tool === 'NotebookEdit' ? { notebook_path: path } : tool === 'Bash' ? { command: `cmd ${id}` } : { file_path: path };
    const payload = call(id, tool, input, agentId);
    const kinds: CallKind[] = agentId === undefined ? ['ok', 'ok', 'ok', 'fail', 'permissionDenied', 'hookDenied', 'hookDeniedFirst', 'batchOnly'] : ['ok', 'ok', 'fail', 'hookDenied', 'batchOnly'];
    const kind = forced ?? r.pick(kinds);
    const agent = agentId ?? 'main';
    const duration = r.int(500);
    const denial = (): void => this.wf('HookDenied', { toolName: tool, toolUseId: id, state: this.workflowState ?? 'plan', rule: `states.x.tools.deny "${tool}"`, reason: 'not now' });
    const start = (): void => {
      if (kind === 'hookDeniedFirst') denial();
      this.hook('PreToolUse', payload);
      this.tally(agent, tool, { calls: 1 });
      if (kind === 'hookDenied') denial();
      if (kind === 'hookDenied' || kind === 'hookDeniedFirst') this.expected.hookDenials += 1;
    };
    const finish = (): void => {
      if (kind === 'ok') {
        if (r.chance(0.2)) this.hook('PermissionRequest', { tool_name: tool, tool_input: input });
        this.hook('PostToolUse', { ...payload, tool_response: 'ok', duration_ms: duration });
        this.tally(agent, tool, { durationMs: duration });
        if (['Write', 'Edit', 'MultiEdit', 'NotebookEdit'].includes(tool)) put(this.expected.files, path, (Object.hasOwn(this.expected.files, path) ? this.expected.files[path] ?? 0 : 0) + 1);
      } else if (kind === 'fail') {
        this.hook('PostToolUseFailure', { ...payload, error: 'Exit code 1', duration_ms: duration });
        this.tally(agent, tool, { failures: 1, durationMs: duration });
      } else if (kind === 'permissionDenied') {
        this.hook('PermissionRequest', { tool_name: tool, tool_input: input });
        this.hook('PermissionDenied', { ...payload, reason: 'denied by user' });
        this.tally(agent, tool, { denied: 1 });
      } else {
        this.tally(agent, tool, { denied: 1 });
      }
    };
    return { start, finish, entry: { tool_name: tool, tool_input: input, tool_use_id: id, tool_response: 'x' } };
  }

  batch(entries: readonly Data[], agentId?: string): void {
    this.hook('PostToolBatch', { tool_calls: entries, ...(agentId === undefined ? {} : { agent_id: agentId }) });
  }

  single(agentId?: string): void {
    const c = this.plan(agentId);
    c.start();
    c.finish();
    this.batch([c.entry], agentId);
  }

  parallel(): void {
    const a = this.plan();
    const b = this.plan();
    a.start(); b.start(); b.finish(); a.finish();
    this.batch([a.entry, b.entry]);
  }

  subagent(): void {
    const agentId = `agent${++this.agents}`;
    const spawn = this.plan(undefined, 'ok');
    spawn.start();
    this.hook('SubagentStart', { agent_id: agentId, agent_type: 'general-purpose' });
    // A subagent's own prompt is not the user's: it must not count as a prompt.
    if (this.r.chance(0.5)) this.hook('UserPromptSubmit', { prompt: 'sub', agent_id: agentId });
    for (let i = this.r.int(4); i > 0; i -= 1) this.single(agentId);
    this.hook('SubagentStop', { agent_id: agentId, agent_type: 'general-purpose' });
    spawn.finish();
    this.batch([spawn.entry]);
  }

  compaction(): void {
    this.hook('PreCompact', { trigger: 'manual' });
    this.hook('SubagentStop', { agent_id: `compact${this.ids}`, agent_type: '' });
    this.hook('SessionStart', { source: 'compact' });
    this.hook('PostCompact', { trigger: 'manual' });
    this.expected.compactions += 1;
  }

  workflowStep(): void {
    const r = this.r;
    const at = this.workflowState;
    if (at === null || r.chance(0.05)) {
      if (at === null && r.chance(0.3)) {
        this.wf('WorkflowCommandRejected', { command: 'Transition', code: 'WORKFLOW_NOT_STARTED', reason: 'no workflow', state: null });
        this.expected.refusals += 1;
        return;
      }
      this.workflowState = 'plan';
      this.iteration = 1;
      this.wf('WorkflowStarted', { definitionHash: `h${this.ids}`, name: 'flow', definition: { name: 'flow' }, state: 'plan', iteration: 1 });
      return;
    }
    const roll = r.int(8);
    if (roll <= 1) this.move(r.pick(STATES), 'next');
    else if (roll === 2) {
      this.wf('WorkflowTransitionRefused', { from: at, to: r.pick(STATES), reason: 'guard', problems: ['guard'], allowed: [] });
      this.expected.refusals += 1;
    } else if (roll === 3) {
      this.wf('WorkflowCommandRejected', { command: 'WriteJournal', code: 'JOURNAL_TEXT_EMPTY', reason: 'empty', state: at });
      this.expected.refusals += 1;
    } else if (roll === 4) {
      this.wf('JournalEntryWritten', { text: `did ${this.ids}`, tags: ['t'], files: [{ path: '/w/a.ts', line: 3 }, { path: '/w/b.ts' }], state: at, iteration: this.iteration });
      this.expected.journal += 1;
    } else if (roll === 5) {
      this.wf(r.chance(0.5) ? 'ReviewApproved' : 'ReviewRejected', { notes: 'n', state: at, backTo: 'build' });
    } else if (roll === 6) {
      const state = r.pick(STATES);
      this.wf('WorkflowDefinitionChanged', { definitionHash: `h${this.ids}`, previousHash: null, definition: { name: 'flow2' }, previousState: at, state });
      this.workflowState = state;
    } else {
      this.wf('StopBlocked', { state: at, reason: 'journal first' });
    }
  }

  private move(to: string, reason: string): void {
    if (to === 'build') this.iteration += 1;
    this.wf('WorkflowTransitioned', { from: this.workflowState, to, reason, iteration: this.iteration });
    this.workflowState = to;
    this.expected.transitions += 1;
  }

  turn(): void {
    const r = this.r;
    this.hook('UserPromptSubmit', { prompt: 'go' });
    this.expected.prompts += 1;
    this.hook('MessageDisplay', { delta: 'ok', final: true });
    for (let i = r.int(7); i > 0; i -= 1) {
      const roll = r.int(10);
      if (roll < 5) this.single();
      else if (roll < 7) this.parallel();
      else if (roll < 8) this.subagent();
      else this.workflowStep();
    }
    if (r.chance(0.1)) this.hook('TeammateIdle', { note: 'an event type this fold does not know' });
    if (r.chance(0.1)) this.hook('Notification', { notification_type: 'idle_prompt' });
    this.hook('Stop', { stop_hook_active: false });
  }

  session(): RecordedEvent[] {
    const r = this.r;
    if (r.chance(0.2)) this.workflowStep();
    this.hook('SessionStart', { source: 'startup' });
    for (let i = 2 + r.int(12); i > 0; i -= 1) {
      const roll = r.int(10);
      if (roll < 6) this.turn();
      else if (roll < 7) this.compaction();
      else if (roll < 9) this.workflowStep();
      else { this.hook('SessionEnd', { reason: 'other' }); this.hook('SessionStart', { source: 'resume' }); }
    }
    if (r.chance(0.7)) {
      this.hook('SessionEnd', { reason: 'prompt_input_exit' });
      // Written after the session ended (a CLI journal entry, a straggling hook): still the session's.
      if (r.chance(0.3)) this.workflowStep();
      if (r.chance(0.2)) this.hook('Notification', { notification_type: 'idle_prompt' });
    }
    return this.b.events;
  }
}

// ---- properties ----

function assertInvariants(state: SessionSummaryState, events: readonly RecordedEvent[], label: string): void {
  const duration = state.firstEventAt === null || state.lastEventAt === null ? 0 : state.lastEventAt - state.firstEventAt;
  const lc = lifecycleTimes(state);
  assert.equal(totalTime(lc), duration, `${label}: lifecycle times sum to the duration`);
  assert.ok(Object.values(lc).every((ms) => ms >= 0), `${label}: no negative lifecycle time`);
  const wf = workflowTimes(state);
  const sinceStart = state.workflow.startedAt === null || state.lastEventAt === null ? 0 : state.lastEventAt - state.workflow.startedAt;
  assert.equal(sum(wf), sinceStart, `${label}: workflow times sum to the time since WorkflowStarted`);
  assert.ok(Object.values(wf).every((ms) => ms >= 0), `${label}: no negative workflow time`);
  assert.deepStrictEqual(roundTrip(state), state, `${label}: JSON round trip is lossless`);
  assert.equal(state.eventsFolded, events.length);
  assert.equal(sum(state.eventsByType), events.length);
  assert.equal(state.lastPosition, events.at(-1)?.globalPosition ?? 0);
}

function perAgentTools(state: SessionSummaryState): Record<string, ToolTable> {
  const out: Record<string, ToolTable> = {};
  if (Object.keys(state.tools.main).length > 0) out['main'] = state.tools.main;
  for (const agent of Object.values(state.subagents)) if (Object.keys(agent.tools).length > 0) out[agent.agentId] = agent.tools;
  return out;
}

test('property: from scratch = event by event = resumed from any snapshot; times add up; JSON round trip is lossless', () => {
  const everies = [1, 2, 3, 7, 25];
  for (let seed = 1; seed <= 150; seed += 1) {
    const r = random(seed);
    const gen = new SessionGenerator(r);
    const events = gen.session();
    const label = `seed ${seed}`;
    const scratch = summarizeSession(events);

    let incremental: ProjectionSnapshot<SessionSummaryState> | undefined;
    for (const event of events) incremental = runProjection(sessionSummaryProjection, [event], incremental === undefined ? undefined : roundTrip(incremental));
    assert.deepStrictEqual(incremental?.state, scratch, `${label}: incremental`);
    assert.equal(incremental?.position, events.at(-1)?.globalPosition);

    for (const every of everies) {
      const run = foldWithSnapshots(sessionSummaryProjection, events, every);
      assert.equal(run.snapshots.length, Math.floor(events.length / every), `${label}: one snapshot every ${every}`);
      assert.deepStrictEqual(run.final.state, scratch, `${label}: snapshotting fold, every ${every}`);
      // Resume from a few snapshots (read back from JSON, as from disk) over the whole stream.
      const picks = new Set([run.snapshots.length - 1, r.int(run.snapshots.length), r.int(run.snapshots.length)]);
      for (const i of picks) {
        const snapshot = run.snapshots[i];
        if (snapshot === undefined) continue;
        assertInvariants(snapshot.state, events.filter((e) => e.globalPosition <= snapshot.position), `${label} snapshot ${i}`);
        const resumed = runProjection(sessionSummaryProjection, events, roundTrip(snapshot));
        assert.deepStrictEqual(resumed.state, scratch, `${label}: resumed from snapshot ${i} of every ${every}`);
      }
    }
    assertInvariants(scratch, events, label);

    // What the generator knows it produced.
    const x = gen.expected;
    assert.deepStrictEqual(perAgentTools(scratch), x.tools, `${label}: tool calls per agent and tool`);
    assert.deepStrictEqual(Object.fromEntries(Object.entries(scratch.files).map(([p, f]) => [p, f.edits])), x.files, `${label}: files`);
    assert.equal(scratch.prompts, x.prompts, `${label}: prompts`);
    assert.equal(scratch.compactions, x.compactions, `${label}: compactions`);
    assert.equal(scratch.workflow.transitions.length, x.transitions, `${label}: transitions`);
    assert.equal(scratch.workflow.refusals.length, x.refusals, `${label}: refusals`);
    assert.equal(scratch.workflow.hookDenials.length, x.hookDenials, `${label}: hook denials`);
    assert.equal(scratch.journal.length, x.journal, `${label}: journal`);
    assert.ok(Object.keys(scratch.subagents).every((id) => id.startsWith('agent')), `${label}: compaction's SubagentStop is not a subagent`);
  }
});

test('a snapshot of another fold or version is refused; a bad interval too', () => {
  const events = new StreamBuilder().hook('SessionStart').events;
  const snapshot = { ...runProjection(sessionSummaryProjection, events), version: 0 };
  assert.throws(() => runProjection(sessionSummaryProjection, events, snapshot), { code: 'SNAPSHOT_MISMATCH' });
  assert.throws(() => foldSessionWithSnapshots(events, 0), { code: 'SNAPSHOT_INTERVAL_INVALID' });
  // A bare state and position (no name, no version) is the caller's word.
  assert.equal(runProjection(sessionSummaryProjection, events, { state: sessionSummaryProjection.initial, position: 1 }).state.eventsFolded, 0);
});

// ---- denials, one at a time ----

test('a call denied by a workflow hook counts once: HookDenied then the PostToolBatch that closes it', () => {
  const b = new StreamBuilder().hook('SessionStart').hook('UserPromptSubmit', { prompt: 'x' })
    .hook('PreToolUse', call('t1', 'Edit')).workflow('HookDenied', { toolName: 'Edit', toolUseId: 't1', state: 'plan', rule: 'states.plan.tools.deny "Edit"', reason: 'plan first' })
    .hook('PostToolBatch', { tool_calls: [call('t1', 'Edit')] });
  // Denied before its PreToolUse was stored: still one denial.
  b.workflow('HookDenied', { toolName: 'Bash', toolUseId: 't2', state: 'plan', rule: 'r', reason: 'no' }).hook('PreToolUse', call('t2', 'Bash')).hook('PostToolBatch', { tool_calls: [call('t2', 'Bash')] });
  const s = summarizeSession(b.events);
  assert.deepStrictEqual(s.tools.all, { Edit: stats(1, 0, 1), Bash: stats(1, 0, 1) });
  assert.deepStrictEqual(s.workflow.hookDenials.map((d) => [d.tool, d.state, d.rule, d.reason]), [['Edit', 'plan', 'states.plan.tools.deny "Edit"', 'plan first'], ['Bash', 'plan', 'r', 'no']]);
  assert.deepStrictEqual(s.pendingCalls, {});
  assert.deepStrictEqual(s.files, {}, 'a denied edit touches no file');
});

test('PermissionDenied is a denial; the batch after it does not count it again', () => {
  const s = summarizeSession(new StreamBuilder().hook('SessionStart').hook('PreToolUse', call('t1', 'Bash'))
    .hook('PermissionDenied', { ...call('t1', 'Bash'), reason: 'auto' }).hook('PostToolBatch', { tool_calls: [call('t1', 'Bash')] }).events);
  assert.deepStrictEqual(s.tools.all, { Bash: stats(1, 0, 1) });
});

test('a hook stamped before an event already folded is clamped to it: no negative time in any state', () => {
  // The hooks were installed mid-session: no SessionStart, and the first prompt's stamp is older than the workflow event stored before it.
  const b = new StreamBuilder();
  b.workflow('WorkflowCommandRejected', { command: 'Transition', code: 'WORKFLOW_NOT_STARTED', reason: 'no workflow', state: null }, { step: 1000 });
  b.hook('UserPromptSubmit', { prompt: 'x' }, { step: 0, stamp: T0 });
  b.hook('Stop', {}, { step: 2000 });
  const times = lifecycleTimes(summarizeSession(b.events));
  assert.equal(times.starting, 0);
  assert.equal(times.prompted, 2000);
  assert.equal(totalTime(times), 2000);
});

// ---- workflow time ----

test('workflow time: each state from its entry to the next move, the current one to the last event', () => {
  const b = new StreamBuilder();
  b.hook('SessionStart', {}, { step: 0 });
  b.workflow('WorkflowStarted', { definitionHash: 'h', name: 'flow', definition: {}, state: 'plan', iteration: 0 }, { step: 1000 });
  b.workflow('WorkflowTransitioned', { from: 'plan', to: 'build', reason: 'go', iteration: 1 }, { step: 3000 });
  b.workflow('WorkflowTransitionRefused', { from: 'build', to: 'done', reason: 'review first', problems: [], allowed: ['review'] }, { step: 500 });
  b.workflow('WorkflowTransitioned', { from: 'build', to: 'plan', reason: 'back', iteration: 1 }, { step: 1500 });
  b.hook('Stop', {}, { step: 4000 });
  const s = summarizeSession(b.events);
  assert.deepStrictEqual(workflowTimes(s), { plan: 7000, build: 2000 });
  assert.equal(s.workflow.name, 'flow');
  assert.equal(s.workflow.state.current, 'plan');
  assert.equal(s.workflow.state.iteration, 1);
  assert.deepStrictEqual(s.workflow.refusals, [{ kind: 'transition', command: 'Transition', code: null, from: 'build', to: 'done', reason: 'review first', at: T0 + 4500 }]);
});

// ---- the real captured session ----

function fixtureEvents(): RecordedEvent[] {
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'full-session.hooks.jsonl'), 'utf8');
  return text.trim().split('\n').map((line, i) => {
    const { event, ts_ms: ms, payload } = JSON.parse(line) as { event: string; ts_ms: number; payload: Data };
    return {
      globalPosition: i + 1, streamId: FIXTURE_SESSION, streamPosition: i + 1, eventId: `f${i + 1}`, type: event, schemaVersion: 1,
      recordedAt: iso(ms), correlationId: null, causationId: null, data: payload, metadata: { source: 'hook', receivedAt: iso(ms) },
    };
  });
}

const FIXTURE_START = 1795371401982;
const FIXTURE_END = 1795371404297;

test('the real fixture session: tool calls, failures, denials, files, the subagent, prompts, compaction', () => {
  const s = summarizeSession(fixtureEvents());
  assert.equal(s.sessionId, FIXTURE_SESSION);
  assert.equal(s.eventsFolded, 63);
  assert.equal(s.lastPosition, 63);
  assert.equal(s.firstEventAt, FIXTURE_START);
  assert.equal(s.lastEventAt, FIXTURE_END);
  assert.deepStrictEqual(s.tools.all, {
    Write: stats(1, 0, 0, 5), Read: stats(3, 1, 0, 4), Bash: stats(7, 1, 2, 211), Edit: stats(1, 0, 0, 8),
    Agent: stats(1, 0, 0, 188), TaskCreate: stats(1, 0, 0, 25), TaskUpdate: stats(1, 0, 0, 23),
  });
  // The two Bash calls a PreToolUse hook denied (DENY-JSON, DENY-EXIT2) end only in PostToolBatch.
  assert.deepStrictEqual(s.tools.main['Bash'], stats(6, 1, 2, 201));
  assert.deepStrictEqual(s.tools.subagents, { Bash: stats(1, 0, 0, 10) });
  assert.deepStrictEqual(s.files, { '/home/dev/full-session/notes.txt': { edits: 2, firstEditAt: 1795371402239, lastEditAt: 1795371402588 } });
  assert.deepStrictEqual(s.subagents, {
    a3c0aee9e956543e9: { agentId: 'a3c0aee9e956543e9', agentType: 'general-purpose', startedAt: 1795371403550, stoppedAt: 1795371403701, durationMs: 151, tools: { Bash: stats(1, 0, 0, 10) } },
  });
  assert.equal(s.prompts, 2);
  assert.equal(s.compactions, 1);
  assert.equal(s.stops, 2);
  assert.deepStrictEqual(s.pendingCalls, {});
  assert.equal(s.eventsByType['PreToolUse'], 15);
  assert.equal(s.eventsByType['PostToolUse'], 11);
  assert.equal(s.eventsByType['PostToolUseFailure'], 2);
  assert.equal(s.eventsByType['PostToolBatch'], 14);
  assert.equal(s.eventsByType['SubagentStop'], 2);
  assert.equal(s.lifecycle.state, 'ended');
  assert.equal(totalTime(lifecycleTimes(s)), FIXTURE_END - FIXTURE_START);
  assert.deepStrictEqual(workflowTimes(s), {});
});

// ---- the report ----

test('report of the fixture: ended, times in ms and ISO, tools totalled, the subagent listed, usage included', () => {
  const usageText = readFileSync(join(__dirname, '..', 'fixtures', 'full-session.transcript.jsonl'), 'utf8');
  const usage = computeSessionUsage([{ text: usageText }]);
  const report = buildSessionReport(summarizeSession(fixtureEvents()), { now: FIXTURE_END + 60_000, usage });
  assert.equal(report.status, 'ended');
  assert.equal(report.sessionId, FIXTURE_SESSION);
  assert.equal(report.startedAtMs, FIXTURE_START);
  assert.equal(report.startedAt, iso(FIXTURE_START));
  assert.equal(report.lastEventAt, iso(FIXTURE_END));
  assert.equal(report.durationMs, 2315);
  assert.equal(report.silentForMs, 60_000);
  assert.equal(sum(report.lifecycle.timePerStateMs), 2315);
  assert.equal(report.lifecycle.endReason, 'other');
  assert.deepStrictEqual(report.tools.totals, stats(15, 2, 2, 464));
  assert.deepStrictEqual(Object.keys(report.tools.byTool), ['Agent', 'Bash', 'Edit', 'Read', 'TaskCreate', 'TaskUpdate', 'Write']);
  assert.deepStrictEqual(report.files, [{ path: '/home/dev/full-session/notes.txt', edits: 2, firstEditAtMs: 1795371402239, firstEditAt: iso(1795371402239), lastEditAtMs: 1795371402588, lastEditAt: iso(1795371402588) }]);
  assert.deepStrictEqual(report.subagents.map((a) => [a.agentId, a.agentType, a.startedAt, a.durationMs, a.tools]), [['a3c0aee9e956543e9', 'general-purpose', iso(1795371403550), 151, { Bash: stats(1, 0, 0, 10) }]]);
  assert.deepStrictEqual(report.counts, { ...report.counts, events: 63, prompts: 2, compactions: 1, stops: 2, subagents: 1, filesTouched: 1, journalEntries: 0 });
  assert.equal(report.usage, usage);
  assert.deepStrictEqual(roundTrip(report), report, 'the report is plain JSON');
  assert.equal(buildSessionReport(summarizeSession(fixtureEvents()), { now: FIXTURE_END }).usage, null);
});

test('report status at `now`: live while working, idle after Stop, abandoned after the silence, ended after SessionEnd', () => {
  const b = new StreamBuilder().hook('SessionStart').hook('UserPromptSubmit', { prompt: 'x' }).hook('PreToolUse', call('t1', 'Bash'));
  const working = summarizeSession(b.events);
  const last = b.clock;
  assert.equal(buildSessionReport(working, { now: last + 1000 }).status, 'live');
  assert.equal(buildSessionReport(working, { now: last + 31 * 60_000 }).status, 'abandoned');
  assert.equal(buildSessionReport(working, { now: last + 5000, silenceMs: 2000 }).status, 'abandoned');
  assert.equal(buildSessionReport(summarizeSession(b.hook('Stop').events), { now: b.clock + 1000 }).status, 'idle');
  assert.equal(buildSessionReport(summarizeSession(b.hook('SessionEnd').events), { now: b.clock + 99 * 60_000 }).status, 'ended');
});

test('report workflow section: state, times, transitions, refusals, reviews, denials, stop blocks, journal, with ISO times', () => {
  const b = new StreamBuilder();
  b.hook('SessionStart', {}, { step: 0 });
  b.workflow('WorkflowCommandRejected', { command: 'WriteJournal', code: 'WORKFLOW_NOT_STARTED', reason: 'no workflow', state: null });
  b.workflow('WorkflowStarted', { definitionHash: 'h', name: 'flow', definition: {}, state: 'build', iteration: 1 });
  b.workflow('JournalEntryWritten', { text: 'did it', tags: ['fix'], files: [{ path: 'a.ts', line: 2 }], state: 'build', iteration: 1 });
  b.workflow('WorkflowTransitioned', { from: 'build', to: 'review', reason: 'ready', iteration: 1 });
  b.workflow('ReviewRejected', { notes: 'tests missing', state: 'review', backTo: 'build' });
  b.workflow('WorkflowTransitioned', { from: 'review', to: 'build', reason: 'review rejected: tests missing', iteration: 2 });
  b.workflow('StopBlocked', { state: 'build', reason: 'journal first' });
  b.workflow('WorkflowTransitioned', { from: 'build', to: 'review', reason: 'again', iteration: 2 });
  b.workflow('ReviewApproved', { notes: '', state: 'review' });
  const r = buildSessionReport(summarizeSession(b.events), { now: b.clock });
  const wf = r.workflow;
  assert.equal(wf.name, 'flow');
  assert.equal(wf.state, 'review');
  assert.equal(wf.iteration, 2);
  assert.equal(wf.startedAt, iso(T0 + 2000));
  assert.deepStrictEqual(wf.timePerStateMs, { build: 4000, review: 3000 });
  assert.equal(sum(wf.timePerStateMs), (r.lastEventAtMs ?? 0) - (wf.startedAtMs ?? 0));
  assert.deepStrictEqual(wf.transitions.map((t) => [t.from, t.to, t.iteration]), [['build', 'review', 1], ['review', 'build', 2], ['build', 'review', 2]]);
  assert.deepStrictEqual(wf.refused, [{ kind: 'command', command: 'WriteJournal', code: 'WORKFLOW_NOT_STARTED', from: null, to: null, reason: 'no workflow', atMs: T0 + 1000, at: iso(T0 + 1000) }]);
  assert.deepStrictEqual(wf.reviews, { approved: 1, rejected: 1, rejections: [{ notes: 'tests missing', state: 'review', backTo: 'build', atMs: T0 + 5000, at: iso(T0 + 5000) }] });
  assert.deepStrictEqual(wf.stopBlocks, [{ state: 'build', reason: 'journal first', atMs: T0 + 7000, at: iso(T0 + 7000) }]);
  assert.deepStrictEqual(r.journal, [{ text: 'did it', tags: ['fix'], files: [{ path: 'a.ts', line: 2 }], state: 'build', iteration: 1, atMs: T0 + 3000, at: iso(T0 + 3000) }]);
  assert.equal(sum(r.lifecycle.timePerStateMs), r.durationMs);
});

test('an empty summary reports zeros and nulls, not NaN', () => {
  const r = buildSessionReport(sessionSummaryProjection.initial, { now: T0 });
  assert.equal(r.durationMs, 0);
  assert.equal(r.startedAt, null);
  assert.equal(sum(r.lifecycle.timePerStateMs), 0);
  assert.deepStrictEqual(r.tools.totals, stats(0));
  assert.deepStrictEqual(roundTrip(r), r);
});
