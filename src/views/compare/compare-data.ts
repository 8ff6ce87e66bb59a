import { groupDigits } from '../../domain/group-digits';
import { compareSessions, compareWithCohort } from '../../projections/compare/compare-sessions';
import { foldForCompare } from '../../projections/compare/session-fold';
import type { FoldedSession } from '../../projections/compare/session-fold';
import { listingOf } from '../../projections/overview/session-query';
import type { SessionOverview } from '../../projections/overview/session-overview';
import type { PriceTable } from '../../projections/pricing';
import type { Comparison } from '../../protocol/compare';
import type { CompareTarget } from '../../protocol/compare-view';
import type { EventStore, RecordedEvent } from '../../store/event-store';

// The Compare view's data on the host, without VS Code: two sessions are folded from their streams
// as `logbook compare A B` folds them (foldForCompare); a cohort is the overview rows the window
// already holds, priced with listingOf, so nothing is folded for it at 5,000 sessions. The
// streams are read in slices with the thread given back between them; the fold itself is one
// synchronous pass per session (the report's timeline and summary folds, linear in its events).

/** What compare reads of a workspace (a WorkspaceLogbook). */
export interface CompareSource {
  overview(): ReadonlyMap<string, SessionOverview>;
  store(): Promise<EventStore | undefined>;
}

/** A cohort of sessions chosen elsewhere (the dashboard's shown rows), by id. */
export interface ChosenCohort {
  readonly ids: readonly string[];
  /** How the cohort was chosen, for people ("shown in the dashboard"). */
  readonly label: string;
}

export interface CompareInput {
  readonly sources: readonly CompareSource[];
  readonly prices: PriceTable;
  readonly now: number;
  /** Resolves a cohort id of a target (undefined: the host no longer holds it). */
  cohort(id: string): ChosenCohort | undefined;
  /** Gives the thread back between slices of a long read. */
  pause(): Promise<void>;
}

export interface CompareResult {
  readonly comparison: Comparison;
  readonly cohortLabel: string | null;
}

/** Events read between two pauses. */
const READ_SLICE = 2000;

/** The comparison a target names; an Error with a message for people when it cannot be made. */
export async function buildComparison(target: CompareTarget, input: CompareInput): Promise<CompareResult> {
  if (target.kind === 'sessions') {
    if (target.a === target.b) throw new Error(`both sides are the session ${target.a.slice(0, 80)}: choose two sessions`);
    const a = await fold(target.a, input);
    const b = await fold(target.b, input);
    return { comparison: compareSessions(a, b, { now: input.now, prices: input.prices }), cohortLabel: null };
  }
  return cohortComparison(target.a, target.cohort, input);
}

function cohortComparison(a: string, cohortId: string, input: CompareInput): CompareResult {
  const row = rowOf(a, input.sources);
  if (row === undefined) throw new Error(`no session ${a.slice(0, 80)} in this window's logbook`);
  const chosen = cohortId === 'all' ? undefined : input.cohort(cohortId);
  if (cohortId !== 'all' && chosen === undefined) throw new Error('this comparison\'s cohort (the sessions shown in the dashboard then) is not known any more, e.g. after a reload: compare again from the dashboard');
  const wanted = chosen === undefined ? undefined : new Set(chosen.ids);
  const cohort = [];
  for (const source of input.sources) {
    for (const other of source.overview().values()) {
      if (other.sessionId === a || (wanted !== undefined && !wanted.has(other.sessionId))) continue;
      cohort.push(listingOf(other, input.now, input.prices));
    }
  }
  const comparison = compareWithCohort(listingOf(row, input.now, input.prices), cohort, { condition: chosen?.label ?? 'all', since: null, until: null });
  if (comparison === undefined) throw new Error(`no session other than ${a.slice(0, 80)} is in the cohort: there is nothing to take a median of`);
  const n = groupDigits(comparison.a.sessions);
  const label = chosen === undefined ? `the median of all ${n} other session${comparison.a.sessions === 1 ? '' : 's'}` : `the median of the ${n} session${comparison.a.sessions === 1 ? '' : 's'} ${chosen.label}`;
  return { comparison, cohortLabel: label };
}

async function fold(sessionId: string, input: CompareInput): Promise<FoldedSession> {
  for (const source of input.sources) {
    if (!source.overview().has(sessionId)) continue;
    const store = await source.store();
    if (store === undefined) break;
    return foldForCompare(sessionId, await readSliced(store, sessionId, input.pause), input.prices);
  }
  throw new Error(`no session ${sessionId.slice(0, 80)} in this window's logbook`);
}

async function readSliced(store: EventStore, sessionId: string, pause: () => Promise<void>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const slice = store.readStream(sessionId, { from: (events[events.length - 1]?.streamPosition ?? 0) + 1, limit: READ_SLICE });
    for (const event of slice) events.push(event);
    if (slice.length < READ_SLICE) return events;
    await pause();
  }
}

function rowOf(sessionId: string, sources: readonly CompareSource[]): SessionOverview | undefined {
  for (const source of sources) {
    const row = source.overview().get(sessionId);
    if (row !== undefined) return row;
  }
  return undefined;
}
