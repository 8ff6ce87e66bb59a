import type { LogbookPaths } from '../capture/paths';
import { entryFileName, eventsEntryText, EVENTS_ENTRY_SUFFIX, stampNow, writeInboxEntry } from '../capture/inbox-writer';
import type { InboxSource } from '../capture/inbox-writer';
import { LogbookError } from '../domain/errors';
import { decide, describeStatus, evolve } from '../domain/workflow/decider';
import type { WorkflowEvent } from '../domain/workflow/events';
import type { WorkflowCommand, WorkflowDefinition, WorkflowState, WorkflowStatus } from '../domain/workflow/types';
import { loadWorkflow } from './definition-file';
import { readSessionWorkflow } from './session-state';

/** What a command did: the events it recorded (a refusal is an event too) and where it left the workflow. */
export interface ActResult {
  readonly events: readonly WorkflowEvent[];
  readonly state: WorkflowState;
  readonly status: WorkflowStatus;
}

/** The workflow of a session, started (or moved to a changed definition) if it needs to be. */
async function prepared(paths: LogbookPaths, sessionId: string, at: string): Promise<{ definition: WorkflowDefinition; state: WorkflowState; events: WorkflowEvent[] }> {
  const loaded = loadWorkflow(paths);
  if (loaded.status === 'none') {
    throw new LogbookError('WORKFLOW_NONE', 'this workspace has no workflow: copy a template (templates/workflow.minimal.json or templates/workflow.team-loop.json) to .logbook/workflow.json');
  }
  if (loaded.status === 'invalid') throw new LogbookError('WORKFLOW_INVALID', loaded.problems.join('\n'));
  const { definition, hash } = loaded;
  let { state } = await readSessionWorkflow(paths, sessionId);
  const events: WorkflowEvent[] = [];
  const start = state.current === null
    ? decide({ type: 'StartWorkflow', definition, definitionHash: hash, at }, state, definition)
    : state.definitionHash !== hash ? decide({ type: 'ChangeDefinition', definition, definitionHash: hash, at }, state, definition) : [];
  for (const event of start) {
    state = evolve(state, event);
    events.push(event);
  }
  return { definition, state, events };
}

/**
 * Decides a command for a session against its latest state (store + inbox) and records the
 * resulting events through the inbox, so it works with VS Code closed and never races the writer.
 */
export async function actOnSession(paths: LogbookPaths, sessionId: string, command: (at: string) => WorkflowCommand, source: InboxSource): Promise<ActResult> {
  const at = new Date().toISOString();
  const { definition, state: before, events } = await prepared(paths, sessionId, at);
  let state = before;
  for (const event of decide(command(at), state, definition)) {
    state = evolve(state, event);
    events.push(event);
  }
  if (events.length > 0) {
    const stamp = stampNow();
    writeInboxEntry(paths.inbox, entryFileName(stamp, EVENTS_ENTRY_SUFFIX), eventsEntryText(stamp, source, sessionId, events));
  }
  return { events, state, status: describeStatus(state, definition) };
}

/** The status of a session's workflow, without recording anything (an unstarted one shows its start). */
export async function sessionStatus(paths: LogbookPaths, sessionId: string): Promise<WorkflowStatus> {
  const { definition, state } = await prepared(paths, sessionId, new Date().toISOString());
  return describeStatus(state, definition);
}

/** The events of a result that mean "not done": the reason the agent must read. */
export function refusalOf(result: ActResult): string | undefined {
  for (const event of result.events) {
    if (event.type === 'WorkflowTransitionRefused' || event.type === 'WorkflowCommandRejected') return event.data.reason;
  }
  return undefined;
}
