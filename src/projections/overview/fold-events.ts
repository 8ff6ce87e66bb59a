import type { EventStore, RecordedEvent } from '../../store/event-store';
import { isSessionStream } from '../session-catalog';
import { applySessionEvent } from '../session-summary';
import type { SessionSummaryState } from '../session-summary';

// The one fold of stored events into session summaries that the writer's catalog and every reader
// of the overview share: a batch at a time (callers give the thread back between batches, or not),
// each session starting from what its caller knows of it (a stored part, a cached summary, none).

/**
 * Folds the session events after `from` (at most `limit`, up to `end`) into `touched`; a session
 * not in it yet starts from `start(id)`. Returns the position reached (`end` when nothing is left)
 * and how many events were read.
 */
export function foldEventBatch(
  store: EventStore, touched: Map<string, SessionSummaryState>, from: number, end: number, limit: number,
  start: (sessionId: string) => SessionSummaryState,
  observe?: (event: RecordedEvent) => void,
): { reached: number; read: number } {
  const events = store.readAll({ from: from + 1, to: end, limit });
  if (events.length === 0) return { reached: end, read: 0 };
  for (const event of events) {
    // Another fold riding on this read (the writer's links, link-keeper.ts): every event, once.
    observe?.(event);
    if (!isSessionStream(event.streamId)) continue;
    const id = event.streamId;
    const before = touched.get(id) ?? start(id);
    // A summary already holding this event (a stored part saved past its header) is not folded twice.
    if (before.lastPosition >= event.globalPosition) continue;
    touched.set(id, applySessionEvent(before, event));
  }
  return { reached: (events[events.length - 1] as RecordedEvent).globalPosition, read: events.length };
}
