import type { GroupMember } from '../../../domain/groups/model';
import type { GroupTimelineItem, GroupTimelineLane } from '../../../protocol/group-timeline';
import type { RecordedEvent } from '../../../store/event-store';
import { withinFold } from '../../fold-scope';
import { applySessionEvent, initialSessionSummary } from '../../session-summary';
import { TimelineBuilder } from '../../timeline';
import { oneLine } from '../../../domain/one-line';
import type { TimelineLane, TimelineModel } from '../../timeline';

// One member's lanes of the unified timeline, folded the way the report folds a session: the
// session summary fold with the report's TimelineBuilder beside it. The session lane takes the
// builder's lifecycle, markers and main-agent calls. Each subagent gets a builder of its own, fed
// that subagent's events (those carrying its agent_id, those naming one of its tool calls, and the
// session-wide events that close open calls), with the session's own before/after summaries: its
// "subagents" lane is then that one subagent and its "subagent-tools" lane that subagent's calls,
// paired, bounded, packed and capped exactly as the report does.

/** A moment of the member's clock and the event at it. */
export interface MemberMoment {
  readonly at: number;
  readonly position: number;
  /** The subagent the event belongs to, null for the main agent. */
  readonly agentId: string | null;
}

export interface MemberLanes {
  /** The session lane first, then one lane per subagent (in order of first appearance). */
  readonly lanes: readonly GroupTimelineLane[];
  readonly first: MemberMoment | null;
  /** The asked tool calls (spawn links' toolUseId): where their PreToolUse sits. */
  readonly calls: ReadonlyMap<string, MemberMoment>;
  /** The asked positions (links' evidence): which agent's event each is. */
  readonly agentAt: ReadonlyMap<number, string | null>;
  readonly events: number;
}

/** What the arrows need from this member's events. */
export interface MemberAsks {
  readonly toolUseIds: ReadonlySet<string>;
  readonly positions: ReadonlySet<number>;
}

// Session-wide events that close a subagent's open calls (or name calls by id, not by agent).
const TO_EVERY_AGENT = new Set(['SessionStart', 'SessionEnd', 'PostToolBatch']);
const LABEL_MAX = 80;

type Payload = Readonly<Record<string, unknown>>;

export function memberLanes(member: GroupMember, events: readonly RecordedEvent[], asks: MemberAsks): MemberLanes {
  const main = new TimelineBuilder();
  const agents = new Map<string, TimelineBuilder>();
  const agentOfCall = new Map<string, string>();
  const calls = new Map<string, MemberMoment>();
  const agentAt = new Map<number, string | null>();
  let first: MemberMoment | null = null;
  let folded = 0;
  withinFold(() => {
    let state = initialSessionSummary;
    for (const event of events) {
      const before = state;
      state = applySessionEvent(before, event);
      folded += 1;
      main.add(event, before, state);
      const d = asPayload(event.data);
      const toolUseId = text(d['tool_use_id']) ?? text(d['toolUseId']);
      const agentId = text(d['agent_id']) ?? (toolUseId === null ? null : agentOfCall.get(toolUseId) ?? null);
      if (agentId !== null && toolUseId !== null && event.type === 'PreToolUse') agentOfCall.set(toolUseId, agentId);
      if (agentId !== null) {
        let builder = agents.get(agentId);
        if (builder === undefined) agents.set(agentId, (builder = new TimelineBuilder()));
        builder.add(event, before, state);
      } else if (TO_EVERY_AGENT.has(event.type)) {
        for (const builder of agents.values()) builder.add(event, before, state);
      }
      const at = state.lastEventAt;
      if (at === null) continue;
      first ??= { at, position: event.globalPosition, agentId };
      if (toolUseId !== null && event.type === 'PreToolUse' && asks.toolUseIds.has(toolUseId)) calls.set(toolUseId, { at, position: event.globalPosition, agentId });
      if (asks.positions.has(event.globalPosition)) agentAt.set(event.globalPosition, agentId);
    }
  });
  const lanes = [sessionLane(member, main.build())];
  for (const [agentId, builder] of agents) lanes.push(subagentLane(member.sessionId, agentId, builder.build()));
  return { lanes, first, calls, agentAt, events: folded };
}

function sessionLane(member: GroupMember, model: TimelineModel): GroupTimelineLane {
  const sessionId = member.sessionId;
  const find = (id: TimelineLane['id']): TimelineLane | undefined => model.lanes.find((l) => l.id === id);
  const tools = find('tools');
  const items: GroupTimelineItem[] = [
    ...itemsOf(find('lifecycle'), sessionId, 'state', 0),
    ...itemsOf(find('markers'), sessionId, 'marker', 0),
    ...itemsOf(tools, sessionId, 'call', 1),
  ];
  return {
    id: sessionId, sessionId, agentId: null, label: oneLine(member.title ?? shortId(sessionId), LABEL_MAX), shortId: shortId(sessionId), role: member.role, depth: 0,
    rows: 1 + (tools !== undefined && tools.items.length > 0 ? tools.rows : 0),
    span: model.start === null || model.end === null ? null : { start: model.start, end: model.end },
    items, merged: 0,
  };
}

function subagentLane(sessionId: string, agentId: string, model: TimelineModel): GroupTimelineLane {
  const agent = model.lanes.find((l) => l.id === 'subagents')?.items[0];
  const tools = model.lanes.find((l) => l.id === 'subagent-tools');
  const items = itemsOf(tools, sessionId, 'call', 0);
  const starts = items.map((i) => i.start);
  const span = agent !== undefined ? { start: agent.start, end: agent.end } : starts.length > 0 ? { start: Math.min(...starts), end: Math.max(...items.map((i) => i.end)) } : null;
  return {
    id: `${sessionId}/${agentId}`, sessionId, agentId, label: oneLine(agent?.label ?? `subagent ${shortId(agentId)}`, LABEL_MAX), shortId: shortId(agentId), role: 'subagent', depth: 1,
    rows: Math.max(1, tools?.rows ?? 1), span, items, merged: 0,
  };
}

function itemsOf(lane: TimelineLane | undefined, sessionId: string, layer: GroupTimelineItem['layer'], rowOffset: number): GroupTimelineItem[] {
  if (lane === undefined) return [];
  return lane.items.map((i) => ({ start: i.start, end: i.end, row: i.row + rowOffset, layer, label: i.label, kind: i.kind, sessionId, position: i.position, count: i.count }));
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}


function asPayload(value: unknown): Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
