import * as z from 'zod';
import type { EventQuery, EventRow } from '../projections/event-log';
import { MAX_LOG_WINDOW, MAX_QUERY_POSITIONS } from './event-log';
import type { EventDetail, EventLogView } from './event-log';
import type { Insight } from '../projections/insights';
import type { SessionReport } from '../projections/report';
import type { TimelineModel } from '../projections/timeline';

// The session report view's protocol, shared by the host (src/views/report), the webview
// (webview/report) and the exported HTML page (same renderer, no host). The host sends full
// snapshots; the event log is the one part that is windowed (see ./event-log.ts). The webview
// imports only types from here: the zod schemas stay out of its bundle.

/** The full state the host sends (and the exported page computes for itself). */
export interface ReportViewState {
  /** The session id (the panel's key). */
  readonly key: string;
  readonly title: string;
  /** live: in VS Code with a host; static: an exported HTML file. */
  readonly mode: 'live' | 'static';
  /** Changes whenever the session got new events: the view redraws the heavy parts only then. */
  readonly revision: number;
  readonly report: SessionReport;
  readonly timeline: TimelineModel;
  readonly insights: readonly Insight[];
  /** The "Discuss with Claude" prompt. */
  readonly prompt: string;
  readonly log: EventLogView;
  /** Shown above the report (e.g. an export that embeds only part of the events). */
  readonly note: string | null;
}

/** One event embedded in an exported page: its log row, its detail and the folded text the page searches. */
export interface EmbeddedEvent {
  readonly row: EventRow;
  readonly detail: EventDetail;
  readonly text: string;
}

/** What an exported page reads from its data block (a <script type="application/json">). */
export interface StaticReportData {
  readonly format: 'agent-logbook-report';
  readonly version: 1;
  readonly key: string;
  readonly title: string;
  readonly revision: number;
  readonly report: SessionReport;
  readonly timeline: TimelineModel;
  readonly insights: readonly Insight[];
  readonly prompt: string;
  readonly note: string | null;
  /** Events of the session (embedded or not). */
  readonly totalEvents: number;
  readonly events: readonly EmbeddedEvent[];
}

const facetValues = z.array(z.string().max(300)).max(200).readonly();
const offset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const limit = z.number().int().min(1).max(MAX_LOG_WINDOW);

export const eventQuerySchema = z.object({
  text: z.string().max(500),
  type: facetValues,
  tool: facetValues,
  state: facetValues,
  workflow: facetValues,
  outcome: facetValues,
  positions: z.array(z.number().int().positive()).max(MAX_QUERY_POSITIONS).readonly().nullable(),
}).strict();

/** Webview → host messages (besides `ready`), named scope/verb. */
export const reportWebviewMessage = z.discriminatedUnion('type', [
  /** A new query, with the window of matches to send back. */
  z.object({ type: z.literal('log/query'), query: eventQuerySchema, offset, limit }).strict(),
  /** Another window of the current query (scrolling). */
  z.object({ type: z.literal('log/window'), offset, limit }).strict(),
  /** Show this event (global position) in the detail pane; null closes it. */
  z.object({ type: z.literal('log/select'), position: z.number().int().positive().nullable() }).strict(),
  z.object({ type: z.literal('discuss/copy') }).strict(),
  z.object({ type: z.literal('discuss/terminal') }).strict(),
  z.object({ type: z.literal('export/html') }).strict(),
]);
export type ReportWebviewMessage = z.infer<typeof reportWebviewMessage>;

// The schema's output must be a valid EventQuery (compile-time check, no runtime cost).
const _queryFits = (q: z.infer<typeof eventQuerySchema>): EventQuery => q;
void _queryFits;
