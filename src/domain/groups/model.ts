// Sessions that work together (issue 16): the links between sessions and the groups they form.
// Pure data shared by the link fold (src/projections/groups/link-fold.ts), the group reader, the
// analysis, the CLI and the views. Times are epoch ms; session ids are Claude Code's.
//
// A link is EXACT when Claude Code (or the user's environment) says so: the child session's
// process inherited its parent's CLAUDE_CODE_SESSION_ID, both sessions carry the same run name, a
// task id is the same. It is INFERRED when the logbook read it from what the sessions did (a file
// written by A and later read by B): every inferred link names its evidence events.

/** What ties two sessions. The "handoff-*" kinds are inferred; the others are exact. */
export type LinkKind = 'spawn' | 'handoff-file' | 'handoff-commit' | 'handoff-task' | 'message';

/** One event that a link rests on. */
export interface LinkEvidence {
  readonly sessionId: string;
  readonly eventId: string;
  /** Global position of the event in the store. */
  readonly position: number;
  readonly at: number;
  /** What the event did, in a few words ("wrote /w/a.txt", "ran Bash: sh worker.sh A"). */
  readonly what: string;
}

/** A directed link: `from` produced or started what `to` used. */
export interface SessionLink {
  /** Stable id: the same link found twice (a rebuild) has the same id. */
  readonly id: string;
  readonly kind: LinkKind;
  readonly from: string;
  readonly to: string;
  readonly exact: boolean;
  /** When it took effect: the child's start, the consumer's first use. */
  readonly at: number;
  /** What passed: a file path, a commit hash, a task id, the parent's command. */
  readonly subject: string;
  /** The parent's tool call that started the child (spawn), when it could be told. */
  readonly toolUseId?: string;
  /** How toolUseId was found: the command in the child's process tree matched one open call, or it was the only open call. */
  readonly toolUseMatch?: 'command' | 'only-open-call';
  /**
   * First evidence events: the producing one first, then the consuming one. Later sightings of the
   * same link (the same file read again) are not recorded: each would cost the writer a save.
   */
  readonly evidence: readonly LinkEvidence[];
}

/** A session's role in its group. */
export type GroupRole = 'lead' | 'worker' | 'teammate' | 'member';

/** Where a session came from, as its own start recorded it (the LogbookOrigin events). */
export interface SessionOrigin {
  /** The run name (LOGBOOK_RUN, or the variable named in settings) in the session's environment. */
  readonly run?: string;
  /** CLAUDE_CODE_SESSION_ID inherited from the process that started this session: exact. */
  readonly parentSessionId?: string;
  /** W3C trace context inherited (only when the parent had tracing on). */
  readonly traceparent?: string;
  /** The linked git worktree the session ran in (its root) and its branch. */
  readonly worktree?: string;
  readonly branch?: string;
  /** Agent teams: the team and this session's member name, when Claude Code says so. */
  readonly team?: string;
  readonly agentName?: string;
}

/** The kinds of group; the id is "<kind>:<key>". */
export type GroupKind = 'run' | 'team' | 'tree';

/** One member's figures, as the group list and the analysis read them. */
export interface GroupMember {
  readonly sessionId: string;
  readonly title: string | null;
  readonly role: GroupRole;
  readonly parentSessionId: string | null;
  readonly worktree: string | null;
  readonly branch: string | null;
  readonly firstEventAt: number | null;
  readonly lastEventAt: number | null;
  /** Time the session was active (lifecycle states other than idle/ended), ms. */
  readonly activeMs: number;
  readonly ended: boolean;
  readonly lifecycleState: string;
  readonly toolCalls: number;
  readonly toolFailures: number;
  readonly costUsd: number;
  readonly tokens: number;
}

/** A group as the sidebar, the dashboard and `logbook groups` list it. */
export interface GroupSummary {
  readonly id: string;
  readonly kind: GroupKind;
  /** The run name, team name or the root session's title. */
  readonly label: string;
  readonly members: readonly GroupMember[];
  readonly firstEventAt: number | null;
  readonly lastEventAt: number | null;
  /** Wall-clock span: the last member's last event minus the first member's first. */
  readonly spanMs: number;
  /** Sum of the members' active time. */
  readonly activeMs: number;
  readonly costUsd: number;
  readonly tokens: number;
  readonly failures: number;
  /** Links between members (exact and inferred). */
  readonly links: readonly SessionLink[];
}
