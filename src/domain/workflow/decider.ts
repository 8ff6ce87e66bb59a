import type { WorkflowCommandRejectedData, WorkflowEvent, WorkflowRejectionCode } from './events';
import { checkToolRules } from './tool-rules';
import type {
  ChangeDefinition, CheckStop, CheckToolUse, GuardName, RecordReview, StartWorkflow, Transition, TransitionDefinition,
  TransitionOption, WorkflowCommand, WorkflowDefinition, WorkflowState, WorkflowStatus, WriteJournal,
} from './types';
import { GUARD_NAMES } from './types';

// The workflow decider: decide(command, state, definition) → events, evolve(state, event) →
// state. Pure: no I/O, no clock (time arrives in commands as `at`). A refusal is an event, not
// a throw, because refused work is part of the record ("wasted effort counts").

/** The state of a stream with no events. */
export const initialWorkflowState: WorkflowState = {
  definitionHash: null,
  current: null,
  enteredAt: null,
  iteration: 0,
  journalSinceEntered: 0,
  journalThisIteration: 0,
  reviewSinceEntered: null,
  transitions: 0,
  refusals: 0,
  denials: 0,
  stopBlocks: 0,
};

/** Decides what a command means now. `definition` is ignored by Start/ChangeDefinition, which carry their own. */
export function decide(command: WorkflowCommand, state: WorkflowState, definition: WorkflowDefinition): WorkflowEvent[] {
  switch (command.type) {
    case 'StartWorkflow': return decideStart(command, state);
    case 'ChangeDefinition': return decideChange(command, state);
    case 'Transition': return decideTransition(command, state, definition);
    case 'WriteJournal': return decideJournal(command, state);
    case 'RecordReview': return decideReview(command, state, definition);
    case 'CheckToolUse': return decideToolUse(command, state, definition);
    case 'CheckStop': return decideStop(command, state, definition);
    default: return unreachable(command);
  }
}

/** Folds one event; events that do not apply leave the state unchanged. */
export function evolve(state: WorkflowState, event: WorkflowEvent): WorkflowState {
  switch (event.type) {
    case 'WorkflowStarted':
      // Two writers may start the same session at once (parallel hooks): the first start wins.
      if (state.current !== null) return state;
      return { ...initialWorkflowState, definitionHash: event.data.definitionHash, current: event.data.state, enteredAt: event.data.at, iteration: event.data.iteration };
    case 'WorkflowDefinitionChanged':
      if (event.data.state === state.current) return { ...state, definitionHash: event.data.definitionHash };
      return { ...state, definitionHash: event.data.definitionHash, current: event.data.state, enteredAt: event.data.at, journalSinceEntered: 0, reviewSinceEntered: null };
    case 'WorkflowTransitioned': {
      const newIteration = event.data.iteration !== state.iteration;
      return {
        ...state,
        current: event.data.to,
        enteredAt: event.data.at,
        iteration: event.data.iteration,
        journalSinceEntered: 0,
        journalThisIteration: newIteration ? 0 : state.journalThisIteration,
        reviewSinceEntered: null,
        transitions: state.transitions + 1,
      };
    }
    case 'WorkflowTransitionRefused':
    case 'WorkflowCommandRejected':
      return { ...state, refusals: state.refusals + 1 };
    case 'JournalEntryWritten':
      return { ...state, journalSinceEntered: state.journalSinceEntered + 1, journalThisIteration: state.journalThisIteration + 1 };
    case 'ReviewApproved':
      return { ...state, reviewSinceEntered: 'approved' };
    case 'ReviewRejected':
      return { ...state, reviewSinceEntered: 'rejected' };
    case 'HookDenied':
      return { ...state, denials: state.denials + 1 };
    case 'StopBlocked':
      return { ...state, stopBlocks: state.stopBlocks + 1 };
    default:
      // Events of a newer version, or read back untyped from the store: evolve stays total.
      return state;
  }
}

