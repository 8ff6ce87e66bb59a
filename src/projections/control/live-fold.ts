import { controlData, isControlEventType } from '../../domain/control/events';
import type { HoldInfo, LiveSession, Run, ToolOutcome, WaitingFor } from '../../domain/control/live-session';
import { appliesToLifecycle } from '../../domain/lifecycle';
import type { LifecycleState } from '../../domain/lifecycle';
import { advanceClock, eventTimeMs } from '../../domain/lifecycle-time';
import { isUsageEventType, usageRecordedData } from '../../domain/usage/events';
import { isWorkflowEventType } from '../../domain/workflow/events';
import type { RecordedEvent } from '../../store/event-store';
import { withinFold } from '../fold-scope';
import { tallyCost, tallyTotals } from '../overview/usage-tally';
import { DEFAULT_PRICE_TABLE } from '../pricing';
import type { PriceTable } from '../pricing';
import { applySessionEvent, initialSessionSummary, lifecycleTimes, workflowTimes } from '../session-summary';
import type { SessionSummaryState } from '../session-summary';
import { asPayload, isoMs, text } from '../summary-fields';
import type { Payload } from '../summary-fields';
import { addUsage, burnUsdPerHour, emptyUsageWindow } from './burn-rate';
import type { UsageWindow } from './burn-rate';

// What the control center needs of a session beyond its summary (session-summary.ts): how its
// last tool call went, the trailing run of failures of one tool and of denials by one rule, when
// it compacted, how fast it spends, whether it is held, which alerts it already raised and which
// rules are muted for it. Folded from the same stream, in the same order, beside the summary.
//
// The rules, and why:
// - The last tool is the call most recently started (PreToolUse), updated by its end: PostToolUse
//   ok, PostToolUseFailure failed, PermissionDenied / workflow HookDenied / a held call denied /
//   a call only PostToolBatch closed (a hook said no) denied. The end of an OLDER call (parallel
//   calls, a straggler) replaces it only once the newest call has ended, so a running call is
//   never hidden by one that finished before it.
// - A HookDenied can be ingested before its own PreToolUse (the hook writes it while Claude Code
//   waits): its tool_use_id is remembered, and that PreToolUse then reads as denied, not running.
// - Failure run: failures of one tool in a row, the session's subagents included. A success of
//   that tool ends it; a failure of another tool starts a new one; successes of other tools in
//   between do not end it (an agent reading files between two failing builds is still stuck).
//   An interrupt (Esc: is_interrupt) is the user's doing, not a failure: it neither adds nor ends.
// - Denial run: HookDenied events of one rule (its `rule` field) in a row; another rule starts a
//   new run; any call that ran (PostToolUse, or PostToolUseFailure: it was allowed) ends it.
//   PermissionDenied carries no rule and leaves it as it is.
// - Compactions are timed by PreCompact (the start: a compaction killed halfway has no PostCompact).
// - Times are the summary's: metadata.receivedAt, else the event's own `at`, never running
//   backwards; usage lines do not move the clock (their `at` places them for the burn rate only).
// Total: unknown event types and malformed data leave the signals as they are.

/** The call the last tool reports, with the key (tool_use_id, else the event id) that matches its end. */
export interface TrackedTool {
  readonly key: string;
  readonly name: string;
  readonly at: number | null;
  readonly outcome: ToolOutcome;
}

/** The folded control signals of one session. Plain JSON, every list bounded. */
export interface LiveSignals {
  readonly clock: number | null;
  /**
   * The clock of the agent's own events (hooks, workflow, usage lines do not count): what "the last
   * event" means for the rows and the stuck rule. A control event (an alert, a hold) is the
   * watcher's or the user's doing; counted, an alert for a silent session would start the next
   * silence and re-raise itself every threshold.
   */
  readonly agentClock: number | null;
  readonly lastTool: TrackedTool | null;
  /** tool_use_ids a HookDenied named lately (at most MAX_DENIED_CALLS). */
  readonly deniedCalls: readonly string[];
  readonly failureRun: Run | null;
  readonly denialRun: Run | null;
  readonly firstRejectionKey: string | null;
  /** Oldest first, at most MAX_COMPACTIONS. */
  readonly compactionTimes: readonly number[];
  readonly usage: UsageWindow;
  readonly held: HoldInfo | null;
  /** Event ids of the AlertRaised events, oldest first (at most MAX_ALERT_IDS). */
  readonly alertIds: readonly string[];
  readonly mutedRules: readonly string[];
}

