import { decide, evolve, initialWorkflowState } from '../domain/workflow/decider';
import type { WorkflowEvent } from '../domain/workflow/events';
import type { WorkflowCommand, WorkflowState } from '../domain/workflow/types';
import { readCompiled, readPendingEvents, readSnapshot } from './hook-state';
import { drainIfLong } from './hook-drain';
import { foldedBy, nextOverlay, readOverlay, snapshotSignature, writeOverlay } from './hook-overlay';
import type { CompiledWorkflowFile } from './workflow-snapshot';

// The workflow's enforcement, inside the hook's tiny bundle (no zod, no sql.js): the validated
// definition and the session's snapshot are plain files the writer keeps; entries other writers
// left in the inbox are folded on top, so a decision uses the latest state. Anything missing,
// stale or odd means no decision: the hook fails open and Claude Code is never blocked by us
// for a reason we cannot state.

/** What the hook answers and records. */
export interface HookDecision {
  /** Workflow events to record with the hook event (a start, a denial, a blocked stop). */
  readonly decided: readonly WorkflowEvent[];
  /** The JSON Claude Code reads on stdout, when the hook denies or blocks. */
  readonly output: string | undefined;
  /** Why the workflow is not enforced now, for stderr (a state file too large or too deep to read). */
  readonly note?: string;
}

const NONE: HookDecision = { decided: [], output: undefined };

export function decideInHook(logbookDir: string, payload: Record<string, unknown>, at: string): HookDecision {
  const event = payload['hook_event_name'];
  const sessionId = payload['session_id'];
  if ((event !== 'PreToolUse' && event !== 'Stop' && event !== 'SessionStart') || typeof sessionId !== 'string') return NONE;
  const read = readCompiled(logbookDir);
  if (read.kind === 'stop') return { ...NONE, note: read.note };
  if (read.kind === 'none') return NONE;
  const compiled = read.value;
  if (event === 'SessionStart') return { decided: [], output: sessionContext(sessionId, compiled) };
  const current = currentState(logbookDir, sessionId, compiled, at);
  if ('note' in current) return { ...NONE, note: current.note };
  let { state, decided } = current;
  const command: WorkflowCommand = event === 'PreToolUse'
    ? { type: 'CheckToolUse', toolName: String(payload['tool_name'] ?? ''), toolInput: payload['tool_input'], toolUseId: typeof payload['tool_use_id'] === 'string' ? payload['tool_use_id'] : undefined, at }
    : { type: 'CheckStop', stopHookActive: payload['stop_hook_active'] === true, at };
  const answer = decide(command, state, compiled.definition);
  if (answer.length === 0) return NONE;
  for (const e of answer) state = evolve(state, e);
  decided = [...decided, ...answer];
  return { decided, output: outputFor(answer) };
}

/**
 * Claude Code does not tell an MCP server or a Bash command which session it serves: the
 * SessionStart hook tells the agent, with the workflow it works under.
 */
function sessionContext(sessionId: string, compiled: CompiledWorkflowFile): string {
  const text = `Agent Logbook records this session (session id ${sessionId}) under the workflow "${compiled.definition.name}". `
    + 'Use the logbook MCP tools (workflow_status, workflow_transition, journal_write, journal_read, review_record) '
    + `or the CLI (logbook status|transition|journal|review --session ${sessionId}) to see and move the workflow and to keep the journal.`;
  return JSON.stringify({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: text } });
}

function outputFor(events: readonly WorkflowEvent[]): string | undefined {
  for (const e of events) {
    if (e.type === 'HookDenied') {
      return JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: e.data.reason } });
    }
    if (e.type === 'StopBlocked') return JSON.stringify({ decision: 'block', reason: e.data.reason });
  }
  return undefined;
}

function currentState(logbookDir: string, sessionId: string, compiled: CompiledWorkflowFile, at: string): { state: WorkflowState; decided: WorkflowEvent[] } | { note: string } {
  const base = snapshotSignature(logbookDir, sessionId);
  const snapshot = readSnapshot(logbookDir, sessionId);
  if (snapshot.kind === 'stop') return { note: snapshot.note };
  // The hook's own fold of the decisions still in the inbox, when it was built on this snapshot.
  const overlay = readOverlay(logbookDir, sessionId, base);
  // No snapshot yet: the workflow may not have started for this session.
  let state = overlay?.state ?? (snapshot.kind === 'value' ? snapshot.value.state : initialWorkflowState);
  const pending = readPendingEvents(logbookDir, sessionId, snapshot.kind === 'value' ? snapshot.value.eventIds : new Set(), overlay === undefined ? undefined : foldedBy(overlay));
  if (pending.kind === 'stop') return { note: pending.note };
  if (pending.kind === 'value') {
    // A long inbox (a headless loop, no writer) is drained in the background, so listing it stays cheap.
    drainIfLong(logbookDir, pending.value.listed);
    for (const e of pending.value.events) state = evolve(state, e);
    if (pending.value.names.length > 0) writeOverlay(logbookDir, nextOverlay(sessionId, base, overlay, pending.value.names, state));
  }
  const start = state.current === null
    ? decide({ type: 'StartWorkflow', definition: compiled.definition, definitionHash: compiled.hash, at }, state, compiled.definition)
    : state.definitionHash !== compiled.hash ? decide({ type: 'ChangeDefinition', definition: compiled.definition, definitionHash: compiled.hash, at }, state, compiled.definition) : [];
  for (const e of start) state = evolve(state, e);
  return { state, decided: start };
}