/** Folds a whole stream. */
export function foldWorkflow(events: readonly WorkflowEvent[], from: WorkflowState = initialWorkflowState): WorkflowState {
  return events.reduce(evolve, from);
}

/** What the status tool shows the agent about where the workflow stands. */
export function describeStatus(state: WorkflowState, definition: WorkflowDefinition): WorkflowStatus {
  const current = state.current;
  const def = current === null ? undefined : definition.states[current];
  return {
    state: current,
    description: def?.description ?? null,
    instructions: def?.instructions ?? null,
    final: def?.final === true,
    iteration: state.iteration,
    allowedTransitions: transitionOptions(state, definition),
    toolRules: def?.tools ?? null,
    journalNeeded: journalNeeded(state, definition),
    reviewExpected: current !== null && definition.review?.state === current,
  };
}

/** Every distinct target reachable from the current state, with its unmet guards. */
export function transitionOptions(state: WorkflowState, definition: WorkflowDefinition): TransitionOption[] {
  const current = state.current;
  if (current === null || definition.states[current]?.final === true) return [];
  const byTarget = new Map<string, TransitionOption>();
  for (const t of definition.transitions) {
    if (t.from !== current && t.from !== '*') continue;
    const missing = missingGuards(t, state);
    const seen = byTarget.get(t.to);
    // Two transitions to one target: the one closest to passing describes it.
    if (seen === undefined || (!seen.guardsMet && missing.length < seen.missing.length)) {
      byTarget.set(t.to, { to: t.to, guardsMet: missing.length === 0, missing });
    }
  }
  return [...byTarget.values()];
}

function missingGuards(t: TransitionDefinition, state: WorkflowState): string[] {
  const guards = new Set<GuardName>(t.guards ?? []);
  return GUARD_NAMES.filter((g) => guards.has(g) && !guardMet(g, state)).map((g) => describeGuard(g, state));
}

function guardMet(guard: GuardName, state: WorkflowState): boolean {
  switch (guard) {
    case 'journalSinceEntered': return state.journalSinceEntered > 0;
    case 'reviewApproved': return state.reviewSinceEntered === 'approved';
    default: return unreachable(guard);
  }
}

function describeGuard(guard: GuardName, state: WorkflowState): string {
  const here = JSON.stringify(state.current);
  switch (guard) {
    case 'journalSinceEntered': return `journalSinceEntered: write a journal entry in state ${here} first`;
    case 'reviewApproved': return `reviewApproved: the review in state ${here} must be approved first`;
    default: return unreachable(guard);
  }
}

function journalNeeded(state: WorkflowState, definition: WorkflowDefinition): number {
  const journal = definition.journal;
  // Before the first iteration there is nothing to account for yet.
  if (journal === undefined || !journal.enforceOnStop || state.iteration === 0) return 0;
  return Math.max(0, journal.minEntriesPerIteration - state.journalThisIteration);
}

function decideStart(command: StartWorkflow, state: WorkflowState): WorkflowEvent[] {
  if (state.current !== null) {
    if (state.definitionHash === command.definitionHash) return [];
    return [rejected('StartWorkflow', 'WORKFLOW_ALREADY_STARTED', 'The workflow has already started; a new definition is a ChangeDefinition.', state, command.at)];
  }
  const { definition } = command;
  return [{
    type: 'WorkflowStarted',
    data: {
      definitionHash: command.definitionHash,
      name: definition.name,
      definition,
      state: definition.initial,
      iteration: definition.iteration.startsAt === definition.initial ? 1 : 0,
      at: command.at,
    },
  }];
}

