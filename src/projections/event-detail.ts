import type { EventDetail } from '../protocol/event-log';
import type { RecordedEvent } from '../store/event-store';

// An event in full for the detail pane (and the exported page): its envelope, and its data and
// metadata as pretty JSON text. The view shows that text as text; the cap keeps one huge tool
// output from stalling the view (the store keeps it whole; `logbook events --json` prints it).

/** Characters of data JSON the detail pane shows. */
export const DETAIL_MAX_CHARS = 200_000;

export function eventDetail(event: RecordedEvent, maxChars: number = DETAIL_MAX_CHARS): EventDetail {
  const data = JSON.stringify(event.data, null, 2) ?? 'null';
  const metadata = JSON.stringify(event.metadata, null, 2) ?? '{}';
  const truncated = data.length > maxChars || metadata.length > maxChars;
  return {
    position: event.globalPosition,
    streamId: event.streamId,
    streamPosition: event.streamPosition,
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    recordedAt: event.recordedAt,
    correlationId: event.correlationId,
    causationId: event.causationId,
    data: cut(data, maxChars),
    metadata: cut(metadata, maxChars),
    truncated,
  };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters)`;
}
