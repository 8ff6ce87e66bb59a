import type { LifecycleEvent, LifecycleState, LifecycleStateName } from './lifecycle';

// Time in the session lifecycle. Each event closes the interval since the previous one into the
// state the session was in; the open interval is added only at read time. "Abandoned" is never
// an event or a stored state: a hard-killed Claude Code fires no SessionEnd, so only the silence
// since the last event tells.

/** How long a session that has not ended may stay silent before it counts as abandoned. */
export const DEFAULT_SILENCE_MS = 30 * 60 * 1000;

/** A session as a list shows it. */
export type SessionStatus = 'live' | 'idle' | 'ended' | 'abandoned';

/** When the hook received the event (ms), or null when the stamp is missing or unreadable. */
export function eventTimeMs(event: Pick<LifecycleEvent, 'metadata'>): number | null {
  const stamp = event.metadata['receivedAt'];
  if (typeof stamp !== 'string') return null;
  const ms = Date.parse(stamp);
  return Number.isFinite(ms) ? ms : null;
}

/** The time to fold an event at: its stamp, else the last time; never earlier than the last time. */
export function advanceClock(last: number | null, stamp: number | null): number | null {
  // Parallel hooks stamp out of order: clamping keeps every interval non-negative.
  if (stamp === null) return last;
  return last === null ? stamp : Math.max(last, stamp);
}

/** The per-state times once the interval from the last event to `at` is booked to the current state. */
export function closeInterval(state: LifecycleState, at: number | null): Readonly<Record<LifecycleStateName, number>> {
  if (state.lastEventAt === null || at === null || at <= state.lastEventAt) return state.timeInState;
  return { ...state.timeInState, [state.state]: state.timeInState[state.state] + (at - state.lastEventAt) };
}

/**
 * Milliseconds spent in each state. With `now`, a session that has not ended also gets the
 * open interval since its last event (never negative), so the sum is now − startedAt.
 */
export function timePerState(state: LifecycleState, now?: number): Record<LifecycleStateName, number> {
  const times = { ...state.timeInState };
  if (now !== undefined && !state.ended && state.lastEventAt !== null) {
    times[state.state] += Math.max(0, now - state.lastEventAt);
  }
  return times;
}

/** The sum of per-state times: the session's duration so far. */
export function totalTime(times: Readonly<Record<LifecycleStateName, number>>): number {
  return Object.values(times).reduce((sum, ms) => sum + ms, 0);
}

/**
 * live: Claude is doing something; idle: it waits for the user (after a turn, or before the
 * first prompt); ended: SessionEnd seen; abandoned: not ended and silent longer than silenceMs.
 */
export function deriveSessionStatus(state: Pick<LifecycleState, 'ended' | 'state' | 'lastEventAt'>, now: number, silenceMs: number = DEFAULT_SILENCE_MS): SessionStatus {
  if (state.ended) return 'ended';
  if (state.lastEventAt !== null && now - state.lastEventAt > silenceMs) return 'abandoned';
  return state.state === 'idle' || state.state === 'starting' ? 'idle' : 'live';
}
