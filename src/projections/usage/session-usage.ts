import type { RecordedEvent } from '../../store/event-store';
import { usageRecordedData, UsageEventType } from '../../domain/usage/events';
import type { UsageRecordedData } from '../../domain/usage/events';
import type { PriceTable } from '../pricing';
import { DEFAULT_PRICE_TABLE } from '../pricing';
import { replacesEarlier, summarizeMessages } from '../transcript-usage';
import type { LineCounts, SessionUsage, UsageMessage } from '../transcript-usage';

// A session's tokens and cost, folded from its UsageRecorded events (the writer copies them out
// of the transcripts, src/ingest/usage/), so they outlive Claude Code's cleanup of transcripts.
// The rules are transcript-usage.ts's: one API message counts once, keyed as the writer keyed it;
// of several events for one message the one with the most output (the later on a tie) counts.
// Prices apply when the report is built, so a price override changes the cost of old sessions too.

/** The fold's state: the session's API messages by key, and events it could not read. */
export interface UsageFoldState {
  readonly messages: Map<string, UsageMessage>;
  /** UsageRecorded events seen (every one, merged or not). */
  events: number;
  /** Events merged into another of the same message. */
  duplicates: number;
  /** Events whose data does not read as UsageRecorded: left out, counted. */
  invalid: number;
}

export function initialUsageFold(): UsageFoldState {
  return { messages: new Map(), events: 0, duplicates: 0, invalid: 0 };
}

/** Folds one event; events of other types leave the state as it is. */
export function foldUsageEvent(state: UsageFoldState, event: RecordedEvent): UsageFoldState {
  if (event.type !== UsageEventType.UsageRecorded) return state;
  state.events += 1;
  const parsed = usageRecordedData.safeParse(event.data);
  if (!parsed.success) {
    state.invalid += 1;
    return state;
  }
  const message = messageOf(parsed.data);
  const earlier = state.messages.get(parsed.data.key);
  if (earlier !== undefined) {
    state.duplicates += 1;
    if (!replacesEarlier(message, earlier)) return state;
  }
  state.messages.set(parsed.data.key, message);
  return state;
}

function messageOf(d: UsageRecordedData): UsageMessage {
  return {
    model: d.model,
    agent: d.agentId,
    tokens: {
      inputTokens: d.inputTokens,
      outputTokens: d.outputTokens,
      cacheCreationInputTokens: d.cacheCreationInputTokens,
      cacheCreation1hInputTokens: d.cacheCreation1hInputTokens,
      cacheReadInputTokens: d.cacheReadInputTokens,
      fast: d.fast,
    },
  };
}

/** The session's usage from the fold; undefined when it holds no UsageRecorded event at all. */
export function usageOfFold(state: UsageFoldState, prices: PriceTable = DEFAULT_PRICE_TABLE): SessionUsage | undefined {
  if (state.events === 0) return undefined;
  // Line counts belong to the transcripts, which the writer reported when it read them: here
  // "total" is the events read, "duplicates" those merged, "invalid" those that did not read.
  const lines: LineCounts = { total: state.events, blank: 0, invalid: state.invalid, duplicates: state.duplicates, withoutUsage: 0, synthetic: 0 };
  return summarizeMessages(state.messages.values(), lines, prices);
}

/** A session's usage from its events (any order of types; UsageRecorded ones in stream order). */
export function sessionUsageFromEvents(events: Iterable<RecordedEvent>, prices: PriceTable = DEFAULT_PRICE_TABLE): SessionUsage | undefined {
  let state = initialUsageFold();
  for (const event of events) state = foldUsageEvent(state, event);
  return usageOfFold(state, prices);
}
