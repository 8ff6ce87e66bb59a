import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentUsage, GroupFacts, MemberCall, MemberFacts, MemberFailure, PathStep } from '../../src/domain/groups/facts';
import type { GroupMember, GroupRole, SessionLink } from '../../src/domain/groups/model';
import { analyzeGroup } from '../../src/projections/groups/analysis/analyze';
import { costAttribution } from '../../src/projections/groups/analysis/attribution';
import { bottlenecks } from '../../src/projections/groups/analysis/bottlenecks';
import { criticalPath } from '../../src/projections/groups/analysis/critical-path';
import { errorChains } from '../../src/projections/groups/analysis/error-chains';

// The analysis of a group of sessions: the critical path that set the group's end, the members the
// others waited on, failures that travelled between members, and who spent what. Times in the
// builders are seconds after T0; a store position is ten times the second, so time and store order agree.

const SEC = 1000;
const T0 = Date.UTC(2026, 11, 5, 10, 0, 0);
const at = (s: number): number => T0 + s * SEC;
const pos = (s: number): number => s * 10;

interface Member {
  readonly id: string;
  readonly role?: GroupRole;
  readonly title?: string | null;
  /** [first, last] in seconds, or null for a member without events. */
  readonly life: readonly [number, number] | null;
  readonly calls?: readonly MemberCall[];
  readonly failures?: readonly MemberFailure[];
  readonly usage?: readonly AgentUsage[];
}

function call(toolUseId: string, start: number, end: number | null, failed = false): MemberCall {
  return { toolUseId, tool: 'Bash', agentId: null, start: at(start), end: end === null ? null : at(end), failed, eventId: `ev-${toolUseId}`, position: pos(start), summary: `Bash ${toolUseId}` };
}

function failure(eventId: string, s: number, toolUseId: string | null = null): MemberFailure {
  return { eventId, position: pos(s) + 1, at: at(s), what: `failed ${eventId}`, toolUseId };
}

function usage(agentId: string, agentType: string | null, costUsd: number, tokens: readonly [number, number, number, number]): AgentUsage {
  const [inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens] = tokens;
  return { agentId, agentType, costUsd, inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens };
}

function spawn(id: string, from: string, to: string, startedAt: number, toolUseId?: string): SessionLink {
  return {
    id, kind: 'spawn', from, to, exact: true, at: at(startedAt), subject: 'sh worker.sh',
    ...(toolUseId === undefined ? {} : { toolUseId, toolUseMatch: 'command' as const }),
    evidence: [{ sessionId: to, eventId: `start-${to}`, position: pos(startedAt), at: at(startedAt), what: 'started' }],
  };
}

/** A file written by `from` at `wrote` and read by `to` at `read`. */
function handoff(id: string, from: string, to: string, wrote: number, read: number): SessionLink {
  return {
    id, kind: 'handoff-file', from, to, exact: false, at: at(read), subject: `/w/${id}.txt`,
    evidence: [
      { sessionId: from, eventId: `write-${id}`, position: pos(wrote), at: at(wrote), what: `wrote /w/${id}.txt` },
      { sessionId: to, eventId: `read-${id}`, position: pos(read), at: at(read), what: `read /w/${id}.txt` },
    ],
  };
}

function groupMember(m: Member): GroupMember {
  const usd = (m.usage ?? []).reduce((sum, u) => sum + u.costUsd, 0);
  return {
    sessionId: m.id, title: m.title === undefined ? m.id : m.title, role: m.role ?? 'member', parentSessionId: null, worktree: null, branch: null,
    firstEventAt: m.life === null ? null : at(m.life[0]), lastEventAt: m.life === null ? null : at(m.life[1]),
    activeMs: 0, ended: true, lifecycleState: 'ended', toolCalls: (m.calls ?? []).length, toolFailures: (m.failures ?? []).length, costUsd: usd, tokens: 0,
  };
}

