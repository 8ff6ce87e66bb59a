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
