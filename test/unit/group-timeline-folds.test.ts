import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GroupMember, GroupSummary } from '../../src/domain/groups/model';
import { withHandoffs } from '../../src/projections/groups/handoffs';
import { buildGroupTimeline, groupTimelineOf } from '../../src/projections/groups/timeline/group-timeline';
import { MemberFold } from '../../src/projections/groups/timeline/member-lanes';
import { withinFold } from '../../src/projections/fold-scope';
import { applySessionEvent, initialSessionSummary } from '../../src/projections/session-summary';
import { TimelineBuilder } from '../../src/projections/timeline';
import type { TimelineModel } from '../../src/projections/timeline';
import { applyTimelineEvent, initialTimelineFold } from '../../src/projections/timeline-fold';
import { READING_KIND } from '../../src/protocol/group-timeline';
import { MemberFolds } from '../../src/read/member-folds';
import type { NewEvent, RecordedEvent } from '../../src/store/event-store';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { fuzzCases, FUZZ_SEED } from './fuzz/harness';
import { hostileStream } from './fuzz/streams';
import { fixtureRecordedEvents } from './helpers';
import type { Random } from './session-stream-gen';

// The unified timeline's folds (issue 16): the light timeline fold draws what the session summary
// fold draws; a member fold extended in pieces equals one fed the whole stream; and the views'
// member folds, read from a real store file in slices against a time budget, give outlines for
// what is not read yet and, once read, the very model of the whole streams, extended with only
// the events appended since.

const FILE = 'test/unit/group-timeline-folds.test.ts';

function timelineWith(events: readonly RecordedEvent[], light: boolean): TimelineModel {
  const builder = new TimelineBuilder();
  withinFold(() => {
    if (light) {
      let state = initialTimelineFold;
      for (const event of events) {
        const before = state;
        state = applyTimelineEvent(before, event);
        builder.add(event, before, state);
      }
    } else {
      let state = initialSessionSummary;
      for (const event of events) {
        const before = state;
        state = applySessionEvent(before, event);
        builder.add(event, before, state);
      }
    }
  });
  return builder.build();
}

test('the light timeline fold draws the timeline the session summary fold draws: the captured session', () => {
  const events = fixtureRecordedEvents();
  assert.ok(events.length > 20);
  assert.deepEqual(timelineWith(events, true), timelineWith(events, false));
});

test(`fuzz (seed ${FUZZ_SEED}): the light timeline fold = the summary fold, and a member fold in pieces = whole, on hostile streams`, () => {
  const ran = fuzzCases(FILE, 'timeline-folds', 150, ({ r, note }) => {
    const hostile = hostileStream(r, 's1');
    const stream = withUsage(hostile.events, r);
    note([...hostile.classes, ...stream.classes].join(' + '));
    assert.deepEqual(timelineWith(stream.events, true), timelineWith(stream.events, false), 'same timeline');
    const m = member('s1');
    const whole = new MemberFold('s1');
    whole.extend(stream.events);
    const pieces = new MemberFold('s1');
    for (const chunk of chunks(stream.events, r)) pieces.extend(chunk);
    // Events given twice (a slice read again) are skipped.
    pieces.extend(stream.events.slice(0, Math.min(5, stream.events.length)));
    assert.deepEqual(pieces.lanes(m), whole.lanes(m), 'lanes, calls and subagent events');
    assert.deepEqual(pieces.handoffActs, whole.handoffActs, 'hand-off acts');
    assert.equal(pieces.events, stream.events.length);
  });
  assert.ok(ran > 0);
});

