import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIFECYCLE_STATES } from '../../src/domain/lifecycle';
import { MAX_OPEN_SUBAGENTS, MAX_OPEN_TOOL_CALLS } from '../../src/domain/lifecycle-open';
import { foldWithSnapshots, runProjection } from '../../src/projections/projection';
import { SessionIndex } from '../../src/projections/session-index';
import { isSessionStream } from '../../src/projections/session-catalog';
import { sessionSummaryProjection, summarizeSession } from '../../src/projections/session-summary';
import type { SessionSummaryState } from '../../src/projections/session-summary';
import { createTimeline, extendTimeline } from '../../src/projections/state-timeline';
import { buildSessionGraphs } from '../../src/projections/state-graph';
import type { RecordedEvent } from '../../src/store/event-store';
import { roundTrip } from './session-stream-gen';
import type { Random } from './session-stream-gen';
import { fuzzCases, FUZZ_SEED } from './fuzz/harness';
import { hostileStream } from './fuzz/streams';
import type { FuzzStream } from './fuzz/streams';
import { catalogInChunks, everyView, reportIndexInChunks, stateMachineInChunks } from './fuzz/views';

// The fold fuzz suite: generated hostile streams (fuzz/streams.ts) through every fold the
// ingest, the sessions tree, the catalog, the report and the views run. Each case checks that
// nothing throws, that the fold from scratch equals the fold in chunks (the catalog resumed from
// JSON snapshots between chunks, as the writer and a reading window do), equals what every view
// folds, and that every bounded collection of the state stays within its bound. Linear time is
// proved without a clock in fuzz-linear.test.ts; the real ratio is `npm run bench -- --only folds`.

const FILE = 'test/unit/fuzz-folds.test.ts';
const CASES = 400;
const STREAM_IDS = ['s1', 's2', '$quarantine', '$x', '__proto__', 'constructor', 'toString', '0'];

/** Every bounded collection of a summary within its bound (fuzz-linear.test.ts says why they matter). */
function assertBounded(s: SessionSummaryState, label: string): void {
  assert.ok(s.lifecycle.openTools.length <= MAX_OPEN_TOOL_CALLS, `${label}: open calls within their bound`);
  assert.ok(s.lifecycle.openSubagents.length <= MAX_OPEN_SUBAGENTS, `${label}: open subagents within their bound`);
  assert.ok(s.pendingCalls.length <= MAX_OPEN_TOOL_CALLS, `${label}: pending calls within their bound`);
  assert.ok(Object.keys(s.lifecycle.transitions).length <= LIFECYCLE_STATES.length ** 2, `${label}: lifecycle transitions keyed by state pairs`);
  assert.deepEqual(Object.keys(s.lifecycle.timeInState).sort(), [...LIFECYCLE_STATES].sort(), `${label}: one time per lifecycle state`);
}

/** Several streams interleaved as a store holds them: global positions across streams, in order within each. */
function interleave(streams: readonly { id: string; stream: FuzzStream }[], r: Random): RecordedEvent[] {
  const queues = streams.map(({ id, stream }) => ({ id, events: [...stream.events] }));
  const out: RecordedEvent[] = [];
  const positions = new Map<string, number>();
  for (;;) {
    const open = queues.filter((q) => q.events.length > 0);
    if (open.length === 0) return out;
    const q = r.pick(open);
    const event = q.events.shift() as RecordedEvent;
    const streamPosition = (positions.get(q.id) ?? 0) + 1;
    positions.set(q.id, streamPosition);
    out.push({ ...event, streamId: q.id, globalPosition: out.length + 1, streamPosition, eventId: `${q.id}-${streamPosition}` });
  }
}

test(`fuzz (seed ${FUZZ_SEED}): hostile streams through every fold: nothing throws; from scratch = in chunks = resumed from JSON snapshots = what each view folds`, () => {
  const ran = fuzzCases(FILE, 'folds', CASES, ({ r, note }) => {
    const ids = [...new Set(Array.from({ length: 1 + r.int(3) }, () => r.pick(STREAM_IDS)))];
    const streams = ids.map((id) => ({ id, stream: hostileStream(r, id) }));
    for (const { id, stream } of streams) note(`${id}: ${stream.classes.join(' + ')}`);
    const all = interleave(streams, r);
    const catalog = catalogInChunks(all, r);
    for (const id of ids) {
      const events = all.filter((e) => e.streamId === id);
      if (!isSessionStream(id)) {
        assert.equal(catalog.get(id), undefined, `${id} is not a session: not in the catalog`);
        continue;
      }
      checkSession(id, events, catalog.get(id), r);
    }
  });
  assert.ok(ran > 0, 'at least one case ran');
});

function checkSession(id: string, events: readonly RecordedEvent[], fromCatalog: SessionSummaryState | undefined, r: Random): void {
  const scratch = summarizeSession(events);
  assertBounded(scratch, id);
  assert.deepStrictEqual(roundTrip(scratch), scratch, `${id}: the summary is plain JSON (it is snapshotted)`);
  assert.equal(scratch.eventsFolded, events.length, `${id}: every event folded`);
  assert.deepStrictEqual(fromCatalog, scratch, `${id}: the catalog, folded in chunks and resumed from JSON snapshots, equals the fold from scratch`);

  const every = 1 + r.int(20);
  const run = foldWithSnapshots(sessionSummaryProjection, events, every);
  assert.deepStrictEqual(run.final.state, scratch, `${id}: the snapshotting fold (every ${every}) ends where the fold from scratch does`);
  const snapshot = run.snapshots[r.int(run.snapshots.length)];
  if (snapshot !== undefined) {
    assert.deepStrictEqual(runProjection(sessionSummaryProjection, events, roundTrip(snapshot)).state, scratch, `${id}: resumed from a JSON snapshot at ${snapshot.position}`);
  }

  const whole = new SessionIndex(id);
  whole.extend(events);
  const chunked = reportIndexInChunks(id, events, r);
  assert.deepStrictEqual(whole.summary, scratch, `${id}: the report view folds the same summary`);
  assert.deepStrictEqual(chunked.summary, scratch, `${id}: the report view folds the same summary in chunks`);
  assert.deepStrictEqual(chunked.rows, whole.rows, `${id}: the event log's rows do not depend on the chunks`);
  assert.deepStrictEqual(chunked.timeline(), whole.timeline(), `${id}: the timeline does not depend on the chunks`);

  const machine = stateMachineInChunks(events, r);
  const oneGo = createTimeline();
  extendTimeline(oneGo, events);
  assert.deepStrictEqual(machine.summary, scratch, `${id}: the state-machine view folds the same summary`);
  assert.deepStrictEqual(machine.graphs, buildSessionGraphs(oneGo), `${id}: the graphs do not depend on the chunks`);
  assert.equal(machine.buckets, events.length, `${id}: every event in exactly one lifecycle state`);

  everyView(scratch, events, whole, r);
}
