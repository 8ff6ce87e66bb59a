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
