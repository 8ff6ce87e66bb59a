import type { LifecycleStateName } from '../lifecycle';

// The control center's view of one in-progress session (issue 15): what a row shows and what the
// alert rules read. Made by a fold over the session's events (src/projections/control/), for
// sessions of any registered workspace. Plain JSON; times are epoch ms; null means "not known".

/** What a session waits for: the user's permission, the user's next prompt, a subagent, or nothing. */
export type WaitingFor = 'permission' | 'input' | 'subagent' | null;

/** How the last tool call went (running: no result yet). */
export type ToolOutcome = 'running' | 'ok' | 'failed' | 'denied';

/** Consecutive calls of one kind: the same tool failing, the same rule denying. */
export interface Run {
  /** The tool's name, or the denial rule's. */
  readonly name: string;
  readonly count: number;
  /** The first event of the run (its tool_use_id or event id): names the episode. */
  readonly firstKey: string;
  readonly firstAt: number | null;
  readonly lastAt: number | null;
}

/** A session's hold (`logbook hold`): its next PreToolUse waits, then is denied with the message. */
export interface HoldInfo {
  readonly message: string;
  readonly at: number | null;
}

export interface LiveSession {
  /** The workspace folder (absolute) whose logbook recorded it. */
  readonly workspace: string;
  readonly sessionId: string;
  readonly title: string | null;
  readonly branch: string | null;
  readonly workflow: string | null;
  readonly model: string | null;
  readonly lifecycleState: LifecycleStateName;
  /** When the current lifecycle state began. */
  readonly lifecycleEnteredAt: number | null;
  readonly workflowState: string | null;
  readonly workflowEnteredAt: number | null;
  readonly waitingFor: WaitingFor;
  /** Since when it waits (null when it waits for nothing). */
  readonly waitingSince: number | null;
  readonly startedAt: number | null;
  readonly lastEventAt: number | null;
  readonly ended: boolean;
  /** Input, output and cache tokens so far. */
  readonly tokens: number;
  /** Priced with the default price table; null when no model of the session has a price. */
  readonly costUsd: number | null;
  /** Cost over the last hour of usage (or since the first usage, if sooner), per hour; null when unknown. */
  readonly burnUsdPerHour: number | null;
  readonly lastTool: { readonly name: string; readonly at: number | null; readonly outcome: ToolOutcome } | null;
  readonly lastJournal: { readonly text: string; readonly at: number | null } | null;
  /** Subagents started and not stopped, oldest first. */
  readonly subagents: readonly { readonly agentId: string; readonly agentType: string; readonly startedAt: number | null }[];
  /**
   * The trailing run of failures of one tool: a success of that tool ends it, a failure of another
   * starts another; calls of other tools in between (reading files between two failing builds) do not.
   */
  readonly failureRun: Run | null;
  /** The trailing run of denials by one rule (an allowed call ends it). */
  readonly denialRun: Run | null;
  /** Review rejections in the session so far; the first rejection's event id names the episode. */
  readonly rejections: number;
  readonly firstRejectionKey: string | null;
  /** The times of the session's compactions, oldest first (at most the last 32). */
  readonly compactionTimes: readonly number[];
  /** Milliseconds per lifecycle and per workflow state so far, the current state's open time included (up to `lastEventAt`). */
  readonly lifecycleMs: Readonly<Record<string, number>>;
  readonly workflowMs: Readonly<Record<string, number>>;
  readonly held: HoldInfo | null;
  /** Ids of the alerts already recorded for this session (src/domain/control/events.ts): an episode alerts once. */
  readonly alertIds: readonly string[];
  /** Rules muted for this session alone. */
  readonly mutedRules: readonly string[];
}
