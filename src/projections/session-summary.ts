import { FILE_EDITING_TOOLS } from '../domain/hook-events';
import { appliesToLifecycle, evolveLifecycle, initialLifecycleState } from '../domain/lifecycle';
import type { LifecycleState, LifecycleStateName } from '../domain/lifecycle';
import { advanceClock, eventTimeMs, timePerState } from '../domain/lifecycle-time';
import { evolve, initialWorkflowState } from '../domain/workflow/decider';
import { isWorkflowEventType } from '../domain/workflow/events';
import type { WorkflowEvent, WorkflowEventTypeName } from '../domain/workflow/events';
import type { WorkflowState } from '../domain/workflow/types';
import type { RecordedEvent } from '../store/event-store';
import { foldWithSnapshots, runProjection } from './projection';
import type { Projection, SnapshotRun } from './projection';

// One session stream folded into what a report shows. Pure and JSON-serialisable (it is
// snapshotted): records instead of Maps, times as epoch ms, null for "not known". Times come from
// metadata.receivedAt (workflow events: data.at), clamped so they never run backwards.
// Tokens and cost are not here: they come from transcripts (transcript-usage.ts).

/** Calls of one tool. */
export interface ToolStats {
  readonly calls: number;
  readonly failures: number;
  /** PermissionDenied, a workflow HookDenied, or a call only PostToolBatch closed (a hook said no). */
  readonly denied: number;
  /** Sum of duration_ms of PostToolUse and PostToolUseFailure. */
  readonly durationMs: number;
}

/** Tool stats keyed by tool name. */
export type ToolTable = Readonly<Record<string, ToolStats>>;

/** A call between its PreToolUse and the event that ends it; `denied` once a denial was counted. */
export interface PendingCall {
  readonly tool: string;
  readonly agentId: string | null;
  readonly denied: boolean;
}

/** A file changed by a successful Write, Edit, MultiEdit or NotebookEdit. */
export interface FileTouch {
  readonly edits: number;
  readonly firstEditAt: number | null;
  readonly lastEditAt: number | null;
}

/** A subagent and the tool calls its own events carry. */
export interface SubagentSummary {
  readonly agentId: string;
  readonly agentType: string;
  /** Null when only its tool events were seen. */
  readonly startedAt: number | null;
  readonly stoppedAt: number | null;
  readonly durationMs: number | null;
  readonly tools: ToolTable;
}

export interface WorkflowTransitionRecord { readonly from: string | null; readonly to: string; readonly reason: string; readonly iteration: number; readonly at: number | null }
/** A refused transition or rejected command: wasted effort, kept with its reason. */
export interface WorkflowRefusalRecord {
  readonly kind: 'transition' | 'command';
  readonly command: string;
  readonly code: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly reason: string;
  readonly at: number | null;
}
export interface ReviewRejectionRecord { readonly notes: string; readonly state: string; readonly backTo: string | null; readonly at: number | null }
export interface HookDenialRecord { readonly tool: string; readonly toolUseId: string | null; readonly state: string; readonly rule: string; readonly reason: string; readonly at: number | null }
export interface StopBlockRecord { readonly state: string; readonly reason: string; readonly at: number | null }
export interface JournalFile { readonly path: string; readonly line?: number }
export interface JournalRecord {
  readonly text: string;
  readonly tags: readonly string[];
  readonly files: readonly JournalFile[];
  readonly state: string;
  readonly iteration: number;
  readonly at: number | null;
}

/** The workflow part: the decider's own state plus the time and the record it does not keep. */
export interface WorkflowSummary {
  readonly name: string | null;
  readonly state: WorkflowState;
  /** First WorkflowStarted (ms). */
  readonly startedAt: number | null;
  /** When the current state was entered (ms). */
  readonly enteredAt: number | null;
  /** Closed intervals only; workflowTimes adds the open one. */
  readonly timeInState: Readonly<Record<string, number>>;
  readonly transitions: readonly WorkflowTransitionRecord[];
  readonly refusals: readonly WorkflowRefusalRecord[];
  readonly reviewsApproved: number;
  readonly reviewRejections: readonly ReviewRejectionRecord[];
  readonly hookDenials: readonly HookDenialRecord[];
  readonly stopBlocks: readonly StopBlockRecord[];
}

