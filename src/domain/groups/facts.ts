import type { GroupRole, GroupSummary } from './model';

// What the group analysis reads about each member, besides its overview figures: its tool calls,
// its failures and its usage per agent. Built by the group reader from the members' streams
// (src/projections/groups/member-facts.ts); pure data, times epoch ms.

/** One tool call of a member (main agent or subagent). */
export interface MemberCall {
  readonly toolUseId: string;
  readonly tool: string;
  /** The subagent that made it, null for the main agent. */
  readonly agentId: string | null;
  readonly start: number;
  /** null while it is still open (or it never closed). */
  readonly end: number | null;
  readonly failed: boolean;
  readonly eventId: string;
  readonly position: number;
  /** The call in a few words (tool and its main input), untrusted text, bounded. */
  readonly summary: string;
}

/** A failure: a tool call that failed (PostToolUseFailure), a turn that failed (StopFailure). */
export interface MemberFailure {
  readonly eventId: string;
  readonly position: number;
  readonly at: number;
  readonly what: string;
  readonly toolUseId: string | null;
}

/** Tokens and cost of one agent of a member: "main" or a subagent's id. */
export interface AgentUsage {
  readonly agentId: string;
  /** The subagent's type (SubagentStart's agent_type) when known; null for main. */
  readonly agentType: string | null;
  readonly costUsd: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationInputTokens: number;
  readonly cacheReadInputTokens: number;
}

export interface MemberFacts {
  readonly sessionId: string;
  readonly calls: readonly MemberCall[];
  readonly failures: readonly MemberFailure[];
  readonly usage: readonly AgentUsage[];
}

/** A group with its members' facts: the analysis input. */
export interface GroupFacts {
  readonly group: GroupSummary;
  readonly members: readonly MemberFacts[];
}

/** One step of the critical path: a member working, or waiting on another member. */
export interface PathStep {
  readonly sessionId: string;
  readonly kind: 'work' | 'wait';
  readonly from: number;
  readonly to: number;
  /** For a wait: the member it waited on, and the link that made it wait. */
  readonly waitingOn?: string;
  readonly linkId?: string;
}

export interface CriticalPath {
  readonly steps: readonly PathStep[];
  /** The group's end (the last member's last event) minus the path's first step's start. */
  readonly totalMs: number;
}

/** A member others waited on. */
export interface Bottleneck {
  readonly sessionId: string;
  readonly waiters: readonly { readonly sessionId: string; readonly ms: number; readonly linkId: string }[];
  readonly totalWaitMs: number;
}

/** A failure and the failures that followed it in members that consumed its member's output. */
export interface ErrorChain {
  readonly steps: readonly {
    readonly sessionId: string;
    readonly eventId: string;
    readonly at: number;
    readonly what: string;
    /** The link from the previous step's member to this one (absent on the first step). */
    readonly linkId?: string;
  }[];
}

/** One row of the cost attribution: a member's main agent or one of its subagents. */
export interface AttributionRow {
  readonly sessionId: string;
  readonly agentId: string;
  readonly agentType: string | null;
  readonly role: GroupRole | 'subagent';
  readonly label: string;
  readonly costUsd: number;
  readonly tokens: number;
}

export interface CostAttribution {
  readonly rows: readonly AttributionRow[];
  /** Sums per role: lead, worker, teammate, member, subagent. */
  readonly byRole: Readonly<Record<string, { readonly costUsd: number; readonly tokens: number }>>;
  readonly totalCostUsd: number;
  readonly totalTokens: number;
}

export interface GroupAnalysis {
  readonly criticalPath: CriticalPath;
  readonly bottlenecks: readonly Bottleneck[];
  readonly errorChains: readonly ErrorChain[];
  readonly attribution: CostAttribution;
}