/** The facts of a group of these members and links. */
function group(members: readonly Member[], links: readonly SessionLink[] = []): GroupFacts {
  const list = members.map(groupMember);
  const firsts = list.flatMap((m) => (m.firstEventAt === null ? [] : [m.firstEventAt]));
  const lasts = list.flatMap((m) => (m.lastEventAt === null ? [] : [m.lastEventAt]));
  const first = firsts.length === 0 ? null : Math.min(...firsts);
  const last = lasts.length === 0 ? null : Math.max(...lasts);
  const facts: MemberFacts[] = members.map((m) => ({ sessionId: m.id, calls: m.calls ?? [], failures: m.failures ?? [], usage: m.usage ?? [] }));
  return {
    group: {
      id: 'run:test', kind: 'run', label: 'test', members: list, firstEventAt: first, lastEventAt: last,
      spanMs: first === null || last === null ? 0 : last - first, activeMs: 0,
      costUsd: list.reduce((sum, m) => sum + m.costUsd, 0), tokens: 0, failures: list.reduce((sum, m) => sum + m.toolFailures, 0), links,
    },
    members: facts,
  };
}

const work = (sessionId: string, from: number, to: number): PathStep => ({ sessionId, kind: 'work', from: at(from), to: at(to) });
const wait = (sessionId: string, from: number, to: number, waitingOn: string, linkId: string): PathStep =>
  ({ sessionId, kind: 'wait', from: at(from), to: at(to), waitingOn, linkId });

// A lead runs two workers, one after the other, each from a Bash call it keeps open until the worker
// ends; each worker writes a file the lead reads. Worker A fails a tool at 30 s; the lead's Read
// failed at 5 s (before anything else) and its last Bash fails at 92 s.
const lead: Member = {
  id: 'lead', role: 'lead', title: 'Lead',
  life: [0, 100],
  calls: [call('f0', 4, 5, true), call('b1', 10, 50), call('r1', 52, 53), call('b2', 55, 80), call('r2', 85, 86), call('e1', 88, 92, true)],
  failures: [failure('lead-fail-read', 5, 'f0'), failure('lead-fail-bash', 92, 'e1')],
  usage: [usage('main', null, 0.1, [100, 20, 5, 1000]), usage('agent-x', 'Explore', 0.2, [50, 10, 0, 0])],
};
const workerA: Member = {
  id: 'a1b2c3d4-worker-a', role: 'worker', title: 'Worker A',
  life: [12, 48],
  calls: [call('wa1', 25, 30, true), call('wa2', 38, 40)],
  failures: [failure('worker-a-fail', 30, 'wa1')],
  usage: [usage('main', null, 0.7, [300, 40, 0, 2000])],
};
const workerB: Member = {
  id: 'b2c3d4e5-worker-b', role: 'worker', title: null,
  life: [57, 78],
  calls: [call('wb1', 73, 75)],
  usage: [usage('main', null, 0.3, [200, 30, 10, 0])],
};
const A = workerA.id;
const B = workerB.id;
const scenario = group([lead, workerA, workerB], [
  spawn('spawn-a', 'lead', A, 12, 'b1'),
  spawn('spawn-b', 'lead', B, 57, 'b2'),
  handoff('file-a', A, 'lead', 40, 52),
  handoff('file-b', B, 'lead', 75, 85),
]);

