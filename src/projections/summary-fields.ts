import { admit, MAX_OPEN_TOOL_CALLS } from '../domain/lifecycle-open';
import { setKey } from './fold-scope';
import type { PendingCall } from './session-summary';

// Reading payload fields for the session summary fold. Stored events are untrusted JSON: every
// read is defensive, and a missing or mistyped field reads as "not known", never as a throw.

/** A JSON object as read from an event's data. */
export type Payload = Readonly<Record<string, unknown>>;

// Keys come from payloads: a tool or file named `__proto__` must not read the prototype.
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function bumpKey(record: Readonly<Record<string, number>>, key: string, by: number): Readonly<Record<string, number>> {
  return setKey(record, key, (own(record, key) ?? 0) + by);
}

/** The pending call with this tool_use_id. */
export function pendingCall(pending: readonly PendingCall[], id: string): PendingCall | undefined {
  return pending.find((call) => call.toolUseId === id);
}

/**
 * Sets a pending call. Calls whose end never comes would otherwise pile up, and every SubagentStop
 * scans them: past the lifecycle's bound on open calls, the oldest is forgotten first.
 */
export function withPending(pending: readonly PendingCall[], call: PendingCall): readonly PendingCall[] {
  return admit(pending, call, (c) => c.toolUseId, MAX_OPEN_TOOL_CALLS).open;
}

export function withoutPending(pending: readonly PendingCall[], id: string): readonly PendingCall[] {
  return pending.some((call) => call.toolUseId === id) ? pending.filter((call) => call.toolUseId !== id) : pending;
}

export function asPayload(value: unknown): Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : {};
}

/** A non-empty string, else null. */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A string, else ''. */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A finite number, else 0. */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function isoMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** The subagent a hook payload belongs to; null for the main agent. */
export function agentOf(d: Payload): string | null {
  return text(d['agent_id']);
}
