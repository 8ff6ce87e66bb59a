import type { GroupMember, GroupSummary, SessionLink } from '../../src/domain/groups/model';
import type { MemberStream } from '../../src/projections/groups/timeline/group-timeline';
import type { RecordedEvent } from '../../src/store/event-store';

// A group as a run of sessions makes it: a lead that starts N-1 workers from Bash calls, every
// session a series of turns (a prompt, tool calls with their real payload fields, about one in
// twelve failing, now and then a subagent with calls of its own, a Stop), the sessions' events
// interleaved in one store as they would be (global positions in time order). Links: a spawn per
// worker (naming the lead's call) and a file hand-off from each worker to the next.

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const TOOLS = ['Bash', 'Read', 'Edit', 'Grep', 'Write', 'Glob'] as const;

interface Draft { readonly at: number; readonly streamId: string; readonly type: string; readonly data: Record<string, unknown> }

/** A deterministic generator (the bench compares runs). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface BenchGroup {
  readonly group: GroupSummary;
  readonly streams: MemberStream[];
  readonly events: number;
}

export function benchGroup(sessions: number, eventsPerSession: number): BenchGroup {
  const rnd = random(sessions * 7919 + eventsPerSession);
  const ids = Array.from({ length: sessions }, (_, i) => `${i === 0 ? 'lead' : 'work'}${String(i).padStart(4, '0')}-5b1e-4c1a-9d3e-${String(i).padStart(12, '0')}`);
  const drafts: Draft[] = [];
  const spawnCalls: string[] = [];
  ids.forEach((id, i) => {
    let clock = T0 + i * 20_000;
    const add = (type: string, data: Record<string, unknown>, step: number): void => {
      clock += step;
      drafts.push({ at: clock, streamId: id, type, data: { session_id: id, hook_event_name: type, transcript_path: `/home/u/.claude/projects/w/${id}.jsonl`, cwd: '/w', ...data } });
    };
    add('SessionStart', { source: 'startup', model: 'claude-sonnet-4-5' }, 0);
    let count = 1;
    let turn = 0;
    while (count < eventsPerSession - 2) {
      add('UserPromptSubmit', { prompt: `turn ${turn}: fix the failing test in src/module${turn % 17}.ts and run the suite`, permission_mode: 'default' }, 500 + rnd() * 4000);
      count += 1;
      const agent = rnd() < 0.15 ? `a${String(turn).padStart(6, '0')}${id.slice(0, 8)}` : null;
      if (agent !== null) {
        add('SubagentStart', { agent_id: agent, agent_type: rnd() < 0.5 ? 'general-purpose' : 'Explore' }, 300);
        count += 1;
      }
      const calls = 2 + Math.floor(rnd() * 8);
      for (let c = 0; c < calls && count < eventsPerSession - 4; c += 1) {
        const tool = TOOLS[Math.floor(rnd() * TOOLS.length)] ?? 'Bash';
        const toolUseId = `toolu_${id.slice(0, 6)}${turn}_${c}`;
        const path = `/w/src/module${Math.floor(rnd() * 40)}.ts`;
        const byAgent = agent !== null && c % 2 === 1 ? { agent_id: agent } : {};
        const input = tool === 'Bash' ? { command: `npm test -- --grep case${c}`, description: 'run the tests' } : { file_path: path };
        add('PreToolUse', { tool_name: tool, tool_input: input, tool_use_id: toolUseId, ...byAgent }, 200 + rnd() * 2500);
        if (i === 0 && tool === 'Bash' && spawnCalls.length < sessions - 1) spawnCalls.push(toolUseId);
        const failed = rnd() < 0.08;
        add(failed ? 'PostToolUseFailure' : 'PostToolUse', failed ? { tool_name: tool, tool_input: input, tool_use_id: toolUseId, error: 'Exit code 1', ...byAgent } : { tool_name: tool, tool_input: input, tool_use_id: toolUseId, tool_response: { stdout: 'ok '.repeat(20) }, ...byAgent }, 100 + rnd() * 8000);
        count += 2;
      }
      if (agent !== null) {
        add('SubagentStop', { agent_id: agent, agent_type: 'general-purpose' }, 400);
        count += 1;
      }
      add('Stop', { stop_hook_active: false }, 300);
      count += 1;
      turn += 1;
    }
    add('SessionEnd', { reason: 'exit' }, 1000);
  });
  drafts.sort((a, b) => a.at - b.at);
  const byStream = new Map<string, RecordedEvent[]>(ids.map((id) => [id, []]));
  drafts.forEach((d, index) => {
    const stream = byStream.get(d.streamId) as RecordedEvent[];
    const at = new Date(d.at).toISOString();
    const event: RecordedEvent = {
      globalPosition: index + 1, streamId: d.streamId, streamPosition: stream.length + 1, eventId: `ev${index + 1}`, type: d.type, schemaVersion: 1,
      recordedAt: at, correlationId: null, causationId: null, data: d.data, metadata: { source: 'hook', receivedAt: at },
    };
    stream.push(event);
  });
  const streams = ids.map((id) => ({ sessionId: id, events: byStream.get(id) ?? [] }));
  const links = groupLinks(ids, streams, spawnCalls);
  const members = ids.map((id, i): GroupMember => ({
    sessionId: id, title: `${i === 0 ? 'lead' : `worker ${i}`}: fix the failing tests`, role: i === 0 ? 'lead' : 'worker', parentSessionId: i === 0 ? null : ids[0] ?? null,
    worktree: null, branch: null, firstEventAt: T0 + i * 20_000, lastEventAt: lastAt(streams[i]?.events), activeMs: 0, ended: true, lifecycleState: 'ended', toolCalls: 0, toolFailures: 0, costUsd: 0, tokens: 0,
  }));
  const group: GroupSummary = { id: 'run:bench', kind: 'run', label: `bench run of ${sessions} sessions`, members, firstEventAt: T0, lastEventAt: null, spanMs: 0, activeMs: 0, costUsd: 0, tokens: 0, failures: 0, links };
  return { group, streams, events: drafts.length };
}

function lastAt(events: readonly RecordedEvent[] | undefined): number | null {
  const last = events?.[events.length - 1];
  return last === undefined ? null : Date.parse(last.recordedAt);
}

function groupLinks(ids: readonly string[], streams: readonly MemberStream[], spawnCalls: readonly string[]): SessionLink[] {
  const links: SessionLink[] = [];
  const first = (i: number): RecordedEvent | undefined => streams[i]?.events[0];
  for (let i = 1; i < ids.length; i += 1) {
    const child = first(i);
    const toolUseId = spawnCalls[i - 1];
    links.push({ id: `spawn:${i}`, kind: 'spawn', from: ids[0] ?? '', to: ids[i] ?? '', exact: true, at: child === undefined ? 0 : Date.parse(child.recordedAt), subject: `sh worker.sh ${i}`, ...(toolUseId === undefined ? {} : { toolUseId }), evidence: [] });
    // A hand-off: a write of worker i-1, read by worker i later on.
    const producer = streams[i - 1]?.events.find((e) => e.type === 'PreToolUse' && (e.data as { tool_name?: string }).tool_name === 'Write');
    const consumer = streams[i]?.events.find((e) => producer !== undefined && e.type === 'PreToolUse' && e.recordedAt > producer.recordedAt);
    if (producer === undefined || consumer === undefined || i === 1) continue;
    const evidence = (e: RecordedEvent, what: string): SessionLink['evidence'][number] => ({ sessionId: e.streamId, eventId: e.eventId, position: e.globalPosition, at: Date.parse(e.recordedAt), what });
    links.push({ id: `handoff:${i}`, kind: 'handoff-file', from: ids[i - 1] ?? '', to: ids[i] ?? '', exact: false, at: Date.parse(consumer.recordedAt), subject: '/w/src/shared.ts', evidence: [evidence(producer, 'wrote'), evidence(consumer, 'read')] });
  }
  return links;
}
