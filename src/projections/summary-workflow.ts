import { evolve } from '../domain/workflow/decider';
import type { WorkflowEvent, WorkflowEventTypeName } from '../domain/workflow/events';
import { append } from './fold-scope';
import { asPayload, bumpKey, count, pendingCall, str, text, withPending } from './summary-fields';
import type { Payload } from './summary-fields';
import { countTool } from './summary-hooks';
import type {
  HookDenialRecord, JournalFile, JournalRecord, SessionSummaryState, WorkflowRefusalRecord, WorkflowSummary,
} from './session-summary';

// The workflow part of the session summary fold: the decider's own state (evolve), plus the time
// per state and the record (transitions, refusals, reviews, denials, stop blocks, journal) it does
// not keep. The records grow with the session: they change through fold-scope.ts.

type WorkflowRecorder = (s: SessionSummaryState, d: Payload, at: number | null) => SessionSummaryState;

/** Folds one workflow event into the summary; a malformed one leaves it unchanged. */
export function applyWorkflowEvent(s: SessionSummaryState, type: WorkflowEventTypeName, d: Payload, at: number | null): SessionSummaryState {
  const event = asWorkflowEvent(type, d);
  if (event === null) return s;
  const before = s.workflow;
  const state = evolve(before.state, event);
  const moved = type === 'WorkflowStarted' || type === 'WorkflowTransitioned' || state.current !== before.state.current;
  const workflow = moved ? enterState({ ...before, state }, before.state.current, at) : { ...before, state };
  return WORKFLOW_RECORDERS[type]({ ...s, workflow }, d, at);
}

// Closes the interval of the state left; the first entry is when the workflow's time starts.
function enterState(wf: WorkflowSummary, left: string | null, at: number | null): WorkflowSummary {
  const timeInState = left !== null && wf.enteredAt !== null && at !== null ? bumpKey(wf.timeInState, left, at - wf.enteredAt) : wf.timeInState;
  return { ...wf, timeInState, enteredAt: at, startedAt: wf.startedAt ?? at };
}

// evolve copies these fields into its state: a malformed stored event must not put undefined
// there (the state would no longer equal its JSON). The rest is read through text()/count() below.
export function asWorkflowEvent(type: WorkflowEventTypeName, d: Payload): WorkflowEvent | null {
  const isText = (key: string): boolean => typeof d[key] === 'string';
  const isCount = (key: string): boolean => typeof d[key] === 'number' && Number.isFinite(d[key]);
  const ok = type === 'WorkflowStarted' ? isText('definitionHash') && isText('state') && isCount('iteration') && isText('at')
    : type === 'WorkflowDefinitionChanged' ? isText('definitionHash') && isText('state') && isText('at')
      : type === 'WorkflowTransitioned' ? isText('to') && isCount('iteration') && isText('at')
        : true;
  return ok ? ({ type, data: d } as unknown as WorkflowEvent) : null;
}

// A record per event type: the compiler checks that every workflow event type has one.
const WORKFLOW_RECORDERS: Readonly<Record<WorkflowEventTypeName, WorkflowRecorder>> = {
  WorkflowStarted: (s, d) => withWorkflow(s, { name: text(d['name']) ?? s.workflow.name }),
  WorkflowDefinitionChanged: (s, d) => withWorkflow(s, { name: text(asPayload(d['definition'])['name']) ?? s.workflow.name }),
  WorkflowTransitioned: (s, d, at) => withWorkflow(s, {
    transitions: append(s.workflow.transitions, { from: text(d['from']), to: str(d['to']), reason: str(d['reason']), iteration: count(d['iteration']), at }),
  }),
  WorkflowTransitionRefused: (s, d, at) => refused(s, { kind: 'transition', command: 'Transition', code: null, from: text(d['from']), to: text(d['to']), reason: str(d['reason']), at }),
  WorkflowCommandRejected: (s, d, at) => refused(s, { kind: 'command', command: str(d['command']), code: text(d['code']), from: text(d['state']), to: null, reason: str(d['reason']), at }),
  JournalEntryWritten: (s, d, at) => ({ ...s, journal: append(s.journal, journalRecord(d, at)) }),
  ReviewApproved: (s) => withWorkflow(s, { reviewsApproved: s.workflow.reviewsApproved + 1 }),
  ReviewRejected: (s, d, at) => withWorkflow(s, {
    reviewRejections: append(s.workflow.reviewRejections, { notes: str(d['notes']), state: str(d['state']), backTo: text(d['backTo']), at }),
  }),
  HookDenied: onHookDenied,
  StopBlocked: (s, d, at) => withWorkflow(s, { stopBlocks: append(s.workflow.stopBlocks, { state: str(d['state']), reason: str(d['reason']), at }) }),
};

function withWorkflow(s: SessionSummaryState, change: Partial<WorkflowSummary>): SessionSummaryState {
  return { ...s, workflow: { ...s.workflow, ...change } };
}

function refused(s: SessionSummaryState, record: WorkflowRefusalRecord): SessionSummaryState {
  return withWorkflow(s, { refusals: append(s.workflow.refusals, record) });
}

function journalRecord(d: Payload, at: number | null): JournalRecord {
  const tags = Array.isArray(d['tags']) ? d['tags'].filter((t): t is string => typeof t === 'string') : [];
  const files = (Array.isArray(d['files']) ? d['files'] : []).flatMap((f): JournalFile[] => {
    const ref = asPayload(f);
    const path = text(ref['path']);
    const line = ref['line'];
    if (path === null) return [];
    return [typeof line === 'number' && Number.isFinite(line) ? { path, line } : { path }];
  });
  return { text: str(d['text']), tags, files, state: str(d['state']), iteration: count(d['iteration']), at };
}

// The hook that denied the call wrote HookDenied right after its PreToolUse: the denial is counted
// once here and remembered on the pending call, so the PostToolBatch that closes it does not count again.
function onHookDenied(s: SessionSummaryState, d: Payload, at: number | null): SessionSummaryState {
  const id = text(d['toolUseId']);
  const pending = id === null ? undefined : pendingCall(s.pendingCalls, id);
  const tool = pending?.tool ?? text(d['toolName']) ?? '<unknown>';
  const record: HookDenialRecord = { tool, toolUseId: id, state: str(d['state']), rule: str(d['rule']), reason: str(d['reason']), at };
  const recorded = withWorkflow(s, { hookDenials: append(s.workflow.hookDenials, record) });
  if (pending?.denied === true) return recorded;
  const agentId = pending?.agentId ?? null;
  const counted = countTool(recorded, tool, agentId, null, { denied: 1 });
  return id === null ? counted : { ...counted, pendingCalls: withPending(counted.pendingCalls, { toolUseId: id, tool, agentId, denied: true }) };
}