/** The folded summary of one session stream. */
export interface SessionSummaryState {
  readonly sessionId: string | null;
  readonly firstEventAt: number | null;
  readonly lastEventAt: number | null;
  readonly eventsFolded: number;
  /** Global position of the last event folded (0 before any). */
  readonly lastPosition: number;
  readonly eventsByType: Readonly<Record<string, number>>;
  /** The main agent's prompts (a subagent's UserPromptSubmit is not the user's). */
  readonly prompts: number;
  readonly compactions: number;
  readonly stops: number;
  readonly lifecycle: LifecycleState;
  readonly tools: { readonly all: ToolTable; readonly main: ToolTable; readonly subagents: ToolTable };
  /** By tool_use_id. */
  readonly pendingCalls: Readonly<Record<string, PendingCall>>;
  /** By path. */
  readonly files: Readonly<Record<string, FileTouch>>;
  /** By agent_id. */
  readonly subagents: Readonly<Record<string, SubagentSummary>>;
  readonly workflow: WorkflowSummary;
  readonly journal: readonly JournalRecord[];
}

type Payload = Readonly<Record<string, unknown>>;
type HookHandler = (s: SessionSummaryState, d: Payload, at: number | null) => SessionSummaryState;

export const initialWorkflowSummary: WorkflowSummary = {
  name: null, state: initialWorkflowState, startedAt: null, enteredAt: null, timeInState: {},
  transitions: [], refusals: [], reviewsApproved: 0, reviewRejections: [], hookDenials: [], stopBlocks: [],
};

export const initialSessionSummary: SessionSummaryState = {
  sessionId: null, firstEventAt: null, lastEventAt: null, eventsFolded: 0, lastPosition: 0, eventsByType: {},
  prompts: 0, compactions: 0, stops: 0, lifecycle: initialLifecycleState,
  tools: { all: {}, main: {}, subagents: {} }, pendingCalls: {}, files: {}, subagents: {},
  workflow: initialWorkflowSummary, journal: [],
};

/** The session summary fold. Bump `version` whenever the state shape or a rule changes. */
export const sessionSummaryProjection: Projection<SessionSummaryState> = {
  name: 'session-summary',
  version: 1,
  initial: initialSessionSummary,
  apply: applySessionEvent,
};

/** Folds a session stream from scratch (or from a snapshot via runProjection). */
export function summarizeSession(events: Iterable<RecordedEvent>): SessionSummaryState {
  return runProjection(sessionSummaryProjection, events).state;
}

/** Folds a session stream and snapshots every `every` events (for the store writer). */
export function foldSessionWithSnapshots(events: Iterable<RecordedEvent>, every: number): SnapshotRun<SessionSummaryState> {
  return foldWithSnapshots(sessionSummaryProjection, events, every);
}

/** Folds one event. Total: events of no interest only move the clock and the counters. */
export function applySessionEvent(s: SessionSummaryState, event: RecordedEvent): SessionSummaryState {
  const data = asPayload(event.data);
  const stamp = eventTimeMs(event);
  const at = advanceClock(s.lastEventAt, stamp ?? isoMs(data['at']));
  const base: SessionSummaryState = {
    ...s,
    sessionId: s.sessionId ?? event.streamId,
    firstEventAt: s.firstEventAt ?? at,
    lastEventAt: at,
    eventsFolded: s.eventsFolded + 1,
    lastPosition: event.globalPosition,
    eventsByType: bumpKey(s.eventsByType, event.type, 1),
  };
  if (appliesToLifecycle(event)) {
    const lifecycle = evolveLifecycle(s.lifecycle, onOurClock(event, stamp, at));
    return (HOOK_HANDLERS.get(event.type) ?? keep)({ ...base, lifecycle }, data, at);
  }
  if (isWorkflowEventType(event.type)) return applyWorkflowEvent(base, event.type, data, at);
  return base;
}

