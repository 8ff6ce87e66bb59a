import type { RecordedEvent } from '../../store/event-store';
import { withinFold } from '../fold-scope';
import { applySessionEvent, initialSessionSummary } from '../session-summary';
import type { SessionSummaryState } from '../session-summary';
import { TimelineBuilder } from '../timeline';
import type { TimelineModel } from '../timeline';
import { foldUsageEvent, initialUsageFold, usageOfFold } from '../usage/session-usage';
import type { PriceTable } from '../pricing';
import type { SessionUsage } from '../transcript-usage';
import { SEQUENCE_CAP } from './sequence-diff';

// One pass over a session's stream for compare: the summary (as the report folds it), the
// timeline's state lanes, the usage per model and agent, and the main agent's tool calls in
// order (the first SEQUENCE_CAP names kept, every one counted).

/** What compare reads of one session. */
export interface FoldedSession {
  readonly sessionId: string;
  readonly summary: SessionSummaryState;
  readonly timeline: TimelineModel;
  readonly usage: SessionUsage | undefined;
  /** Tool names of the main agent's PreToolUse events, the first `cap`. */
  readonly toolSequence: readonly string[];
  /** Every PreToolUse of the main agent, past the cap too. */
  readonly mainToolCalls: number;
}

/** Folds a session's events (its stream, in order) for compare. */
export function foldForCompare(sessionId: string, events: Iterable<RecordedEvent>, prices: PriceTable, cap: number = SEQUENCE_CAP): FoldedSession {
  const timeline = new TimelineBuilder();
  const usage = initialUsageFold();
  const toolSequence: string[] = [];
  let mainToolCalls = 0;
  const summary = withinFold(() => {
    let state = initialSessionSummary;
    for (const event of events) {
      const after = applySessionEvent(state, event);
      timeline.add(event, state, after);
      foldUsageEvent(usage, event);
      const tool = mainAgentTool(event);
      if (tool !== undefined) {
        mainToolCalls += 1;
        if (toolSequence.length < cap) toolSequence.push(tool);
      }
      state = after;
    }
    return state;
  });
  return { sessionId, summary, timeline: timeline.build(), usage: usageOfFold(usage, prices), toolSequence, mainToolCalls };
}

// A PreToolUse without agent_id is the main agent's; a subagent's carries its id.
function mainAgentTool(event: RecordedEvent): string | undefined {
  if (event.type !== 'PreToolUse') return undefined;
  const data = typeof event.data === 'object' && event.data !== null ? (event.data as Readonly<Record<string, unknown>>) : {};
  const agent = data['agent_id'];
  if (typeof agent === 'string' && agent !== '') return undefined;
  const name = data['tool_name'];
  return typeof name === 'string' && name !== '' ? name : '?';
}
