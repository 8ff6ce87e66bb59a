import type { LifecycleStateName } from '../domain/lifecycle';
import { IMPORTED_LACKS } from '../domain/imported';
import { DEFAULT_SILENCE_MS, deriveSessionStatus } from '../domain/lifecycle-time';
import type { SessionStatus } from '../domain/lifecycle-time';
import { lifecycleTimes, workflowTimes } from './session-summary';
import type { FileTouch, JournalFile, SessionSummaryState, SubagentSummary, ToolStats, ToolTable } from './session-summary';
import type { SessionUsage } from './transcript-usage';

// What `logbook report <session> --json` prints. Scripts read it, so field names are stable:
// every time is given twice, `<name>Ms` (epoch ms) and `<name>` (ISO), null when unknown;
// durations end in `Ms`. Lists come in a fixed order so two reports of one session diff cleanly.

/** Bumped when a field changes meaning or goes away (adding a field does not bump it). */
export const SESSION_REPORT_VERSION = 1;

export interface SessionReportOptions {
  /** The moment the report is made (ms): decides live / idle / abandoned. */
  readonly now: number;
  readonly silenceMs?: number;
  /** Tokens and cost, from the session's transcripts. */
  readonly usage?: SessionUsage;
  /** How many of its events `logbook import` read out of a transcript. */
  readonly importedEvents?: number;
}

type Timed<T extends { readonly at: number | null }> = Omit<T, 'at'> & { readonly atMs: number | null; readonly at: string | null };

export interface ReportFile { readonly path: string; readonly edits: number; readonly firstEditAtMs: number | null; readonly firstEditAt: string | null; readonly lastEditAtMs: number | null; readonly lastEditAt: string | null }

export interface ReportSubagent {
  readonly agentId: string;
  readonly agentType: string;
  readonly startedAtMs: number | null;
  readonly startedAt: string | null;
  readonly stoppedAtMs: number | null;
  readonly stoppedAt: string | null;
  readonly durationMs: number | null;
  readonly tools: ToolTable;
}

export interface ReportJournalEntry { readonly text: string; readonly tags: readonly string[]; readonly files: readonly JournalFile[]; readonly state: string; readonly iteration: number; readonly atMs: number | null; readonly at: string | null }

type WorkflowSummary = SessionSummaryState['workflow'];

/** The JSON of one session's report. */
export interface SessionReport {
  readonly reportVersion: number;
  readonly sessionId: string | null;
  /** The main agent's first prompt, shortened (null before one). */
  readonly title: string | null;
  /** The git branch the session's transcript named last. */
  readonly branch: string | null;
  readonly status: SessionStatus;
  readonly generatedAtMs: number;
  readonly generatedAt: string;
  readonly startedAtMs: number | null;
  readonly startedAt: string | null;
  readonly lastEventAtMs: number | null;
  readonly lastEventAt: string | null;
  readonly durationMs: number;
  /** How long nothing has happened, as of generatedAt. */
  readonly silentForMs: number;
  readonly lifecycle: {
    readonly state: LifecycleStateName;
    readonly endReason: string | null;
    /** Sums to durationMs. */
    readonly timePerStateMs: Readonly<Record<LifecycleStateName, number>>;
    readonly transitions: Readonly<Record<string, number>>;
  };
  readonly workflow: {
    readonly name: string | null;
    readonly state: string | null;
    readonly iteration: number;
    readonly startedAtMs: number | null;
    readonly startedAt: string | null;
    readonly enteredAtMs: number | null;
    readonly enteredAt: string | null;
    /** Sums to lastEventAtMs − startedAtMs. */
    readonly timePerStateMs: Readonly<Record<string, number>>;
    readonly transitions: readonly Timed<WorkflowSummary['transitions'][number]>[];
    readonly refused: readonly Timed<WorkflowSummary['refusals'][number]>[];
    readonly reviews: { readonly approved: number; readonly rejected: number; readonly rejections: readonly Timed<WorkflowSummary['reviewRejections'][number]>[] };
    readonly hookDenials: readonly Timed<WorkflowSummary['hookDenials'][number]>[];
    readonly stopBlocks: readonly Timed<WorkflowSummary['stopBlocks'][number]>[];
  };
  readonly tools: { readonly totals: ToolStats; readonly byTool: ToolTable; readonly main: ToolTable; readonly subagents: ToolTable };
  readonly files: readonly ReportFile[];
  readonly subagents: readonly ReportSubagent[];
  readonly journal: readonly ReportJournalEntry[];
  readonly counts: {
    readonly events: number;
    readonly prompts: number;
    readonly compactions: number;
    readonly stops: number;
    readonly subagents: number;
    readonly filesTouched: number;
    readonly journalEntries: number;
    readonly byType: Readonly<Record<string, number>>;
  };
  /** Global position of the last event folded: the report is as of this event. */
  readonly lastPosition: number;
  /** Null when no transcript was read. */
  readonly usage: SessionUsage | null;
  /** Null when the hooks recorded every event; else how many `logbook import` read from the transcript, and what such events cannot tell. */
  readonly imported: { readonly events: number; readonly lacks: readonly string[] } | null;
}