/**
 * Milliseconds per lifecycle state over the whole summary, summing to lastEventAt − firstEventAt:
 * time before the first hook event counts as starting, time after SessionEnd as ended, and the
 * lifecycle's open interval runs to the last event (a workflow event may come after the last hook).
 */
export function lifecycleTimes(s: SessionSummaryState): Record<LifecycleStateName, number> {
  const lc = s.lifecycle;
  const times = timePerState(lc, s.lastEventAt ?? undefined);
  if (s.firstEventAt === null || s.lastEventAt === null) return times;
  if (lc.ended && lc.lastEventAt !== null) times.ended += s.lastEventAt - lc.lastEventAt;
  times.starting += (lc.startedAt ?? s.lastEventAt) - s.firstEventAt;
  return times;
}

/** Milliseconds per workflow state, the open one running to the last event: sums to lastEventAt − startedAt. */
export function workflowTimes(s: SessionSummaryState): Record<string, number> {
  const wf = s.workflow;
  const times: Record<string, number> = { ...wf.timeInState };
  const current = wf.state.current;
  if (current !== null && wf.enteredAt !== null && s.lastEventAt !== null) {
    times[current] = (own(times, current) ?? 0) + (s.lastEventAt - wf.enteredAt);
  }
  return times;
}

// The lifecycle keeps its own clock over hook events only. A hook stamped before an event already
// folded (a workflow event, a parallel hook) would start or run its clock behind ours, and
// lifecycleTimes would book negative time to fill the gap: handing it our clamped time prevents that.
function onOurClock(event: RecordedEvent, stamp: number | null, at: number | null): RecordedEvent {
  if (at === null || stamp === at) return event;
  return { ...event, metadata: { ...event.metadata, receivedAt: new Date(at).toISOString() } };
}

// ---- hook events ----

const keep: HookHandler = (s) => s;

const HOOK_HANDLERS = new Map<string, HookHandler>([
  ['UserPromptSubmit', (s, d) => (agentOf(d) === null ? { ...s, prompts: s.prompts + 1 } : s)],
  ['PreToolUse', onPreToolUse],
  ['PostToolUse', onPostToolUse],
  ['PostToolUseFailure', (s, d) => toolEnded(s, d, 1)],
  ['PermissionDenied', onPermissionDenied],
  ['PostToolBatch', onToolBatch],
  ['SubagentStart', onSubagentStart],
  ['SubagentStop', onSubagentStop],
  ['PreCompact', (s) => ({ ...s, compactions: s.compactions + 1 })],
  ['Stop', (s, d) => (agentOf(d) === null ? { ...s, stops: s.stops + 1, pendingCalls: {} } : s)],
  ['StopFailure', (s, d) => (agentOf(d) === null ? { ...s, pendingCalls: {} } : s)],
  // After these nothing still open will end on its own (same rule as the lifecycle).
  ['SessionEnd', (s) => ({ ...s, pendingCalls: {} })],
  ['SessionStart', (s, d) => (d['source'] === 'compact' ? s : { ...s, pendingCalls: {} })],
]);

function onPreToolUse(s: SessionSummaryState, d: Payload): SessionSummaryState {
  const tool = text(d['tool_name']) ?? '<unknown>';
  const agentId = agentOf(d);
  const counted = countTool(s, tool, agentId, text(d['agent_type']), { calls: 1 });
  const id = text(d['tool_use_id']);
  if (id === null) return counted;
  // A HookDenied that arrived before its PreToolUse already counted the denial.
  const denied = own(s.pendingCalls, id)?.denied ?? false;
  return { ...counted, pendingCalls: { ...s.pendingCalls, [id]: { tool, agentId, denied } } };
}

