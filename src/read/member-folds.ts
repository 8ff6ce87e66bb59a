import type { GroupSummary, SessionLink } from '../domain/groups/model';
import { handoffsOf, withLinks } from '../projections/groups/handoffs';
import { groupTimelineOf } from '../projections/groups/timeline/group-timeline';
import { MemberFold } from '../projections/groups/timeline/member-lanes';
import type { GroupTimelineModel } from '../protocol/group-timeline';
import type { RecordedEvent } from '../store/event-store';
import { memberSpan } from './member-span';
import type { MemberSpan, SpanStore } from './member-span';

// The unified timeline's member folds, kept between openings and refreshes of a group's timeline
// (per store: a rebuilt store starts afresh). A fold is extended with its member's new events
// only, so a live group's refresh costs what its members added, and a group opened again costs
// nothing to read. Reading is done in slices against a time budget: the first frame shows what is
// read by then (the rest as outlines), and the rest is read in later slices, the thread given back
// between them (VS Code's extension host runs every extension on one thread).

/** Reading before a first frame; what is not read by then is drawn as outlines and read after. */
export const FIRST_FRAME_BUDGET_MS = 60;
/** Events read per slice: about 10–20 ms of reading and folding. */
export const FOLD_SLICE = 1000;
/** Folds hold at most about this many events in all (a fold of 50k events is a few MB); least recently used go first. */
const MAX_EVENTS = 250_000;

/** What the folds read: a stream from a position, several streams in the store's order, a stream's length. */
export type FoldStore = SpanStore;

export class MemberFolds {
  private readonly folds = new Map<string, MemberFold>();
  /** The last hand-offs found, and the members and reads they were found from. */
  private found: { readonly key: string; readonly links: readonly SessionLink[] } | undefined;

  constructor(private readonly maxEvents = MAX_EVENTS) {}

  /** The folds by member session id (read only as far as they were caught up). */
  get map(): ReadonlyMap<string, MemberFold> {
    return this.folds;
  }

  /**
   * Reads these members' new events into their folds, a slice at a time in the store's order (so
   * the members' interleaved events are read in one pass, and a partial read is every member up
   * to the same moment), until `budgetMs` has passed (at least one slice); returns the members
   * still behind the store.
   */
  catchUp(store: FoldStore, ids: readonly string[], budgetMs: number, slice = FOLD_SLICE): Set<string> {
    const started = performance.now();
    const folds = ids.map((id) => this.use(id));
    const span = memberSpan(store, ids, (id) => this.folds.get(id)?.streamPosition ?? 0);
    if (span === undefined) {
      this.evict(new Set(ids));
      return new Set();
    }
    if (!span.onePass) return this.catchUpEach(store, folds, started, budgetMs, slice);
    const done = readFor(this.reader(store, folds, span, slice), started, budgetMs);
    this.evict(new Set(ids));
    return done ? new Set() : new Set(folds.filter((f) => hasMore(store, f)).map((f) => f.sessionId));
  }

  // One slice per step, in the store's order over the members' span.
  // The folds are the ones taken when the reading began: one evicted meanwhile (another group's
  // reading) and made again must not be handed the middle of its stream.
  private *reader(store: FoldStore, folds: readonly MemberFold[], span: MemberSpan, slice: number): Generator<void, void> {
    const ids = folds.map((f) => f.sessionId);
    const byId = new Map(folds.map((f) => [f.sessionId, f]));
    let from = span.from;
    for (;;) {
      const batch = store.readStreams(ids, { from, to: span.to, limit: slice });
      extendAll(byId, batch);
      const last = batch[batch.length - 1];
      if (batch.length < slice || last === undefined) return;
      from = last.globalPosition + 1;
      yield;
    }
  }

  // More members than one read can name (a loop of thousands of sessions): stream by stream.
  private catchUpEach(store: FoldStore, folds: readonly MemberFold[], started: number, budgetMs: number, slice: number): Set<string> {
    const behind = new Set<string>();
    let read = false;
    for (const fold of folds) {
      let current = false;
      while (!current && (!read || performance.now() - started < budgetMs)) {
        const fresh = store.readStream(fold.sessionId, { from: fold.streamPosition + 1, limit: slice });
        fold.extend(fresh);
        read = true;
        current = fresh.length < slice;
      }
      if (!current) behind.add(fold.sessionId);
    }
    this.evict(new Set(folds.map((f) => f.sessionId)));
    return behind;
  }

