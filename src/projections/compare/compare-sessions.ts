import { COMPARE_VERSION } from '../../protocol/compare';
import type { CohortComparison, ComparedCohort, ComparedSession, FilesCompared, SessionsComparison, ToolSequenceDiff } from '../../protocol/compare';
import { overviewOf } from '../overview/session-overview';
import { listingOf } from '../overview/session-query';
import type { SessionListing } from '../overview/session-query';
import type { PriceTable } from '../pricing';
import { alignTimelines } from './aligned-timeline';
import { compareCosts } from './costs';
import { figureDeltas, figuresOf, medianFigures } from './figures';
import { diffSequences, SEQUENCE_CAP } from './sequence-diff';
import type { FoldedSession } from './session-fold';

// Compare's two answers, built from folded sessions (session-fold.ts) and overview rows. Pure:
// the CLI reads the store, a view could pass its own folds.

export interface CompareOptions {
  /** The moment of the comparison (ms): live sessions' durations run to it. */
  readonly now: number;
  readonly prices: PriceTable;
  /** Calls diffed per session (default SEQUENCE_CAP). */
  readonly cap?: number;
}

/** The listing (figures as `logbook sessions` derives them) of a folded session. */
export function listingOfFolded(session: FoldedSession, options: CompareOptions): SessionListing {
  return listingOf(overviewOf(session.summary, session.sessionId), options.now, options.prices);
}

/** Two sessions side by side: b against a. */
export function compareSessions(a: FoldedSession, b: FoldedSession, options: CompareOptions): SessionsComparison {
  const left = listingOfFolded(a, options);
  const right = listingOfFolded(b, options);
  return {
    compareVersion: COMPARE_VERSION,
    kind: 'sessions',
    a: comparedSession(left),
    b: comparedSession(right),
    figures: figureDeltas(figuresOf(left), figuresOf(right)),
    timelines: alignTimelines(a.timeline, b.timeline),
    tools: toolDiff(a, b, options.cap ?? SEQUENCE_CAP),
    files: compareFiles(Object.keys(a.summary.files), Object.keys(b.summary.files)),
    costs: compareCosts(a, b),
  };
}

/** A session against the median of a cohort (which should not hold it); undefined for an empty cohort. */
export function compareWithCohort(session: SessionListing, cohort: readonly SessionListing[], chosen: Omit<ComparedCohort, 'sessions' | 'sessionIds'>): CohortComparison | undefined {
  const medians = medianFigures(cohort);
  if (medians === undefined) return undefined;
  return {
    compareVersion: COMPARE_VERSION,
    kind: 'cohort',
    a: { ...chosen, sessions: cohort.length, sessionIds: cohort.map((s) => s.row.sessionId) },
    b: comparedSession(session),
    figures: figureDeltas(medians, figuresOf(session)),
  };
}

export function comparedSession(s: SessionListing): ComparedSession {
  return {
    sessionId: s.row.sessionId,
    title: s.row.title,
    branch: s.row.branch,
    workflow: s.row.workflow,
    status: s.status,
    startedAt: s.row.firstEventAt === null ? null : new Date(s.row.firstEventAt).toISOString(),
  };
}

/** Paths in both, only in a, only in b; each sorted (code-unit order, the same everywhere). */
export function compareFiles(a: readonly string[], b: readonly string[]): FilesCompared {
  const inA = new Set(a);
  const inB = new Set(b);
  const sorted = (paths: string[]): string[] => paths.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return {
    both: sorted(a.filter((path) => inB.has(path))),
    onlyA: sorted(a.filter((path) => !inB.has(path))),
    onlyB: sorted(b.filter((path) => !inA.has(path))),
  };
}

function toolDiff(a: FoldedSession, b: FoldedSession, cap: number): ToolSequenceDiff {
  const diff = diffSequences(a.toolSequence.slice(0, cap), b.toolSequence.slice(0, cap));
  return {
    aCalls: a.mainToolCalls,
    bCalls: b.mainToolCalls,
    cap,
    truncated: a.mainToolCalls > cap || b.mainToolCalls > cap,
    ...diff,
  };
}
