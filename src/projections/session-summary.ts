import { appliesToLifecycle, evolveLifecycle, initialLifecycleState } from '../domain/lifecycle';
import type { LifecycleState, LifecycleStateName } from '../domain/lifecycle';
import { advanceClock, eventTimeMs, timePerState } from '../domain/lifecycle-time';
import { initialWorkflowState } from '../domain/workflow/decider';
import { isWorkflowEventType } from '../domain/workflow/events';
import type { WorkflowState } from '../domain/workflow/types';
import type { RecordedEvent } from '../store/event-store';
import { foldWithSnapshots, runProjection } from './projection';
import type { Projection, SnapshotRun } from './projection';
import { asPayload, bumpKey, isoMs, own } from './summary-fields';
import { applyHookEvent } from './summary-hooks';
import { applyWorkflowEvent } from './summary-workflow';
import { isUsageEventType, usageRecordedData } from '../domain/usage/events';
import { isImported } from '../domain/imported';
import { emptyTally, tallyUsage } from './overview/usage-tally';
import type { UsageTally } from './overview/usage-tally';

// One session stream folded into what a report shows. Pure and JSON-serialisable (it is
// snapshotted): records instead of Maps, times as epoch ms, null for "not known". Times come from
// metadata.receivedAt (workflow events: data.at), clamped so they never run backwards.
// The hook-event counters live in summary-hooks.ts, the workflow record in summary-workflow.ts.
// Tokens are kept as running sums (overview/usage-tally.ts) for the views across sessions; the
// report's exact per-message figures come from projections/usage/, which folds the session's
// UsageRecorded events itself.

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
  readonly toolUseId: string;
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
  /** Oldest first, at most MAX_OPEN_TOOL_CALLS (domain/lifecycle-open.ts). */
  readonly pendingCalls: readonly PendingCall[];
  /** By path. */
  readonly files: Readonly<Record<string, FileTouch>>;
  /** By agent_id. */
  readonly subagents: Readonly<Record<string, SubagentSummary>>;
  readonly workflow: WorkflowSummary;
  readonly journal: readonly JournalRecord[];
  /** The main agent's first prompt, shortened (domain/session-title.ts); null before one. */
  readonly title: string | null;
  /** The git branch the session's transcript last named (on its UsageRecorded events); null when none did. */
  readonly branch: string | null;
  /** Events `logbook import` read out of transcripts rather than a hook recorded (domain/imported.ts). */
  readonly importedEvents: number;
  readonly usage: UsageTally;
}

export const initialWorkflowSummary: WorkflowSummary = {
  name: null, state: initialWorkflowState, startedAt: null, enteredAt: null, timeInState: {},
  transitions: [], refusals: [], reviewsApproved: 0, reviewRejections: [], hookDenials: [], stopBlocks: [],
};

export const initialSessionSummary: SessionSummaryState = {
  sessionId: null, firstEventAt: null, lastEventAt: null, eventsFolded: 0, lastPosition: 0, eventsByType: {},
  prompts: 0, compactions: 0, stops: 0, lifecycle: initialLifecycleState,
  tools: { all: {}, main: {}, subagents: {} }, pendingCalls: [], files: {}, subagents: {},
  workflow: initialWorkflowSummary, journal: [], title: null, branch: null, importedEvents: 0, usage: emptyTally,
};

/** The session summary fold. Bump `version` whenever the state shape or a rule changes. */
export const sessionSummaryProjection: Projection<SessionSummaryState> = {
  name: 'session-summary',
  // 2: open calls, subagents and pending calls are bounded (lifecycle-open.ts), lifecycle.abandoned.
  // 3: usage events do not move the session's clock.
  // 4: title, branch, imported events and the usage tally.
  // 5: the overview row keeps the tally's sums only (the recent messages made rows 10 KB each).
  version: 5,
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
  // The writer records usage when it reads the transcript, after the session acted, or days later
  // for an older one: its receive time says nothing about when the session ran.
  if (isUsageEventType(event.type)) {
    const counted = { ...s, sessionId: s.sessionId ?? event.streamId, eventsFolded: s.eventsFolded + 1, lastPosition: event.globalPosition, eventsByType: bumpKey(s.eventsByType, event.type, 1) };
    const usage = usageRecordedData.safeParse(event.data);
    if (!usage.success) return counted;
    return { ...counted, usage: tallyUsage(s.usage, usage.data), branch: usage.data.gitBranch ?? s.branch };
  }
  const data = asPayload(event.data);
  const stamp = eventTimeMs(event);
  const at = summaryClock(s.lastEventAt, stamp, data);
  const base: SessionSummaryState = {
    ...s,
    sessionId: s.sessionId ?? event.streamId,
    firstEventAt: s.firstEventAt ?? at,
    lastEventAt: at,
    eventsFolded: s.eventsFolded + 1,
    lastPosition: event.globalPosition,
    eventsByType: bumpKey(s.eventsByType, event.type, 1),
    importedEvents: s.importedEvents + (isImported(event) ? 1 : 0),
  };
  if (appliesToLifecycle(event)) {
    const lifecycle = evolveLifecycle(s.lifecycle, onOurClock(event, stamp, at));
    return applyHookEvent({ ...base, lifecycle }, event.type, data, at);
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

/** The summary's clock after an event stamped `stamp` (a workflow event without one: its data.at), never running backwards. */
export function summaryClock(last: number | null, stamp: number | null, data: Readonly<Record<string, unknown>>): number | null {
  return advanceClock(last, stamp ?? isoMs(data['at']));
}

// The lifecycle keeps its own clock over hook events only. A hook stamped before an event already
// folded (a workflow event, a parallel hook) would start or run its clock behind ours, and
// lifecycleTimes would book negative time to fill the gap: handing it our clamped time prevents that.
export function onOurClock(event: RecordedEvent, stamp: number | null, at: number | null): RecordedEvent {
  if (at === null || stamp === at) return event;
  return { ...event, metadata: { ...event.metadata, receivedAt: new Date(at).toISOString() } };
}