describe('group analysis: a lead and two workers', () => {
  it('walks the critical path back from the lead\'s end through both workers it waited on', () => {
    const path = criticalPath(scenario);
    assert.deepEqual(path.steps, [
      work('lead', 0, 12),
      work(A, 12, 48),
      wait('lead', 12, 48, A, 'spawn-a'),
      work('lead', 48, 57),
      work(B, 57, 78),
      wait('lead', 57, 78, B, 'spawn-b'),
      work('lead', 78, 100),
    ]);
    assert.equal(path.totalMs, 100 * SEC);
  });

  it('charges each worker the overlap of its life with the lead\'s spawning call', () => {
    assert.deepEqual(bottlenecks(scenario), [
      { sessionId: A, waiters: [{ sessionId: 'lead', ms: 36 * SEC, linkId: 'spawn-a' }], totalWaitMs: 36 * SEC },
      { sessionId: B, waiters: [{ sessionId: 'lead', ms: 21 * SEC, linkId: 'spawn-b' }], totalWaitMs: 21 * SEC },
    ]);
  });

  it('chains the worker\'s failure to the lead\'s later failure, through the exact spawn link', () => {
    // The hand-off (read at 52 s, after the failure) leads to the same failure: the exact link wins.
    // The lead's failure at 5 s comes before any worker ran: it starts no chain.
    assert.deepEqual(errorChains(scenario), [{
      steps: [
        { sessionId: A, eventId: 'worker-a-fail', at: at(30), what: 'failed worker-a-fail' },
        { sessionId: 'lead', eventId: 'lead-fail-bash', at: at(92), what: 'failed lead-fail-bash', linkId: 'spawn-a' },
      ],
    }]);
  });

  it('attributes cost to every member and subagent, and the rows add up to the totals exactly', () => {
    const attribution = costAttribution(scenario);
    assert.deepEqual(attribution.rows.map((r) => [r.sessionId, r.agentId, r.role, r.label, r.costUsd, r.tokens]), [
      [A, 'main', 'worker', 'Worker A', 0.7, 2340],
      [B, 'main', 'worker', 'b2c3d4e5', 0.3, 240],
      ['lead', 'agent-x', 'subagent', 'Lead › Explore', 0.2, 60],
      ['lead', 'main', 'lead', 'Lead', 0.1, 1125],
    ]);
    const sum = attribution.rows.reduce((s, r) => ({ costUsd: s.costUsd + r.costUsd, tokens: s.tokens + r.tokens }), { costUsd: 0, tokens: 0 });
    assert.equal(attribution.totalCostUsd, sum.costUsd);
    assert.equal(attribution.totalTokens, sum.tokens);
    assert.deepEqual(attribution.byRole, {
      worker: { costUsd: 0.7 + 0.3, tokens: 2580 },
      subagent: { costUsd: 0.2, tokens: 60 },
      lead: { costUsd: 0.1, tokens: 1125 },
    });
    const roleSum = Object.values(attribution.byRole).reduce((s, r) => s + r.tokens, 0);
    assert.equal(roleSum, attribution.totalTokens);
  });

  it('combines the four parts', () => {
    const analysis = analyzeGroup(scenario);
    assert.deepEqual(analysis, {
      criticalPath: criticalPath(scenario), bottlenecks: bottlenecks(scenario),
      errorChains: errorChains(scenario), attribution: costAttribution(scenario),
    });
  });
});

describe('group analysis: error chains', () => {
  it('follows a failure through a hand-off and then a spawn, starting at the first worker\'s failure', () => {
    // A fails at 20 s; B reads A's file at 25 s and fails at 30 s; the lead's Bash that started B fails at 40 s.
    const facts = group([
      { id: 'lead', role: 'lead', life: [0, 50], calls: [call('bl', 5, 40, true)], failures: [failure('lead-fail', 40, 'bl')] },
      { id: 'A', life: [1, 22], failures: [failure('a-fail', 20)] },
      { id: 'B', life: [6, 35], failures: [failure('b-fail', 30)] },
    ], [spawn('s-b', 'lead', 'B', 6, 'bl'), handoff('h-ab', 'A', 'B', 10, 25)]);
    assert.deepEqual(errorChains(facts).map((c) => c.steps.map((s) => [s.eventId, s.linkId])), [
      [['a-fail', undefined], ['b-fail', 'h-ab'], ['lead-fail', 's-b']],
    ]);
  });

  it('does not pass a worker\'s failure to a parent call that started before the spawning one', () => {
    const facts = group([
      { id: 'lead', life: [0, 50], calls: [call('early', 1, 45, true), call('bl', 5, 40)], failures: [failure('lead-fail', 45, 'early')] },
      { id: 'W', life: [6, 30], failures: [failure('w-fail', 20)] },
    ], [spawn('s-w', 'lead', 'W', 6, 'bl')]);
    assert.deepEqual(errorChains(facts), []);
  });

  it('does not pass a failure through a hand-off consumed before it', () => {
    const facts = group([
      { id: 'P', life: [0, 50], failures: [failure('p-fail', 30)] },
      { id: 'C', life: [0, 50], failures: [failure('c-fail', 40)] },
    ], [handoff('h', 'P', 'C', 10, 20)]);
    assert.deepEqual(errorChains(facts), []);
  });
});

