// Naming a session by the start of its id, as people copy it from `logbook sessions` (its first 8
// characters). A whole id always names its session; a shorter start must have at least
// MIN_PREFIX characters (fewer would match by accident as a store grows) and match one session.

export const MIN_PREFIX = 4;

/** How a name resolved: one session, or why none (with the sessions it could mean). */
export type PrefixMatch =
  | { readonly ok: true; readonly sessionId: string }
  | { readonly ok: false; readonly problem: 'short' | 'ambiguous' | 'unknown'; readonly candidates: readonly string[] };

/** The session `given` names among `ids`; candidates (sorted) when it is ambiguous. */
export function resolveSessionPrefix(ids: Iterable<string>, given: string): PrefixMatch {
  const candidates: string[] = [];
  for (const id of ids) {
    if (id === given) return { ok: true, sessionId: id };
    if (id.startsWith(given)) candidates.push(id);
  }
  if (given.length < MIN_PREFIX) return { ok: false, problem: candidates.length === 0 ? 'unknown' : 'short', candidates: [] };
  if (candidates.length === 1) return { ok: true, sessionId: candidates[0] as string };
  return { ok: false, problem: candidates.length === 0 ? 'unknown' : 'ambiguous', candidates: candidates.sort() };
}
