// Plain types of the optional workflow (`.logbook/workflow.json`). The hook bundle imports the
// decider, which must not load zod, so the shapes live here as TypeScript; definition.ts checks
// at compile time that its zod schema produces exactly these.

/** A guard a transition may require before it is taken. */
export type GuardName = 'journalSinceEntered' | 'reviewApproved';

/** The guards, in the order they are checked and reported. */
export const GUARD_NAMES: readonly GuardName[] = ['journalSinceEntered', 'reviewApproved'];

/** Globs matched against the Bash tool's `tool_input.command` (`*` matches anything). */
export interface BashRules {
  readonly allow?: readonly string[] | undefined;
  readonly deny?: readonly string[] | undefined;
}

/** Per-state tool rules: globs on tool names; a deny match always wins over an allow list. */
export interface ToolRules {
  readonly allow?: readonly string[] | undefined;
  readonly deny?: readonly string[] | undefined;
  readonly bash?: BashRules | undefined;
}

/** One named state of the workflow. */
export interface StateDefinition {
  readonly description?: string | undefined;
  /** A final state cannot be left. */
  readonly final?: boolean | undefined;
  readonly tools?: ToolRules | undefined;
  /** Shown to the agent by the status tool while it is in this state. */
  readonly instructions?: string | undefined;
}

/** An allowed move; `from: "*"` means from any state that is not final. */
export interface TransitionDefinition {
  readonly from: string;
  readonly to: string;
  readonly guards?: readonly GuardName[] | undefined;
  readonly description?: string | undefined;
}

/** The validated content of `.logbook/workflow.json` (defaults applied). */
export interface WorkflowDefinition {
  readonly $schema?: string | undefined;
  readonly version: 1;
  readonly name: string;
  readonly description?: string | undefined;
  readonly initial: string;
  readonly states: Readonly<Record<string, StateDefinition>>;
  readonly transitions: readonly TransitionDefinition[];
  /** Every entry into `startsAt` (a transition, a rejected review's return, the initial state) starts a new iteration; 0 before the first. */
  readonly iteration: { readonly startsAt: string };
  readonly journal?: { readonly minEntriesPerIteration: number; readonly enforceOnStop: boolean } | undefined;
  /** A rejected review in `state` moves the workflow back to `onRejected`. */
  readonly review?: { readonly state: string; readonly onRejected: string } | undefined;
}

/** Outcome of the latest review recorded since the current state was entered. */
export type ReviewOutcome = 'approved' | 'rejected';

/** The workflow folded from its events: a JSON-serialisable plain object. */
export interface WorkflowState {
  /** Null until WorkflowStarted. */
  readonly definitionHash: string | null;
  /** Null until WorkflowStarted. */
  readonly current: string | null;
  /** ISO time the current state was entered. */
  readonly enteredAt: string | null;
  readonly iteration: number;
  readonly journalSinceEntered: number;
  readonly journalThisIteration: number;
  readonly reviewSinceEntered: ReviewOutcome | null;
  readonly transitions: number;
  /** Refused transitions and rejected commands: wasted effort counts. */
  readonly refusals: number;
  /** Tool uses denied by a hook. */
  readonly denials: number;
  readonly stopBlocks: number;
}

/** One way out of the current state, and what still stands in its way. */
export interface TransitionOption {
  readonly to: string;
  readonly guardsMet: boolean;
  /** Human-readable unmet guards. */
  readonly missing: readonly string[];
}

/** What the status tool shows the agent. */
export interface WorkflowStatus {
  readonly state: string | null;
  readonly description: string | null;
  readonly instructions: string | null;
  readonly final: boolean;
  readonly iteration: number;
  readonly allowedTransitions: readonly TransitionOption[];
  readonly toolRules: ToolRules | null;
  /** Journal entries still needed this iteration before the agent may stop (0 when not enforced). */
  readonly journalNeeded: number;
  /** True in the review state: a review outcome is expected here. */
  readonly reviewExpected: boolean;
}

/** Who issued a command (an agent, a session, a person); recorded, never checked. */
export type Actor = string;

/** Start folding a workflow stream with a definition. */
export interface StartWorkflow {
  readonly type: 'StartWorkflow';
  readonly definition: WorkflowDefinition;
  readonly definitionHash: string;
  readonly at: string;
}

/** The workflow file changed while the workflow runs. */
export interface ChangeDefinition {
  readonly type: 'ChangeDefinition';
  readonly definition: WorkflowDefinition;
  readonly definitionHash: string;
  readonly at: string;
}

/** The agent asks to move the workflow. */
export interface Transition {
  readonly type: 'Transition';
  readonly to: string;
  readonly reason: string;
  readonly at: string;
  readonly actor?: Actor | undefined;
}

/** A file position a journal entry refers to. */
export interface JournalFileRef {
  readonly path: string;
  readonly line?: number | undefined;
}

export interface WriteJournal {
  readonly type: 'WriteJournal';
  readonly text: string;
  readonly tags?: readonly string[] | undefined;
  readonly files?: readonly JournalFileRef[] | undefined;
  readonly at: string;
  readonly actor?: Actor | undefined;
}

export interface RecordReview {
  readonly type: 'RecordReview';
  readonly outcome: ReviewOutcome;
  readonly notes?: string | undefined;
  readonly at: string;
  readonly actor?: Actor | undefined;
}

/** Asked by the PreToolUse hook: may this tool run now? */
export interface CheckToolUse {
  readonly type: 'CheckToolUse';
  readonly toolName: string;
  readonly toolInput: unknown;
  readonly toolUseId?: string | undefined;
  readonly at: string;
}

/** Asked by the Stop hook: may the agent stop now? */
export interface CheckStop {
  readonly type: 'CheckStop';
  readonly stopHookActive: boolean;
  readonly at: string;
}

export type WorkflowCommand =
  | StartWorkflow
  | ChangeDefinition
  | Transition
  | WriteJournal
  | RecordReview
  | CheckToolUse
  | CheckStop;