describe('group analysis: edge cases', () => {
  it('an empty group has an empty analysis', () => {
    assert.deepEqual(analyzeGroup(group([])), {
      criticalPath: { steps: [], totalMs: 0 }, bottlenecks: [], errorChains: [],
      attribution: { rows: [], byRole: {}, totalCostUsd: 0, totalTokens: 0 },
    });
  });

  it('skips a member without events in the path and the waits, but still lists it in the attribution', () => {
    const facts = group([
      { id: 'lead', role: 'lead', life: [0, 10], calls: [call('b', 1, 9)] },
      { id: 'ghost', role: 'worker', life: null },
    ], [spawn('s-ghost', 'lead', 'ghost', 2, 'b'), handoff('h-ghost', 'ghost', 'lead', 3, 4)]);
    assert.deepEqual(criticalPath(facts), { steps: [work('lead', 0, 10)], totalMs: 10 * SEC });
    assert.deepEqual(bottlenecks(facts), []);
    assert.deepEqual(costAttribution(facts).rows.map((r) => [r.sessionId, r.role, r.costUsd, r.tokens]), [
      ['ghost', 'worker', 0, 0],
      ['lead', 'lead', 0, 0],
    ]);
  });

  it('ends on a cycle of hand-offs (A→B and B→A at the same moment), each link used once', () => {
    const facts = group([
      { id: 'A', life: [0, 30], failures: [failure('a1', 11), failure('a2', 15)] },
      { id: 'B', life: [5, 30], failures: [failure('b1', 13)] },
    ], [handoff('ab', 'A', 'B', 10, 12), handoff('ba', 'B', 'A', 10, 14)]);
    // The end is A's (tie on the last event, the smaller id); B's use of A's file at 10 s is a
    // zero-length step, left out; the link B→A is not used twice.
    assert.deepEqual(criticalPath(facts).steps, [work('A', 0, 10), work('A', 10, 30)]);
    assert.deepEqual(errorChains(facts).map((c) => c.steps.map((s) => s.eventId)), [['a1', 'b1', 'a2']]);
  });

  it('finds the spawning call of a spawn without a tool use id by the call that holds the child\'s life', () => {
    const facts = group([
      { id: 'lead', life: [0, 60], calls: [call('bash', 10, 50), call('read', 20, 21)] },
      { id: 'W', life: [12, 48] },
      // Outlives every call of the lead: nobody waited on it.
      { id: 'bg', life: [15, 58] },
    ], [spawn('s-w', 'lead', 'W', 12), spawn('s-bg', 'lead', 'bg', 15)]);
    assert.deepEqual(bottlenecks(facts), [{ sessionId: 'W', waiters: [{ sessionId: 'lead', ms: 36 * SEC, linkId: 's-w' }], totalWaitMs: 36 * SEC }]);
    assert.deepEqual(criticalPath(facts).steps, [
      work('lead', 0, 12), work('W', 12, 48), wait('lead', 12, 48, 'W', 's-w'), work('lead', 48, 60),
    ]);
  });

  it('charges each of two children started by one call the overlap of its own life with the call', () => {
    const facts = group([
      { id: 'lead', life: [0, 60], calls: [call('fan', 10, 50)] },
      { id: 'W1', life: [11, 40] },
      { id: 'W2', life: [11, 49] },
    ], [spawn('s1', 'lead', 'W1', 11, 'fan'), spawn('s2', 'lead', 'W2', 11, 'fan')]);
    assert.deepEqual(bottlenecks(facts).map((b) => [b.sessionId, b.totalWaitMs]), [['W2', 38 * SEC], ['W1', 29 * SEC]]);
    // The path follows the child released last; the other ran beside it.
    assert.deepEqual(criticalPath(facts).steps, [
      work('lead', 0, 11), work('W2', 11, 49), wait('lead', 11, 49, 'W2', 's2'), work('lead', 49, 60),
    ]);
  });
});
