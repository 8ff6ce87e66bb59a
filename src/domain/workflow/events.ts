import type { Actor, JournalFileRef, WorkflowDefinition } from './types';

// Events of a workflow stream. Each carries its own time (`at`, ISO) in data so evolve folds
// them without the store envelope; the writer may copy it into metadata as well.

/** Stable event type names: stored in the event store, never renamed. */
export const WorkflowEventType = {
  WorkflowStarted: 'WorkflowStarted',
  WorkflowDefinitionChanged: 'WorkflowDefinitionChanged',
  WorkflowTransitioned: 'WorkflowTransitioned',
  WorkflowTransitionRefused: 'WorkflowTransitionRefused',
  WorkflowCommandRejected: 'WorkflowCommandRejected',
  JournalEntryWritten: 'JournalEntryWritten',
  ReviewApproved: 'ReviewApproved',
  ReviewRejected: 'ReviewRejected',
  HookDenied: 'HookDenied',
  StopBlocked: 'StopBlocked',
} as const;

export type WorkflowEventTypeName = (typeof WorkflowEventType)[keyof typeof WorkflowEventType];

/** The workflow began in `state` (the definition's initial state). */
export interface WorkflowStartedData {
  readonly definitionHash: string;
  readonly name: string;
  /** Kept whole so a stream explains itself later (time travel, what-if replay). */
  readonly definition: WorkflowDefinition;
  readonly state: string;
  /** 1 when the initial state starts iterations, else 0. */
  readonly iteration: number;
  readonly at: string;
}

/** The definition file changed; `state` is where the workflow stands under the new one. */
export interface WorkflowDefinitionChangedData {
  readonly definitionHash: string;
  readonly previousHash: string | null;
  readonly definition: WorkflowDefinition;
  readonly previousState: string | null;
  /** Differs from previousState only when the old state no longer exists (reset to initial). */
  readonly state: string;
  readonly at: string;
}

export interface WorkflowTransitionedData {
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  /** The iteration after the move: greater than before when the move started a new one. */
  readonly iteration: number;
  readonly at: string;
  readonly actor?: Actor | undefined;
}

export interface WorkflowTransitionRefusedData {
  readonly from: string | null;
  readonly to: string;
  /** For the agent: what was wrong and where it can go instead. */
  readonly reason: string;
  readonly problems: readonly string[];
  /** States reachable from here right now (guards met). */
  readonly allowed: readonly string[];
  readonly at: string;
  readonly actor?: Actor | undefined;
}

/** Stable codes of WorkflowCommandRejected. */
export type WorkflowRejectionCode =
  | 'WORKFLOW_NOT_STARTED'
  | 'WORKFLOW_ALREADY_STARTED'
  | 'JOURNAL_TEXT_EMPTY'
  | 'REVIEW_NOT_CONFIGURED'
  | 'REVIEW_WRONG_STATE';

/** A command that does not apply now (other than a transition, which has its own event). */
export interface WorkflowCommandRejectedData {
  readonly command: string;
  readonly code: WorkflowRejectionCode;
  readonly reason: string;
  readonly state: string | null;
  readonly at: string;
  readonly actor?: Actor | undefined;
}

export interface JournalEntryWrittenData {
  readonly text: string;
  readonly tags: readonly string[];
  readonly files: readonly JournalFileRef[];
  readonly state: string;
  readonly iteration: number;
  readonly at: string;
  readonly actor?: Actor | undefined;
}

export interface ReviewRecordedData {
  readonly notes: string;
  readonly state: string;
  /** Set on a rejection: the state the workflow returns to. */
  readonly backTo?: string | undefined;
  readonly at: string;
  readonly actor?: Actor | undefined;
}

export interface HookDeniedData {
  readonly toolName: string;
  readonly toolUseId?: string | undefined;
  readonly state: string;
  /** Where the rule lives in the definition, e.g. `states.reviewing.tools.deny "Edit"`. */
  readonly rule: string;
  /** Sent verbatim to the agent as the permissionDecisionReason. */
  readonly reason: string;
  readonly at: string;
}

export interface StopBlockedData {
  readonly state: string;
  /** Sent verbatim to the agent as the Stop hook's block reason. */
  readonly reason: string;
  readonly at: string;
}

/** Every event of a workflow stream. */
export type WorkflowEvent =
  | { readonly type: 'WorkflowStarted'; readonly data: WorkflowStartedData }
  | { readonly type: 'WorkflowDefinitionChanged'; readonly data: WorkflowDefinitionChangedData }
  | { readonly type: 'WorkflowTransitioned'; readonly data: WorkflowTransitionedData }
  | { readonly type: 'WorkflowTransitionRefused'; readonly data: WorkflowTransitionRefusedData }
  | { readonly type: 'WorkflowCommandRejected'; readonly data: WorkflowCommandRejectedData }
  | { readonly type: 'JournalEntryWritten'; readonly data: JournalEntryWrittenData }
  | { readonly type: 'ReviewApproved'; readonly data: ReviewRecordedData }
  | { readonly type: 'ReviewRejected'; readonly data: ReviewRecordedData }
  | { readonly type: 'HookDenied'; readonly data: HookDeniedData }
  | { readonly type: 'StopBlocked'; readonly data: StopBlockedData };

const names = new Set<string>(Object.values(WorkflowEventType));

/** True for a type name this module defines (events read back from the store are untyped). */
export function isWorkflowEventType(type: string): type is WorkflowEventTypeName {
  return names.has(type);
}