function onPostToolUse(s: SessionSummaryState, d: Payload, at: number | null): SessionSummaryState {
  const ended = toolEnded(s, d, 0);
  const tool = text(d['tool_name']);
  if (tool === null || !FILE_EDITING_TOOLS.includes(tool)) return ended;
  const input = asPayload(d['tool_input']);
  const path = text(input['file_path']) ?? text(input['notebook_path']);
  if (path === null) return ended;
  const seen = own(ended.files, path);
  const touch: FileTouch = { edits: (seen?.edits ?? 0) + 1, firstEditAt: seen?.firstEditAt ?? at, lastEditAt: at };
  return { ...ended, files: { ...ended.files, [path]: touch } };
}

// PostToolUse and PostToolUseFailure: the call ran (successfully or not) and took duration_ms.
function toolEnded(s: SessionSummaryState, d: Payload, failures: number): SessionSummaryState {
  const id = text(d['tool_use_id']);
  const pending = id === null ? undefined : own(s.pendingCalls, id);
  const tool = text(d['tool_name']) ?? pending?.tool ?? '<unknown>';
  const duration = d['duration_ms'];
  const durationMs = typeof duration === 'number' && Number.isFinite(duration) && duration > 0 ? duration : 0;
  const counted = countTool(s, tool, agentOf(d) ?? pending?.agentId ?? null, text(d['agent_type']), { failures, durationMs });
  return id === null ? counted : { ...counted, pendingCalls: omit(s.pendingCalls, id) };
}

function onPermissionDenied(s: SessionSummaryState, d: Payload): SessionSummaryState {
  const id = text(d['tool_use_id']);
  const pending = id === null ? undefined : own(s.pendingCalls, id);
  const rest = id === null ? s : { ...s, pendingCalls: omit(s.pendingCalls, id) };
  if (pending?.denied === true) return rest;
  const tool = text(d['tool_name']) ?? pending?.tool ?? '<unknown>';
  return countTool(rest, tool, agentOf(d) ?? pending?.agentId ?? null, text(d['agent_type']), { denied: 1 });
}

// A call a PreToolUse hook denied gets no Post* event: the batch that lists it is its only end.
function onToolBatch(s: SessionSummaryState, d: Payload): SessionSummaryState {
  const calls = Array.isArray(d['tool_calls']) ? d['tool_calls'] : [];
  return calls.reduce<SessionSummaryState>((acc, call) => {
    const id = text(asPayload(call)['tool_use_id']);
    const pending = id === null ? undefined : own(acc.pendingCalls, id);
    if (id === null || pending === undefined) return acc;
    const closed = { ...acc, pendingCalls: omit(acc.pendingCalls, id) };
    return pending.denied ? closed : countTool(closed, pending.tool, pending.agentId, null, { denied: 1 });
  }, s);
}

function onSubagentStart(s: SessionSummaryState, d: Payload, at: number | null): SessionSummaryState {
  const agentId = text(d['agent_id']);
  if (agentId === null) return s;
  const seen = own(s.subagents, agentId);
  const agent: SubagentSummary = { agentId, agentType: text(d['agent_type']) ?? seen?.agentType ?? '', startedAt: at, stoppedAt: null, durationMs: null, tools: seen?.tools ?? {} };
  return { ...s, subagents: { ...s.subagents, [agentId]: agent } };
}

// Compaction fires a SubagentStop for an agent that never started: not a subagent, ignored.
function onSubagentStop(s: SessionSummaryState, d: Payload, at: number | null): SessionSummaryState {
  const agentId = text(d['agent_id']);
  const seen = agentId === null ? undefined : own(s.subagents, agentId);
  if (agentId === null || seen === undefined) return s;
  const durationMs = seen.startedAt !== null && at !== null ? at - seen.startedAt : null;
  const pendingCalls = Object.fromEntries(Object.entries(s.pendingCalls).filter(([, call]) => call.agentId !== agentId));
  return { ...s, pendingCalls, subagents: { ...s.subagents, [agentId]: { ...seen, stoppedAt: at, durationMs } } };
}

