import { MAX_STREAMS_PER_READ } from '../store/event-store';
import type { EventStore } from '../store/event-store';

// How to read several sessions' events that are interleaved in the store (a group's members).
// Stream by stream, each event costs a page read of its own: a page holds about 16 events, of all
// the sessions that ran then. In one pass over the store's order between the members' first
// unread and last events, each page is read once, but so are the other sessions' events in that
// span. One pass wins unless the members are a small share of their span (a long-lived lead whose
// run shares its days with many other sessions).

/** Below this share of the span's events the members are read stream by stream. */
const MIN_SHARE_FOR_ONE_PASS = 1 / 8;

export type SpanStore = Pick<EventStore, 'readStream' | 'readStreams' | 'streamVersion'>;

/** Where the members' events after `after` (stream position per member; 0: all) lie in the store. */
export interface MemberSpan {
  /** Global positions of the first unread and the last event of all the members. */
  readonly from: number;
  readonly to: number;
  /** Events of the members in that range still to read. */
  readonly unread: number;
  /** Whether one pass over [from, to] is the cheaper read. */
  readonly onePass: boolean;
}

/** The members' span of unread events; undefined when nothing is left to read. Three indexed lookups per member. */
export function memberSpan(store: SpanStore, ids: readonly string[], after: (id: string) => number = () => 0): MemberSpan | undefined {
  let from = Number.MAX_SAFE_INTEGER;
  let to = 0;
  let unread = 0;
  for (const id of ids) {
    const version = store.streamVersion(id);
    const read = after(id);
    if (version <= read) continue;
    const next = store.readStream(id, { from: read + 1, limit: 1 })[0];
    const last = store.readStream(id, { from: version, limit: 1 })[0];
    if (next === undefined || last === undefined) continue;
    from = Math.min(from, next.globalPosition);
    to = Math.max(to, last.globalPosition);
    unread += version - read;
  }
  if (unread === 0) return undefined;
  const onePass = ids.length <= MAX_STREAMS_PER_READ && unread >= (to - from + 1) * MIN_SHARE_FOR_ONE_PASS;
  return { from, to, unread, onePass };
}
