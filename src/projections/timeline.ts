import { MAX_OPEN_TOOL_CALLS } from '../domain/lifecycle-open';
import type { RecordedEvent } from '../store/event-store';

// The report's timeline as lanes of timed items: the lifecycle and workflow states, the tool calls
// of the main agent and of subagents, the subagents themselves and point markers (prompts,
// denials, refusals, compactions…). Built incrementally, event by event, beside the session
// summary fold (which gives the clamped clock and the states), so a live session only adds what
// is new. build() never changes the builder: a model built halfway equals one built from scratch.
// Open calls are bounded like the lifecycle's (domain/lifecycle-open.ts): past the bound the
// oldest is closed as interrupted, so ending a turn or a subagent never scans an unbounded list.

export type TimelineLaneId = 'lifecycle' | 'workflow' | 'tools' | 'subagents' | 'subagent-tools' | 'markers';

/** One bar (or point, when start equals end). `kind` is a state name, a call outcome or a marker kind. */
export interface TimelineItem {
  readonly start: number;
  readonly end: number;
  /** The sub-row of the lane (parallel calls overlap, so they are packed into rows). */
  readonly row: number;
  readonly label: string;
  readonly kind: string;
  /** Global position of the event that started it (selects it in the log). */
  readonly position: number | null;
  /** Items merged into this one when the lane had too many to draw; 1 otherwise. */
  readonly count: number;
}

export interface TimelineLane {
  readonly id: TimelineLaneId;
  readonly label: string;
  readonly rows: number;
  readonly items: readonly TimelineItem[];
  /** How many items the lane had before merging (0 when nothing was merged). */
  readonly merged: number;
}

/** The timeline of a session; times are epoch ms. */
export interface TimelineModel {
  readonly start: number | null;
  readonly end: number | null;
  readonly lanes: readonly TimelineLane[];
}

/** Beyond this many items a lane merges neighbours: the view stays responsive on 100k-event sessions. */
export const MAX_LANE_ITEMS = 3000;
const MAX_ROWS = 12;
const LABEL_MAX = 100;

interface Span { readonly start: number; readonly end: number | null; readonly label: string; readonly kind: string; readonly position: number | null }
interface OpenCall { readonly tool: string; readonly agentId: string | null; readonly start: number; readonly position: number; readonly denied: boolean }
interface ClosedCall extends OpenCall { readonly end: number; readonly outcome: string }
interface OpenAgent { readonly label: string; readonly start: number; readonly position: number }
type Payload = Readonly<Record<string, unknown>>;

/** What the builder reads of the summary around an event: a SessionSummaryState, or the lighter timeline-fold.ts state. */
export interface TimelineMoment {
  readonly lastEventAt: number | null;
  readonly lifecycle: { readonly state: string };
  readonly workflow: { readonly state: { readonly current: string | null } };
}

export class TimelineBuilder {
  private readonly lifecycle: Span[] = [];
  private readonly workflow: Span[] = [];
  private readonly calls: ClosedCall[] = [];
  private readonly openCalls = new Map<string, OpenCall>();
  private readonly deniedEarly = new Set<string>();
  private readonly agents: Span[] = [];
  private readonly openAgents = new Map<string, OpenAgent>();
  private readonly markers: Span[] = [];
  private first: number | null = null;
  private last: number | null = null;

  /** Adds one event, given the summary before and after it was folded. */
  add(event: RecordedEvent, before: TimelineMoment, after: TimelineMoment): void {
    const at = after.lastEventAt;
    if (at === null) return;
    this.first ??= at;
    this.last = at;
    this.follow(this.lifecycle, after.lifecycle.state, at, event.globalPosition);
    this.follow(this.workflow, after.workflow.state.current, at, event.globalPosition);
    const d = asPayload(event.data);
    this.onEvent(event.type, d, at, event.globalPosition, before);
  }

