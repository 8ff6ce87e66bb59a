import { deriveSessionStatus } from '../../domain/lifecycle-time';
import type { SessionStatus } from '../../domain/lifecycle-time';
import type { SessionOverview } from './session-overview';

// Kept apart from the overview's fold: the dashboard's webview bundles this (and not the fold).

/**
 * A row's status at `now` and how long it ran: a live or idle session up to now, any other from
 * its first event to its last (what the tree, the status bar and every listing show).
 */
export function statusAt(row: Pick<SessionOverview, 'ended' | 'lifecycleState' | 'lastEventAt' | 'firstEventAt'>, now: number, silenceMs?: number): { status: SessionStatus; durationMs: number } {
  const status = deriveSessionStatus({ ended: row.ended, state: row.lifecycleState, lastEventAt: row.lastEventAt }, now, silenceMs);
  const first = row.firstEventAt;
  const end = status === 'live' || status === 'idle' ? now : row.lastEventAt;
  return { status, durationMs: first === null || end === null ? 0 : Math.max(0, end - first) };
}
