import type { GroupMember } from '../../../domain/groups/model';
import type { GroupTimelineItem, GroupTimelineLane } from '../../../protocol/group-timeline';
import type { RecordedEvent } from '../../../store/event-store';
import { withinFold } from '../../fold-scope';
import { applyTimelineEvent, initialTimelineFold } from '../../timeline-fold';
import type { TimelineFoldState } from '../../timeline-fold';
import { handoffActs } from '../handoffs';
import type { HandoffAct } from '../handoffs';
import { TimelineBuilder } from '../../timeline';
import { oneLine } from '../../../domain/one-line';
import type { TimelineLane, TimelineModel } from '../../timeline';

// One member's lanes of the unified timeline, folded the way the report folds a session: the
// timeline part of the session summary fold (timeline-fold.ts) with the report's TimelineBuilder
// beside it. The session lane takes the builder's lifecycle, markers and main-agent calls. Each
// subagent gets a builder of its own, fed that subagent's events (those carrying its agent_id,
// those naming one of its tool calls, and the session-wide events that close open calls), with the
// session's own before/after states: its "subagents" lane is then that one subagent and its
// "subagent-tools" lane that subagent's calls, paired, bounded, packed and capped as the report does.
//
// A MemberFold is extended with a member's new events (the views keep one per member between
// openings and refreshes, src/read/member-folds.ts): what it keeps for the arrows (every
// call by id, which events were a subagent's) and for the hand-offs (handoffs.ts acts) does not
// depend on the group's links, so a group that gains a link or a member reuses it.

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
  /** The member's tool calls by tool_use_id: where their PreToolUse sits. */
  readonly calls: ReadonlyMap<string, MemberMoment>;
  /** The positions of the member's events that were a subagent's, and whose (a main-agent event is absent). */
  readonly agentAt: ReadonlyMap<number, string>;
  readonly events: number;
}

// Session-wide events that close a subagent's open calls (or name calls by id, not by agent).
const TO_EVERY_AGENT = new Set(['SessionStart', 'SessionEnd', 'PostToolBatch']);
const LABEL_MAX = 80;

type Payload = Readonly<Record<string, unknown>>;

/** A member's events folded so far; extend() takes the next ones, in stream order. */
export class MemberFold {
  private state: TimelineFoldState = initialTimelineFold;
  private readonly main = new TimelineBuilder();
  private readonly agents = new Map<string, TimelineBuilder>();
  private readonly agentOfCall = new Map<string, string>();
  private readonly calls = new Map<string, MemberMoment>();
  private readonly agentAt = new Map<number, string>();
  private readonly acts: HandoffAct[] = [];
  private first: MemberMoment | null = null;
  private folded = 0;
  private lastSeq = 0;
  private built: { readonly key: string; readonly lanes: readonly GroupTimelineLane[] } | undefined;

  constructor(readonly sessionId: string) {}

  /** Events folded so far. */
  get events(): number {
    return this.folded;
  }

  /** The stream position of the last event folded (0 before any): read on from the next. */
  get streamPosition(): number {
    return this.lastSeq;
  }

  /** The member's clock after the last event folded (null before a timed one). */
  get lastAt(): number | null {
    return this.state.lastEventAt;
  }

  /** The member's file and commit acts so far (handoffs.ts). */
  get handoffActs(): readonly HandoffAct[] {
    return this.acts;
  }

  /**
   * Folds the member's next events, in stream order: those already folded are skipped, and a gap
   * (an event past the next position) ends what is taken, so the fold is always its stream's start.
   */
  extend(events: readonly RecordedEvent[]): void {
    const fresh: RecordedEvent[] = [];
    let seq = this.lastSeq;
    for (const event of events) {
      if (event.streamPosition <= seq) continue;
      if (event.streamPosition !== seq + 1) break;
      seq = event.streamPosition;
      fresh.push(event);
    }
    if (fresh.length === 0) return;
    withinFold(() => {
      for (const event of fresh) this.add(event);
    });
    this.lastSeq = seq;
    for (const act of handoffActs(fresh)) this.acts.push(act);
    this.built = undefined;
  }

  /** The member's lanes, with what the arrows look up. */
  lanes(member: GroupMember): MemberLanes {
    const key = `${member.title ?? ''}\u0000${member.role}`;
    if (this.built?.key !== key) {
      const lanes = [sessionLane(member, this.main.build())];
      for (const [agentId, builder] of this.agents) lanes.push(subagentLane(member.sessionId, agentId, builder.build()));
      this.built = { key, lanes };
    }
    return { lanes: this.built.lanes, first: this.first, calls: this.calls, agentAt: this.agentAt, events: this.folded };
  }

  private add(event: RecordedEvent): void {
    const before = this.state;
    const state = applyTimelineEvent(before, event);
    this.state = state;
    this.folded += 1;
    this.main.add(event, before, state);
    const d = asPayload(event.data);
    const toolUseId = text(d['tool_use_id']) ?? text(d['toolUseId']);
    const agentId = text(d['agent_id']) ?? (toolUseId === null ? null : this.agentOfCall.get(toolUseId) ?? null);
    if (agentId !== null && toolUseId !== null && event.type === 'PreToolUse') this.agentOfCall.set(toolUseId, agentId);
    if (agentId !== null) {
      let builder = this.agents.get(agentId);
      if (builder === undefined) this.agents.set(agentId, (builder = new TimelineBuilder()));
      builder.add(event, before, state);
      this.agentAt.set(event.globalPosition, agentId);
    } else if (TO_EVERY_AGENT.has(event.type)) {
      for (const builder of this.agents.values()) builder.add(event, before, state);
    }
    const at = state.lastEventAt;
    if (at === null) return;
    this.first ??= { at, position: event.globalPosition, agentId };
    if (toolUseId !== null && event.type === 'PreToolUse') this.calls.set(toolUseId, { at, position: event.globalPosition, agentId });
  }
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
    id: sessionId, sessionId, agentId: null, label: laneLabel(member), shortId: shortId(sessionId), role: member.role, depth: 0,
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

/** A member's lane label: its title, or the start of its id. Untrusted text made one line. */
export function laneLabel(member: GroupMember): string {
  return oneLine(member.title ?? shortId(member.sessionId), LABEL_MAX);
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
