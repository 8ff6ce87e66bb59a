import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LogbookPaths } from '../capture/paths';
import { checkDir, readSafeText } from '../capture/safe-fs';
import { EVENTS_ENTRY_SUFFIX } from '../capture/inbox-writer';
import { evolve, initialWorkflowState } from '../domain/workflow/decider';
import { isWorkflowEventType } from '../domain/workflow/events';
import type { WorkflowEvent } from '../domain/workflow/events';
import type { WorkflowState } from '../domain/workflow/types';
import { parseInboxEntry } from '../ingest/inbox-entry';
import { LogbookDatabase } from '../store/logbook-database';

/** A session's workflow as a writer outside the ingestor sees it: stored, then still in the inbox. */
export interface SessionWorkflowView {
  readonly state: WorkflowState;
  readonly storedEvents: number;
  readonly pendingEvents: number;
}

/**
 * Folds the session's workflow events from the store, then those still waiting in the inbox
 * (decided by other writers, not ingested yet), so a decision never works from stale state.
 */
export async function readSessionWorkflow(paths: LogbookPaths, sessionId: string): Promise<SessionWorkflowView> {
  let state = initialWorkflowState;
  let storedEvents = 0;
  const storedIds = new Set<string>();
  const opened = await LogbookDatabase.open(paths.store);
  if (opened.ok) {
    try {
      for (const event of opened.database.store.readStream(sessionId)) {
        if (!isWorkflowEventType(event.type)) continue;
        state = evolve(state, asWorkflowEvent(event.type, event.data));
        storedEvents += 1;
        storedIds.add(event.eventId);
      }
    } finally {
      opened.database.close();
    }
  }
  let pendingEvents = 0;
  for (const event of pendingWorkflowEvents(paths, sessionId, storedIds)) {
    state = evolve(state, event);
    pendingEvents += 1;
  }
  return { state, storedEvents, pendingEvents };
}

/** One `.cmd.json` entry still in the inbox: workflow events a writer decided for a session. */
export interface PendingEventsEntry {
  /** The entry id: the id its first event is stored under. */
  readonly id: string;
  readonly sessionId: string;
  readonly events: readonly WorkflowEvent[];
}

/** Every `.cmd.json` entry waiting in the inbox, in receive order (unreadable ones are skipped). */
export function pendingEventsEntries(paths: LogbookPaths): PendingEventsEntry[] {
  let names: string[];
  try {
    names = checkDir(paths.inbox) ? readdirSync(paths.inbox).filter((n) => n.endsWith(EVENTS_ENTRY_SUFFIX)).sort() : [];
  } catch {
    return [];
  }
  const entries: PendingEventsEntry[] = [];
  for (const name of names) {
    let text: string;
    try {
      // A link or a FIFO is refused, never followed (safe-fs.ts).
      text = readSafeText(join(paths.inbox, name));
    } catch {
      continue;
    }
    const entry = parseInboxEntry(name, text);
    if (entry.kind === 'events') entries.push({ id: entry.stamp.id, sessionId: entry.sessionId, events: entry.events.map((e) => asWorkflowEvent(e.type, e.data)) });
  }
  return entries;
}

/** Workflow events of a session in `.cmd.json` entries not yet ingested, in receive order. */
function pendingWorkflowEvents(paths: LogbookPaths, sessionId: string, storedIds: ReadonlySet<string>): WorkflowEvent[] {
  return pendingEventsEntries(paths).filter((e) => e.sessionId === sessionId && !storedIds.has(e.id)).flatMap((e) => e.events);
}

/**
 * Stored and inbox workflow events were written by our own writers through decide(); their type
 * is checked at ingest, their data shape is trusted here (evolve reads fields defensively).
 */
function asWorkflowEvent(type: string, data: unknown): WorkflowEvent {
  return { type, data } as unknown as WorkflowEvent;
}
