import { buildSessionReport } from '../projections/report';
import type { SessionReport } from '../projections/report';
import type { SessionSummaryState } from '../projections/session-summary';
import type { SessionUsage } from '../projections/transcript-usage';
import type { PriceTable } from '../projections/pricing';
import type { RecordedEvent } from '../store/event-store';
import { sessionUsageFromEvents } from '../projections/usage/session-usage';
import { isImported } from '../domain/imported';

// The report of a session as every reader builds it (CLI, extension, export): tokens and cost
// come from the UsageRecorded events the writer copied out of the transcripts
// (src/ingest/usage/), never from the transcripts, which Claude Code deletes after 30 days.

/** Token usage of a session from its events; undefined when none was recorded. */
export function readSessionUsage(events: Iterable<RecordedEvent>, prices: PriceTable): SessionUsage | undefined {
  return sessionUsageFromEvents(events, prices);
}

/** The report of a folded session, with tokens and cost from its usage events. */
export function loadSessionReport(summary: SessionSummaryState, events: Iterable<RecordedEvent>, prices: PriceTable, now: number = Date.now()): SessionReport {
  const all = Array.isArray(events) ? (events as readonly RecordedEvent[]) : [...events];
  let importedEvents = 0;
  for (const event of all) if (isImported(event)) importedEvents += 1;
  const usage = readSessionUsage(all, prices);
  return buildSessionReport(summary, { now, importedEvents, ...(usage === undefined ? {} : { usage }) });
}
