import { isKnownHookEvent } from './hook-events';
import { admit, callKey, closeCall, hashValue, lastIndex, markAwaiting, MAX_OPEN_SUBAGENTS, MAX_OPEN_TOOL_CALLS, subagentKey } from './lifecycle-open';
import { advanceClock, closeInterval, eventTimeMs } from './lifecycle-time';

// The session lifecycle (DESIGN.md "Two state machines"): a zero-configuration state machine
// folded from Claude Code hook events alone. Pure: the time of an event is its metadata.receivedAt
// (payloads carry none). The state is plain JSON because it is snapshotted to disk.
//
// The state name is derived, not stored as a free variable: the main agent's phase (starting,
// prompted, model_working, idle) sits under overlays that win in this order:
//   ended > compacting > waiting_for_permission > subagent_running > tool_running > phase.
// So parallel tool calls keep tool_running until the last one ends, the Agent tool's own call
// (open while its subagent runs) does not hide subagent_running, and a permission prompt inside
// a subagent shows as waiting_for_permission, since that is where the session waits for the user.
// Open calls and subagents are bounded (lifecycle-open.ts): past the bound the oldest is
// abandoned and counted, so a session whose results never come still folds in linear time.

/** The lifecycle states, in the order views list them. */
export const LIFECYCLE_STATES = [
  'starting', 'prompted', 'model_working', 'tool_running', 'waiting_for_permission',
  'subagent_running', 'compacting', 'idle', 'ended',
] as const;

/** One state of the session lifecycle. */
export type LifecycleStateName = (typeof LIFECYCLE_STATES)[number];

/** What the main agent is doing beneath tool calls, subagents and compaction. */
export type LifecyclePhase = 'starting' | 'prompted' | 'model_working' | 'idle';

/** The least an event must carry to be folded: a RecordedEvent fits. */
export interface LifecycleEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** A tool call between its PreToolUse (or PermissionRequest) and the event that ends it. */
export interface OpenToolCall {
  /** The tool_use_id, or a made-up key (`tool#n`, `permission#n`) for a call that has none. */
  readonly key: string;
  /** Null when only a PermissionRequest announced the call (that event has no tool_use_id). */
  readonly toolUseId: string | null;
  readonly toolName: string;
  /** Hash of tool_input: a PermissionRequest is matched to its call by name and input. */
  readonly inputHash: string;
  readonly agentId: string | null;
  readonly openedAt: number | null;
  readonly awaitingPermission: boolean;
}

/** A subagent between its SubagentStart and SubagentStop. */
export interface OpenSubagent {
  readonly agentId: string;
  readonly agentType: string;
  readonly startedAt: number | null;
}

/** Tallies over the folded events. */
export interface LifecycleCounts {
  readonly events: number;
  readonly prompts: number;
  readonly toolCalls: number;
  readonly toolFailures: number;
  readonly permissionRequests: number;
  readonly permissionDenials: number;
  readonly subagents: number;
  readonly compactions: number;
  readonly stops: number;
  readonly stopFailures: number;
  readonly resumes: number;
}

/** Open calls and subagents closed to make room past the bound (lifecycle-open.ts), never by an event. */
export interface AbandonedCounts {
  readonly toolCalls: number;
  readonly subagents: number;
}

/** The folded session lifecycle. Times are epoch ms; null until an event carried a time. */
export interface LifecycleState {
  readonly state: LifecycleStateName;
  readonly phase: LifecyclePhase;
  readonly enteredAt: number | null;
  readonly startedAt: number | null;
  readonly lastEventAt: number | null;
  /** Closed intervals only; timePerState adds the open one. */
  readonly timeInState: Readonly<Record<LifecycleStateName, number>>;
  /** Oldest first, at most MAX_OPEN_TOOL_CALLS. */
  readonly openTools: readonly OpenToolCall[];
  /** Oldest first, at most MAX_OPEN_SUBAGENTS. */
  readonly openSubagents: readonly OpenSubagent[];
  readonly compacting: boolean;
  readonly ended: boolean;
  readonly endReason: string | null;
  /** Keyed `from→to`. */
  readonly transitions: Readonly<Record<string, number>>;
  readonly cwd: string | null;
  readonly transcriptPath: string | null;
  readonly model: string | null;
  readonly counts: LifecycleCounts;
  readonly abandoned: AbandonedCounts;
}

