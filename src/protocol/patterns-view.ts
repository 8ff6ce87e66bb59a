import * as z from 'zod';
import type { PatternsResult } from './patterns';

// Host ⇄ webview protocol of the Patterns panel (viewType logbook.patterns; key 'all'): the cohort
// contrast of `logbook patterns` over every session of the window's workspaces. The webview asks
// for a cohort (`run`); the host reads the sessions' summaries in slices, reports its progress and
// answers with the result, as deltas of the one transport. Titles, tools, folders and words come
// from sessions: the webview renders them as text only.

/** A cohort as the panel names it: a preset, a condition as for `--where`, or the dashboard's rows. */
export type CohortChoice =
  | { readonly kind: 'preset'; readonly name: string }
  | { readonly kind: 'where'; readonly text: string }
  /** The rows the dashboard showed (their keys: workspace folder, NUL, session id). */
  | { readonly kind: 'shown'; readonly keys: readonly string[]; readonly label: string };

/** A cohort the host was asked to show (by the command's argument or the dashboard's button). */
export interface CohortAsk {
  /** Unique per ask, so a revived panel does not take the same ask twice over its own choice. */
  readonly id: string;
  readonly cohort: CohortChoice;
}

/** The full state the host sends on `ready` (the result follows a `run`). */
export interface PatternsViewState {
  readonly key: string;
  readonly presets: readonly { readonly name: string; readonly text: string }[];
  readonly ask: CohortAsk | null;
  /** Sessions in the window's workspaces. */
  readonly sessions: number;
}

/** One contrast as the panel shows it. */
export interface PatternsView {
  readonly result: PatternsResult;
  /** What the cohort is, in words ("reviews rejected at least once", "12 sessions shown in the dashboard"). */
  readonly label: string;
  /** Titles of the sessions named as examples (null: the session has none). */
  readonly titles: Readonly<Record<string, string | null>>;
  /** Epoch ms the sessions were read at. */
  readonly at: number;
}

/** Host → webview, after a `run` (`run` echoes its number so a late answer to an older run is dropped). */
export type PatternsDelta =
  | { readonly type: 'progress'; readonly run: number; readonly phase: 'reading' | 'digesting'; readonly done: number; readonly total: number }
  | { readonly type: 'result'; readonly run: number; readonly view: PatternsView }
  | { readonly type: 'problem'; readonly run: number; readonly message: string }
  /** Sessions changed since the result was made (the panel offers to run it again). */
  | { readonly type: 'stale' };

/** How many sessions a cohort of shown rows may name (as many as a dashboard export). */
export const MAX_COHORT_KEYS = 200_000;

const rowKey = z.string({ error: 'a key must be a string' }).min(1, 'a key must not be empty').max(5000, 'a key is longer than 5000 characters');

export const cohortChoiceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('preset'), name: z.string({ error: 'name must be a string' }).min(1, 'name must not be empty').max(100, 'name is longer than 100 characters') }).strict(),
  z.object({ kind: z.literal('where'), text: z.string({ error: 'text must be a string' }).min(1, 'the condition is empty').max(2000, 'the condition is longer than 2000 characters') }).strict(),
  z.object({
    kind: z.literal('shown'),
    keys: z.array(rowKey, { error: 'keys must be an array of row keys' }).max(MAX_COHORT_KEYS, `keys names more than ${MAX_COHORT_KEYS} sessions`).readonly(),
    label: z.string({ error: 'label must be a string' }).max(200, 'label is longer than 200 characters'),
  }).strict(),
], { error: 'cohort.kind must be "preset", "where" or "shown"' });

const sessionId = z.string({ error: 'sessionId must be a string' }).min(1, 'sessionId must not be empty').max(200, 'sessionId is longer than 200 characters');
const run = z.number({ error: 'run must be a number' }).int('run must be a whole number').min(0, 'run must not be negative');

/** Webview → host messages (besides `ready`), named scope/verb. */
export const patternsWebviewMessage = z.discriminatedUnion('type', [
  /** Contrast this cohort with the rest of the window's sessions. */
  z.object({ type: z.literal('patterns/run'), run, cohort: cohortChoiceSchema }).strict(),
  z.object({ type: z.literal('patterns/openReport'), sessionId }).strict(),
  /** The prompt of the last result: copied, or Claude started with it. */
  z.object({ type: z.literal('discuss/copy') }).strict(),
  z.object({ type: z.literal('discuss/terminal') }).strict(),
]);
export type PatternsWebviewMessage = z.infer<typeof patternsWebviewMessage>;

/** What the `logbook.openPatterns` command takes as its argument (the dashboard passes its rows). */
export const openPatternsArgument = z.object({ cohort: cohortChoiceSchema }).strict();

// The schema's output must be a CohortChoice (compile-time check, no runtime cost).
const _choiceFits = (c: z.infer<typeof cohortChoiceSchema>): CohortChoice => c;
void _choiceFits;
