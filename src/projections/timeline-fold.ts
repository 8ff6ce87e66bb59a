import { appliesToLifecycle, evolveLifecycle, initialLifecycleState } from '../domain/lifecycle';
import type { LifecycleState } from '../domain/lifecycle';
import { eventTimeMs } from '../domain/lifecycle-time';
import { evolve, initialWorkflowState } from '../domain/workflow/decider';
import { isWorkflowEventType } from '../domain/workflow/events';
import type { WorkflowState } from '../domain/workflow/types';
import { isUsageEventType } from '../domain/usage/events';
import type { RecordedEvent } from '../store/event-store';
import { onOurClock, summaryClock } from './session-summary';
import { asPayload } from './summary-fields';
import { asWorkflowEvent } from './summary-workflow';

// The part of the session summary fold that a timeline reads (TimelineBuilder.add): the clamped
// clock, the lifecycle and the workflow's state, by the very rules of applySessionEvent (the same
// clock, the same lifecycle decider, the same workflow decider), without the counters, tool
// tables, files, subagents and records the summary keeps besides. The unified timeline folds a
// whole group's streams to draw them, and those records were most of the cost. A unit test holds
// the two folds to the same timeline on the fixtures and on generated streams.

export interface TimelineFoldState {
  readonly lastEventAt: number | null;
  readonly lifecycle: LifecycleState;
  readonly workflow: { readonly state: WorkflowState };
}

export const initialTimelineFold: TimelineFoldState = { lastEventAt: null, lifecycle: initialLifecycleState, workflow: { state: initialWorkflowState } };

/** Folds one event as applySessionEvent does, keeping only what a timeline reads. */
export function applyTimelineEvent(s: TimelineFoldState, event: RecordedEvent): TimelineFoldState {
  // Usage is recorded when the transcript is read: it moves neither the clock nor a state.
  if (isUsageEventType(event.type)) return s;
  const data = asPayload(event.data);
  const stamp = eventTimeMs(event);
  const at = summaryClock(s.lastEventAt, stamp, data);
  if (appliesToLifecycle(event)) return { lastEventAt: at, lifecycle: evolveLifecycle(s.lifecycle, onOurClock(event, stamp, at)), workflow: s.workflow };
  if (isWorkflowEventType(event.type)) {
    const workflowEvent = asWorkflowEvent(event.type, data);
    if (workflowEvent !== null) return { lastEventAt: at, lifecycle: s.lifecycle, workflow: { state: evolve(s.workflow.state, workflowEvent) } };
  }
  return at === s.lastEventAt ? s : { ...s, lastEventAt: at };
}
