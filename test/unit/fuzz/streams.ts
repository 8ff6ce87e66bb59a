import type { RecordedEvent } from '../../../src/store/event-store';
import { fixtureRecordedEvents } from '../helpers';
import { iso, SessionGenerator, T0 } from '../session-stream-gen';
import type { Data, Random } from '../session-stream-gen';
import { deepValue, hostileKey, hugeString, wrongValue } from './values';

// Event streams for the fold fuzz suite: realistic sessions (the seeded session generator, the
// real captured session) put through hostile mutations: ends that never come, reordered and
// duplicated events, missing fields, wrong types, huge strings, deep nesting, unknown event
// types, `$`-prefixed and prototype-named ids, broken timestamps, non-object payloads.
// Positions stay increasing (the store assigns them); everything else may be wrong.

/** A generated stream and the input classes it exercises (the harness prints them on failure). */
export interface FuzzStream {
  readonly events: RecordedEvent[];
  readonly classes: readonly string[];
}

type Mutation = (events: RecordedEvent[], r: Random) => RecordedEvent[];

const ENDING_TYPES = new Set(['PostToolUse', 'PostToolUseFailure', 'PermissionDenied', 'PostToolBatch', 'SubagentStop', 'Stop', 'SessionEnd', 'PostCompact']);

const MUTATIONS: Readonly<Record<string, Mutation>> = {
  'unmatched starts': (events, r) => events.filter((e) => !ENDING_TYPES.has(e.type) || r.chance(0.3)),
  'reordered events': (events, r) => {
    const out = [...events];
    for (let n = r.int(out.length); n > 0; n -= 1) {
      const i = r.int(Math.max(1, out.length - 1));
      [out[i], out[i + 1]] = [out[i + 1] as RecordedEvent, out[i] as RecordedEvent];
    }
    return out;
  },
  'duplicated events': (events, r) => events.flatMap((e) => (r.chance(0.15) ? [e, e, ...(r.chance(0.2) ? [e] : [])] : [e])),
  'missing fields': (events, r) => events.map((e) => withData(e, (d) => Object.fromEntries(Object.entries(d).filter(() => r.chance(0.7))))),
  'wrong types': (events, r) => events.map((e) => (r.chance(0.3) ? withData(e, (d) => mutateField(d, r, () => wrongValue(r))) : e)),
  'huge strings': (events, r) => events.map((e) => (r.chance(0.05) ? withData(e, (d) => mutateField(d, r, () => hugeString(r))) : e)),
  'payloads nested thousands deep': (events, r) => events.map((e) => (r.chance(0.05) ? withData(e, (d) => ({ ...d, [deepField(e.type, r)]: deepValue(r, 500 + r.int(12_000)) })) : e)),
  'unknown event types': (events, r) => events.map((e) => (r.chance(0.1) ? { ...e, type: r.pick(['FutureEvent', '', '__proto__', 'constructor', '$quarantine', 'toString', 'Workflow', hostileKey(r)]) } : e)),
  'hostile ids': (events, r) => events.map((e) => withData(e, (d) => {
    const out: Data = { ...d };
    for (const key of ['tool_use_id', 'agent_id', 'toolUseId', 'session_id']) if (key in out && r.chance(0.5)) out[key] = hostileKey(r);
    return out;
  })),
  'broken timestamps': (events, r) => events.map((e) => (r.chance(0.3) ? { ...e, metadata: brokenMetadata(e.metadata, r) } : e)),
  'non-object payloads': (events, r) => events.map((e) => (r.chance(0.05) ? { ...e, data: r.pick<unknown>([null, [], 'text', 42, true, [{ tool_use_id: 'x' }]]) } : e)),
  'events out of order in time': (events, r) => events.map((e) => (r.chance(0.3) ? { ...e, metadata: { ...e.metadata, receivedAt: iso(T0 + r.int(3_600_000) - 1_800_000) } } : e)),
};

/** One hostile stream: a base session, then up to four mutations. */
export function hostileStream(r: Random, streamId: string): FuzzStream {
  const classes: string[] = [];
  let events = baseStream(r, streamId, classes);
  const names = Object.keys(MUTATIONS);
  for (let n = r.int(5); n > 0; n -= 1) {
    const name = r.pick(names);
    classes.push(name);
    events = (MUTATIONS[name] as Mutation)(events, r);
  }
  return { events: renumber(events, streamId), classes };
}

function baseStream(r: Random, streamId: string, classes: string[]): RecordedEvent[] {
  const roll = r.int(10);
  if (roll === 0) {
    classes.push('captured session');
    return fixtureRecordedEvents(streamId);
  }
  if (roll === 1) {
    classes.push('random event soup');
    return soup(r, streamId, 20 + r.int(200));
  }
  classes.push('generated session');
  return new SessionGenerator(r, streamId).session();
}