export const MAX_COMPACTIONS = 32;
export const MAX_ALERT_IDS = 1024;
const MAX_DENIED_CALLS = 64;
const MAX_MUTED_RULES = 256;

export const initialLiveSignals: LiveSignals = {
  clock: null, agentClock: null, lastTool: null, deniedCalls: [], failureRun: null, denialRun: null, firstRejectionKey: null,
  compactionTimes: [], usage: emptyUsageWindow, held: null, alertIds: [], mutedRules: [],
};

type Handler = (s: LiveSignals, d: Payload, at: number | null, event: RecordedEvent) => LiveSignals;

/** Folds one event into the signals. Total: an event that does not apply returns the same signals. */
export function evolveLiveSignals(s: LiveSignals, event: RecordedEvent): LiveSignals {
  if (isUsageEventType(event.type)) {
    const usage = usageRecordedData.safeParse(event.data);
    return usage.success ? { ...s, usage: addUsage(s.usage, usage.data, isoMs(usage.data.at)) } : s;
  }
  const d = asPayload(event.data);
  const clock = advanceClock(s.clock, eventTimeMs(event) ?? isoMs(d['at']));
  const agentClock = isControlEventType(event.type) ? s.agentClock : clock;
  const timed = clock === s.clock && agentClock === s.agentClock ? s : { ...s, clock, agentClock };
  const handler = appliesToLifecycle(event) ? HOOK_HANDLERS.get(event.type)
    : isWorkflowEventType(event.type) || isControlEventType(event.type) ? OTHER_HANDLERS.get(event.type)
      : undefined;
  return handler === undefined ? timed : handler(timed, d, clock, event);
}

/** Folds events in order, from the start or from earlier signals. */
export function foldLiveSignals(events: Iterable<RecordedEvent>, from: LiveSignals = initialLiveSignals): LiveSignals {
  let signals = from;
  for (const event of events) signals = evolveLiveSignals(signals, event);
  return signals;
}

/** A session's summary and signals, folded in one pass over its events. */
export interface LiveFold {
  readonly summary: SessionSummaryState;
  readonly signals: LiveSignals;
}

/** Folds a session's events (a whole stream, then any entries not ingested yet) into its summary and signals. */
export function foldLiveSession(events: Iterable<RecordedEvent>, from: LiveFold = { summary: initialSessionSummary, signals: initialLiveSignals }): LiveFold {
  return withinFold(() => {
    let { summary, signals } = from;
    for (const event of events) {
      summary = applySessionEvent(summary, event);
      signals = evolveLiveSignals(signals, event);
    }
    return { summary, signals };
  });
}

/** What liveSessionOf may be told besides the folds. */
export interface LiveSessionOptions {
  /** The burn rate's window ends here (the reader passes the time of the read); default: the last event. */
  readonly now?: number;
  readonly prices?: PriceTable;
}