// One call's change lands in all, in main or subagents, and in the subagent's own table.
function countTool(s: SessionSummaryState, tool: string, agentId: string | null, agentType: string | null, delta: Partial<ToolStats>): SessionSummaryState {
  const all = addStats(s.tools.all, tool, delta);
  if (agentId === null) return { ...s, tools: { ...s.tools, all, main: addStats(s.tools.main, tool, delta) } };
  const seen = own(s.subagents, agentId);
  const agent: SubagentSummary = seen ?? { agentId, agentType: agentType ?? '', startedAt: null, stoppedAt: null, durationMs: null, tools: {} };
  return {
    ...s,
    tools: { ...s.tools, all, subagents: addStats(s.tools.subagents, tool, delta) },
    subagents: { ...s.subagents, [agentId]: { ...agent, tools: addStats(agent.tools, tool, delta) } },
  };
}

function addStats(table: ToolTable, tool: string, delta: Partial<ToolStats>): ToolTable {
  const t = own(table, tool) ?? { calls: 0, failures: 0, denied: 0, durationMs: 0 };
  const next: ToolStats = {
    calls: t.calls + (delta.calls ?? 0), failures: t.failures + (delta.failures ?? 0),
    denied: t.denied + (delta.denied ?? 0), durationMs: t.durationMs + (delta.durationMs ?? 0),
  };
  return { ...table, [tool]: next };
}

// ---- workflow events ----

type WorkflowRecorder = (s: SessionSummaryState, d: Payload, at: number | null) => SessionSummaryState;

function applyWorkflowEvent(s: SessionSummaryState, type: WorkflowEventTypeName, d: Payload, at: number | null): SessionSummaryState {
  const event = asWorkflowEvent(type, d);
  if (event === null) return s;
  const before = s.workflow;
  const state = evolve(before.state, event);
  const moved = type === 'WorkflowStarted' || type === 'WorkflowTransitioned' || state.current !== before.state.current;
  const workflow = moved ? enterState({ ...before, state }, before.state.current, at) : { ...before, state };
  return WORKFLOW_RECORDERS[type]({ ...s, workflow }, d, at);
}

// Closes the interval of the state left; the first entry is when the workflow's time starts.
function enterState(wf: WorkflowSummary, left: string | null, at: number | null): WorkflowSummary {
  const timeInState = left !== null && wf.enteredAt !== null && at !== null ? bumpKey(wf.timeInState, left, at - wf.enteredAt) : wf.timeInState;
  return { ...wf, timeInState, enteredAt: at, startedAt: wf.startedAt ?? at };
}

// evolve copies these fields into its state: a malformed stored event must not put undefined
// there (the state would no longer equal its JSON). The rest is read through text()/count() below.
function asWorkflowEvent(type: WorkflowEventTypeName, d: Payload): WorkflowEvent | null {
  const isText = (key: string): boolean => typeof d[key] === 'string';
  const isCount = (key: string): boolean => typeof d[key] === 'number' && Number.isFinite(d[key]);
  const ok = type === 'WorkflowStarted' ? isText('definitionHash') && isText('state') && isCount('iteration') && isText('at')
    : type === 'WorkflowDefinitionChanged' ? isText('definitionHash') && isText('state') && isText('at')
      : type === 'WorkflowTransitioned' ? isText('to') && isCount('iteration') && isText('at')
        : true;
  return ok ? ({ type, data: d } as unknown as WorkflowEvent) : null;
}

