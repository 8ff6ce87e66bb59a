import { LogbookError } from '../domain/errors';
import type { RecordedEvent } from '../store/event-store';
import { handOut, withinFold } from './fold-scope';

// Projections are named folds with checkpoints (Emmett): a pure `apply` over events in order,
// and a snapshot that says which fold, which version of it, and the last event it has seen.
// Bumping `version` is how a fold says its old snapshots no longer describe its state.

/** What a fold needs of an event to checkpoint it: its place in the whole store. */
export interface Positioned {
  readonly globalPosition: number;
}

/**
 * A named, versioned fold of events into a read model. `apply` is total and never mutates a state
 * handed out of a fold run (inside one, fold-scope.ts may reuse what the run itself built).
 */
export interface Projection<S, E extends Positioned = RecordedEvent> {
  readonly name: string;
  readonly version: number;
  readonly initial: S;
  apply(state: S, event: E): S;
}

/** A fold's state after the event at `position` (global; 0 = no event yet). JSON-serialisable when S is. */
export interface ProjectionSnapshot<S> {
  readonly name: string;
  readonly version: number;
  readonly position: number;
  readonly state: S;
}

/** Where to resume: a snapshot, or just a state and position (then name and version are not checked). */
export interface ResumePoint<S> {
  readonly state: S;
  readonly position: number;
  readonly name?: string;
  readonly version?: number;
}

/** The fold's output when snapshotting as it goes: the snapshots taken and where it ended. */
export interface SnapshotRun<S> {
  readonly snapshots: readonly ProjectionSnapshot<S>[];
  readonly final: ProjectionSnapshot<S>;
}

/**
 * Folds `events` from the initial state or from `from`. Events at or before the resume position
 * are skipped, so a caller may pass the whole stream with a snapshot taken part way through.
 */
export function runProjection<S, E extends Positioned>(
  projection: Projection<S, E>, events: Iterable<E>, from?: ResumePoint<S>,
): ProjectionSnapshot<S> {
  return withinFold(() => {
    let current = start(projection, from);
    for (const event of events) current = step(projection, current, event);
    return current;
  });
}

/**
 * Folds like runProjection and snapshots after every `every` events folded in this run, so the
 * store writer can persist them and a rebuild starts from the latest instead of the beginning.
 */
export function foldWithSnapshots<S, E extends Positioned>(
  projection: Projection<S, E>, events: Iterable<E>, every: number, from?: ResumePoint<S>,
): SnapshotRun<S> {
  if (!Number.isInteger(every) || every < 1) throw new LogbookError('SNAPSHOT_INTERVAL_INVALID', `snapshot interval must be a positive integer, got ${every}`);
  return withinFold(() => {
    const snapshots: ProjectionSnapshot<S>[] = [];
    let current = start(projection, from);
    let folded = 0;
    for (const event of events) {
      const next = step(projection, current, event);
      if (next === current) continue;
      current = next;
      folded += 1;
      if (folded % every !== 0) continue;
      snapshots.push(current);
      // The snapshot is handed out: the events after it must not change it in place.
      handOut();
    }
    return { snapshots, final: current };
  });
}

/** True when the snapshot was written by this very fold (same name and version). */
export function isSnapshotOf<S, E extends Positioned>(projection: Projection<S, E>, snapshot: ResumePoint<S>): boolean {
  return (snapshot.name === undefined || snapshot.name === projection.name)
    && (snapshot.version === undefined || snapshot.version === projection.version);
}

function start<S, E extends Positioned>(projection: Projection<S, E>, from: ResumePoint<S> | undefined): ProjectionSnapshot<S> {
  if (from === undefined) return { name: projection.name, version: projection.version, position: 0, state: projection.initial };
  // Resuming another fold's (or an older version's) state would silently give a wrong read model.
  if (!isSnapshotOf(projection, from)) {
    throw new LogbookError('SNAPSHOT_MISMATCH', `snapshot of ${from.name ?? '?'} v${from.version ?? '?'} cannot resume ${projection.name} v${projection.version}`);
  }
  return { name: projection.name, version: projection.version, position: from.position, state: from.state };
}

// Returns the same object when the event was already folded: foldWithSnapshots counts on that.
function step<S, E extends Positioned>(projection: Projection<S, E>, current: ProjectionSnapshot<S>, event: E): ProjectionSnapshot<S> {
  if (event.globalPosition <= current.position) return current;
  return { name: current.name, version: current.version, position: event.globalPosition, state: projection.apply(current.state, event) };
}
