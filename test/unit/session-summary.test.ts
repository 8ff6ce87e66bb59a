import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { totalTime } from '../../src/domain/lifecycle-time';
import type { RecordedEvent } from '../../src/store/event-store';
import { foldWithSnapshots, runProjection } from '../../src/projections/projection';
import type { ProjectionSnapshot } from '../../src/projections/projection';
import { buildSessionReport } from '../../src/projections/report';
import {
  foldSessionWithSnapshots, lifecycleTimes, sessionSummaryProjection, summarizeSession, workflowTimes,
} from '../../src/projections/session-summary';
import type { SessionSummaryState, ToolStats, ToolTable } from '../../src/projections/session-summary';
import { computeSessionUsage } from '../../src/projections/transcript-usage';
import { FIXTURE_SESSION, fixtureRecordedEvents } from './helpers';
import { call, iso, put, random, roundTrip, SessionGenerator, stats, StreamBuilder, sum, T0 } from './session-stream-gen';
import type { Data } from './session-stream-gen';

// ---- properties ----

function assertInvariants(state: SessionSummaryState, events: readonly RecordedEvent[], label: string): void {
  const duration = state.firstEventAt === null || state.lastEventAt === null ? 0 : state.lastEventAt - state.firstEventAt;
  const lc = lifecycleTimes(state);
  assert.equal(totalTime(lc), duration, `${label}: lifecycle times sum to the duration`);
  assert.ok(Object.values(lc).every((ms) => ms >= 0), `${label}: no negative lifecycle time`);
  const wf = workflowTimes(state);
  const sinceStart = state.workflow.startedAt === null || state.lastEventAt === null ? 0 : state.lastEventAt - state.workflow.startedAt;
  assert.equal(sum(wf), sinceStart, `${label}: workflow times sum to the time since WorkflowStarted`);
  assert.ok(Object.values(wf).every((ms) => ms >= 0), `${label}: no negative workflow time`);
  assert.deepStrictEqual(roundTrip(state), state, `${label}: JSON round trip is lossless`);
  assert.equal(state.eventsFolded, events.length);
  assert.equal(sum(state.eventsByType), events.length);
  assert.equal(state.lastPosition, events.at(-1)?.globalPosition ?? 0);
}

function perAgentTools(state: SessionSummaryState): Record<string, ToolTable> {
  const out: Record<string, ToolTable> = {};
  if (Object.keys(state.tools.main).length > 0) out['main'] = state.tools.main;
  for (const agent of Object.values(state.subagents)) if (Object.keys(agent.tools).length > 0) out[agent.agentId] = agent.tools;
  return out;
}

