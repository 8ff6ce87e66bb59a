import type { EventQuery, EventRow, FacetCounts } from '../projections/event-log';

// The event log's part of the report protocol, and the report's UI constants: no zod here, since
// the webview bundle imports these values (the messages' schemas live in ./report.ts). The event log
// is windowed: a snapshot carries the query, the totals and facet counts, and only the rows the
// webview asked for (virtual scrolling).

/** One event in full for the detail pane: the envelope, and data and metadata as JSON text. */
export interface EventDetail {
  readonly position: number;
  readonly streamId: string;
  readonly streamPosition: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  /** Pretty-printed JSON; cut when very large (see truncated). */
  readonly data: string;
  readonly metadata: string;
  readonly truncated: boolean;
}

/** The event log part of a snapshot. */
export interface EventLogView {
  readonly query: EventQuery;
  /** Events matching the query. */
  readonly total: number;
  /** Events in the log (all of the session, or all embedded in an export). */
  readonly unfiltered: number;
  readonly facets: FacetCounts;
  /** Index (among the matches) of rows[0]. */
  readonly offset: number;
  readonly rows: readonly EventRow[];
  readonly selected: EventDetail | null;
  /** Why the free-text search could not run, if it could not. */
  readonly problem: string | null;
}

export const REPORT_TABS = ['overview', 'timeline', 'log', 'insights', 'discuss'] as const;
export type ReportTab = (typeof REPORT_TABS)[number];

/** What the webview keeps across reloads besides its key (vscode.setState). */
export interface ReportUiState {
  readonly tab: ReportTab;
  readonly query: EventQuery;
  readonly offset: number;
  readonly selected: number | null;
  /** The visible time range of the timeline; null shows the whole session. */
  readonly zoom: { readonly start: number; readonly end: number } | null;
}

/** The most rows one window request may ask for. */
export const MAX_LOG_WINDOW = 500;
/** The most events an insight's filter (or any query) may name. */
export const MAX_QUERY_POSITIONS = 5000;

