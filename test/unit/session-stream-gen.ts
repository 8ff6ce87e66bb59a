import type { RecordedEvent } from '../../src/store/event-store';
import { seeded } from './seeded';
import type { ToolStats } from '../../src/projections/session-summary';

// Builders of session streams and a seeded generator of whole sessions, shared by the session
// summary and session catalog tests. The generator records what it produced, so a fold can be
// checked against it, not only against another fold.

// ---- builders ----

export const T0 = Date.parse('2026-03-01T10:00:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();
export type Data = Record<string, unknown>;

/** A stream of RecordedEvents; each event is one `step` ms after the previous unless told otherwise. */
export class StreamBuilder {
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

export interface EventOptions {
  readonly step?: number;
  /** receivedAt (ms); null leaves it out. Defaults to the stream's clock. */
  readonly stamp?: number | null;
  readonly gap?: number;
  readonly source?: string;
}

export const call = (id: string, tool: string, input: Data = { command: id }, agentId?: string): Data =>
  ({ tool_name: tool, tool_input: input, tool_use_id: id, ...(agentId === undefined ? {} : { agent_id: agentId, agent_type: 'general-purpose' }) });

export function stats(calls: number, failures = 0, denied = 0, durationMs = 0): ToolStats {
  return { calls, failures, denied, durationMs };
}

/** Sets an own property even for `__proto__` (a plain assignment would set the prototype). */
export function put<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}

export const sum = (times: Readonly<Record<string, number>>): number => Object.values(times).reduce((a, b) => a + b, 0);
export const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// ---- seeded generator of session streams ----

/** A seeded generator with the helpers the generators use. */
export function random(seed: number) {
  const next = seeded(seed);
  return {
    next,
    int: (n: number): number => Math.floor(next() * n),
    chance: (p: number): boolean => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
  };
}
export type Random = ReturnType<typeof random>;

export const TOOLS = ['Bash', 'Read', 'Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'Grep', 'constructor'];
// `__proto__` as a path checks that payload-named keys cannot reach the prototype.
export const FILES = ['/w/a.ts', '/w/b.ts', '/w/nb.ipynb', '__proto__'];
export const STATES = ['plan', 'build', 'review', 'done'];
export type CallKind = 'ok' | 'fail' | 'permissionDenied' | 'hookDenied' | 'hookDeniedFirst' | 'batchOnly';

/** What the generator knows it produced: the fold must find exactly this. */
export interface Expected {
  readonly tools: Record<string, Record<string, ToolStats>>;
  readonly files: Record<string, number>;
  prompts: number;
  compactions: number;
  transitions: number;
  refusals: number;
  hookDenials: number;
  journal: number;
}

export class SessionGenerator {
  readonly b: StreamBuilder;
  readonly expected: Expected = { tools: {}, files: {}, prompts: 0, compactions: 0, transitions: 0, refusals: 0, hookDenials: 0, journal: 0 };
  private ids = 0;
  private agents = 0;
  private workflowState: string | null = null;
  private iteration = 0;

  constructor(private readonly r: Random, streamId = 'gen') {
    this.b = new StreamBuilder(streamId);
  }

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
