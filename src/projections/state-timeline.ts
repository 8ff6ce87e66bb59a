import { summarizeEvent } from '../domain/event-summary';
import type { LifecycleStateName } from '../domain/lifecycle';
import type { MachineKind } from '../protocol/state-machine';
import type { RecordedEvent } from '../store/event-store';
import { withinFold } from './fold-scope';
import { applySessionEvent, initialSessionSummary } from './session-summary';
import type { SessionSummaryState } from './session-summary';

// Which state each event of a session happened in, for both machines, from one fold of its
// stream. An event belongs to the state the session is in once the event is folded: the event
// that enters a state opens that state's list, a refused transition stays in the state it was
// refused from, and every event lands in exactly one lifecycle state and one workflow bucket
// (null = before the workflow started). The timeline is extended in place as events arrive, so
// a session's stream is read once however often its view redraws.

/** One folded event and the states it belongs to. */
export interface TimelineEvent {
  readonly position: number;
  readonly streamPosition: number;
  readonly type: string;
  /** The folded (clamped) time of the event. */
  readonly at: number | null;
  /** Untrusted event text, flattened and bounded. */
  readonly summary: string;
  readonly lifecycle: LifecycleStateName;
  readonly workflow: string | null;
}

/** A session's events partitioned by state, with the summary folded from the very same events. */
export interface StateTimeline {
  readonly events: TimelineEvent[];
  summary: SessionSummaryState;
  /** Global position of the last event folded. */
  lastPosition: number;
  /** Stream position of the last event folded (where to read on from). */
  lastStreamPosition: number;
  /** The workflow definition as the stream recorded it (unvalidated: it came from an event). */
  definition: unknown;
}

/** What happened in one state: events and the marks the diagram draws on it. */
export interface StateTally {
  events: number;
  denials: number;
  refusals: number;
  stopBlocks: number;
  reviewRejections: number;
}

export function createTimeline(): StateTimeline {
  return { events: [], summary: initialSessionSummary, lastPosition: 0, lastStreamPosition: 0, definition: null };
}

/** Folds events given in stream order; those at or before the last position are skipped. Returns how many were added. */
export function extendTimeline(timeline: StateTimeline, events: Iterable<RecordedEvent>): number {
  // One fold run (fold-scope.ts): only the states and clock of `before` and `after` are read, at once.
  return withinFold(() => extendInRun(timeline, events));
}

function extendInRun(timeline: StateTimeline, events: Iterable<RecordedEvent>): number {
  let added = 0;
  for (const event of events) {
    if (event.globalPosition <= timeline.lastPosition) continue;
    const before = timeline.summary;
    const after = applySessionEvent(before, event);
    timeline.summary = after;
    timeline.lastPosition = event.globalPosition;
    timeline.lastStreamPosition = event.streamPosition;
    timeline.definition = recordedDefinition(timeline.definition, before, event);
    timeline.events.push({
      position: event.globalPosition,
      streamPosition: event.streamPosition,
      type: event.type,
      at: after.lastEventAt,
      summary: describeEvent(event),
      lifecycle: after.lifecycle.state,
      workflow: after.workflow.state.current,
    });
    added += 1;
  }
  return added;
}

/** The bucket of an event in a machine. */
export function stateOf(event: TimelineEvent, machine: MachineKind): string | null {
  return machine === 'lifecycle' ? event.lifecycle : event.workflow;
}

/** The events that happened in a state (null: before the workflow), in stream order. */
export function eventsInState(timeline: StateTimeline, machine: MachineKind, state: string | null): TimelineEvent[] {
  return timeline.events.filter((event) => stateOf(event, machine) === state);
}

/** Every event in exactly one bucket per machine (null: before the workflow). */
export function partitionByState(timeline: StateTimeline, machine: MachineKind): Map<string | null, TimelineEvent[]> {
  const buckets = new Map<string | null, TimelineEvent[]>();
  for (const event of timeline.events) {
    const key = stateOf(event, machine);
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, [event]);
    else bucket.push(event);
  }
  return buckets;
}

/** Events and marks per state of a machine, counted from where the events happened. */
export function tallyByState(timeline: StateTimeline, machine: MachineKind): Map<string | null, StateTally> {
  const tallies = new Map<string | null, StateTally>();
  for (const event of timeline.events) {
    const key = stateOf(event, machine);
    let tally = tallies.get(key);
    if (tally === undefined) {
      tally = { events: 0, denials: 0, refusals: 0, stopBlocks: 0, reviewRejections: 0 };
      tallies.set(key, tally);
    }
    tally.events += 1;
    const mark = MARKS.get(event.type);
    if (mark !== undefined) tally[mark] += 1;
  }
  return tallies;
}

const MARKS = new Map<string, Exclude<keyof StateTally, 'events'>>([
  ['HookDenied', 'denials'], ['PermissionDenied', 'denials'],
  ['WorkflowTransitionRefused', 'refusals'], ['WorkflowCommandRejected', 'refusals'],
  ['StopBlocked', 'stopBlocks'], ['ReviewRejected', 'reviewRejections'],
]);

// The definition the session ran under: the first start wins (as in the decider), a change replaces it.
function recordedDefinition(current: unknown, before: SessionSummaryState, event: RecordedEvent): unknown {
  const data = asRecord(event.data);
  if (event.type === 'WorkflowStarted' && before.workflow.state.current === null && 'definition' in data) return data['definition'];
  if (event.type === 'WorkflowDefinitionChanged' && 'definition' in data) return data['definition'];
  return current;
}

// Workflow events say more than the generic one-liner knows about.
function describeEvent(event: RecordedEvent): string {
  const d = asRecord(event.data);
  const s = (key: string): string => (typeof d[key] === 'string' ? d[key] : '');
  switch (event.type) {
    case 'WorkflowStarted': return bounded(`started in ${s('state')}`);
    case 'WorkflowTransitioned': return bounded(`${s('from')} → ${s('to')}: ${s('reason')}`);
    case 'WorkflowTransitionRefused': return bounded(`refused ${s('from')} → ${s('to')}: ${s('reason')}`);
    case 'WorkflowCommandRejected': return bounded(`${s('command')} rejected: ${s('reason')}`);
    case 'JournalEntryWritten': return bounded(s('text'));
    case 'ReviewApproved': return bounded(`approved ${s('notes')}`);
    case 'ReviewRejected': return bounded(`rejected: ${s('notes')}`);
    case 'HookDenied': return bounded(`${s('toolName')} denied: ${s('rule')}`);
    case 'StopBlocked': return bounded(`stop blocked: ${s('reason')}`);
    default: return summarizeEvent(event.type, event.data);
  }
}

function bounded(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