// A record per event type: the compiler checks that every workflow event type has one.
const WORKFLOW_RECORDERS: Readonly<Record<WorkflowEventTypeName, WorkflowRecorder>> = {
  WorkflowStarted: (s, d) => withWorkflow(s, { name: text(d['name']) ?? s.workflow.name }),
  WorkflowDefinitionChanged: (s, d) => withWorkflow(s, { name: text(asPayload(d['definition'])['name']) ?? s.workflow.name }),
  WorkflowTransitioned: (s, d, at) => withWorkflow(s, {
    transitions: [...s.workflow.transitions, { from: text(d['from']), to: str(d['to']), reason: str(d['reason']), iteration: count(d['iteration']), at }],
  }),
  WorkflowTransitionRefused: (s, d, at) => refused(s, { kind: 'transition', command: 'Transition', code: null, from: text(d['from']), to: text(d['to']), reason: str(d['reason']), at }),
  WorkflowCommandRejected: (s, d, at) => refused(s, { kind: 'command', command: str(d['command']), code: text(d['code']), from: text(d['state']), to: null, reason: str(d['reason']), at }),
  JournalEntryWritten: (s, d, at) => ({ ...s, journal: [...s.journal, journalRecord(d, at)] }),
  ReviewApproved: (s) => withWorkflow(s, { reviewsApproved: s.workflow.reviewsApproved + 1 }),
  ReviewRejected: (s, d, at) => withWorkflow(s, {
    reviewRejections: [...s.workflow.reviewRejections, { notes: str(d['notes']), state: str(d['state']), backTo: text(d['backTo']), at }],
  }),
  HookDenied: onHookDenied,
  StopBlocked: (s, d, at) => withWorkflow(s, { stopBlocks: [...s.workflow.stopBlocks, { state: str(d['state']), reason: str(d['reason']), at }] }),
};

function withWorkflow(s: SessionSummaryState, change: Partial<WorkflowSummary>): SessionSummaryState {
  return { ...s, workflow: { ...s.workflow, ...change } };
}

function refused(s: SessionSummaryState, record: WorkflowRefusalRecord): SessionSummaryState {
  return withWorkflow(s, { refusals: [...s.workflow.refusals, record] });
}

function journalRecord(d: Payload, at: number | null): JournalRecord {
  const tags = Array.isArray(d['tags']) ? d['tags'].filter((t): t is string => typeof t === 'string') : [];
  const files = (Array.isArray(d['files']) ? d['files'] : []).flatMap((f): JournalFile[] => {
    const ref = asPayload(f);
    const path = text(ref['path']);
    const line = ref['line'];
    if (path === null) return [];
    return [typeof line === 'number' && Number.isFinite(line) ? { path, line } : { path }];
  });
  return { text: str(d['text']), tags, files, state: str(d['state']), iteration: count(d['iteration']), at };
}

// The hook that denied the call wrote HookDenied right after its PreToolUse: the denial is counted
// once here and remembered on the pending call, so the PostToolBatch that closes it does not count again.
function onHookDenied(s: SessionSummaryState, d: Payload, at: number | null): SessionSummaryState {
  const id = text(d['toolUseId']);
  const pending = id === null ? undefined : own(s.pendingCalls, id);
  const tool = pending?.tool ?? text(d['toolName']) ?? '<unknown>';
  const record: HookDenialRecord = { tool, toolUseId: id, state: str(d['state']), rule: str(d['rule']), reason: str(d['reason']), at };
  const recorded = withWorkflow(s, { hookDenials: [...s.workflow.hookDenials, record] });
  if (pending?.denied === true) return recorded;
  const agentId = pending?.agentId ?? null;
  const counted = countTool(recorded, tool, agentId, null, { denied: 1 });
  return id === null ? counted : { ...counted, pendingCalls: { ...counted.pendingCalls, [id]: { tool, agentId, denied: true } } };
}

// ---- helpers ----

// Keys come from payloads: a tool or file named `__proto__` must not read the prototype.
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function omit<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!Object.hasOwn(record, key)) return record;
  const { [key]: _dropped, ...rest } = record;
  return rest;
}

function bumpKey(record: Readonly<Record<string, number>>, key: string, by: number): Readonly<Record<string, number>> {
  return { ...record, [key]: (own(record, key) ?? 0) + by };
}

function asPayload(value: unknown): Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function isoMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function agentOf(d: Payload): string | null {
  return text(d['agent_id']);
}
