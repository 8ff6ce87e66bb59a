import type { AlertSettings } from './alert-settings';

// The `time-in-state` rule's thresholds from a workspace's history: per lifecycle and per workflow
// state, the p90 of the time ended sessions spent in it (sessions with no time in that state left
// out, as overview rows leave them out). A state with fewer sessions than
// `timeInState.minSessions` takes `timeInState.defaultMinutes`, and a state named in
// `timeInState.stateMinutes` takes that, whatever the history: a p90 over three sessions would
// alert on noise. Resolved here once per history and settings, so a rule only looks a state up.

/** The history a threshold is taken from: an overview row (src/projections/overview) fits. */
export interface HistoryRow {
  readonly ended: boolean;
  readonly lifecycleMs: Readonly<Record<string, number>>;
  readonly workflowMs: Readonly<Record<string, number>>;
}

/** One state's threshold and where it came from, in words for the user. */
export interface StateThreshold {
  readonly ms: number;
  /** e.g. "p90 of 34 sessions in this workspace", "default (12 of 20 sessions needed for a p90)". */
  readonly source: string;
  /** Ended sessions that spent time in the state. */
  readonly sessions: number;
  readonly from: 'history' | 'default' | 'setting';
}

/** The thresholds of one workspace, by state. */
export interface HistoryThresholds {
  readonly lifecycle: ReadonlyMap<string, StateThreshold>;
  readonly workflow: ReadonlyMap<string, StateThreshold>;
  /** For a state with no history at all (and no setting). */
  readonly fallback: StateThreshold;
  /** The settings resolved against (stateMinutes are applied to states seen only later, too). */
  readonly stateMinutes: Readonly<Record<string, number>>;
}

/** The p90 of the quantile rule every view uses (src/projections/quantile.ts: linear between closest ranks). */
export function p90(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = (sorted.length - 1) * 0.9;
  const below = Math.floor(rank);
  const low = sorted[below] as number;
  const high = sorted[Math.min(sorted.length - 1, below + 1)] as number;
  return low + (high - low) * (rank - below);
}

/** Each state's threshold from the ended sessions among `rows`. */
export function historyThresholds(rows: readonly HistoryRow[], settings: AlertSettings): HistoryThresholds {
  const lifecycle = new Map<string, number[]>();
  const workflow = new Map<string, number[]>();
  for (const row of rows) {
    if (!row.ended) continue;
    collect(lifecycle, row.lifecycleMs);
    collect(workflow, row.workflowMs);
  }
  const { minSessions, stateMinutes } = settings.timeInState;
  const resolve = (samples: ReadonlyMap<string, number[]>): Map<string, StateThreshold> =>
    new Map([...samples].map(([state, ms]) => [state, resolved(state, ms, settings)]));
  return {
    lifecycle: resolve(lifecycle),
    workflow: resolve(workflow),
    fallback: defaultThreshold(0, minSessions, settings.timeInState.defaultMinutes),
    stateMinutes,
  };
}

/** The threshold of a state, whether or not the history has seen it. */
export function thresholdOf(thresholds: HistoryThresholds, kind: 'lifecycle' | 'workflow', state: string): StateThreshold {
  const known = thresholds[kind].get(state);
  if (known !== undefined) return known;
  if (Object.hasOwn(thresholds.stateMinutes, state)) return settingThreshold(thresholds.stateMinutes[state] as number, 0);
  return thresholds.fallback;
}

function resolved(state: string, ms: readonly number[], settings: AlertSettings): StateThreshold {
  const { minSessions, defaultMinutes, stateMinutes } = settings.timeInState;
  if (Object.hasOwn(stateMinutes, state)) return settingThreshold(stateMinutes[state] as number, ms.length);
  const value = p90(ms);
  if (ms.length < minSessions || value === null) return defaultThreshold(ms.length, minSessions, defaultMinutes);
  return { ms: value, source: `p90 of ${ms.length} sessions in this workspace`, sessions: ms.length, from: 'history' };
}

function settingThreshold(minutes: number, sessions: number): StateThreshold {
  return { ms: minutes * 60_000, source: 'setting logbook.alerts.timeInState.stateMinutes', sessions, from: 'setting' };
}

function defaultThreshold(sessions: number, minSessions: number, minutes: number): StateThreshold {
  return { ms: minutes * 60_000, source: `default (${sessions} of ${minSessions} sessions needed for a p90)`, sessions, from: 'default' };
}

// Zero, negative or non-finite times say nothing about how long a state takes.
function collect(into: Map<string, number[]>, times: Readonly<Record<string, number>>): void {
  for (const [state, ms] of Object.entries(times)) {
    if (!(Number.isFinite(ms) && ms > 0)) continue;
    const list = into.get(state);
    if (list === undefined) into.set(state, [ms]);
    else list.push(ms);
  }
}