  private use(id: string): MemberFold {
    let fold = this.folds.get(id);
    if (fold === undefined) fold = new MemberFold(id);
    // Most recently used last: eviction takes from the front.
    this.folds.delete(id);
    this.folds.set(id, fold);
    return fold;
  }

  /** Catches these members up whole, in slices of about `sliceMs`, the thread given back between them; `progress` after each slice. */
  async catchUpAll(store: FoldStore, ids: readonly string[], progress: () => void = () => undefined, sliceMs = 25): Promise<void> {
    const folds = ids.map((id) => this.use(id));
    const span = memberSpan(store, ids, (id) => this.folds.get(id)?.streamPosition ?? 0);
    if (span === undefined) return;
    if (!span.onePass) {
      while (this.catchUpEach(store, folds, performance.now(), sliceMs, FOLD_SLICE).size > 0) {
        progress();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return;
    }
    const reader = this.reader(store, folds, span, FOLD_SLICE);
    while (!readFor(reader, performance.now(), sliceMs)) {
      progress();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.evict(new Set(ids));
  }

  /** The file and commit hand-offs between these members, from what their folds read (found again only when one read more). */
  handoffs(ids: readonly string[]): readonly SessionLink[] {
    const key = ids.map((id) => `${id}:${this.folds.get(id)?.events ?? 0}`).join(' ');
    if (this.found?.key !== key) this.found = { key, links: handoffsOf(ids.map((id) => this.folds.get(id)?.handoffActs ?? [])) };
    return this.found.links;
  }

  /** Events held by all folds. */
  get events(): number {
    let n = 0;
    for (const fold of this.folds.values()) n += fold.events;
    return n;
  }

  private evict(keep: ReadonlySet<string>): void {
    let total = this.events;
    for (const [id, fold] of this.folds) {
      if (total <= this.maxEvents) return;
      if (keep.has(id)) continue;
      this.folds.delete(id);
      total -= fold.events;
    }
  }
}

/** A group, the store its members' events are in, and the folds kept for them. */
export interface GroupTimelineSource {
  readonly group: GroupSummary;
  readonly store: FoldStore;
  readonly folds: MemberFolds;
}

/**
 * The group's timeline after reading for at most `budgetMs`: the members read whole are drawn
 * whole, the others (`behind`) as outlines. The file and commit hand-offs need every member's
 * events: they are among the arrows once nothing is behind.
 */
export function timelineSnapshot(source: GroupTimelineSource, budgetMs = FIRST_FRAME_BUDGET_MS): { readonly model: GroupTimelineModel; readonly behind: ReadonlySet<string> } {
  const ids = source.group.members.map((m) => m.sessionId);
  const behind = source.folds.catchUp(source.store, ids, budgetMs);
  const group = behind.size === 0 ? withLinks(source.group, source.folds.handoffs(ids)) : source.group;
  return { model: groupTimelineOf(group, source.folds.map, behind), behind };
}

/** Steps a reader (at least once) until it is done or `budgetMs` has passed since `started`; whether it is done. */
function readFor(reader: Generator<void, void>, started: number, budgetMs: number): boolean {
  let done = reader.next().done === true;
  while (!done && performance.now() - started < budgetMs) done = reader.next().done === true;
  return done;
}

function extendAll(folds: ReadonlyMap<string, MemberFold>, events: readonly RecordedEvent[]): void {
  const byStream = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    const list = byStream.get(event.streamId);
    if (list === undefined) byStream.set(event.streamId, [event]);
    else list.push(event);
  }
  for (const [id, list] of byStream) folds.get(id)?.extend(list);
}

// Whether the store holds an event the fold has not read (one indexed lookup).
function hasMore(store: FoldStore, fold: MemberFold): boolean {
  return store.readStream(fold.sessionId, { from: fold.streamPosition + 1, limit: 1 }).length > 0;
}
