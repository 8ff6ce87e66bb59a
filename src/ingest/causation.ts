import type { EventStore } from '../store/event-store';
import { PreparedEvent } from './hook-fast-path';
import type { IngestRecord } from './normalize';

// Links an event to the one that caused it: a tool's result to its PreToolUse (by
// tool_use_id), a SubagentStop to its SubagentStart (by agent_id). Lets later views follow
// chains without re-deriving them.

const TOOL_OUTCOMES = new Set(['PostToolUse', 'PostToolUseFailure', 'PermissionDenied']);

export class CausationLinker {
  private readonly causes = new Map<string, string>();
  /** Streams whose stored causes were loaded: a miss there is definitive. */
  private readonly loadedStreams = new Set<string>();

  constructor(private readonly store: EventStore) {}

  link(record: IngestRecord): IngestRecord {
    const keys = record.links ?? keysOf(record.event.data);
    if (keys === undefined) return record;
    const type = record.event.type;
    const toolUseId = keys.toolUseId ?? undefined;
    const agentId = keys.agentId ?? undefined;
    if (type === 'PreToolUse' && toolUseId !== undefined) this.remember(record.streamId, `tool:${toolUseId}`, record.event.eventId);
    if (type === 'SubagentStart' && agentId !== undefined) this.remember(record.streamId, `agent:${agentId}`, record.event.eventId);
    let key: string | undefined;
    if (TOOL_OUTCOMES.has(type) && toolUseId !== undefined) key = `tool:${toolUseId}`;
    if (type === 'SubagentStop' && agentId !== undefined) key = `agent:${agentId}`;
    if (key === undefined) return record;
    const cause = this.causes.get(`${record.streamId}|${key}`) ?? this.lookup(record.streamId, key);
    if (cause === '') return record;
    // A prepared event keeps its data unparsed: copying it with a spread would parse it.
    const event = record.event instanceof PreparedEvent ? record.event.withCausation(cause) : { ...record.event, causationId: cause };
    return { streamId: record.streamId, event };
  }

  private remember(streamId: string, key: string, eventId: string): void {
    this.causes.set(`${streamId}|${key}`, eventId);
  }

  /**
   * After a restart the map is empty: the first miss in a stream loads every cause that stream
   * holds, once; after that a miss is definitive (a cause always precedes its effect).
   */
  private lookup(streamId: string, key: string): string {
    if (!this.loadedStreams.has(streamId)) {
      this.loadedStreams.add(streamId);
      for (const event of this.store.readStream(streamId)) {
        const data = event.data as Record<string, unknown> | null;
        if (data === null || typeof data !== 'object') continue;
        if (event.type === 'PreToolUse' && typeof data['tool_use_id'] === 'string') this.causes.set(`${streamId}|tool:${data['tool_use_id']}`, event.eventId);
        if (event.type === 'SubagentStart' && typeof data['agent_id'] === 'string') this.causes.set(`${streamId}|agent:${data['agent_id']}`, event.eventId);
      }
    }
    return this.causes.get(`${streamId}|${key}`) ?? '';
  }
}

/** The causation keys in an event's data, if it is an object. */
function keysOf(data: unknown): { toolUseId: string | null; agentId: string | null } | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const record = data as Record<string, unknown>;
  return {
    toolUseId: typeof record['tool_use_id'] === 'string' ? record['tool_use_id'] : null,
    agentId: typeof record['agent_id'] === 'string' ? record['agent_id'] : null,
  };
}
