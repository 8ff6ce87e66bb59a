// The scale bench's history generator (bench/scale/history-mix.ts): the histories it measures
// must be the same bytes at every run, read by the writer as genuine hook entries, and shaped
// like real sessions. Only the pure generator is tested here: building and timing belong to
// `npm run bench -- --only scale`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKnownHookEvent, knownHookSchemas } from '../../src/domain/hook-events';
import { parseInboxEntry } from '../../src/ingest/inbox-entry';
import { historyEntryText, historyEvents, SEARCH_TERM } from '../../bench/scale/history-mix';
import type { HistoryEvent, HistoryOptions } from '../../bench/scale/history-mix';
import { loadFixture } from '../../bench/workload';
import { join } from 'node:path';

const fixture = loadFixture(join(__dirname, '..', '..'));
const YEAR_US = 365 * 86_400e6;
const options = (seed: number, events: number): HistoryOptions => ({ seed, events, startUs: Date.parse('2025-06-01T00:00:00Z') * 1000, spanUs: YEAR_US });
const generate = (seed: number, events: number): HistoryEvent[] => [...historyEvents(fixture, options(seed, events))];

function bySession(events: readonly HistoryEvent[]): Map<string, HistoryEvent[]> {
  const sessions = new Map<string, HistoryEvent[]>();
  for (const e of events) {
    const id = String(e.payload['session_id']);
    sessions.set(id, [...(sessions.get(id) ?? []), e]);
  }
  return sessions;
}

describe('scale bench history generator', () => {
  const events = generate(7, 4000);

  it('gives exactly the events asked for, the same bytes for the same seed, other bytes for another seed', () => {
    assert.equal(events.length, 4000);
    const again = generate(7, 4000);
    assert.deepEqual(again.map((e) => historyEntryText(e)), events.map((e) => historyEntryText(e)));
    const other = generate(8, 4000);
    assert.notDeepEqual(other.map((e) => e.id), events.map((e) => e.id));
  });

  it('writes entries the writer reads as genuine hook payloads, each valid for its hook event', () => {
    for (const [i, event] of events.entries()) {
      const entry = parseInboxEntry(`history.log#${i}`, historyEntryText(event));
      assert.equal(entry.kind, 'payload', `event ${i} (${event.hookEvent}) read as ${entry.kind}: ${'reason' in entry ? entry.reason : ''}`);
      const name = event.payload['hook_event_name'];
      assert.equal(name, event.hookEvent);
      assert.ok(typeof name === 'string' && isKnownHookEvent(name), `event ${i}: unknown hook event ${String(name)}`);
      const checked = knownHookSchemas[name].safeParse(event.payload);
      assert.ok(checked.success, `event ${i} (${name}) does not validate: ${checked.error?.message ?? ''}`);
    }
  });

  it('stamps whole microseconds that grow from event to event, with unique ids', () => {
    for (let i = 1; i < events.length; i += 1) {
      const [a, b] = [events[i - 1] as HistoryEvent, events[i] as HistoryEvent];
      assert.ok(Number.isInteger(b.receivedUs) && b.receivedUs > a.receivedUs, `event ${i} stamped ${b.receivedUs} after ${a.receivedUs}`);
    }
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);
  });

  it('shapes sessions like real ones: 60 to about 200 events, a start and an end, every tool call answered', () => {
    const sessions = [...bySession(events).values()];
    assert.ok(sessions.length >= 15, `only ${sessions.length} sessions`);
    // The last session may be cut short by the event count: a session still running.
    for (const session of sessions.slice(0, -1)) {
      assert.ok(session.length >= 60 && session.length <= 260, `a session of ${session.length} events`);
      assert.equal(session[0]?.hookEvent, 'SessionStart');
      assert.equal(session.at(-1)?.hookEvent, 'SessionEnd');
      const pre = session.filter((e) => e.hookEvent === 'PreToolUse').map((e) => e.payload['tool_use_id']);
      const post = session.filter((e) => e.hookEvent === 'PostToolUse' || e.hookEvent === 'PostToolUseFailure').map((e) => e.payload['tool_use_id']);
      assert.deepEqual([...post].sort(), [...pre].sort(), 'every PreToolUse has its PostToolUse or PostToolUseFailure');
      const starts = session.filter((e) => e.hookEvent === 'SubagentStart').map((e) => e.payload['agent_id']);
      const stops = session.filter((e) => e.hookEvent === 'SubagentStop').map((e) => e.payload['agent_id']);
      assert.deepEqual(stops, starts, 'every subagent that starts stops');
    }
  });

  it('has the realistic mix: subagents, failures, compactions, payloads of about 1.5 KB, the search term in a few events', () => {
    const count = (type: string): number => events.filter((e) => e.hookEvent === type).length;
    for (const type of ['UserPromptSubmit', 'SubagentStart', 'PostToolUseFailure', 'PermissionRequest', 'PreCompact', 'Stop']) assert.ok(count(type) > 0, `no ${type}`);
    const mean = events.reduce((sum, e) => sum + JSON.stringify(e.payload).length, 0) / events.length;
    assert.ok(mean > 1200 && mean < 2200, `mean payload ${mean.toFixed(0)} bytes`);
    const withTerm = events.filter((e) => JSON.stringify(e.payload).includes(SEARCH_TERM)).length;
    assert.ok(withTerm > 0 && withTerm < events.length * 0.05, `${withTerm} events hold the search term`);
  });
});