/** The part of the state the event handlers change; the rest follows from it in evolve. */
type Activity = Pick<LifecycleState, 'phase' | 'openTools' | 'openSubagents' | 'compacting' | 'ended' | 'endReason' | 'counts' | 'abandoned'>;
type Payload = Readonly<Record<string, unknown>>;
type Handler = (activity: Activity, data: Payload, at: number | null) => Activity;

const zeroTimes = Object.fromEntries(LIFECYCLE_STATES.map((name) => [name, 0])) as Record<LifecycleStateName, number>;

/** Before any event: no time yet, nothing open. */
export const initialLifecycleState: LifecycleState = {
  state: 'starting', phase: 'starting', enteredAt: null, startedAt: null, lastEventAt: null,
  timeInState: zeroTimes, openTools: [], openSubagents: [], compacting: false, ended: false, endReason: null,
  transitions: {}, cwd: null, transcriptPath: null, model: null,
  counts: { events: 0, prompts: 0, toolCalls: 0, toolFailures: 0, permissionRequests: 0, permissionDenials: 0, subagents: 0, compactions: 0, stops: 0, stopFailures: 0, resumes: 0 },
  abandoned: { toolCalls: 0, subagents: 0 },
};

/** Folds one event. Total: an event that does not apply returns the very same state. */
export function evolveLifecycle(state: LifecycleState, event: LifecycleEvent): LifecycleState {
  if (!appliesToLifecycle(event)) return state;
  const data = asPayload(event.data);
  // After SessionEnd only a resume reopens the session; stragglers change nothing.
  if (state.ended && !(event.type === 'SessionStart' && data['source'] === 'resume')) return state;
  const at = advanceClock(state.lastEventAt, eventTimeMs(event));
  const before: Activity = state;
  const handler = HANDLERS.get(event.type);
  const activity = handler === undefined ? before : handler(before, data, at);
  const name = deriveStateName(activity);
  const first = state.counts.events === 0;
  const changed = !first && name !== state.state;
  return {
    ...state,
    ...activity,
    state: name,
    enteredAt: first || changed ? at : state.enteredAt ?? at,
    startedAt: state.startedAt ?? at,
    lastEventAt: at,
    timeInState: closeInterval(state, at),
    transitions: changed ? bumpKey(state.transitions, `${state.state}→${name}`) : state.transitions,
    cwd: text(data['cwd']) ?? state.cwd,
    transcriptPath: text(data['transcript_path']) ?? state.transcriptPath,
    model: text(data['model']) ?? state.model,
    counts: { ...activity.counts, events: activity.counts.events + 1 },
  };
}

/** Folds events in order, from the initial state or a snapshot. */
export function foldLifecycle(events: Iterable<LifecycleEvent>, from: LifecycleState = initialLifecycleState): LifecycleState {
  let state = from;
  for (const event of events) state = evolveLifecycle(state, event);
  return state;
}

/**
 * Claude Code hook events only: quarantine, workflow and unknown event types do not apply. Events
 * `logbook import` read out of transcripts (source `import`) are hook-shaped and fold the same way.
 */
export function appliesToLifecycle(event: LifecycleEvent): boolean {
  const source = event.metadata['source'];
  return (source === undefined || source === 'hook' || source === 'import') && isKnownHookEvent(event.type);
}

function deriveStateName(a: Activity): LifecycleStateName {
  if (a.ended) return 'ended';
  if (a.compacting) return 'compacting';
  if (a.openTools.some((tool) => tool.awaitingPermission)) return 'waiting_for_permission';
  if (a.openSubagents.length > 0) return 'subagent_running';
  if (a.openTools.length > 0) return 'tool_running';
  return a.phase;
}

// ---- transitions, one handler per hook event ----

