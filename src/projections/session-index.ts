import { summarizeEvent } from '../domain/event-summary';
import type { RecordedEvent } from '../store/event-store';
import { withinFold } from './fold-scope';
import type { EventRow, Outcome } from './event-log';
import { applySessionEvent, initialSessionSummary } from './session-summary';
import type { SessionSummaryState } from './session-summary';
import { TimelineBuilder } from './timeline';
import type { TimelineModel } from './timeline';
import { foldUsageEvent, initialUsageFold, usageOfFold } from './usage/session-usage';
import type { PriceTable } from './pricing';
import type { SessionUsage } from './transcript-usage';
import { groupDigits } from '../domain/group-digits';
import { isImported } from '../domain/imported';

// Everything the report view needs from a session's events, folded once and extended with what is
// new: the session summary, one row per event for the event log (with the states it happened in)
// and the timeline. The host keeps one per open report, so a live session of 100k events costs
// one pass, then only its new events.

export class SessionIndex {
  readonly rows: EventRow[] = [];
  private readonly timelineBuilder = new TimelineBuilder();
  private state: SessionSummaryState = initialSessionSummary;
  private timelineCache: TimelineModel | undefined;
  private readonly usageFold = initialUsageFold();
  /** Events read out of a transcript by `logbook import` (the report says what they lack). */
  importedEvents = 0;

  constructor(readonly streamId: string) {}

  get summary(): SessionSummaryState {
    return this.state;
  }

  /** Global position of the last event indexed (0 before any). */
  get lastPosition(): number {
    return this.state.lastPosition;
  }

  /** Folds events of this stream that come after the last one indexed; returns how many were new. */
  extend(events: Iterable<RecordedEvent>): number {
    // One fold run: `before` is read (its states and clock) before the next event changes what it shares.
    const added = withinFold(() => {
      let count = 0;
      for (const event of events) {
        if (event.streamId !== this.streamId || event.globalPosition <= this.state.lastPosition) continue;
        const before = this.state;
        const after = applySessionEvent(before, event);
        this.rows.push(eventRow(event, before, after));
        this.timelineBuilder.add(event, before, after);
        foldUsageEvent(this.usageFold, event);
        if (isImported(event)) this.importedEvents += 1;
        this.state = after;
        count += 1;
      }
      return count;
    });
    if (added > 0) this.timelineCache = undefined;
    return added;
  }

  /** Tokens and cost from the session's usage events, priced now; undefined before any. */
  usage(prices: PriceTable): SessionUsage | undefined {
    return usageOfFold(this.usageFold, prices);
  }

  timeline(): TimelineModel {
    this.timelineCache ??= this.timelineBuilder.build();
    return this.timelineCache;
  }
}

/** The log row of an event, given the summary before and after it was folded. */
function eventRow(event: RecordedEvent, before: SessionSummaryState, after: SessionSummaryState): EventRow {
  const d = asPayload(event.data);
  return {
    position: event.globalPosition,
    seq: event.streamPosition,
    type: event.type,
    at: after.lastEventAt,
    tool: text(d['tool_name']) ?? text(d['toolName']) ?? '',
    state: before.lifecycle.state,
    workflow: before.workflow.state.current ?? '',
    outcome: outcomeOf(event.type),
    agent: text(d['agent_id']) === null ? '' : text(d['agent_type']) ?? 'subagent',
    summary: rowSummary(event.type, d),
  };
}

const OUTCOME_BY_TYPE: Readonly<Record<string, Outcome>> = {
  PostToolUse: 'ok',
  PostToolUseFailure: 'failed',
  StopFailure: 'failed',
  InvalidHookInput: 'failed',
  InvalidInboxEntry: 'failed',
  PermissionDenied: 'denied',
  HookDenied: 'denied',
  StopBlocked: 'blocked',
  WorkflowTransitionRefused: 'refused',
  WorkflowCommandRejected: 'refused',
  ReviewRejected: 'rejected',
  ReviewApproved: 'approved',
};

/** How an event went: ok, failed, denied, blocked, refused, rejected, approved, or none. */
function outcomeOf(type: string): Outcome {
  return Object.hasOwn(OUTCOME_BY_TYPE, type) ? OUTCOME_BY_TYPE[type] as Outcome : 'none';
}

// summarizeEvent knows hook events; the workflow's own events are summarised here.
function rowSummary(type: string, d: Readonly<Record<string, unknown>>): string {
  const s = (key: string): string => text(d[key]) ?? '';
  switch (type) {
    case 'WorkflowStarted': return summarizeEvent('', { message: `${s('name')} started in ${s('state')}` });
    case 'WorkflowTransitioned': return summarizeEvent('', { message: `${s('from')} → ${s('to')}: ${s('reason')}` });
    case 'WorkflowTransitionRefused': return summarizeEvent('', { message: `${s('from') || '?'} → ${s('to')} refused: ${s('reason')}` });
    case 'WorkflowCommandRejected': return summarizeEvent('', { message: `${s('command')} rejected (${s('code')}): ${s('reason')}` });
    case 'JournalEntryWritten': return summarizeEvent('', { message: s('text') });
    case 'ReviewApproved':
    case 'ReviewRejected': return summarizeEvent('', { message: `${s('state')}: ${s('notes')}` });
    case 'HookDenied': return summarizeEvent('', { message: `${s('toolName')} in ${s('state')}: ${s('reason')}` });
    case 'StopBlocked': return summarizeEvent('', { message: `${s('state')}: ${s('reason')}` });
    case 'UsageRecorded': return summarizeEvent('', { message: `${s('model')}: ${tokens(d['inputTokens'])} in, ${tokens(d['outputTokens'])} out, ${tokens(d['cacheReadInputTokens'])} cache read, ${tokens(d['cacheCreationInputTokens'])} cache write` });
    default: return summarizeEvent(type, d);
  }
}

function asPayload(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Readonly<Record<string, unknown>>) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function tokens(value: unknown): string {
  return typeof value === 'number' ? groupDigits(value) : '?';
}
