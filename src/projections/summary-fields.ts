// Reading payload fields for the session summary fold. Stored events are untrusted JSON: every
// read is defensive, and a missing or mistyped field reads as "not known", never as a throw.

/** A JSON object as read from an event's data. */
export type Payload = Readonly<Record<string, unknown>>;

// Keys come from payloads: a tool or file named `__proto__` must not read the prototype.
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function omit<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!Object.hasOwn(record, key)) return record;
  const { [key]: _dropped, ...rest } = record;
  return rest;
}

export function bumpKey(record: Readonly<Record<string, number>>, key: string, by: number): Readonly<Record<string, number>> {
  return { ...record, [key]: (own(record, key) ?? 0) + by };
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
