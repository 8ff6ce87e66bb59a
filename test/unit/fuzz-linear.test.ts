import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldLifecycle, LIFECYCLE_STATES } from '../../src/domain/lifecycle';
import { MAX_OPEN_SUBAGENTS, MAX_OPEN_TOOL_CALLS } from '../../src/domain/lifecycle-open';
import { entriesCopied, withinFold } from '../../src/projections/fold-scope';
import { SessionCatalog } from '../../src/projections/session-catalog';
import { SessionIndex } from '../../src/projections/session-index';
import { applySessionEvent, initialSessionSummary, summarizeSession } from '../../src/projections/session-summary';
import type { SessionSummaryState } from '../../src/projections/session-summary';
import { createTimeline, extendTimeline } from '../../src/projections/state-timeline';
import type { RecordedEvent } from '../../src/store/event-store';
import { random, roundTrip } from './session-stream-gen';
import { fuzzCases, FUZZ_SEED } from './fuzz/harness';
import { UNUSUAL, withNoise } from './fuzz/unusual';
import type { UnusualSequence } from './fuzz/unusual';

// Folds stay linear in the number of events, for unusual sequences too, proved without a clock
// (a timed assertion would be flaky; the real ratio is `npm run bench -- --only folds`).
// A fold's per-event cost is what it copies and scans, and there are two kinds of collections:
//   - open calls, open subagents and pending calls are scanned and copied on most events: they
//     are bounded lists (domain/lifecycle-open.ts), so the proxy is their size after every event,
//     which must stay within the bound however long the stream (and the oldest are counted as
//     abandoned). Their bound, not the history, is the per-event cost.
//   - files, subagents, tool tables, event types, the workflow's records and the journal grow
//     with the session; they change through fold-scope.ts, which counts every entry it copies.
//     Folding a whole stream in one run must copy at most one entry per event (an immutable
//     fold copied the whole record on every change: n²/2 for n new files).
// Each sequence runs at n and 4n, so a cost that grows with the history shows as a copy count
// that grows faster than the events.

const FILE = 'test/unit/fuzz-linear.test.ts';
const N = 300;

function assertWithinBounds(s: SessionSummaryState, label: string): void {
  const lc = s.lifecycle;
  assert.ok(lc.openTools.length <= MAX_OPEN_TOOL_CALLS, `${label}: ${lc.openTools.length} open calls, bound ${MAX_OPEN_TOOL_CALLS}`);
  assert.ok(lc.openSubagents.length <= MAX_OPEN_SUBAGENTS, `${label}: ${lc.openSubagents.length} open subagents, bound ${MAX_OPEN_SUBAGENTS}`);
  assert.ok(s.pendingCalls.length <= MAX_OPEN_TOOL_CALLS, `${label}: ${s.pendingCalls.length} pending calls, bound ${MAX_OPEN_TOOL_CALLS}`);
  assert.ok(Object.keys(lc.transitions).length <= LIFECYCLE_STATES.length ** 2, `${label}: lifecycle transitions are keyed by state pairs`);
}

function unusual(name: string, n: number): RecordedEvent[] {
  return (UNUSUAL[name] as UnusualSequence)(n, random(1));
}

/** Entries fold-scope copied while `work` ran. */
function copiesOf(work: () => unknown): number {
  const before = entriesCopied();
  work();
  return entriesCopied() - before;
}

/** Every fold the ingest and the views run over a stream, each in one run: the entries they copied. */
function copiesPerFold(events: readonly RecordedEvent[]): Record<string, number> {
  return {
    summary: copiesOf(() => summarizeSession(events)),
    catalog: copiesOf(() => new SessionCatalog().applyAll(events)),
    report: copiesOf(() => new SessionIndex(events[0]?.streamId ?? '').extend(events)),
    stateMachine: copiesOf(() => extendTimeline(createTimeline(), events)),
  };
}

test(`linear proxy (seed ${FUZZ_SEED}): in every unusual sequence the bounded lists stay within their bound after every event, and a fold copies at most one entry per event`, () => {
  const names = Object.keys(UNUSUAL);
  fuzzCases(FILE, 'linear', names.length * 2, ({ r, index, note }) => {
    const name = names[index % names.length] as string;
    const sequence = UNUSUAL[name] as UnusualSequence;
    const noisy = index >= names.length;
    note(`${name}${noisy ? ' with ordinary activity mixed in' : ''}`);
    for (const n of [N, 4 * N]) {
      const events = noisy ? withNoise(sequence, n, r) : sequence(n, r);
      const label = `${name} (${events.length} events)`;
      let s = initialSessionSummary;
      withinFold(() => {
        for (const event of events) {
          s = applySessionEvent(s, event);
          assertWithinBounds(s, `${label} at ${event.globalPosition}`);
        }
      });
      for (const [fold, copies] of Object.entries(copiesPerFold(events))) {
        assert.ok(copies <= events.length, `${label}: ${fold} copied ${copies} entries for ${events.length} events (an immutable fold copies each record it changes, whole, on every event)`);
      }
      assert.deepStrictEqual(roundTrip(s), s, `${label}: the summary is plain JSON`);
    }
  });
});

test('past the bound the oldest open call is abandoned and counted; ordinary tallies go on', () => {
  const n = MAX_OPEN_TOOL_CALLS + 300;
  const events = unusual('PreToolUse whose result never comes', n);
  const s = summarizeSession(events);
  assert.equal(s.lifecycle.openTools.length, MAX_OPEN_TOOL_CALLS);
  assert.equal(s.lifecycle.abandoned.toolCalls, n - MAX_OPEN_TOOL_CALLS);
  assert.equal(s.lifecycle.openTools[0]?.key, `toolu_${n - MAX_OPEN_TOOL_CALLS}`, 'the oldest went first');
  assert.equal(s.lifecycle.counts.toolCalls, n, 'every call is still counted');
  assert.equal(s.tools.all['Edit']?.calls, n);
  assert.equal(s.lifecycle.state, 'tool_running');
  assert.equal(s.pendingCalls.length, MAX_OPEN_TOOL_CALLS);
  assert.equal(foldLifecycle(events).abandoned.toolCalls, n - MAX_OPEN_TOOL_CALLS, 'the lifecycle alone abandons the same calls');
  const agents = summarizeSession(unusual('SubagentStart without SubagentStop', 2 * (MAX_OPEN_SUBAGENTS + 10)));
  assert.equal(agents.lifecycle.openSubagents.length, MAX_OPEN_SUBAGENTS);
  assert.equal(agents.lifecycle.abandoned.subagents, 10);
  assert.equal(Object.keys(agents.subagents).length, MAX_OPEN_SUBAGENTS + 10, 'the summary still lists every subagent');
});

test('the report timeline keeps open calls within the bound: the oldest unfinished calls are shown interrupted', () => {
  const n = MAX_OPEN_TOOL_CALLS + 200;
  const events = unusual('PreToolUse whose result never comes', n);
  const index = new SessionIndex(events[0]?.streamId ?? '');
  index.extend(events);
  const tools = index.timeline().lanes.find((lane) => lane.id === 'tools');
  const kinds = new Map<string, number>();
  for (const item of tools?.items ?? []) kinds.set(item.kind, (kinds.get(item.kind) ?? 0) + item.count);
  assert.equal(kinds.get('open'), MAX_OPEN_TOOL_CALLS);
  assert.equal(kinds.get('interrupted'), n - MAX_OPEN_TOOL_CALLS);
});