function decideChange(command: ChangeDefinition, state: WorkflowState): WorkflowEvent[] {
  if (state.current === null) return decideStart({ ...command, type: 'StartWorkflow' }, state);
  if (state.definitionHash === command.definitionHash) return [];
  // Counters and iteration survive an edit; only a state that no longer exists sends us back.
  const stays = Object.prototype.hasOwnProperty.call(command.definition.states, state.current);
  return [{
    type: 'WorkflowDefinitionChanged',
    data: {
      definitionHash: command.definitionHash,
      previousHash: state.definitionHash,
      definition: command.definition,
      previousState: state.current,
      state: stays ? state.current : command.definition.initial,
      at: command.at,
    },
  }];
}

function decideTransition(command: Transition, state: WorkflowState, definition: WorkflowDefinition): WorkflowEvent[] {
  const from = state.current;
  if (from === null) return [notStarted('Transition', state, command.at, command.actor)];
  const problems = transitionProblems(command.to, state, definition);
  if (problems.length > 0) {
    const allowed = transitionOptions(state, definition).filter((o) => o.guardsMet).map((o) => o.to);
    return [{
      type: 'WorkflowTransitionRefused',
      data: { from, to: command.to, reason: refusalReason(from, command.to, problems, state, definition), problems, allowed, at: command.at, ...by(command.actor) },
    }];
  }
  const iteration = command.to === definition.iteration.startsAt ? state.iteration + 1 : state.iteration;
  return [{ type: 'WorkflowTransitioned', data: { from, to: command.to, reason: command.reason, iteration, at: command.at, ...by(command.actor) } }];
}

function transitionProblems(to: string, state: WorkflowState, definition: WorkflowDefinition): string[] {
  const from = state.current ?? '';
  if (definition.states[from]?.final === true) return [`state ${JSON.stringify(from)} is final: it cannot be left`];
  if (!Object.prototype.hasOwnProperty.call(definition.states, to)) return [`there is no state ${JSON.stringify(to)}`];
  const option = transitionOptions(state, definition).find((o) => o.to === to);
  if (option === undefined) return [`no transition from ${JSON.stringify(from)} to ${JSON.stringify(to)}`];
  return [...option.missing];
}

function refusalReason(from: string, to: string, problems: readonly string[], state: WorkflowState, definition: WorkflowDefinition): string {
  const options = transitionOptions(state, definition);
  const open = options.filter((o) => o.guardsMet).map((o) => o.to);
  const blocked = options.filter((o) => !o.guardsMet && o.to !== to).map((o) => `${o.to} (${o.missing.join('; ')})`);
  let next = open.length > 0 ? `Allowed from "${from}" now: ${open.join(', ')}.` : `No transition from "${from}" is allowed now.`;
  if (blocked.length > 0) next += ` Blocked: ${blocked.join(', ')}.`;
  return `Cannot move from "${from}" to "${to}": ${problems.join('; ')}. ${next}`;
}

function decideJournal(command: WriteJournal, state: WorkflowState): WorkflowEvent[] {
  if (state.current === null) return [notStarted('WriteJournal', state, command.at, command.actor)];
  if (command.text.trim() === '') {
    return [rejected('WriteJournal', 'JOURNAL_TEXT_EMPTY', 'A journal entry needs text: say what was done, found or decided.', state, command.at, command.actor)];
  }
  return [{
    type: 'JournalEntryWritten',
    data: {
      text: command.text,
      tags: [...(command.tags ?? [])],
      files: (command.files ?? []).map((f) => (f.line === undefined ? { path: f.path } : { path: f.path, line: f.line })),
      state: state.current,
      iteration: state.iteration,
      at: command.at,
      ...by(command.actor),
    },
  }];
}