  build(): TimelineModel {
    const end = this.last;
    if (end === null || this.first === null) return { start: null, end: null, lanes: [] };
    const closeAt = (s: Span): TimelineItem => ({ start: s.start, end: s.end ?? end, row: 0, label: s.label, kind: s.kind, position: s.position, count: 1 });
    const open = [...this.openCalls.values()].map((c): ClosedCall => ({ ...c, end, outcome: 'open' }));
    const calls = [...this.calls, ...open].sort((a, b) => a.start - b.start || a.position - b.position);
    const callItem = (c: ClosedCall): Omit<TimelineItem, 'row'> => ({ start: c.start, end: c.end, label: c.tool, kind: c.outcome, position: c.position, count: 1 });
    const agents = [...this.agents, ...[...this.openAgents.values()].map((a): Span => ({ start: a.start, end: null, label: a.label, kind: 'open', position: a.position }))];
    const lanes: TimelineLane[] = [lane('lifecycle', 'Lifecycle', this.lifecycle.map(closeAt))];
    if (this.workflow.length > 0) lanes.push(lane('workflow', 'Workflow', this.workflow.map(closeAt)));
    lanes.push(packed('tools', 'Tool calls', calls.filter((c) => c.agentId === null).map(callItem)));
    if (agents.length > 0) {
      lanes.push(packed('subagents', 'Subagents', agents.sort((a, b) => a.start - b.start).map(closeAt)));
      lanes.push(packed('subagent-tools', 'Subagent tool calls', calls.filter((c) => c.agentId !== null).map(callItem)));
    }
    lanes.push(lane('markers', 'Markers', this.markers.map(closeAt)));
    return { start: this.first, end, lanes };
  }

  // A state lane: the state after each event, a new bar whenever it changes.
  private follow(spans: Span[], state: string | null, at: number, position: number): void {
    const current = spans[spans.length - 1];
    if (current !== undefined && current.end === null) {
      if (current.kind === state) return;
      spans[spans.length - 1] = { ...current, end: at };
    }
    if (state !== null) spans.push({ start: at, end: null, label: state, kind: state, position });
  }

  private onEvent(type: string, d: Payload, at: number, position: number, before: TimelineMoment): void {
    const id = text(d['tool_use_id']);
    switch (type) {
      case 'PreToolUse': {
        const key = id ?? `#${position}`;
        this.openCalls.set(key, { tool: text(d['tool_name']) ?? '?', agentId: text(d['agent_id']), start: at, position, denied: this.deniedEarly.delete(key) });
        return this.keepBounded(at);
      }
      case 'PostToolUse': return this.closeCall(id, 'ok', at);
      case 'PostToolUseFailure':
        this.mark('failed', `${text(d['tool_name']) ?? '?'} failed`, at, position);
        return this.closeCall(id, 'failed', at);
      case 'PermissionDenied':
        this.mark('denied', `${text(d['tool_name']) ?? '?'} denied (permission)`, at, position);
        return this.closeCall(id, 'denied', at);
      case 'HookDenied': return this.onHookDenied(d, at, position);
      case 'PostToolBatch':
        for (const call of Array.isArray(d['tool_calls']) ? d['tool_calls'] : []) this.closeCall(text(asPayload(call)['tool_use_id']), 'denied', at);
        return;
      case 'Stop':
      case 'StopFailure':
        if (text(d['agent_id']) === null) this.closeAll((c) => c.agentId === null, at);
        return;
      case 'SessionStart':
        if (d['source'] !== 'compact') this.closeAll(() => true, at);
        return;
      case 'SessionEnd':
        this.closeAll(() => true, at);
        return this.mark('end', `session ended${text(d['reason']) === null ? '' : ` (${text(d['reason'])})`}`, at, position);
      case 'SubagentStart': return this.onSubagentStart(d, at, position);
      case 'SubagentStop': return this.onSubagentStop(d, at);
      case 'UserPromptSubmit':
        if (text(d['agent_id']) === null) this.mark('prompt', `prompt: ${text(d['prompt']) ?? ''}`, at, position);
        return;
      case 'PreCompact': return this.mark('compaction', `compaction (${text(d['trigger']) ?? '?'})`, at, position);
      case 'WorkflowTransitionRefused': return this.mark('refused', `refused ${text(d['from']) ?? '?'} → ${text(d['to']) ?? '?'}: ${text(d['reason']) ?? ''}`, at, position);
      case 'WorkflowCommandRejected': return this.mark('refused', `${text(d['command']) ?? 'command'} rejected: ${text(d['reason']) ?? ''}`, at, position);
      case 'ReviewRejected': return this.mark('rejected', `review rejected: ${text(d['notes']) ?? ''}`, at, position);
      case 'ReviewApproved': return this.mark('approved', `review approved: ${text(d['notes']) ?? ''}`, at, position);
      case 'StopBlocked': return this.mark('blocked', `stop blocked: ${text(d['reason']) ?? ''}`, at, position);
      case 'JournalEntryWritten': return this.mark('journal', `journal: ${text(d['text']) ?? ''}`, at, position);
      case 'WorkflowTransitioned': return this.mark('transition', `${text(d['from']) ?? before.workflow.state.current ?? '?'} → ${text(d['to']) ?? '?'}`, at, position);
      default:
    }
  }

