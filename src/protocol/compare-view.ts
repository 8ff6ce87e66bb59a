import * as z from 'zod';
import type { Comparison } from './compare';

// Host ⇄ webview protocol of the Compare view (viewType logbook.compare; one panel per
// comparison, keyed by compareKey). The host folds the two sessions (or prices the cohort's
// overview rows), sends the whole Comparison of src/protocol/compare.ts (the JSON of `logbook
// compare --json`) and keeps the prompt for "Discuss with Claude" on its side: the webview never
// sends text the host would run or paste. Titles, branches, tool names and paths come from
// events: the webview renders them as text only.

/** What the Compare view shows. */
export interface CompareViewState {
  readonly key: string;
  readonly comparison: Comparison;
  /** The cohort as people read it ("all 40 other sessions"); null for two sessions. */
  readonly cohortLabel: string | null;
  /** Epoch ms of the comparison (live sessions' durations run to it). */
  readonly at: number;
}

const sessionId = z.string({ error: 'sessionId must be a string' }).min(1, 'sessionId must not be empty').max(200, 'sessionId is longer than 200 characters');

/** Webview → host messages (besides `ready`). */
export const compareWebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('openReport'), sessionId }).strict(),
  /** Copies the host's prompt for this comparison. */
  z.object({ type: z.literal('discuss/copy') }).strict(),
  /** Starts `claude` with the host's prompt for this comparison. */
  z.object({ type: z.literal('discuss/terminal') }).strict(),
], { error: 'type must be openReport, discuss/copy or discuss/terminal' });
export type CompareWebviewMessage = z.infer<typeof compareWebviewMessage>;

/** A comparison a panel shows: two sessions, or a session against the median of a cohort. */
export type CompareTarget =
  | { readonly kind: 'sessions'; readonly a: string; readonly b: string }
  /** `cohort`: 'all' (every other session of the window) or the id of a set of sessions the host holds. */
  | { readonly kind: 'cohort'; readonly a: string; readonly cohort: string };

const keyShape = z.union([
  z.tuple([z.literal('sessions'), sessionId, sessionId]),
  z.tuple([z.literal('cohort'), sessionId, z.string().min(1).max(64)]),
]);

/** The panel key of a comparison (the panel manager's key; kept with the webview across reloads). */
export function compareKey(target: CompareTarget): string {
  return JSON.stringify(target.kind === 'sessions' ? ['sessions', target.a, target.b] : ['cohort', target.a, target.cohort]);
}

/** The comparison a panel key names; undefined for a key compareKey did not make. */
export function compareTargetOf(key: string): CompareTarget | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(key);
  } catch {
    return undefined;
  }
  const parsed = keyShape.safeParse(raw);
  if (!parsed.success) return undefined;
  const [kind, a, other] = parsed.data;
  return kind === 'sessions' ? { kind, a, b: other } : { kind, a, cohort: other };
}