function decideReview(command: RecordReview, state: WorkflowState, definition: WorkflowDefinition): WorkflowEvent[] {
  const current = state.current;
  if (current === null) return [notStarted('RecordReview', state, command.at, command.actor)];
  const review = definition.review;
  if (review === undefined) {
    return [rejected('RecordReview', 'REVIEW_NOT_CONFIGURED', 'This workflow has no review step (no "review" in the workflow file).', state, command.at, command.actor)];
  }
  if (current !== review.state) {
    const reason = `A review can only be recorded in state "${review.state}"; the workflow is in "${current}".`;
    return [rejected('RecordReview', 'REVIEW_WRONG_STATE', reason, state, command.at, command.actor)];
  }
  const notes = command.notes ?? '';
  if (command.outcome === 'approved') {
    return [{ type: 'ReviewApproved', data: { notes, state: current, at: command.at, ...by(command.actor) } }];
  }
  // Like any move into iteration.startsAt, the way back after a rejection starts a new iteration.
  const iteration = review.onRejected === definition.iteration.startsAt ? state.iteration + 1 : state.iteration;
  return [
    { type: 'ReviewRejected', data: { notes, state: current, backTo: review.onRejected, at: command.at, ...by(command.actor) } },
    {
      type: 'WorkflowTransitioned',
      data: { from: current, to: review.onRejected, reason: notes === '' ? 'review rejected' : `review rejected: ${notes}`, iteration, at: command.at, ...by(command.actor) },
    },
  ];
}

function decideToolUse(command: CheckToolUse, state: WorkflowState, definition: WorkflowDefinition): WorkflowEvent[] {
  const current = state.current;
  // No workflow running: nothing to enforce, the hook lets the tool run.
  if (current === null) return [];
  const verdict = checkToolRules(current, definition.states[current], command.toolName, command.toolInput);
  if (verdict.allowed) return [];
  const reason = `${verdict.subject} is not allowed in state "${current}" (rule: ${verdict.rule}). ${howToProceed(state, definition)}`;
  return [{ type: 'HookDenied', data: { toolName: command.toolName, ...(command.toolUseId === undefined ? {} : { toolUseId: command.toolUseId }), state: current, rule: verdict.rule, reason, at: command.at } }];
}

function howToProceed(state: WorkflowState, definition: WorkflowDefinition): string {
  const targets = transitionOptions(state, definition).map((o) => o.to);
  const move = targets.length > 0 ? `transition to one of: ${targets.join(', ')}.` : '';
  if (definition.review !== undefined && definition.review.state === state.current) {
    return move === '' ? 'Record the review (approved or rejected).' : `Record the review (approved or rejected) or ${move}`;
  }
  if (move !== '') return `To use it, ${move}`;
  return `State "${state.current ?? ''}" has no way out: the workflow is finished.`;
}

function decideStop(command: CheckStop, state: WorkflowState, definition: WorkflowDefinition): WorkflowEvent[] {
  const current = state.current;
  // stop_hook_active: Claude is already continuing because of a Stop block; blocking again could trap it.
  if (current === null || command.stopHookActive) return [];
  const needed = journalNeeded(state, definition);
  if (needed === 0) return [];
  const min = definition.journal?.minEntriesPerIteration ?? 0;
  const reason = `Before stopping, write a journal entry: iteration ${state.iteration} has ${state.journalThisIteration} of the ${min} required (state "${current}"). `
    + 'Say what was done, found or decided, with the logbook MCP tool journal_write or `logbook journal --text "<text>"`.';
  return [{ type: 'StopBlocked', data: { state: current, reason, at: command.at } }];
}

function rejected(command: string, code: WorkflowRejectionCode, reason: string, state: WorkflowState, at: string, actor?: string): WorkflowEvent {
  const data: WorkflowCommandRejectedData = { command, code, reason, state: state.current, at, ...by(actor) };
  return { type: 'WorkflowCommandRejected', data };
}

function notStarted(command: string, state: WorkflowState, at: string, actor?: string): WorkflowEvent {
  return rejected(command, 'WORKFLOW_NOT_STARTED', 'No workflow is running: add .logbook/workflow.json to start one.', state, at, actor);
}

// Optional fields are left out, not set to undefined: events must equal their JSON round trip.
function by(actor: string | undefined): { actor?: string } {
  return actor === undefined ? {} : { actor };
}

function unreachable(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}