  private onHookDenied(d: Payload, at: number, position: number): void {
    const id = text(d['toolUseId']);
    const call = id === null ? undefined : this.openCalls.get(id);
    if (id !== null && call !== undefined) this.openCalls.set(id, { ...call, denied: true });
    else if (id !== null) remember(this.deniedEarly, id);
    this.mark('denied', `${text(d['toolName']) ?? call?.tool ?? '?'} denied: ${text(d['reason']) ?? ''}`, at, position);
  }

  private onSubagentStart(d: Payload, at: number, position: number): void {
    const agentId = text(d['agent_id']);
    if (agentId === null) return;
    this.openAgents.set(agentId, { label: `${text(d['agent_type']) ?? 'subagent'} ${agentId.slice(0, 8)}`, start: at, position });
  }

  // A SubagentStop without a start is compaction's: ignored, as the summary does.
  private onSubagentStop(d: Payload, at: number): void {
    const agentId = text(d['agent_id']);
    const agent = agentId === null ? undefined : this.openAgents.get(agentId);
    if (agentId === null || agent === undefined) return;
    this.openAgents.delete(agentId);
    this.agents.push({ start: agent.start, end: at, label: agent.label, kind: 'done', position: agent.position });
    this.closeAll((c) => c.agentId === agentId, at);
  }

  private closeCall(id: string | null, outcome: string, at: number): void {
    const call = id === null ? undefined : this.openCalls.get(id);
    if (id === null || call === undefined) return;
    this.openCalls.delete(id);
    this.calls.push({ ...call, end: at, outcome: call.denied ? 'denied' : outcome });
  }

  // Calls still open when the turn or the session ends never got an end event.
  private closeAll(which: (call: OpenCall) => boolean, at: number): void {
    for (const [id, call] of [...this.openCalls]) if (which(call)) this.closeCall(id, 'interrupted', at);
  }

  // Closes the oldest calls past the bound: their end, if it ever comes, finds nothing open.
  private keepBounded(at: number): void {
    for (const [id] of this.openCalls) {
      if (this.openCalls.size <= MAX_OPEN_TOOL_CALLS) return;
      this.closeCall(id, 'interrupted', at);
    }
  }

  private mark(kind: string, label: string, at: number, position: number): void {
    this.markers.push({ start: at, end: at, label: oneLine(label), kind, position });
  }
}

// A denial whose PreToolUse never comes is forgotten once the bound's worth of newer ones came.
function remember(early: Set<string>, id: string): void {
  early.add(id);
  for (const oldest of early) {
    if (early.size <= MAX_OPEN_TOOL_CALLS) return;
    early.delete(oldest);
  }
}