test('property: from scratch = event by event = resumed from any snapshot; times add up; JSON round trip is lossless', () => {
  const everies = [1, 2, 3, 7, 25];
  for (let seed = 1; seed <= 150; seed += 1) {
    const r = random(seed);
    const gen = new SessionGenerator(r);
    const events = gen.session();
    const label = `seed ${seed}`;
    const scratch = summarizeSession(events);

    let incremental: ProjectionSnapshot<SessionSummaryState> | undefined;
    for (const event of events) incremental = runProjection(sessionSummaryProjection, [event], incremental === undefined ? undefined : roundTrip(incremental));
    assert.deepStrictEqual(incremental?.state, scratch, `${label}: incremental`);
    assert.equal(incremental?.position, events.at(-1)?.globalPosition);

    for (const every of everies) {
      const run = foldWithSnapshots(sessionSummaryProjection, events, every);
      assert.equal(run.snapshots.length, Math.floor(events.length / every), `${label}: one snapshot every ${every}`);
      assert.deepStrictEqual(run.final.state, scratch, `${label}: snapshotting fold, every ${every}`);
      // Resume from a few snapshots (read back from JSON, as from disk) over the whole stream.
      const picks = new Set([run.snapshots.length - 1, r.int(run.snapshots.length), r.int(run.snapshots.length)]);
      for (const i of picks) {
        const snapshot = run.snapshots[i];
        if (snapshot === undefined) continue;
        assertInvariants(snapshot.state, events.filter((e) => e.globalPosition <= snapshot.position), `${label} snapshot ${i}`);
        const resumed = runProjection(sessionSummaryProjection, events, roundTrip(snapshot));
        assert.deepStrictEqual(resumed.state, scratch, `${label}: resumed from snapshot ${i} of every ${every}`);
      }
    }
    assertInvariants(scratch, events, label);

    // What the generator knows it produced.
    const x = gen.expected;
    assert.deepStrictEqual(perAgentTools(scratch), x.tools, `${label}: tool calls per agent and tool`);
    assert.deepStrictEqual(Object.fromEntries(Object.entries(scratch.files).map(([p, f]) => [p, f.edits])), x.files, `${label}: files`);
    assert.equal(scratch.prompts, x.prompts, `${label}: prompts`);
    assert.equal(scratch.compactions, x.compactions, `${label}: compactions`);
    assert.equal(scratch.workflow.transitions.length, x.transitions, `${label}: transitions`);
    assert.equal(scratch.workflow.refusals.length, x.refusals, `${label}: refusals`);
    assert.equal(scratch.workflow.hookDenials.length, x.hookDenials, `${label}: hook denials`);
    assert.equal(scratch.journal.length, x.journal, `${label}: journal`);
    assert.ok(Object.keys(scratch.subagents).every((id) => id.startsWith('agent')), `${label}: compaction's SubagentStop is not a subagent`);
  }
});

test('a snapshot of another fold or version is refused; a bad interval too', () => {
  const events = new StreamBuilder().hook('SessionStart').events;
  const snapshot = { ...runProjection(sessionSummaryProjection, events), version: 0 };
  assert.throws(() => runProjection(sessionSummaryProjection, events, snapshot), { code: 'SNAPSHOT_MISMATCH' });
  assert.throws(() => foldSessionWithSnapshots(events, 0), { code: 'SNAPSHOT_INTERVAL_INVALID' });
  // A bare state and position (no name, no version) is the caller's word.
  assert.equal(runProjection(sessionSummaryProjection, events, { state: sessionSummaryProjection.initial, position: 1 }).state.eventsFolded, 0);
});

// ---- denials, one at a time ----

test('a call denied by a workflow hook counts once: HookDenied then the PostToolBatch that closes it', () => {
  const b = new StreamBuilder().hook('SessionStart').hook('UserPromptSubmit', { prompt: 'x' })
    .hook('PreToolUse', call('t1', 'Edit')).workflow('HookDenied', { toolName: 'Edit', toolUseId: 't1', state: 'plan', rule: 'states.plan.tools.deny "Edit"', reason: 'plan first' })
    .hook('PostToolBatch', { tool_calls: [call('t1', 'Edit')] });
  // Denied before its PreToolUse was stored: still one denial.
  b.workflow('HookDenied', { toolName: 'Bash', toolUseId: 't2', state: 'plan', rule: 'r', reason: 'no' }).hook('PreToolUse', call('t2', 'Bash')).hook('PostToolBatch', { tool_calls: [call('t2', 'Bash')] });
  const s = summarizeSession(b.events);
  assert.deepStrictEqual(s.tools.all, { Edit: stats(1, 0, 1), Bash: stats(1, 0, 1) });
  assert.deepStrictEqual(s.workflow.hookDenials.map((d) => [d.tool, d.state, d.rule, d.reason]), [['Edit', 'plan', 'states.plan.tools.deny "Edit"', 'plan first'], ['Bash', 'plan', 'r', 'no']]);
  assert.deepStrictEqual(s.pendingCalls, []);
  assert.deepStrictEqual(s.files, {}, 'a denied edit touches no file');
});

