import { lstatSync, unlinkSync } from 'node:fs';
import type { LogbookPaths } from '../capture/paths';
import { ensurePrivateDirs, readSafeText } from '../capture/safe-fs';
import { sessionStateFile } from '../capture/paths';
import type { CompiledWorkflowFile, SessionWorkflowSnapshot } from '../capture/workflow-snapshot';
import { SNAPSHOT_EVENT_IDS_KEPT } from '../capture/workflow-snapshot';
import { evolve, initialWorkflowState } from '../domain/workflow/decider';
import { isWorkflowEventType } from '../domain/workflow/events';
import type { WorkflowEvent } from '../domain/workflow/events';
import type { WorkflowDefinition } from '../domain/workflow/types';
import type { EventStore } from '../store/event-store';
import { writeFileDurably } from '../store/durable-file';

/** Keeps `.logbook/state/workflow.json` equal to the validated definition (or absent with none). */
export function syncCompiledWorkflow(paths: LogbookPaths, current: { definition: WorkflowDefinition; hash: string } | undefined): void {
  if (current === undefined) {
    // unlink removes a name (a link too), never what it points at.
    if (lstatSync(paths.compiledWorkflow, { throwIfNoEntry: false }) !== undefined) unlinkSync(paths.compiledWorkflow);
    return;
  }
  try {
    const existing = JSON.parse(readSafeText(paths.compiledWorkflow)) as Partial<CompiledWorkflowFile>;
    // Same definition: leave the file (and its mtime, which the hook compares) alone.
    if (existing.hash === current.hash) return;
  } catch {
    // Missing, unreadable, or not a plain file of ours (a planted link: replaced by the rename): write it.
  }
  ensurePrivateDirs([paths.dir, paths.state]);
  const file: CompiledWorkflowFile = { v: 1, hash: current.hash, definition: current.definition };
  writeFileDurably(paths.compiledWorkflow, JSON.stringify(file));
}

/** Writes the workflow snapshot of each session, folded from the store (after a flush). */
export function writeSessionSnapshots(paths: LogbookPaths, store: EventStore, sessionIds: Iterable<string>): void {
  for (const sessionId of sessionIds) {
    let state = initialWorkflowState;
    const ids: string[] = [];
    for (const event of store.readStream(sessionId)) {
      if (!isWorkflowEventType(event.type)) continue;
      state = evolve(state, { type: event.type, data: event.data } as unknown as WorkflowEvent);
      ids.push(event.eventId);
    }
    ensurePrivateDirs([paths.dir, paths.state, paths.sessionStates]);
    const snapshot: SessionWorkflowSnapshot = { v: 1, sessionId, state, eventIds: ids.slice(-SNAPSHOT_EVENT_IDS_KEPT) };
    writeFileDurably(sessionStateFile(paths.sessionStates, sessionId), JSON.stringify(snapshot));
  }
}