function lane(id: TimelineLaneId, label: string, items: readonly TimelineItem[]): TimelineLane {
  return capLane({ id, label, rows: 1, items, merged: 0 }, id === 'markers' ? worstKind : longestKind);
}

/** Greedy packing: each item goes to the first row free at its start; past MAX_ROWS, to the row that frees first. */
function packRows(items: readonly Omit<TimelineItem, 'row'>[]): { readonly rows: number; readonly items: TimelineItem[] } {
  const ends: number[] = [];
  const placed = items.map((item): TimelineItem => {
    let row = ends.findIndex((end) => end <= item.start);
    if (row < 0 && ends.length < MAX_ROWS) row = ends.push(item.end) - 1;
    if (row < 0) row = ends.indexOf(Math.min(...ends));
    ends[row] = Math.max(ends[row] ?? item.end, item.end);
    return { ...item, row };
  });
  return { rows: Math.max(1, ends.length), items: placed };
}

function packed(id: TimelineLaneId, label: string, items: readonly Omit<TimelineItem, 'row'>[]): TimelineLane {
  const { rows, items: placed } = packRows(items);
  return capLane({ id, label, rows, items: placed, merged: 0 }, worstKind);
}

// What a merged group shows: the worst outcome (calls, markers), or the state it spent most time in.
type KindOf = (group: readonly TimelineItem[]) => string;
const SEVERITY = ['failed', 'refused', 'rejected', 'denied', 'blocked', 'interrupted', 'compaction', 'open', 'approved', 'journal', 'transition', 'prompt', 'end', 'done', 'ok'];

/** What a merged run of calls or markers shows: the worst outcome it holds (the unified timeline merges with it too). */
export function worstKind(group: readonly { readonly kind: string }[]): string {
  const kinds = new Set(group.map((i) => i.kind));
  return SEVERITY.find((k) => kinds.has(k)) ?? group[0]?.kind ?? '';
}

/** What a merged run of states shows: the state it spent most time in. */
export function longestKind(group: readonly { readonly kind: string; readonly start: number; readonly end: number }[]): string {
  const time = new Map<string, number>();
  for (const i of group) time.set(i.kind, (time.get(i.kind) ?? 0) + i.end - i.start);
  return [...time].reduce((best, next) => (next[1] > best[1] ? next : best), ['', -1] as [string, number])[0];
}

// Merges runs of neighbours in each row into one item ("12 items") of the group's kind.
function capLane(l: TimelineLane, kindOf: KindOf): TimelineLane {
  if (l.items.length <= MAX_LANE_ITEMS) return l;
  const size = Math.ceil(l.items.length / MAX_LANE_ITEMS);
  const byRow = new Map<number, TimelineItem[]>();
  for (const item of l.items) {
    const row = byRow.get(item.row);
    if (row === undefined) byRow.set(item.row, [item]);
    else row.push(item);
  }
  const items: TimelineItem[] = [];
  for (const rowItems of byRow.values()) {
    for (let i = 0; i < rowItems.length; i += size) items.push(mergeItems(rowItems.slice(i, i + size), kindOf));
  }
  items.sort((a, b) => a.start - b.start || a.row - b.row);
  return { ...l, items, merged: l.items.length };
}

function mergeItems(group: readonly TimelineItem[], kindOf: KindOf): TimelineItem {
  const first = group[0] as TimelineItem;
  if (group.length === 1) return first;
  const kind = kindOf(group);
  const count = group.reduce((n, i) => n + i.count, 0);
  return { start: first.start, end: Math.max(...group.map((i) => i.end)), row: first.row, label: `${count} items`, kind, position: first.position, count };
}

function oneLine(label: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = label.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > LABEL_MAX ? `${flat.slice(0, LABEL_MAX - 1)}…` : flat;
}

function asPayload(value: unknown): Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
