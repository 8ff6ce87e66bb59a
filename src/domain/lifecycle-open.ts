import type { OpenSubagent, OpenToolCall } from './lifecycle';

// The lifecycle's open tool calls and subagents: what was started and has not ended yet, oldest
// first. Every event that opens or closes one copies its list (the state is immutable and
// snapshotted) and every event's state name scans the calls, so their number is the per-event
// cost of the fold. A call whose result never comes (denied, interrupted, a hook that crashed)
// stays open until the turn ends, and a session that never stops would pay for all of them on
// every event: past a bound, the oldest is closed as abandoned and counted. Claude Code runs a
// handful of calls at once (tens with a team of subagents): ordinary sessions never reach it.
// Lists, not records keyed by id: V8 copies a record of fresh keys a hundred times slower.

/** The most tool calls kept open at once; past it the oldest is abandoned. */
export const MAX_OPEN_TOOL_CALLS = 256;
/** The most subagents kept open at once; past it the oldest is abandoned. */
export const MAX_OPEN_SUBAGENTS = 256;

/** A list kept open, with how many of its oldest entries making room for the new one abandoned. */
export interface Admitted<T> {
  readonly open: readonly T[];
  readonly abandoned: number;
}

/** Replaces the entry with `value`'s key in place, else appends it, dropping the oldest past `max`. */
export function admit<T>(open: readonly T[], value: T, keyOf: (entry: T) => string, max: number): Admitted<T> {
  const key = keyOf(value);
  const at = open.findIndex((entry) => keyOf(entry) === key);
  if (at >= 0) return { open: open.map((entry, i) => (i === at ? value : entry)), abandoned: 0 };
  const excess = Math.max(0, open.length + 1 - max);
  return { open: [...open.slice(excess), value], abandoned: excess };
}

/** Ends the call a Post*, PermissionDenied or batch entry names: by tool_use_id, else by name and input. */
export function closeCall(open: readonly OpenToolCall[], id: string | null, name: string | null, input: unknown): readonly OpenToolCall[] {
  let at = id === null ? -1 : open.findIndex((t) => t.key === id);
  if (at < 0) {
    const hash = hashValue(input);
    at = lastIndex(open, (t) => t.toolUseId === null && t.toolName === name && t.inputHash === hash);
  }
  return at < 0 ? open : open.filter((_, i) => i !== at);
}

/** The call at `at` waits for the user's permission. */
export function markAwaiting(open: readonly OpenToolCall[], at: number): readonly OpenToolCall[] {
  return open.map((call, i) => (i === at ? { ...call, awaitingPermission: true } : call));
}

// Latest first: of two matching calls, the one opened last is the one just announced.
export function lastIndex(open: readonly OpenToolCall[], match: (call: OpenToolCall) => boolean): number {
  for (let i = open.length - 1; i >= 0; i -= 1) if (match(open[i] as OpenToolCall)) return i;
  return -1;
}

export const subagentKey = (agent: OpenSubagent): string => agent.agentId;
export const callKey = (call: OpenToolCall): string => call.key;

/** Past this depth a tool input hashes as a marker: a payload nested thousands deep must not overflow the stack. */
const HASH_DEPTH = 64;

// FNV-1a over a key-sorted JSON: equal inputs hash alike whatever their key order, and the
// snapshot keeps 8 characters instead of a whole tool input.
export function hashValue(value: unknown): string {
  const json = stableJson(value, 0);
  let hash = 0x811c9dc5;
  for (let i = 0; i < json.length; i += 1) {
    hash ^= json.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function stableJson(value: unknown, depth: number): string {
  if (typeof value === 'object' && value !== null && depth >= HASH_DEPTH) return '…';
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item, depth + 1)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v, depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
