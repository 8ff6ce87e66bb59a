import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decide, evolve, initialWorkflowState } from '../domain/workflow/decider';
import type { WorkflowEvent } from '../domain/workflow/events';
import type { WorkflowCommand, WorkflowState } from '../domain/workflow/types';
import { sessionStateFile } from './paths';
import type { CompiledWorkflowFile, SessionWorkflowSnapshot } from './workflow-snapshot';
import { EVENTS_ENTRY_SUFFIX } from './inbox-writer';
import { checkDir, readSafeText } from './safe-fs';

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
}

const NONE: HookDecision = { decided: [], output: undefined };

export function decideInHook(logbookDir: string, payload: Record<string, unknown>, at: string): HookDecision {
  const event = payload['hook_event_name'];
  const sessionId = payload['session_id'];
  if ((event !== 'PreToolUse' && event !== 'Stop' && event !== 'SessionStart') || typeof sessionId !== 'string') return NONE;
  const compiled = readCompiled(logbookDir);
  if (compiled === undefined) return NONE;
  if (event === 'SessionStart') return { decided: [], output: sessionContext(sessionId, compiled) };
  let { state, decided } = currentState(logbookDir, sessionId, compiled, at);
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

/** The compiled workflow, only when it is at least as new as the file it came from. */
function readCompiled(logbookDir: string): CompiledWorkflowFile | undefined {
  try {
    // Only the source's time is read through a link: the writer refuses a linked source anyway.
    const source = statSync(join(logbookDir, 'workflow.json'));
    const compiledPath = join(logbookDir, 'state', 'workflow.json');
    checkDir(join(logbookDir, 'state'));
    if (statSync(compiledPath).mtimeMs < source.mtimeMs) return undefined;
    const compiled = JSON.parse(readSafeText(compiledPath)) as Partial<CompiledWorkflowFile>;
    if (compiled.v !== 1 || typeof compiled.hash !== 'string' || typeof compiled.definition !== 'object' || compiled.definition === null) return undefined;
    return compiled as CompiledWorkflowFile;
  } catch {
    return undefined;
  }
}

function currentState(logbookDir: string, sessionId: string, compiled: CompiledWorkflowFile, at: string): { state: WorkflowState; decided: WorkflowEvent[] } {
  let state = initialWorkflowState;
  let included = new Set<string>();
  try {
    const sessions = join(logbookDir, 'state', 'sessions');
    checkDir(sessions);
    const snapshot = JSON.parse(readSafeText(sessionStateFile(sessions, sessionId))) as Partial<SessionWorkflowSnapshot>;
    if (snapshot.v === 1 && snapshot.state !== undefined && Array.isArray(snapshot.eventIds)) {
      state = snapshot.state;
      included = new Set(snapshot.eventIds);
    }
  } catch {
    // No snapshot yet: the workflow may not have started for this session.
  }
  for (const e of pendingEvents(logbookDir, sessionId, included)) state = evolve(state, e);
  const start = state.current === null
    ? decide({ type: 'StartWorkflow', definition: compiled.definition, definitionHash: compiled.hash, at }, state, compiled.definition)
    : state.definitionHash !== compiled.hash ? decide({ type: 'ChangeDefinition', definition: compiled.definition, definitionHash: compiled.hash, at }, state, compiled.definition) : [];
  for (const e of start) state = evolve(state, e);
  return { state, decided: start };
}

/** Workflow events other writers (CLI, MCP) left in the inbox for this session, in order. */
function pendingEvents(logbookDir: string, sessionId: string, included: ReadonlySet<string>): WorkflowEvent[] {
  const inbox = join(logbookDir, 'inbox');
  let names: string[];
  try {
    names = readdirSync(inbox).filter((n) => n.endsWith(EVENTS_ENTRY_SUFFIX)).sort();
  } catch {
    return [];
  }
  const events: WorkflowEvent[] = [];
  for (const name of names) {
    try {
      const entry = JSON.parse(readSafeText(join(inbox, name))) as { id?: unknown; sessionId?: unknown; events?: unknown };
      if (entry.sessionId !== sessionId || typeof entry.id !== 'string' || included.has(entry.id) || !Array.isArray(entry.events)) continue;
      events.push(...(entry.events as WorkflowEvent[]));
    } catch {
      // Being written or removed right now, or not ours (a link, a FIFO: refused): skip it.
    }
  }
  return events;
}
