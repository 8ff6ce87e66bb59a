import { LogQuery, ftsQuery, matchesTokens, foldText, queryKey, searchTokens } from '../../projections/event-log';
import type { EventQuery, TextMatch } from '../../projections/event-log';
import { SessionIndex } from '../../projections/session-index';
import type { EventStore, RecordedEvent } from '../../store/event-store';
import { searchableText } from '../../store/searchable-text';

// The host's per-session indexes for open reports: built once from the store, then extended with
// the events appended since (never recomputed while the store stays the same). The free-text
// matches of the current search come from the store's full-text index once, then new events are
// matched here; the current query's result is extended the same way. A few sessions are kept
// (least recently used go first): a report panel that is reopened or revived finds its index.

/** The free-text matches of one search. */
interface TextMatches {
  readonly key: string;
  readonly tokens: readonly string[];
  readonly positions: Set<number>;
  readonly problem: string | null;
}

export interface SessionEntry {
  readonly index: SessionIndex;
  text: TextMatches | undefined;
  query: LogQuery | undefined;
  queryKey: string;
}

/** Events read and folded between two pauses: about 10–25 ms of work. */
const SYNC_SLICE = 1000;

export class SessionIndexes {
  private readonly entries = new Map<string, SessionEntry>();

  constructor(private readonly capacity = 4) {}

  /**
   * The session's index, caught up with the store a slice of events at a time, the thread given
   * back between slices: the first report of a session of 100k events would otherwise read and
   * fold them in one block of seconds on VS Code's main thread.
   */
  async sync(key: string, store: EventStore, slice = SYNC_SLICE): Promise<SessionEntry> {
    let entry = this.entries.get(key);
    if (entry !== undefined && !stillValid(entry.index, store)) entry = undefined;
    if (entry === undefined) entry = { index: new SessionIndex(key), text: undefined, query: undefined, queryKey: '' };
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    let added = false;
    for (;;) {
      // readStream's range is in stream positions; read again after each pause (another sync may have gone on meanwhile).
      const fresh = store.readStream(key, { from: (entry.index.rows[entry.index.rows.length - 1]?.seq ?? 0) + 1, limit: slice });
      if (fresh.length > 0) {
        entry.index.extend(fresh);
        matchNew(entry.text, fresh);
        added = true;
      }
      if (fresh.length < slice) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (added) entry.query?.update(entry.index.rows);
    return entry;
  }

  /** The query's result over the whole index (reused, or extended, when the query is the same). */
  query(entry: SessionEntry, query: EventQuery, store: EventStore): { readonly result: LogQuery; readonly problem: string | null } {
    const text = this.textMatches(entry, query.text, store);
    const key = queryKey(query);
    if (entry.query === undefined || entry.queryKey !== key) {
      const match: TextMatch | null = text === undefined ? null : (row) => text.positions.has(row.position);
      entry.query = new LogQuery(query, match).update(entry.index.rows);
      entry.queryKey = key;
    }
    return { result: entry.query, problem: text?.problem ?? null };
  }

  private textMatches(entry: SessionEntry, text: string, store: EventStore): TextMatches | undefined {
    const tokens = searchTokens(text);
    if (tokens.length === 0) return undefined;
    const key = tokens.join(' ');
    if (entry.text?.key === key) return entry.text;
    let positions = new Set<number>();
    let problem: string | null = null;
    try {
      for (const event of store.search(ftsQuery(tokens), { streamId: entry.index.streamId })) positions.add(event.globalPosition);
    } catch (error) {
      // The tokens are letters and digits, so this is not the user's syntax: search the rows' text instead.
      problem = `full-text search failed (${error instanceof Error ? error.message : String(error)}); searched the event summaries only`;
      positions = new Set(entry.index.rows.filter((r) => matchesTokens(tokens, foldText(`${r.type} ${r.tool} ${r.summary}`))).map((r) => r.position));
    }
    entry.text = { key, tokens, positions, problem };
    // A new match set invalidates the query built over the old one.
    entry.query = undefined;
    return entry.text;
  }
}

// The store was replaced (rebuilt, another file) when the last event we indexed is gone or differs.
function stillValid(index: SessionIndex, store: EventStore): boolean {
  if (index.lastPosition === 0) return true;
  const last = index.rows[index.rows.length - 1];
  const stored = store.readAll({ from: index.lastPosition, to: index.lastPosition })[0];
  return stored !== undefined && last !== undefined && stored.streamId === index.streamId && stored.streamPosition === last.seq && stored.type === last.type;
}

function matchNew(text: TextMatches | undefined, events: readonly RecordedEvent[]): void {
  if (text === undefined) return;
  for (const event of events) if (matchesTokens(text.tokens, foldText(searchableText(event.type, event.data)))) text.positions.add(event.globalPosition);
}