const HANDLERS = new Map<string, Handler>([
  ['SessionStart', onSessionStart], ['UserPromptSubmit', onUserPrompt], ['MessageDisplay', onModelOutput],
  ['PreToolUse', onPreToolUse], ['PermissionRequest', onPermissionRequest], ['Notification', onNotification],
  ['PostToolUse', toolEnded(null)], ['PostToolUseFailure', toolEnded('toolFailures')],
  ['PermissionDenied', toolEnded('permissionDenials')], ['PostToolBatch', onToolBatch],
  ['SubagentStart', onSubagentStart], ['SubagentStop', onSubagentStop],
  ['PreCompact', onPreCompact], ['PostCompact', endCompaction],
  ['Stop', turnEnded('stops')], ['StopFailure', turnEnded('stopFailures')], ['SessionEnd', onSessionEnd],
]);

// SessionStart `compact` comes after the compaction (PreCompact, SubagentStop, SessionStart,
// PostCompact in the capture): it ends compacting and the session goes back to what it was doing.
// Any other source (startup, resume, clear) is a fresh process: nothing open survives it.
function onSessionStart(a: Activity, d: Payload): Activity {
  if (d['source'] === 'compact') return endCompaction(a);
  const resumes = a.counts.resumes + (d['source'] === 'resume' ? 1 : 0);
  return { ...a, phase: 'starting', openTools: [], openSubagents: [], compacting: false, ended: false, endReason: null, counts: { ...a.counts, resumes } };
}

// A prompt queued while a tool runs leaves that tool open: its own end event closes it.
function onUserPrompt(a: Activity, d: Payload): Activity {
  if (inSubagent(d)) return a;
  return { ...a, phase: 'prompted', counts: bump(a.counts, 'prompts') };
}

// Streamed assistant text: the model is working (also after a Stop a hook blocked).
function onModelOutput(a: Activity, d: Payload): Activity {
  return inSubagent(d) ? a : { ...a, phase: 'model_working' };
}

function onPreToolUse(a: Activity, d: Payload, at: number | null): Activity {
  const toolUseId = text(d['tool_use_id']);
  const key = toolUseId ?? `tool#${a.counts.toolCalls + 1}`;
  const call: OpenToolCall = { key, toolUseId, toolName: text(d['tool_name']) ?? '', inputHash: hashValue(d['tool_input']), agentId: text(d['agent_id']), openedAt: at, awaitingPermission: false };
  return { ...withCall(a, call), phase: inSubagent(d) ? a.phase : 'model_working', counts: bump(a.counts, 'toolCalls') };
}

// PermissionRequest has no tool_use_id (see the capture): it is matched to the open call with the
// same tool name and input. Without one (PreToolUse missed) the call is tracked under a made-up key.
function onPermissionRequest(a: Activity, d: Payload, time: number | null): Activity {
  const name = text(d['tool_name']) ?? '';
  const hash = hashValue(d['tool_input']);
  const waiting = (t: OpenToolCall): boolean => !t.awaitingPermission && t.toolName === name;
  const matching = lastIndex(a.openTools, (t) => waiting(t) && t.inputHash === hash);
  const at = matching >= 0 ? matching : lastIndex(a.openTools, waiting);
  const counts = bump(a.counts, 'permissionRequests');
  if (at >= 0) return { ...a, openTools: markAwaiting(a.openTools, at), counts };
  const call: OpenToolCall = { key: `permission#${counts.permissionRequests}`, toolUseId: null, toolName: name, inputHash: hash, agentId: text(d['agent_id']), openedAt: time, awaitingPermission: true };
  return { ...withCall(a, call), counts };
}

// Notification `permission_prompt` (interactive UI) is a fallback for a PermissionRequest the
// hook did not see: it marks the latest open call, and only if no call is already waiting (it
// would otherwise mark a parallel call). Other notification types (idle_prompt, auth_success,
// elicitation_*) change nothing: Stop already made the session idle.
function onNotification(a: Activity, d: Payload): Activity {
  if (d['notification_type'] !== 'permission_prompt') return a;
  if (a.openTools.some((t) => t.awaitingPermission)) return a;
  return a.openTools.length === 0 ? a : { ...a, openTools: markAwaiting(a.openTools, a.openTools.length - 1) };
}