test('member folds read from a store file: outlines within the budget, then the whole model, then only what was appended', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-folds-'));
  try {
    const database = await LogbookDatabase.create(join(dir, 'logbook.sqlite'));
    const ids = ['lead-0000-aaaa', 'work-1111-bbbb', 'work-2222-cccc'];
    let clock = Date.parse('2026-03-01T10:00:00.000Z');
    const append = (id: string, type: string, data: Record<string, unknown>): void => {
      clock += 700;
      const at = new Date(clock).toISOString();
      database.store.append(id, [{ eventId: `${id}-${clock}`, type, schemaVersion: 1, data: { session_id: id, hook_event_name: type, ...data }, metadata: { source: 'hook', receivedAt: at } }], 'any');
    };
    const turn = (id: string, n: number): void => {
      append(id, 'UserPromptSubmit', { prompt: `turn ${n}` });
      const write = n % 3 === 0;
      const input = write ? { file_path: `/w/${id.slice(0, 4)}-${n % 7}.ts`, content: 'x' } : { file_path: `/w/lead-${n % 7}.ts` };
      const tool = write ? 'Write' : 'Read';
      append(id, 'PreToolUse', { tool_name: tool, tool_input: input, tool_use_id: `${id}-t${n}` });
      append(id, 'PostToolUse', { tool_name: tool, tool_input: input, tool_use_id: `${id}-t${n}`, tool_response: {} });
      append(id, 'Stop', {});
    };
    database.raw.run('BEGIN');
    for (const id of ids) append(id, 'SessionStart', { source: 'startup' });
    for (let n = 0; n < 900; n += 1) for (const id of ids) turn(id, n);
    database.raw.run('COMMIT');
    const group = groupOf(ids, database.store);
    const folds = new MemberFolds();

    // A budget of nothing reads one slice, in the store's order: every member up to the same moment.
    const behind = folds.catchUp(database.store, ids, 0, 500);
    assert.deepEqual([...behind].sort(), [...ids].sort(), 'every member has more than the first slice holds');
    assert.deepEqual(ids.map((id) => folds.map.get(id)?.events), [169, 166, 165], 'the slice is the store\'s first 500 events: 3 starts, 41 rounds of 3 turns, 5 more');
    const partial = groupTimelineOf(group, folds.map, behind);
    assert.equal(partial.stats.reading, 3);
    for (const [i, id] of ids.entries()) {
      const lane = partial.lanes.find((l) => l.id === id);
      const outline = lane?.items.filter((item) => item.kind === READING_KIND) ?? [];
      assert.equal(outline.length, 1, `${id}: one outline`);
      assert.deepEqual([outline[0]?.start, outline[0]?.end], [folds.map.get(id)?.lastAt, group.members[i]?.lastEventAt], `${id}: the outline runs from what was read to its last event`);
      assert.equal(lane?.span?.end, group.members[i]?.lastEventAt);
      assert.ok((lane?.items.length ?? 0) > 50, `${id}: what was read is drawn`);
    }
    // A member not read at all is an outline from its first to its last event.
    const unread = groupTimelineOf(group, new Map(), new Set(ids));
    const lead = unread.lanes.find((l) => l.id === ids[0]);
    assert.deepEqual(lead?.items.map((i) => [i.kind, i.start, i.end]), [[READING_KIND, group.members[0]?.firstEventAt, group.members[0]?.lastEventAt]]);

    let progress = 0;
    await folds.catchUpAll(database.store, ids, () => { progress += 1; }, 5);
    assert.ok(progress > 0, 'read in several slices');
    const streams = ids.map((sessionId) => ({ sessionId, events: database.store.readStream(sessionId) }));
    const whole = buildGroupTimeline(withHandoffs(group, streams), streams);
    const fromFolds = groupTimelineOf({ ...group, links: withHandoffs(group, streams).links }, folds.map);
    assert.deepEqual(fromFolds, whole, 'the folds give the model of the whole streams');
    assert.ok(whole.arrows.some((a) => a.kind === 'handoff-file'), 'the workers read what the lead wrote');
    assert.deepEqual(folds.handoffs(ids), withHandoffs(group, streams).links.filter((l) => l.kind === 'handoff-file' || l.kind === 'handoff-commit'));
    assert.equal(whole.stats.reading, 0);

    // Appended events are the only ones read again.
    const before = folds.map.get(ids[1] as string)?.events ?? 0;
    turn(ids[1] as string, 900);
    assert.equal(folds.catchUp(database.store, ids, 1000).size, 0);
    assert.equal(folds.map.get(ids[1] as string)?.events, before + 4);
    const streams2 = ids.map((sessionId) => ({ sessionId, events: database.store.readStream(sessionId) }));
    const group2 = groupOf(ids, database.store);
    assert.deepEqual(groupTimelineOf({ ...group2, links: withHandoffs(group2, streams2).links }, folds.map), buildGroupTimeline(withHandoffs(group2, streams2), streams2));
    database.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('member folds are bounded: past their event budget the least recently used fold goes, never one being read', async () => {
  const database = await LogbookDatabase.create();
  for (const id of ['a', 'b', 'c']) database.store.append(id, streamOf(id, 100), 'any');
  const folds = new MemberFolds(250);
  folds.catchUp(database.store, ['a', 'b'], 1000);
  folds.catchUp(database.store, ['c'], 1000);
  assert.deepEqual([...folds.map.keys()], ['b', 'c'], 'a, the least recently used, went');
  folds.catchUp(database.store, ['a', 'b', 'c'], 1000);
  assert.deepEqual([...folds.map.keys()].sort(), ['a', 'b', 'c'], 'the members asked for stay, over the budget');
  assert.deepEqual(['a', 'b', 'c'].map((id) => folds.map.get(id)?.events), [100, 100, 100]);
  database.close();
});

function streamOf(id: string, n: number): NewEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    eventId: `${id}${i}`, type: 'Stop', schemaVersion: 1, data: { session_id: id }, metadata: { source: 'hook', receivedAt: new Date(1e12 + i).toISOString() },
  }));
}

