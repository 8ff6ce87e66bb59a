import { overviewOf } from '../../src/projections/overview/session-overview';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeRow, dayLabel, formatElapsed, groupSessions, sessionRow } from '../../src/projections/session-list';
import type { SessionRow } from '../../src/projections/session-list';
import { SessionCatalog } from '../../src/projections/session-catalog';
import { summarizeSession } from '../../src/projections/session-summary';
import { stateChanges } from '../../src/projections/state-changes';
import type { RecordedEvent } from '../../src/store/event-store';
import { FIXTURE_SESSION, fixtureRecordedEvents } from './helpers';

const events = fixtureRecordedEvents();
const last = events.at(-1)!;
const lastAt = Date.parse(String(last.metadata['receivedAt']));

test('the fixture session is a finished row with its tool failures counted as a badge', () => {
  const row = sessionRow('ws', overviewOf(summarizeSession(events), FIXTURE_SESSION), { now: lastAt + 60_000 });
  assert.equal(row.sessionId, FIXTURE_SESSION);
  assert.equal(row.status, 'ended');
  assert.equal(row.badges.failures, events.filter((e) => e.type === 'PostToolUseFailure').length);
  assert.equal(row.elapsedMs, lastAt - Date.parse(String(events[0]!.metadata['receivedAt'])));
});

test('a session without its end is live, then abandoned after the silence', () => {
  const open = events.filter((event) => event.type !== 'SessionEnd');
  const summary = overviewOf(summarizeSession(open), FIXTURE_SESSION);
  const at = summary.lastEventAt!;
  assert.notEqual(sessionRow('ws', summary, { now: at + 1000 }).status, 'ended');
  assert.equal(sessionRow('ws', summary, { now: at + 31 * 60_000 }).status, 'abandoned');
  assert.equal(sessionRow('ws', summary, { now: at + 31 * 60_000, silenceMs: 60 * 60_000 }).status === 'abandoned', false);
});

function row(id: string, status: SessionRow['status'], lastEventAt: number): SessionRow {
  return { sessionId: id, title: null, branch: null, workflow: null, imported: false, workspace: 'w', status, lifecycleState: 'idle', workflowState: null, startedAt: lastEventAt - 1000, lastEventAt, elapsedMs: 1000, badges: { denials: 0, rejections: 0, failures: 0, refused: 0 }, model: null };
}

test('live and idle sessions come first, newest first; finished ones by day, newest first', () => {
  const now = new Date(2026, 10, 22, 15, 0, 0).getTime();
  const groups = groupSessions([
    row('old', 'ended', now - 3 * 86_400_000),
    row('a', 'ended', now - 3600_000),
    row('live1', 'live', now - 5000),
    row('idle1', 'idle', now - 1000),
    row('y', 'abandoned', now - 86_400_000),
    row('b', 'ended', now - 60_000),
  ], now);
  assert.deepEqual(groups.map((g) => [g.label, g.rows.map((r) => r.sessionId)]), [
    ['Live', ['idle1', 'live1']],
    ['Today', ['b', 'a']],
    ['Yesterday', ['y']],
    [dayLabel(now - 3 * 86_400_000, now), ['old']],
  ]);
  assert.match(groups[3]!.label, /^\d{4}-\d\d-\d\d$/);
  assert.equal(activeRow(groups.flatMap((g) => g.rows))?.sessionId, 'idle1');
  assert.equal(activeRow([row('x', 'ended', now)]), undefined);
});

test('every finished session lands in the group of its own local day, across daylight-saving changes and sessions with no time', () => {
  const zone = process.env['TZ'];
  try {
    for (const tz of ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'UTC']) {
      process.env['TZ'] = tz;
      const now = new Date(2026, 10, 22, 15, 0, 0).getTime();
      // Every 37 minutes over 300 days: each day holds several, and both yearly clock changes fall inside.
      const rows = Array.from({ length: 300 * 39 }, (_, i) => row(`s${i}`, 'ended', now - i * 37 * 60_000));
      rows.push({ ...row('no-time', 'ended', 0), lastEventAt: null, startedAt: null }, { ...row('start-only', 'ended', 0), lastEventAt: null, startedAt: now - 5 * 86_400_000 });
      const found = new Map(groupSessions(rows, now).flatMap((g) => g.rows.map((r) => [r.sessionId, g.label] as const)));
      for (const r of rows) assert.equal(found.get(r.sessionId), dayLabel(r.lastEventAt ?? r.startedAt, now), `${tz}: ${r.sessionId}`);
    }
  } finally {
    if (zone === undefined) delete process.env['TZ'];
    else process.env['TZ'] = zone;
  }
});

test('elapsed times read like a clock', () => {
  assert.equal(formatElapsed(5_400), '5s');
  assert.equal(formatElapsed(125_000), '2m 05s');
  assert.equal(formatElapsed(3_725_000), '1h 02m');
});

test('the state timeline lists every lifecycle change once, durations summing to the session', () => {
  const changes = stateChanges(events);
  const lifecycle = changes.filter((c) => c.machine === 'lifecycle');
  assert.ok(lifecycle.length > 5);
  for (let i = 1; i < lifecycle.length; i += 1) assert.notEqual(lifecycle[i]!.state, lifecycle[i - 1]!.state, `no repeated state at ${i}`);
  const first = lifecycle[0]!.at!;
  const total = lifecycle.reduce((sum, c) => sum + (c.durationMs ?? 0), 0);
  assert.equal(total, lastAt - first);
  assert.equal(lifecycle.at(-1)!.state, 'ended');
});

test('the catalog folds only new events and equals a fold from scratch', () => {
  const catalog = new SessionCatalog();
  const quarantined: RecordedEvent = { ...events[0]!, globalPosition: events.length + 1, streamId: '$quarantine', eventId: 'q' };
  const half = Math.floor(events.length / 2);
  assert.deepEqual([...catalog.applyAll(events.slice(0, half))], [FIXTURE_SESSION]);
  catalog.applyAll(events.slice(0, half + 3));
  const changed = catalog.applyAll([...events.slice(half), quarantined]);
  assert.deepEqual([...changed], [FIXTURE_SESSION], 'the $quarantine stream is not a session');
  assert.equal(catalog.position, events.length + 1);
  assert.deepEqual(catalog.get(FIXTURE_SESSION), summarizeSession(events));
  assert.equal(catalog.all().size, 1);
});
