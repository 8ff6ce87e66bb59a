import type { WorkflowDefinition, WorkflowState } from '../domain/workflow/types';

// Files the writer keeps for the hook, which must decide without sql.js or zod. Plain JSON,
// rewritten whole (temp + rename), read defensively: anything odd means "no decision".

/** The validated workflow definition, written by whoever validated `.logbook/workflow.json`. */
export interface CompiledWorkflowFile {
  readonly v: 1;
  readonly hash: string;
  readonly definition: WorkflowDefinition;
}

/** A session's workflow state as stored, with the ids of the workflow events folded into it. */
export interface SessionWorkflowSnapshot {
  readonly v: 1;
  readonly sessionId: string;
  readonly state: WorkflowState;
  /** Recent workflow event ids: an inbox entry whose id is here is already in `state`. */
  readonly eventIds: readonly string[];
}

export const SNAPSHOT_EVENT_IDS_KEPT = 500;

/** Largest session snapshot the hook reads: a state and SNAPSHOT_EVENT_IDS_KEPT ids take a few tens of KiB. */
export const SESSION_SNAPSHOT_MAX_BYTES = 1024 * 1024;

/** Largest pending `.cmd.json` entry the hook reads; a larger one leaves the decision undecided. */
export const PENDING_ENTRY_MAX_BYTES = 4 * 1024 * 1024;
