import type { RecordedEvent } from '../../../src/store/event-store';
import { call, StreamBuilder } from '../session-stream-gen';
import type { Random } from '../session-stream-gen';

// Unusual sequences that grow a session's state with every event, for the linear-time proof:
// each builds a stream of about `n` events of one kind (results that never come, ends without
// starts, ever new files, tools, agents, states, event types...), optionally sprinkled with
// ordinary activity by a seeded generator.

/** A named sequence of about n events. */
export type UnusualSequence = (n: number, r: Random) => RecordedEvent[];

const edit = (id: string, file: string, agentId?: string): Record<string, unknown> => call(id, 'Edit', { file_path: file, old_string: 'a', new_string: 'b' }, agentId);

export const UNUSUAL: Readonly<Record<string, UnusualSequence>> = {
  'PreToolUse whose result never comes': (n) => repeat(n, (b, i) => b.hook('PreToolUse', edit(`toolu_${i}`, `/w/f${i}.ts`))),
  'PreToolUse without a tool_use_id': (n) => repeat(n, (b, i) => b.hook('PreToolUse', { tool_name: 'Bash', tool_input: { command: `c${i}` } })),
  'PermissionRequest without a call': (n) => repeat(n, (b, i) => b.hook('PermissionRequest', { tool_name: 'Bash', tool_input: { command: `c${i}` } })),
  'SubagentStart without SubagentStop': (n) => repeat(n / 2, (b, i) => {
    b.hook('SubagentStart', { agent_id: `agent${i}`, agent_type: 'general-purpose' });
    b.hook('PreToolUse', call(`toolu_${i}`, 'Read', { file_path: '/w/a' }, `agent${i}`));
  }),
  'PostToolUse without PreToolUse, each on a new file': (n) => repeat(n, (b, i) => b.hook('PostToolUse', { ...edit(`toolu_${i}`, `/w/f${i}.ts`), tool_response: 'ok', duration_ms: 3 })),
  'HookDenied without PreToolUse': (n) => repeat(n, (b, i) => b.workflow('HookDenied', { toolName: 'Bash', toolUseId: `toolu_${i}`, state: 'plan', rule: 'deny', reason: 'no' })),
  'duplicate tool_use_ids': (n, r) => repeat(n, (b) => b.hook(r.chance(0.7) ? 'PreToolUse' : 'PostToolUse', call(`toolu_${r.int(8)}`, 'Bash'))),
  'a new tool name on every call': (n) => repeat(n / 2, (b, i) => {
    b.hook('PreToolUse', call(`toolu_${i}`, `mcp__tool_${i}`));
    b.hook('PostToolUse', { ...call(`toolu_${i}`, `mcp__tool_${i}`), duration_ms: 1 });
  }),
  'a new event type on every event': (n) => repeat(n, (b, i) => b.hook(`FutureEvent${i}`, { note: i })),
  'many prompts': (n) => repeat(n, (b) => b.hook('UserPromptSubmit', { prompt: 'go' })),
  'many compactions': (n) => repeat(n / 4, (b, i) => {
    b.hook('PreCompact', { trigger: 'auto' });
    b.hook('SubagentStop', { agent_id: `compact${i}`, agent_type: '' });
    b.hook('SessionStart', { source: 'compact' });
    b.hook('PostCompact', { trigger: 'auto' });
  }),
  'resumes after every end': (n) => repeat(n / 2, (b) => {
    b.hook('SessionEnd', { reason: 'other' });
    b.hook('SessionStart', { source: 'resume' });
  }),
  'journal entries and transitions through ever new states': (n) => repeat(n / 2, (b, i) => {
    b.workflow('WorkflowTransitioned', { from: `s${i}`, to: `s${i + 1}`, reason: 'next', iteration: i });
    b.workflow('JournalEntryWritten', { text: `did ${i}`, tags: [`t${i}`], files: [{ path: `/w/f${i}` }], state: `s${i + 1}`, iteration: i });
  }),
  'events out of order in time': (n, r) => repeat(n, (b, i) => b.hook(r.pick(['PreToolUse', 'PostToolUse', 'Notification']), call(`toolu_${i}`, 'Bash'), { stamp: b.clock - r.int(100_000_000) })),
  'subagents stopping amid many open calls': (n) => repeat(n / 3, (b, i) => {
    b.hook('PreToolUse', call(`main_${i}`, 'Bash'));
    b.hook('SubagentStart', { agent_id: `agent${i}`, agent_type: 'general-purpose' });
    b.hook('SubagentStop', { agent_id: `agent${i}`, agent_type: 'general-purpose' });
  }),
};

/** A sequence with ordinary activity mixed in now and then. */
export function withNoise(sequence: UnusualSequence, n: number, r: Random): RecordedEvent[] {
  const b = new StreamBuilder('noisy');
  for (const event of sequence(n, r)) {
    const stamp = event.metadata['receivedAt'];
    b.add(event.type, () => event.data as Record<string, unknown>, { stamp: typeof stamp === 'string' ? Date.parse(stamp) : null });
    if (r.chance(0.05)) b.hook(r.pick(['UserPromptSubmit', 'MessageDisplay', 'Notification']), { prompt: 'x' });
  }
  return b.events;
}

function repeat(times: number, step: (b: StreamBuilder, i: number) => void): RecordedEvent[] {
  const b = new StreamBuilder('unusual');
  b.hook('SessionStart', { source: 'startup' });
  b.hook('UserPromptSubmit', { prompt: 'go' });
  for (let i = 0; i < times; i += 1) step(b, i);
  return b.events;
}