test('PermissionDenied is a denial; the batch after it does not count it again', () => {
  const s = summarizeSession(new StreamBuilder().hook('SessionStart').hook('PreToolUse', call('t1', 'Bash'))
    .hook('PermissionDenied', { ...call('t1', 'Bash'), reason: 'auto' }).hook('PostToolBatch', { tool_calls: [call('t1', 'Bash')] }).events);
  assert.deepStrictEqual(s.tools.all, { Bash: stats(1, 0, 1) });
});

test('a hook stamped before an event already folded is clamped to it: no negative time in any state', () => {
  // The hooks were installed mid-session: no SessionStart, and the first prompt's stamp is older than the workflow event stored before it.
  const b = new StreamBuilder();
  b.workflow('WorkflowCommandRejected', { command: 'Transition', code: 'WORKFLOW_NOT_STARTED', reason: 'no workflow', state: null }, { step: 1000 });
  b.hook('UserPromptSubmit', { prompt: 'x' }, { step: 0, stamp: T0 });
  b.hook('Stop', {}, { step: 2000 });
  const times = lifecycleTimes(summarizeSession(b.events));
  assert.equal(times.starting, 0);
  assert.equal(times.prompted, 2000);
  assert.equal(totalTime(times), 2000);
});

// ---- workflow time ----

test('workflow time: each state from its entry to the next move, the current one to the last event', () => {
  const b = new StreamBuilder();
  b.hook('SessionStart', {}, { step: 0 });
  b.workflow('WorkflowStarted', { definitionHash: 'h', name: 'flow', definition: {}, state: 'plan', iteration: 0 }, { step: 1000 });
  b.workflow('WorkflowTransitioned', { from: 'plan', to: 'build', reason: 'go', iteration: 1 }, { step: 3000 });
  b.workflow('WorkflowTransitionRefused', { from: 'build', to: 'done', reason: 'review first', problems: [], allowed: ['review'] }, { step: 500 });
  b.workflow('WorkflowTransitioned', { from: 'build', to: 'plan', reason: 'back', iteration: 1 }, { step: 1500 });
  b.hook('Stop', {}, { step: 4000 });
  const s = summarizeSession(b.events);
  assert.deepStrictEqual(workflowTimes(s), { plan: 7000, build: 2000 });
  assert.equal(s.workflow.name, 'flow');
  assert.equal(s.workflow.state.current, 'plan');
  assert.equal(s.workflow.state.iteration, 1);
  assert.deepStrictEqual(s.workflow.refusals, [{ kind: 'transition', command: 'Transition', code: null, from: 'build', to: 'done', reason: 'review first', at: T0 + 4500 }]);
});

// ---- the real captured session ----

const fixtureEvents = (): RecordedEvent[] => fixtureRecordedEvents();

const FIXTURE_START = 1795371401982;
const FIXTURE_END = 1795371404297;

test('the real fixture session: tool calls, failures, denials, files, the subagent, prompts, compaction', () => {
  const s = summarizeSession(fixtureEvents());
  assert.equal(s.sessionId, FIXTURE_SESSION);
  assert.equal(s.eventsFolded, 63);
  assert.equal(s.lastPosition, 63);
  assert.equal(s.firstEventAt, FIXTURE_START);
  assert.equal(s.lastEventAt, FIXTURE_END);
  assert.deepStrictEqual(s.tools.all, {
    Write: stats(1, 0, 0, 5), Read: stats(3, 1, 0, 4), Bash: stats(7, 1, 2, 211), Edit: stats(1, 0, 0, 8),
    Agent: stats(1, 0, 0, 188), TaskCreate: stats(1, 0, 0, 25), TaskUpdate: stats(1, 0, 0, 23),
  });
  // The two Bash calls a PreToolUse hook denied (DENY-JSON, DENY-EXIT2) end only in PostToolBatch.
  assert.deepStrictEqual(s.tools.main['Bash'], stats(6, 1, 2, 201));
  assert.deepStrictEqual(s.tools.subagents, { Bash: stats(1, 0, 0, 10) });
  assert.deepStrictEqual(s.files, { '/home/dev/full-session/notes.txt': { edits: 2, firstEditAt: 1795371402239, lastEditAt: 1795371402588 } });
  assert.deepStrictEqual(s.subagents, {
    a3c0aee9e956543e9: { agentId: 'a3c0aee9e956543e9', agentType: 'general-purpose', startedAt: 1795371403550, stoppedAt: 1795371403701, durationMs: 151, tools: { Bash: stats(1, 0, 0, 10) } },
  });
  assert.equal(s.prompts, 2);
  assert.equal(s.compactions, 1);
  assert.equal(s.stops, 2);
  assert.deepStrictEqual(s.pendingCalls, []);
  assert.equal(s.eventsByType['PreToolUse'], 15);
  assert.equal(s.eventsByType['PostToolUse'], 11);
  assert.equal(s.eventsByType['PostToolUseFailure'], 2);
  assert.equal(s.eventsByType['PostToolBatch'], 14);
  assert.equal(s.eventsByType['SubagentStop'], 2);
  assert.equal(s.lifecycle.state, 'ended');
  assert.equal(totalTime(lifecycleTimes(s)), FIXTURE_END - FIXTURE_START);
  assert.deepStrictEqual(workflowTimes(s), {});
});

