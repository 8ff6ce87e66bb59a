import { evolveLifecycle, initialLifecycleState } from '../domain/lifecycle';
import type { LifecycleState } from '../domain/lifecycle';
import type { RecordedEvent } from '../store/event-store';

// A session's states in order (lifecycle changes and workflow transitions), for the sidebar's
// "State timeline": read once when a session is expanded, not kept up to date per event.

export interface StateChange {
  readonly machine: 'lifecycle' | 'workflow';
  readonly state: string;
  readonly at: number | null;
  /** Until the next change of the same machine (or the session's last event). */
  readonly durationMs: number | null;
  readonly globalPosition: number;
}

export function stateChanges(events: readonly RecordedEvent[]): StateChange[] {
  const changes: { machine: 'lifecycle' | 'workflow'; state: string; at: number | null; globalPosition: number }[] = [];
  let lifecycle: LifecycleState = initialLifecycleState;
  let lastAt: number | null = null;
  for (const event of events) {
    const next = evolveLifecycle(lifecycle, event);
    if (next !== lifecycle && (lifecycle.counts.events === 0 || next.state !== lifecycle.state)) {
      changes.push({ machine: 'lifecycle', state: next.state, at: next.lastEventAt, globalPosition: event.globalPosition });
    }
    lifecycle = next;
    lastAt = lifecycle.lastEventAt ?? lastAt;
    if (event.type === 'WorkflowTransitioned' || event.type === 'WorkflowStarted') {
      const data = (event.data ?? {}) as Record<string, unknown>;
      const to = typeof data['to'] === 'string' ? data['to'] : typeof data['state'] === 'string' ? data['state'] : null;
      const at = typeof data['at'] === 'string' ? Date.parse(data['at']) : NaN;
      if (to !== null) changes.push({ machine: 'workflow', state: to, at: Number.isFinite(at) ? at : lastAt, globalPosition: event.globalPosition });
      if (Number.isFinite(at)) lastAt = Math.max(lastAt ?? at, at);
    }
  }
  // Backwards, remembering each machine's next change: one pass even for 100k events.
  const nextAt: Record<'lifecycle' | 'workflow', number | null> = { lifecycle: lastAt, workflow: lastAt };
  const timed: StateChange[] = new Array<StateChange>(changes.length);
  for (let index = changes.length - 1; index >= 0; index -= 1) {
    const change = changes[index]!;
    const end = nextAt[change.machine];
    timed[index] = { ...change, durationMs: change.at === null || end === null ? null : Math.max(0, end - change.at) };
    nextAt[change.machine] = change.at ?? end;
  }
  return timed;
}
