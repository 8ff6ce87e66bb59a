import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import type { LogbookPaths } from '../capture/paths';
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
    if (existsSync(paths.compiledWorkflow)) unlinkSync(paths.compiledWorkflow);
    return;
  }
  try {
    const existing = JSON.parse(readFileSync(paths.compiledWorkflow, 'utf8')) as Partial<CompiledWorkflowFile>;
    // Same definition: leave the file (and its mtime, which the hook compares) alone.
    if (existing.hash === current.hash) return;
  } catch {
    // Missing or unreadable: write it.
  }
  mkdirSync(paths.state, { recursive: true, mode: 0o700 });
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
    mkdirSync(paths.sessionStates, { recursive: true, mode: 0o700 });
    const snapshot: SessionWorkflowSnapshot = { v: 1, sessionId, state, eventIds: ids.slice(-SNAPSHOT_EVENT_IDS_KEPT) };
    writeFileDurably(sessionStateFile(paths.sessionStates, sessionId), JSON.stringify(snapshot));
  }
}
