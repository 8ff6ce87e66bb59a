// The event store's contract, independent of sql.js, so a team store (PostgreSQL) can follow.

/** An event as handed to append: the store assigns positions and the recorded time. */
export interface NewEvent {
  readonly eventId: string;
  /** JSON of data and metadata when the caller already has it (saves serialising twice). */
  readonly serialized?: { readonly data: string; readonly metadata: string };
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly correlationId?: string | null;
  readonly causationId?: string | null;
}

/** An event as stored: the envelope of DESIGN.md. */
export interface RecordedEvent {
  readonly globalPosition: number;
  readonly streamId: string;
  readonly streamPosition: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * What the writer believes the stream's version is. A number is the last stream position
 * (1-based; 0 = empty); 'no_stream' requires an empty stream; 'any' skips the check.
 */
export type ExpectedVersion = number | 'any' | 'no_stream' | 'stream_exists';

export interface AppendResult {
  readonly nextExpectedVersion: number;
  readonly lastGlobalPosition: number;
  readonly appended: number;
  /** Events whose event_id was already stored (a re-delivered inbox entry): skipped, not an error. */
  readonly duplicates: number;
}

/** How many streams readStreams reads at once, at most (SQLite binds at most 999 parameters in older builds). */
export const MAX_STREAMS_PER_READ = 500;

/** Bounds on global positions (the order of the whole store), for reads across streams. */
export interface GlobalRange {
  /** Inclusive. */
  readonly from?: number;
  /** Inclusive. */
  readonly to?: number;
  readonly limit?: number;
}

/** Bounds on stream positions (1-based, within one stream), for readStream. */
export interface StreamRange {
  /** Inclusive. */
  readonly from?: number;
  /** Inclusive. */
  readonly to?: number;
  readonly limit?: number;
}

/** What a search keeps, applied while the index is read, so a limit stops the reading early. */
export interface SearchOptions {
  readonly streamId?: string;
  readonly type?: string;
  /** Inclusive bounds: stream positions when streamId is given, else global positions. */
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
  /** The last `limit` matches instead of the first (still returned in position order). */
  readonly newest?: boolean;
}

export interface StreamSummary {
  readonly streamId: string;
  readonly version: number;
  readonly firstGlobalPosition: number;
  readonly lastGlobalPosition: number;
  readonly firstRecordedAt: string;
  readonly lastRecordedAt: string;
  readonly lastType: string;
  /** When the first and last events happened (metadata.receivedAt, else recorded_at). */
  readonly firstOccurredAt: string;
  readonly lastOccurredAt: string;
}

export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], expectedVersion?: ExpectedVersion): AppendResult;
  streamVersion(streamId: string): number;
  hasEvent(eventId: string): boolean;
  /** Which of these event ids are stored (one query for a whole batch). */
  existingEventIds(eventIds: readonly string[]): Set<string>;
  readStream(streamId: string, range?: StreamRange): RecordedEvent[];
  /** The streams with an event after this global position (a reader's way to learn what changed). */
  streamsAfter(position: number): string[];
  /**
   * The events of these streams (at most MAX_STREAMS_PER_READ) in global order within the range:
   * several interleaved streams (a group's members) read in one pass over the store's order.
   */
  readStreams(streamIds: readonly string[], range?: GlobalRange): RecordedEvent[];
  readAll(range?: GlobalRange): RecordedEvent[];
  readByType(type: string, range?: GlobalRange): RecordedEvent[];
  readByCorrelation(correlationId: string, range?: GlobalRange): RecordedEvent[];
  /** FTS4 MATCH query; results in global order. Brings the full-text index up to date first. */
  search(query: string, options?: SearchOptions): RecordedEvent[];
  /** How many events match (the index alone: no event is read). */
  searchCount(query: string, streamId?: string): number;
  /** Sessions with a prompt matching an FTS4 query (or, past the index, `matches`); undefined without a prompt index. */
  sessionsByPrompt(query: string, matches: (prompt: string) => boolean): Set<string> | undefined;
  streams(): StreamSummary[];
  /** Indexes events appended since the full-text checkpoint; returns how many. */
  catchUpFullText(limit?: number): number;
  lastGlobalPosition(): number;
}
