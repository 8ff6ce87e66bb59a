import { LIFECYCLE_STATES } from '../../domain/lifecycle';
import type { FigureDelta, FigureUnit } from '../../protocol/compare';
import type { SessionListing } from '../overview/session-query';
import { quantile } from '../quantile';
import { stateLabel } from '../session-list';

// The figures of a session that compare sets side by side: every count of its overview row, its
// duration, tokens and cost as `logbook sessions` derives them (listingOf), and its time per
// lifecycle state and per workflow state. Two sessions and a cohort's median go through the same
// reading, so a delta never mixes two definitions of one figure.

/** A side's figures by key (Map: a state may be named anything, `__proto__` too). */
export type FigureValues = ReadonlyMap<string, number>;

interface FigureSpec {
  readonly key: string;
  readonly label: string;
  readonly unit: FigureUnit;
  readonly read: (s: SessionListing) => number;
}

/** The overview's figures, in the order a table lists them. */
export const OVERVIEW_FIGURES: readonly FigureSpec[] = [
  { key: 'durationMs', label: 'duration', unit: 'ms', read: (s) => s.durationMs },
  { key: 'events', label: 'events', unit: 'count', read: (s) => s.row.events },
  { key: 'prompts', label: 'prompts', unit: 'count', read: (s) => s.row.prompts },
  { key: 'toolCalls', label: 'tool calls', unit: 'count', read: (s) => s.row.toolCalls },
  { key: 'toolFailures', label: 'tool failures', unit: 'count', read: (s) => s.row.toolFailures },
  { key: 'denials', label: 'denials', unit: 'count', read: (s) => s.row.denials },
  { key: 'rejections', label: 'review rejections', unit: 'count', read: (s) => s.row.rejections },
  { key: 'refusals', label: 'refusals', unit: 'count', read: (s) => s.row.refusals },
  { key: 'iterations', label: 'iterations', unit: 'count', read: (s) => s.row.iterations },
  { key: 'transitions', label: 'transitions', unit: 'count', read: (s) => s.row.transitions },
  { key: 'compactions', label: 'compactions', unit: 'count', read: (s) => s.row.compactions },
  { key: 'subagents', label: 'subagents', unit: 'count', read: (s) => s.row.subagents },
  { key: 'filesTouched', label: 'files', unit: 'count', read: (s) => s.row.filesTouched },
  { key: 'tokens', label: 'tokens', unit: 'tokens', read: (s) => s.tokens },
  { key: 'costUsd', label: 'cost', unit: 'usd', read: (s) => s.costUsd },
];

const LIFECYCLE_PREFIX = 'lifecycleMs.';
const WORKFLOW_PREFIX = 'workflowMs.';

/** A session's figures: the overview's, then time per lifecycle state, then per workflow state. */
export function figuresOf(s: SessionListing): FigureValues {
  const values = new Map<string, number>();
  for (const spec of OVERVIEW_FIGURES) values.set(spec.key, spec.read(s));
  for (const [state, ms] of Object.entries(s.row.lifecycleMs)) values.set(LIFECYCLE_PREFIX + state, ms);
  for (const [state, ms] of Object.entries(s.row.workflowMs)) values.set(WORKFLOW_PREFIX + state, ms);
  return values;
}

/**
 * The median of each figure over the sessions (the mean of the middle two for an even count). A
 * state a session never was in counts 0 for it, as its time there was. Undefined for no session.
 */
export function medianFigures(sessions: readonly SessionListing[]): FigureValues | undefined {
  if (sessions.length === 0) return undefined;
  const each = sessions.map(figuresOf);
  const keys = new Set<string>();
  for (const values of each) for (const key of values.keys()) keys.add(key);
  const medians = new Map<string, number>();
  for (const key of keys) medians.set(key, median(each.map((values) => values.get(key) ?? 0)));
  return medians;
}

/** The median (the mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5) ?? 0;
}

/** b against a, figure by figure: the overview's in order, then the states either side has (0 where the other has none). */
export function figureDeltas(a: FigureValues, b: FigureValues): FigureDelta[] {
  const deltas = OVERVIEW_FIGURES.map((spec) => deltaOf(spec.key, spec.label, spec.unit, a.get(spec.key) ?? 0, b.get(spec.key) ?? 0));
  for (const key of stateKeys(a, b)) deltas.push(deltaOf(key, stateFigureLabel(key), 'ms', a.get(key) ?? 0, b.get(key) ?? 0));
  return deltas;
}

// Lifecycle states in the machine's order, then workflow states as they first appear in a, then b.
function stateKeys(a: FigureValues, b: FigureValues): string[] {
  const lifecycle = LIFECYCLE_STATES.map((state) => LIFECYCLE_PREFIX + state).filter((key) => a.has(key) || b.has(key));
  const known = new Set(lifecycle);
  const rest: string[] = [];
  for (const key of [...a.keys(), ...b.keys()]) {
    if (known.has(key) || !(key.startsWith(LIFECYCLE_PREFIX) || key.startsWith(WORKFLOW_PREFIX))) continue;
    known.add(key);
    rest.push(key);
  }
  return [...lifecycle, ...rest.filter((k) => k.startsWith(LIFECYCLE_PREFIX)), ...rest.filter((k) => k.startsWith(WORKFLOW_PREFIX))];
}

function stateFigureLabel(key: string): string {
  if (key.startsWith(LIFECYCLE_PREFIX)) return `time ${stateLabel(key.slice(LIFECYCLE_PREFIX.length))}`;
  return `time in ${key.slice(WORKFLOW_PREFIX.length)}`;
}

/** One figure's delta; money kept to the micro-dollar, percents to 0.1, a zero base has none. */
export function deltaOf(key: string, label: string, unit: FigureUnit, a: number, b: number): FigureDelta {
  const round = unit === 'usd' ? (n: number): number => Math.round(n * 1e6) / 1e6 : (n: number): number => n;
  const delta = round(b - a);
  return { key, label, unit, a: round(a), b: round(b), delta, percent: a === 0 ? null : Math.round(((b - a) / a) * 1000) / 10 };
}