// PostToolUse, PostToolUseFailure and PermissionDenied end one call (and its permission wait).
function toolEnded(counter: keyof LifecycleCounts | null): Handler {
  return (a, d) => {
    const openTools = closeCallOf(a.openTools, d);
    return { ...a, phase: afterToolEnd(a, d), openTools, counts: counter === null ? a.counts : bump(a.counts, counter) };
  };
}

// A call denied by a hook gets no Post* event, only PostToolBatch: the batch closes every call it lists.
function onToolBatch(a: Activity, d: Payload): Activity {
  const calls = Array.isArray(d['tool_calls']) ? d['tool_calls'] : [];
  const openTools = calls.reduce<readonly OpenToolCall[]>((open, call) => closeCallOf(open, asPayload(call)), a.openTools);
  return { ...a, phase: afterToolEnd(a, d), openTools };
}

// The Agent tool's PreToolUse comes first; the subagent's own events carry its agent_id and
// leave the main phase alone.
function onSubagentStart(a: Activity, d: Payload, at: number | null): Activity {
  const agentId = text(d['agent_id']);
  if (agentId === null) return a;
  const admitted = admit(a.openSubagents, { agentId, agentType: text(d['agent_type']) ?? '', startedAt: at }, subagentKey, MAX_OPEN_SUBAGENTS);
  return { ...a, openSubagents: admitted.open, abandoned: abandon(a.abandoned, 'subagents', admitted.abandoned), counts: bump(a.counts, 'subagents') };
}

// Compaction fires a SubagentStop (empty agent_type) with no SubagentStart: an unknown agent is
// ignored. A stopped subagent's calls that never ended are dropped with it.
function onSubagentStop(a: Activity, d: Payload): Activity {
  const agentId = text(d['agent_id']);
  if (agentId === null || !a.openSubagents.some((agent) => agent.agentId === agentId)) return a;
  const openTools = a.openTools.filter((t) => t.agentId !== agentId);
  return { ...a, openSubagents: a.openSubagents.filter((agent) => agent.agentId !== agentId), openTools };
}

function onPreCompact(a: Activity): Activity {
  return { ...a, compacting: true, counts: bump(a.counts, 'compactions') };
}

function endCompaction(a: Activity): Activity {
  return a.compacting ? { ...a, compacting: false } : a;
}

// Stop / StopFailure end the turn: whatever is still open will not end on its own.
function turnEnded(counter: 'stops' | 'stopFailures'): Handler {
  return (a, d) => inSubagent(d) ? a : { ...a, phase: 'idle', openTools: [], openSubagents: [], counts: bump(a.counts, counter) };
}

function onSessionEnd(a: Activity, d: Payload): Activity {
  return { ...a, ended: true, endReason: text(d['reason']), openTools: [], openSubagents: [], compacting: false };
}

// ---- helpers ----

// A tool end arriving after Stop is a straggler from a parallel hook: it does not wake the session.
function afterToolEnd(a: Activity, d: Payload): LifecyclePhase {
  return inSubagent(d) || a.phase === 'idle' ? a.phase : 'model_working';
}

function closeCallOf(open: readonly OpenToolCall[], d: Payload): readonly OpenToolCall[] {
  return closeCall(open, text(d['tool_use_id']), text(d['tool_name']), d['tool_input']);
}

// Opens (or reopens) a call; making room past the bound abandons the oldest open call.
function withCall(a: Activity, call: OpenToolCall): Activity {
  const admitted = admit(a.openTools, call, callKey, MAX_OPEN_TOOL_CALLS);
  return { ...a, openTools: admitted.open, abandoned: abandon(a.abandoned, 'toolCalls', admitted.abandoned) };
}

function abandon(counts: AbandonedCounts, key: keyof AbandonedCounts, more: number): AbandonedCounts {
  return more === 0 ? counts : { ...counts, [key]: counts[key] + more };
}

function bump(counts: LifecycleCounts, key: keyof LifecycleCounts): LifecycleCounts {
  return { ...counts, [key]: counts[key] + 1 };
}

function bumpKey(record: Readonly<Record<string, number>>, key: string): Readonly<Record<string, number>> {
  return { ...record, [key]: (record[key] ?? 0) + 1 };
}

function inSubagent(d: Payload): boolean {
  return text(d['agent_id']) !== null;
}

function asPayload(value: unknown): Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