/** The control center's row of a session: every field of LiveSession, from its summary and signals. */
export function liveSessionOf(summary: SessionSummaryState, signals: LiveSignals, workspace: string, options: LiveSessionOptions = {}): LiveSession {
  const lc = summary.lifecycle;
  const wf = summary.workflow;
  const waitingFor = waitingForOf(lc);
  const totals = tallyTotals(summary.usage);
  const cost = tallyCost(summary.usage, options.prices ?? DEFAULT_PRICE_TABLE);
  const priced = Object.keys(summary.usage.buckets).length > 0 && (cost.costUsd > 0 || cost.unpriced.length === 0);
  const journal = summary.journal[summary.journal.length - 1];
  const last = signals.lastTool;
  return {
    workspace,
    sessionId: summary.sessionId ?? '',
    title: summary.title,
    branch: summary.branch,
    workflow: wf.name,
    model: lc.model ?? signals.usage.lastModel,
    lifecycleState: lc.state,
    lifecycleEnteredAt: lc.enteredAt,
    workflowState: wf.state.current,
    workflowEnteredAt: wf.state.current === null ? null : wf.enteredAt,
    waitingFor,
    waitingSince: waitingFor === null ? null : lc.enteredAt,
    startedAt: summary.firstEventAt,
    lastEventAt: signals.agentClock ?? summary.lastEventAt,
    ended: lc.ended,
    tokens: totals.inputTokens + totals.outputTokens + totals.cacheCreationInputTokens + totals.cacheReadInputTokens,
    costUsd: priced ? cost.costUsd : null,
    burnUsdPerHour: burnUsdPerHour(signals.usage, options.now ?? summary.lastEventAt ?? signals.usage.latestAt, options.prices ?? DEFAULT_PRICE_TABLE),
    lastTool: last === null ? null : { name: last.name, at: last.at, outcome: last.outcome },
    lastJournal: journal === undefined ? null : { text: journal.text, at: journal.at },
    subagents: lc.openSubagents.map((agent) => ({ agentId: agent.agentId, agentType: agent.agentType, startedAt: agent.startedAt })),
    failureRun: signals.failureRun,
    denialRun: signals.denialRun,
    rejections: wf.reviewRejections.length,
    firstRejectionKey: signals.firstRejectionKey,
    compactionTimes: signals.compactionTimes,
    lifecycleMs: lifecycleTimes(summary),
    workflowMs: workflowTimes(summary),
    held: signals.held,
    alertIds: signals.alertIds,
    mutedRules: signals.mutedRules,
  };
}

// Waiting for the user's next prompt only once a turn ended: `starting` has not been asked anything yet.
function waitingForOf(lc: LifecycleState): WaitingFor {
  if (lc.ended) return null;
  if (lc.state === 'waiting_for_permission') return 'permission';
  if (lc.state === 'subagent_running') return 'subagent';
  return lc.state === 'idle' ? 'input' : null;
}

const HOOK_HANDLERS = new Map<string, Handler>([
  ['PreToolUse', onPreToolUse],
  ['PostToolUse', onPostToolUse],
  ['PostToolUseFailure', onPostToolUseFailure],
  ['PermissionDenied', (s, d, at, e) => ended(s, toolName(d), callKey(d['tool_use_id'], e), at, 'denied')],
  ['PostToolBatch', onToolBatch],
  ['PreCompact', (s, _d, at) => (at === null ? s : { ...s, compactionTimes: bounded(s.compactionTimes, at, MAX_COMPACTIONS) })],
]);

const OTHER_HANDLERS = new Map<string, Handler>([
  ['HookDenied', onHookDenied],
  ['ReviewRejected', (s, _d, _at, e) => (s.firstRejectionKey === null ? { ...s, firstRejectionKey: e.eventId } : s)],
  ['SessionHeld', (s, d, at) => {
    const held = controlData('SessionHeld', d);
    return held === undefined ? s : { ...s, held: { message: held.message, at: isoMs(held.at) ?? at } };
  }],
  ['SessionResumed', (s, d) => (controlData('SessionResumed', d) === undefined ? s : { ...s, held: null })],
  ['ToolCallHeld', (s, d, at, e) => {
    const call = controlData('ToolCallHeld', d);
    return call?.outcome !== 'denied' ? s : ended(s, call.toolName || '<unknown>', callKey(call.toolUseId, e), at, 'denied');
  }],
  // The id as stored (event_id): the alert writer makes it from (session, rule, episode), so it alerts once.
  ['AlertRaised', (s, _d, _at, e) => (s.alertIds.includes(e.eventId) ? s : { ...s, alertIds: bounded(s.alertIds, e.eventId, MAX_ALERT_IDS) })],
  ['AlertRuleMuted', (s, d) => {
    const muted = controlData('AlertRuleMuted', d);
    return muted === undefined || s.mutedRules.includes(muted.rule) ? s : { ...s, mutedRules: bounded(s.mutedRules, muted.rule, MAX_MUTED_RULES) };
  }],
]);