/** Turns a folded session summary (and, when known, its token usage) into the report's JSON. */
export function buildSessionReport(summary: SessionSummaryState, options: SessionReportOptions): SessionReport {
  const { now } = options;
  const lc = summary.lifecycle;
  const first = summary.firstEventAt;
  const last = summary.lastEventAt;
  // A workflow event after the last hook event is activity too: silence counts from the last event of any kind.
  const status = deriveSessionStatus({ ...lc, lastEventAt: last ?? lc.lastEventAt }, now, options.silenceMs ?? DEFAULT_SILENCE_MS);
  return {
    reportVersion: SESSION_REPORT_VERSION,
    sessionId: summary.sessionId,
    title: summary.title,
    branch: summary.branch,
    status,
    generatedAtMs: now,
    generatedAt: new Date(now).toISOString(),
    startedAtMs: first,
    startedAt: iso(first),
    lastEventAtMs: last,
    lastEventAt: iso(last),
    durationMs: first === null || last === null ? 0 : last - first,
    silentForMs: last === null ? 0 : Math.max(0, now - last),
    lifecycle: { state: lc.state, endReason: lc.endReason, timePerStateMs: lifecycleTimes(summary), transitions: sortedKeys(lc.transitions) },
    workflow: workflowSection(summary),
    tools: {
      totals: sumStats(Object.values(summary.tools.all)),
      byTool: sortedKeys(summary.tools.all),
      main: sortedKeys(summary.tools.main),
      subagents: sortedKeys(summary.tools.subagents),
    },
    files: Object.entries(summary.files).sort(([a], [b]) => compare(a, b)).map(([path, touch]) => reportFile(path, touch)),
    subagents: Object.values(summary.subagents).sort(bySubagentStart).map(reportSubagent),
    journal: summary.journal.map(timed),
    counts: {
      events: summary.eventsFolded,
      prompts: summary.prompts,
      compactions: summary.compactions,
      stops: summary.stops,
      subagents: Object.keys(summary.subagents).length,
      filesTouched: Object.keys(summary.files).length,
      journalEntries: summary.journal.length,
      byType: sortedKeys(summary.eventsByType),
    },
    lastPosition: summary.lastPosition,
    usage: options.usage ?? null,
    imported: (options.importedEvents ?? 0) > 0 ? { events: options.importedEvents ?? 0, lacks: [...IMPORTED_LACKS] } : null,
  };
}

function workflowSection(summary: SessionSummaryState): SessionReport['workflow'] {
  const wf = summary.workflow;
  return {
    name: wf.name,
    state: wf.state.current,
    iteration: wf.state.iteration,
    startedAtMs: wf.startedAt,
    startedAt: iso(wf.startedAt),
    enteredAtMs: wf.enteredAt,
    enteredAt: iso(wf.enteredAt),
    timePerStateMs: sortedKeys(workflowTimes(summary)),
    transitions: wf.transitions.map(timed),
    refused: wf.refusals.map(timed),
    reviews: { approved: wf.reviewsApproved, rejected: wf.reviewRejections.length, rejections: wf.reviewRejections.map(timed) },
    hookDenials: wf.hookDenials.map(timed),
    stopBlocks: wf.stopBlocks.map(timed),
  };
}

function reportFile(path: string, touch: FileTouch): ReportFile {
  return { path, edits: touch.edits, firstEditAtMs: touch.firstEditAt, firstEditAt: iso(touch.firstEditAt), lastEditAtMs: touch.lastEditAt, lastEditAt: iso(touch.lastEditAt) };
}

function reportSubagent(agent: SubagentSummary): ReportSubagent {
  return {
    agentId: agent.agentId,
    agentType: agent.agentType,
    startedAtMs: agent.startedAt,
    startedAt: iso(agent.startedAt),
    stoppedAtMs: agent.stoppedAt,
    stoppedAt: iso(agent.stoppedAt),
    durationMs: agent.durationMs,
    tools: sortedKeys(agent.tools),
  };
}

function timed<T extends { readonly at: number | null }>(record: T): Timed<T> {
  const { at, ...rest } = record;
  return { ...rest, atMs: at, at: iso(at) };
}

function sumStats(all: readonly ToolStats[]): ToolStats {
  return all.reduce<ToolStats>(
    (sum, t) => ({ calls: sum.calls + t.calls, failures: sum.failures + t.failures, denied: sum.denied + t.denied, durationMs: sum.durationMs + t.durationMs }),
    { calls: 0, failures: 0, denied: 0, durationMs: 0 },
  );
}

// Started subagents in start order; those known only from their tool events last, by id.
function bySubagentStart(a: SubagentSummary, b: SubagentSummary): number {
  if (a.startedAt !== b.startedAt) return a.startedAt === null ? 1 : b.startedAt === null ? -1 : a.startedAt - b.startedAt;
  return compare(a.agentId, b.agentId);
}

function sortedKeys<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compare(a, b)));
}

// Code-unit order, not locale order: the same on every machine.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