// ---- the report ----

test('report of the fixture: ended, times in ms and ISO, tools totalled, the subagent listed, usage included', () => {
  const usageText = readFileSync(join(__dirname, '..', 'fixtures', 'full-session.transcript.jsonl'), 'utf8');
  const usage = computeSessionUsage([{ text: usageText }]);
  const report = buildSessionReport(summarizeSession(fixtureEvents()), { now: FIXTURE_END + 60_000, usage });
  assert.equal(report.status, 'ended');
  assert.equal(report.sessionId, FIXTURE_SESSION);
  assert.equal(report.startedAtMs, FIXTURE_START);
  assert.equal(report.startedAt, iso(FIXTURE_START));
  assert.equal(report.lastEventAt, iso(FIXTURE_END));
  assert.equal(report.durationMs, 2315);
  assert.equal(report.silentForMs, 60_000);
  assert.equal(sum(report.lifecycle.timePerStateMs), 2315);
  assert.equal(report.lifecycle.endReason, 'other');
  assert.deepStrictEqual(report.tools.totals, stats(15, 2, 2, 464));
  assert.deepStrictEqual(Object.keys(report.tools.byTool), ['Agent', 'Bash', 'Edit', 'Read', 'TaskCreate', 'TaskUpdate', 'Write']);
  assert.deepStrictEqual(report.files, [{ path: '/home/dev/full-session/notes.txt', edits: 2, firstEditAtMs: 1795371402239, firstEditAt: iso(1795371402239), lastEditAtMs: 1795371402588, lastEditAt: iso(1795371402588) }]);
  assert.deepStrictEqual(report.subagents.map((a) => [a.agentId, a.agentType, a.startedAt, a.durationMs, a.tools]), [['a3c0aee9e956543e9', 'general-purpose', iso(1795371403550), 151, { Bash: stats(1, 0, 0, 10) }]]);
  assert.deepStrictEqual(report.counts, { ...report.counts, events: 63, prompts: 2, compactions: 1, stops: 2, subagents: 1, filesTouched: 1, journalEntries: 0 });
  assert.equal(report.usage, usage);
  assert.deepStrictEqual(roundTrip(report), report, 'the report is plain JSON');
  assert.equal(buildSessionReport(summarizeSession(fixtureEvents()), { now: FIXTURE_END }).usage, null);
});

test('report status at `now`: live while working, idle after Stop, abandoned after the silence, ended after SessionEnd', () => {
  const b = new StreamBuilder().hook('SessionStart').hook('UserPromptSubmit', { prompt: 'x' }).hook('PreToolUse', call('t1', 'Bash'));
  const working = summarizeSession(b.events);
  const last = b.clock;
  assert.equal(buildSessionReport(working, { now: last + 1000 }).status, 'live');
  assert.equal(buildSessionReport(working, { now: last + 31 * 60_000 }).status, 'abandoned');
  assert.equal(buildSessionReport(working, { now: last + 5000, silenceMs: 2000 }).status, 'abandoned');
  assert.equal(buildSessionReport(summarizeSession(b.hook('Stop').events), { now: b.clock + 1000 }).status, 'idle');
  assert.equal(buildSessionReport(summarizeSession(b.hook('SessionEnd').events), { now: b.clock + 99 * 60_000 }).status, 'ended');
});