function onPreToolUse(s: LiveSignals, d: Payload, at: number | null, e: RecordedEvent): LiveSignals {
  const key = callKey(d['tool_use_id'], e);
  const outcome: ToolOutcome = s.deniedCalls.includes(key) ? 'denied' : 'running';
  return { ...s, lastTool: { key, name: toolName(d), at, outcome } };
}

function onPostToolUse(s: LiveSignals, d: Payload, at: number | null, e: RecordedEvent): LiveSignals {
  const name = toolName(d);
  const done = ended(s, name, callKey(d['tool_use_id'], e), at, 'ok');
  return { ...done, failureRun: s.failureRun?.name === name ? null : s.failureRun, denialRun: null };
}

function onPostToolUseFailure(s: LiveSignals, d: Payload, at: number | null, e: RecordedEvent): LiveSignals {
  const name = toolName(d);
  const key = callKey(d['tool_use_id'], e);
  const done = { ...ended(s, name, key, at, 'failed'), denialRun: null };
  if (d['is_interrupt'] === true) return done;
  return { ...done, failureRun: extendRun(s.failureRun, name, key, at) };
}

function onHookDenied(s: LiveSignals, d: Payload, at: number | null, e: RecordedEvent): LiveSignals {
  const id = text(d['toolUseId']);
  const key = id ?? e.eventId;
  const done = ended(s, text(d['toolName']) ?? '<unknown>', key, at, 'denied');
  const deniedCalls = id === null || s.deniedCalls.includes(id) ? s.deniedCalls : bounded(s.deniedCalls, id, MAX_DENIED_CALLS);
  return { ...done, deniedCalls, denialRun: extendRun(s.denialRun, text(d['rule']) ?? '<unknown>', key, at) };
}

// A call a PreToolUse hook denied gets no Post* event: the batch that lists it is its only end.
function onToolBatch(s: LiveSignals, d: Payload, at: number | null): LiveSignals {
  const last = s.lastTool;
  if (last === null || last.outcome !== 'running' || !Array.isArray(d['tool_calls'])) return s;
  const listed = d['tool_calls'].some((call) => text(asPayload(call)['tool_use_id']) === last.key);
  return listed ? { ...s, lastTool: { ...last, at, outcome: 'denied' } } : s;
}

// The end of a call: it becomes the last tool unless a newer call is still running.
function ended(s: LiveSignals, name: string, key: string, at: number | null, outcome: Exclude<ToolOutcome, 'running'>): LiveSignals {
  const last = s.lastTool;
  if (last !== null && last.key !== key && last.outcome === 'running') return s;
  return { ...s, lastTool: { key, name: last?.key === key && name === '<unknown>' ? last.name : name, at, outcome } };
}

function extendRun(run: Run | null, name: string, key: string, at: number | null): Run {
  if (run?.name === name) return { ...run, count: run.count + 1, lastAt: at ?? run.lastAt };
  return { name, count: 1, firstKey: key, firstAt: at, lastAt: at };
}

function callKey(toolUseId: unknown, event: RecordedEvent): string {
  return text(toolUseId) ?? event.eventId;
}

function toolName(d: Payload): string {
  return text(d['tool_name']) ?? '<unknown>';
}

function bounded<T>(list: readonly T[], item: T, max: number): readonly T[] {
  return [...list.slice(Math.max(0, list.length - max + 1)), item];
}
