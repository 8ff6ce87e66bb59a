import { lstatSync, unlinkSync } from 'node:fs';
import { readBoundedText } from '../capture/bounded-read';
import type { LogbookPaths } from '../capture/paths';
import { ensurePrivateDirs } from '../capture/safe-fs';
import { sessionStateFile } from '../capture/paths';
import type { CompiledWorkflowFile, SessionWorkflowSnapshot } from '../capture/workflow-snapshot';
import { SNAPSHOT_EVENT_IDS_KEPT } from '../capture/workflow-snapshot';
import { evolve, initialWorkflowState } from '../domain/workflow/decider';
import { LogbookError } from '../domain/errors';
import { isWorkflowEventType } from '../domain/workflow/events';
import type { WorkflowEvent } from '../domain/workflow/events';
import { COMPILED_WORKFLOW_MAX_BYTES } from '../domain/workflow/limits';
import type { WorkflowDefinition, WorkflowState } from '../domain/workflow/types';
import type { EventStore } from '../store/event-store';
import { writeFileDurably } from '../store/durable-file';

/** Keeps `.logbook/state/workflow.json` equal to the validated definition (or absent with none). */
export function syncCompiledWorkflow(paths: LogbookPaths, current: { definition: WorkflowDefinition; hash: string } | undefined): void {
  if (current === undefined) {
    // unlink removes a name (a link too), never what it points at.
    if (lstatSync(paths.compiledWorkflow, { throwIfNoEntry: false }) !== undefined) unlinkSync(paths.compiledWorkflow);
    return;
  }
  const file: CompiledWorkflowFile = { v: 1, hash: current.hash, definition: current.definition };
  const text = JSON.stringify(file);
  // The same bytes: leave the file (and its mtime, which the hook compares) alone. Comparing the
  // whole text, not the hash, also replaces a copy someone edited by hand under the right hash.
  // Not through a link: a planted one is replaced by the rename below, never followed.
  const existing = readBoundedText(paths.compiledWorkflow, COMPILED_WORKFLOW_MAX_BYTES, { underLogbook: true });
  if (existing.kind === 'text' && existing.text === text) return;
  if (Buffer.byteLength(text) > COMPILED_WORKFLOW_MAX_BYTES) {
    // Cannot happen from a source within its limit; the hook would not read it anyway.
    if (lstatSync(paths.compiledWorkflow, { throwIfNoEntry: false }) !== undefined) unlinkSync(paths.compiledWorkflow);
    throw new LogbookError('WORKFLOW_COMPILED_TOO_LARGE', `the compiled workflow would be ${Buffer.byteLength(text)} bytes, over the hook's limit of ${COMPILED_WORKFLOW_MAX_BYTES}`);
  }
  ensurePrivateDirs([paths.dir, paths.state]);
  writeFileDurably(paths.compiledWorkflow, text);
}

/** Writes the workflow snapshot of each session, folded from the store (after a flush). */
export function writeSessionSnapshots(paths: LogbookPaths, store: EventStore, sessionIds: Iterable<string>): void {
  new SessionSnapshotWriter(paths, store).write(sessionIds);
}

/** Where a session's workflow fold stands: the stream position it has read up to. */
interface FoldedWorkflow {
  readonly streamPosition: number;
  readonly state: WorkflowState;
  /** The latest workflow event ids, oldest first (trimmed to SNAPSHOT_EVENT_IDS_KEPT when written). */
  readonly ids: string[];
}

/**
 * The writer's session snapshots: each write folds only the events appended to the session since
 * the last one. Rereading the whole stream on every flush made a long workflow session cost
 * O(events × flushes).
 */
export class SessionSnapshotWriter {
  private readonly folded = new Map<string, FoldedWorkflow>();

  constructor(private readonly paths: LogbookPaths, private readonly store: EventStore) {}

  /** Writes the snapshot of each session. */
  write(sessionIds: Iterable<string>): void {
    for (const sessionId of sessionIds) {
      const folded = this.foldOn(sessionId);
      ensurePrivateDirs([this.paths.dir, this.paths.state, this.paths.sessionStates]);
      const snapshot: SessionWorkflowSnapshot = { v: 1, sessionId, state: folded.state, eventIds: folded.ids.slice(-SNAPSHOT_EVENT_IDS_KEPT) };
      writeFileDurably(sessionStateFile(this.paths.sessionStates, sessionId), JSON.stringify(snapshot));
    }
  }

  private foldOn(sessionId: string): FoldedWorkflow {
    let seen = this.folded.get(sessionId);
    // A stream shorter than what was read means another store (rebuilt): fold it again.
    if (seen !== undefined && this.store.streamVersion(sessionId) < seen.streamPosition) seen = undefined;
    let { streamPosition, state } = seen ?? { streamPosition: 0, state: initialWorkflowState };
    // A copy (at most twice the ids kept): a failed read leaves the cached fold as it was.
    let ids = [...(seen?.ids ?? [])];
    for (const event of this.store.readStream(sessionId, { from: streamPosition + 1 })) {
      streamPosition = event.streamPosition;
      if (!isWorkflowEventType(event.type)) continue;
      state = evolve(state, { type: event.type, data: event.data } as unknown as WorkflowEvent);
      ids.push(event.eventId);
    }
    // Trimmed in steps, so keeping the latest ids costs O(1) per event.
    if (ids.length > 2 * SNAPSHOT_EVENT_IDS_KEPT) ids = ids.slice(-SNAPSHOT_EVENT_IDS_KEPT);
    const folded = { streamPosition, state, ids };
    this.folded.set(sessionId, folded);
    return folded;
  }
}