const SOUP_TYPES = [
  'SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest', 'PermissionDenied',
  'PostToolBatch', 'SubagentStart', 'SubagentStop', 'PreCompact', 'PostCompact', 'Stop', 'StopFailure', 'SessionEnd', 'Notification',
  'MessageDisplay', 'WorkflowStarted', 'WorkflowTransitioned', 'WorkflowTransitionRefused', 'WorkflowCommandRejected', 'JournalEntryWritten',
  'ReviewApproved', 'ReviewRejected', 'HookDenied', 'StopBlocked', 'WorkflowDefinitionChanged', 'InvalidHookInput', 'TeammateIdle',
];

/** Events of any type in any order, with a small vocabulary of ids so some of them match. */
function soup(r: Random, streamId: string, length: number): RecordedEvent[] {
  const id = (): string => r.pick(['t1', 't2', 't3', 'tool#1', 'permission#1', '__proto__', '$t']);
  const events: RecordedEvent[] = [];
  for (let i = 0; i < length; i += 1) {
    const type = r.pick(SOUP_TYPES);
    const data: Data = {
      session_id: streamId, hook_event_name: type, tool_use_id: id(), toolUseId: id(), tool_name: r.pick(['Bash', 'Edit', 'Write', 'constructor']),
      tool_input: { file_path: r.pick(['/w/a', '/w/b', '__proto__']), command: 'x' }, agent_id: r.chance(0.3) ? r.pick(['a1', 'a2', '$a']) : undefined,
      source: r.pick(['startup', 'resume', 'compact', 'clear']), notification_type: 'permission_prompt', tool_calls: [{ tool_use_id: id() }],
      at: iso(T0 + i * 1000), state: r.pick(['plan', 'build', '*']), to: r.pick(['plan', 'build']), from: r.pick(['plan', null]),
      iteration: r.int(3), definitionHash: 'h', text: 'note', files: [{ path: '/w/a', line: 2 }], tags: ['t'], duration_ms: r.int(100),
    };
    events.push(recorded(streamId, type, data, T0 + i * 1000));
  }
  return events;
}

function recorded(streamId: string, type: string, data: Data, ms: number): RecordedEvent {
  return {
    globalPosition: 0, streamId, streamPosition: 0, eventId: '', type, schemaVersion: 1, recordedAt: iso(ms),
    correlationId: null, causationId: null, data: JSON.parse(JSON.stringify(data)) as unknown, metadata: { source: 'hook', receivedAt: iso(ms) },
  };
}

/** Positions and ids as the store gives them: increasing, whatever the mutations did. */
export function renumber(events: readonly RecordedEvent[], streamId: string, firstPosition = 1): RecordedEvent[] {
  return events.map((e, i) => ({ ...e, streamId, globalPosition: firstPosition + i, streamPosition: i + 1, eventId: `${streamId}-${i + 1}` }));
}

// The field an event of this type is read for, most of the time: deep nesting where a fold looks.
function deepField(type: string, r: Random): string {
  const read: Readonly<Record<string, string>> = {
    PostToolUseFailure: 'error', PreToolUse: 'tool_input', PermissionRequest: 'tool_input', PostToolBatch: 'tool_calls',
    PostToolUse: 'tool_input', WorkflowStarted: 'definition', WorkflowDefinitionChanged: 'definition', JournalEntryWritten: 'files',
  };
  return r.chance(0.7) ? read[type] ?? 'tool_input' : r.pick(['tool_input', 'error', 'tool_calls', 'tool_response', 'definition', 'files', 'tags']);
}

function withData(event: RecordedEvent, change: (d: Data) => unknown): RecordedEvent {
  const d = event.data;
  return typeof d === 'object' && d !== null && !Array.isArray(d) ? { ...event, data: change(d as Data) } : event;
}

function mutateField(d: Data, r: Random, value: () => unknown): Data {
  const keys = Object.keys(d);
  const key = keys.length === 0 || r.chance(0.2) ? hostileKey(r) : r.pick(keys);
  const out: Data = { ...d };
  Object.defineProperty(out, key, { value: value(), writable: true, enumerable: true, configurable: true });
  return out;
}

function brokenMetadata(metadata: Readonly<Record<string, unknown>>, r: Random): Record<string, unknown> {
  const roll = r.int(5);
  if (roll === 0) return { source: 'hook' };
  if (roll === 1) return { ...metadata, receivedAt: r.pick<unknown>(['yesterday', '', 42, null, '+275760-09-13T00:00:00.001Z', '1970-01-01T00:00:00.000Z']) };
  if (roll === 2) return { ...metadata, source: r.pick<unknown>(['cli', 'mcp', 'workflow', 7, null]) };
  if (roll === 3) return {};
  return { ...metadata, receivedAt: iso(T0 - r.int(1_000_000_000)) };
}