// The writer records usage when it reads a transcript, later than the hooks and stamped then: it
// must move no clock and no state of a timeline.
function withUsage(events: readonly RecordedEvent[], r: Random): { events: RecordedEvent[]; classes: string[] } {
  const out: RecordedEvent[] = [];
  for (const event of events) {
    out.push(event);
    if (!r.chance(0.1)) continue;
    const late = new Date(Date.parse('2026-03-02T00:00:00.000Z') + r.int(1e6)).toISOString();
    out.push({ ...event, type: 'UsageRecorded', data: { messageId: `m${out.length}`, model: 'claude-sonnet-4-5', inputTokens: 10, outputTokens: 20, at: late }, metadata: { source: 'transcript', receivedAt: late } });
  }
  return { events: out.map((e, i) => ({ ...e, globalPosition: i + 1, streamPosition: i + 1 })), classes: ['usage recorded late'] };
}

function chunks(events: readonly RecordedEvent[], r: Random): RecordedEvent[][] {
  const out: RecordedEvent[][] = [];
  for (let i = 0; i < events.length;) {
    const size = 1 + r.int(40);
    out.push(events.slice(i, i + size));
    i += size;
  }
  return out;
}

function member(sessionId: string, extra: Partial<GroupMember> = {}): GroupMember {
  return {
    sessionId, title: `title of ${sessionId}`, role: 'worker', parentSessionId: null, worktree: null, branch: null, firstEventAt: null, lastEventAt: null,
    activeMs: 0, ended: false, lifecycleState: 'idle', toolCalls: 0, toolFailures: 0, costUsd: 0, tokens: 0, ...extra,
  };
}

function groupOf(ids: readonly string[], store: { readStream(id: string): RecordedEvent[] }): GroupSummary {
  const members = ids.map((id, i) => {
    const events = store.readStream(id);
    const at = (e: RecordedEvent | undefined): number | null => (e === undefined ? null : Date.parse(String(e.metadata['receivedAt'])));
    return member(id, { role: i === 0 ? 'lead' : 'worker', parentSessionId: i === 0 ? null : ids[0] ?? null, firstEventAt: at(events[0]), lastEventAt: at(events[events.length - 1]) });
  });
  return { id: 'run:folds', kind: 'run', label: 'folds', members, firstEventAt: null, lastEventAt: null, spanMs: 0, activeMs: 0, costUsd: 0, tokens: 0, failures: 0, links: [] };
}

test('a member fold is always its stream\'s start: events already folded are skipped, and a gap ends what is taken', () => {
  const events = fixtureRecordedEvents().slice(0, 30);
  const fold = new MemberFold(events[0]?.streamId ?? 's');
  fold.extend(events.slice(0, 10));
  fold.extend([...events.slice(15, 20)]);
  assert.equal(fold.streamPosition, 10, 'events after a gap are not taken');
  fold.extend(events.slice(5, 30));
  assert.equal(fold.streamPosition, 30);
  const whole = new MemberFold(events[0]?.streamId ?? 's');
  whole.extend(events);
  const m = member(events[0]?.streamId ?? 's');
  assert.deepEqual(fold.lanes(m), whole.lanes(m));
});
