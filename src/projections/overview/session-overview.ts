import type { LifecycleStateName } from '../../domain/lifecycle';
import { lifecycleTimes, workflowTimes } from '../session-summary';
import type { SessionSummaryState, ToolTable } from '../session-summary';
import type { UsageTally } from './usage-tally';

// One row per session: what every view across sessions reads (the sessions tree, the status bar,
// `logbook sessions`, the dashboard, trends). The writer keeps it in the store beside the full
// summary it is made from (overview-store.ts), so a reader lists 5,000 sessions by reading 5,000
// small rows instead of folding a million events or parsing 5,000 full summaries.
// Plain JSON; times are epoch ms; null means "not known".

export interface SessionOverview {
  readonly sessionId: string;
  readonly title: string | null;
  readonly branch: string | null;
  /** The workflow's name when one started in the session. */
  readonly workflow: string | null;
  readonly workflowState: string | null;
  /** Which definition of the workflow (its hash), so trends can mark where it changed. */
  readonly workflowHash: string | null;
  readonly lifecycleState: LifecycleStateName;
  readonly ended: boolean;
  readonly endReason: string | null;
  readonly model: string | null;
  readonly transcriptPath: string | null;
  readonly firstEventAt: number | null;
  readonly lastEventAt: number | null;
  /** Global position of the session's last event: a row older than its stream is stale. */
  readonly lastPosition: number;
  readonly events: number;
  readonly prompts: number;
  readonly toolCalls: number;
  readonly toolFailures: number;
  /** Hook denials by the workflow plus permission denials (each call once). */
  readonly denials: number;
  readonly rejections: number;
  readonly refusals: number;
  readonly iterations: number;
  readonly transitions: number;
  readonly compactions: number;
  readonly subagents: number;
  readonly filesTouched: number;
  readonly journalEntries: number;
  /** The journal's tags, each once, in order of first use (at most MAX_TAGS). */
  readonly tags: readonly string[];
  /** Events read out of transcripts by `logbook import` (0: recorded by hooks). */
  readonly importedEvents: number;
  /** Milliseconds per lifecycle state and per workflow state (zero-time states left out). */
  readonly lifecycleMs: Readonly<Record<string, number>>;
  readonly workflowMs: Readonly<Record<string, number>>;
  readonly usage: UsageTally;
}

const MAX_TAGS = 32;

/** The overview row of a folded session. */
export function overviewOf(s: SessionSummaryState, sessionId: string): SessionOverview {
  const lc = s.lifecycle;
  const wf = s.workflow;
  return {
    sessionId: s.sessionId ?? sessionId,
    title: s.title,
    branch: s.branch,
    workflow: wf.name,
    workflowState: wf.state.current,
    workflowHash: wf.state.definitionHash,
    lifecycleState: lc.state,
    ended: lc.ended,
    endReason: lc.endReason,
    model: lc.model,
    transcriptPath: lc.transcriptPath,
    firstEventAt: s.firstEventAt,
    lastEventAt: s.lastEventAt,
    lastPosition: s.lastPosition,
    events: s.eventsFolded,
    prompts: s.prompts,
    toolCalls: sumTools(s.tools.all, 'calls'),
    toolFailures: sumTools(s.tools.all, 'failures'),
    // A workflow HookDenied is counted in its tool's `denied` too (session-summary): count once.
    denials: sumTools(s.tools.all, 'denied'),
    rejections: wf.reviewRejections.length,
    refusals: wf.refusals.length,
    iterations: wf.state.iteration,
    transitions: wf.transitions.length,
    compactions: s.compactions,
    subagents: Object.keys(s.subagents).length,
    filesTouched: Object.keys(s.files).length,
    journalEntries: s.journal.length,
    tags: tagsOf(s),
    importedEvents: s.importedEvents,
    lifecycleMs: positive(lifecycleTimes(s)),
    workflowMs: positive(workflowTimes(s)),
    usage: s.usage,
  };
}

function sumTools(tools: ToolTable, field: 'calls' | 'failures' | 'denied'): number {
  let sum = 0;
  for (const stats of Object.values(tools)) sum += stats[field];
  return sum;
}

function tagsOf(s: SessionSummaryState): string[] {
  const tags = new Set<string>();
  for (const entry of s.journal) {
    for (const tag of entry.tags) {
      if (tags.size >= MAX_TAGS) return [...tags];
      tags.add(tag);
    }
  }
  return [...tags];
}

// fromEntries defines own properties: a state named `__proto__` is a key like any other.
function positive(times: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(times).filter(([, ms]) => ms > 0));
}