test('report workflow section: state, times, transitions, refusals, reviews, denials, stop blocks, journal, with ISO times', () => {
  const b = new StreamBuilder();
  b.hook('SessionStart', {}, { step: 0 });
  b.workflow('WorkflowCommandRejected', { command: 'WriteJournal', code: 'WORKFLOW_NOT_STARTED', reason: 'no workflow', state: null });
  b.workflow('WorkflowStarted', { definitionHash: 'h', name: 'flow', definition: {}, state: 'build', iteration: 1 });
  b.workflow('JournalEntryWritten', { text: 'did it', tags: ['fix'], files: [{ path: 'a.ts', line: 2 }], state: 'build', iteration: 1 });
  b.workflow('WorkflowTransitioned', { from: 'build', to: 'review', reason: 'ready', iteration: 1 });
  b.workflow('ReviewRejected', { notes: 'tests missing', state: 'review', backTo: 'build' });
  b.workflow('WorkflowTransitioned', { from: 'review', to: 'build', reason: 'review rejected: tests missing', iteration: 2 });
  b.workflow('StopBlocked', { state: 'build', reason: 'journal first' });
  b.workflow('WorkflowTransitioned', { from: 'build', to: 'review', reason: 'again', iteration: 2 });
  b.workflow('ReviewApproved', { notes: '', state: 'review' });
  const r = buildSessionReport(summarizeSession(b.events), { now: b.clock });
  const wf = r.workflow;
  assert.equal(wf.name, 'flow');
  assert.equal(wf.state, 'review');
  assert.equal(wf.iteration, 2);
  assert.equal(wf.startedAt, iso(T0 + 2000));
  assert.deepStrictEqual(wf.timePerStateMs, { build: 4000, review: 3000 });
  assert.equal(sum(wf.timePerStateMs), (r.lastEventAtMs ?? 0) - (wf.startedAtMs ?? 0));
  assert.deepStrictEqual(wf.transitions.map((t) => [t.from, t.to, t.iteration]), [['build', 'review', 1], ['review', 'build', 2], ['build', 'review', 2]]);
  assert.deepStrictEqual(wf.refused, [{ kind: 'command', command: 'WriteJournal', code: 'WORKFLOW_NOT_STARTED', from: null, to: null, reason: 'no workflow', atMs: T0 + 1000, at: iso(T0 + 1000) }]);
  assert.deepStrictEqual(wf.reviews, { approved: 1, rejected: 1, rejections: [{ notes: 'tests missing', state: 'review', backTo: 'build', atMs: T0 + 5000, at: iso(T0 + 5000) }] });
  assert.deepStrictEqual(wf.stopBlocks, [{ state: 'build', reason: 'journal first', atMs: T0 + 7000, at: iso(T0 + 7000) }]);
  assert.deepStrictEqual(r.journal, [{ text: 'did it', tags: ['fix'], files: [{ path: 'a.ts', line: 2 }], state: 'build', iteration: 1, atMs: T0 + 3000, at: iso(T0 + 3000) }]);
  assert.equal(sum(r.lifecycle.timePerStateMs), r.durationMs);
});

test('an empty summary reports zeros and nulls, not NaN', () => {
  const r = buildSessionReport(sessionSummaryProjection.initial, { now: T0 });
  assert.equal(r.durationMs, 0);
  assert.equal(r.startedAt, null);
  assert.equal(sum(r.lifecycle.timePerStateMs), 0);
  assert.deepStrictEqual(r.tools.totals, stats(0));
  assert.deepStrictEqual(roundTrip(r), r);
});
