import type { RecordedEvent } from '../../store/event-store';
import type { LinkEvidence, LinkKind, SessionLink } from '../../domain/groups/model';
import { eventTimeMs } from '../../domain/lifecycle-time';
import { oneLine } from '../../domain/one-line';
import { isSessionStream } from '../session-catalog';
import { readOrigin } from './origin-event';
import type { RecordedOrigin } from './origin-event';

// Links between sessions, folded event by event as the writer appends them (link-keeper.ts), so a
// link costs a lookup when its evidence arrives, never a scan of the history. Only events that are
// few look further than their type: a session's start, a message, a task.
// - spawn (exact): a LogbookOrigin naming the session whose Bash tool started this one; the
//   parent's call is the open Bash call whose command the child's process tree shows (the parent's
//   latest events are read back then: RecentEvents);
// - handoff-task (inferred): a task A created (TaskCreated) that B completed (TaskCompleted), in
//   the same task list: an agent team's (team_name) or the session's own ("session-<id start>");
// - message (exact): a SendMessage from A to the team member B is (an agent team's teammates run
//   as their own sessions, started with --parent-session-id/--team-name/--agent-name, which the
//   origin records; the lead is "team-lead").
// File and commit hand-offs are inferred when a group is read (handoffs.ts): every Read, Write
// and Bash call would otherwise pay at ingest for links only a group shows.
// The state is keyed parts (a session's record, a link, a task, a team member); the keeper loads
// a part on first use and saves those a pass changed.

/** What one event did, as evidence names it. */
export type Touch = LinkEvidence;

/** An open call of a session (Bash until its PostToolUse; a named Agent): a child started now came from one of these. */
export interface OpenBash extends Touch {
  readonly toolUseId: string;
  /** The command with whitespace runs made single spaces (as the child's process tree shows it). */
  readonly command: string;
}

/** A session's part: where it came from, the spawn links into it, and how many other links it has. */
export interface SessionLinkRecord {
  readonly sessionId: string;
  origin: RecordedOrigin | null;
  /** Spawn links whose `to` is this session; the other links into it are parts of their own (linkPartKey). */
  links: SessionLink[];
}

/**
 * Where parts not in memory come from (the store); undefined: none yet. The parts: "s:" a
 * session's record, "l:" a link (linkPartKey), "t:" a task (team:id), "n:" a team member
 * (team:name → session).
 */
export type PartLoader = (key: string) => unknown;

/**
 * A session's latest events before a global position, in order (the store's, at most a few
 * hundred): read only when a child session starts, to find the parent's calls still open then,
 * so no event of the parent's pays for the few that start sessions.
 */
export type RecentEvents = (sessionId: string, before: number) => readonly RecordedEvent[];

/** How many of the parent's latest events are read for its open calls. */
export const RECENT_EVENTS = 500;

/** What the fold remembers for a part the store does not have. */
const ABSENT = Symbol('absent');
const MAX_OPEN_BASH = 32;
export const WHAT_MAX = 160;
const WATCHED_TYPES = new Set(['LogbookOrigin', 'PreToolUse', 'TaskCreated', 'TaskCompleted', 'TeammateIdle']);
/** The name an agent team gives its lead (SendMessage's `to`). */
const TEAM_LEAD = 'team-lead';

type Json = Readonly<Record<string, unknown>>;

/** The fold: parts in memory, the ones changed since the last save, a loader for the rest. */
export class LinkFold {
  private readonly parts = new Map<string, unknown>();
  private readonly dirty = new Set<string>();
  /** Link keys found by this fold (new ones and ones it already wrote): not found again. */
  private readonly seen = new Set<string>();
  private readonly newLinks = new Map<string, SessionLink>();
  /** Links this fold found and handed over (tests and a reader's tail read them back). */
  private readonly held = new Map<string, SessionLink>();

  constructor(private readonly load: PartLoader = () => undefined, private readonly recent: RecentEvents = () => []) {}

  /** Folds one stored event (any type; most return at the first check). */
  apply(event: RecordedEvent): void {
    if (!WATCHED_TYPES.has(event.type) || !isSessionStream(event.streamId)) return;
    const data = event.data;
    if (typeof data !== 'object' || data === null) return;
    const d = data as Json;
    switch (event.type) {
      case 'LogbookOrigin': return this.origin(event, d);
      case 'PreToolUse': return this.preToolUse(event, d);
      case 'TaskCreated': return this.taskCreated(event, d);
      case 'TaskCompleted': return this.taskCompleted(event, d);
      case 'TeammateIdle': return this.joinTeam(event, d);
      default: return undefined;
    }
  }

  /** The parts changed since the last call, to save; they stay in memory. */
  takeDirty(): Array<[string, unknown]> {
    const out: Array<[string, unknown]> = [];
    for (const key of this.dirty) out.push([key, this.parts.get(key)]);
    this.dirty.clear();
    return out;
  }

  /** Forgets what is in memory (the store is read again on use): after a rollback, or to bound memory. */
  forget(): void {
    this.parts.clear();
    this.dirty.clear();
    this.seen.clear();
    this.newLinks.clear();
    this.held.clear();
  }

  get size(): number {
    return this.parts.size + this.seen.size;
  }

  /** A session's record as the fold holds it (tests, and readers folding a store without stored links). */
  session(sessionId: string): SessionLinkRecord | undefined {
    return this.get(`s:${sessionId}`) as SessionLinkRecord | undefined;
  }

  /** Every link into a session the fold holds in memory, spawns first (tests; a reader folding the store's tail). */
  linksInto(sessionId: string): SessionLink[] {
    const [from, to] = linkPartRange(sessionId);
    const found = [...this.held.entries(), ...this.newLinks.entries()].filter(([key]) => key >= from && key < to).map(([, link]) => link);
    return [...(this.session(sessionId)?.links ?? []), ...found.sort((a, b) => a.at - b.at)];
  }

  private get(key: string): unknown {
    const held = this.parts.get(key);
    if (held !== undefined) return held === ABSENT ? undefined : held;
    const loaded = this.load(key);
    // An absent part is remembered too: a task list or team name asked again costs no query.
    this.parts.set(key, loaded === undefined ? ABSENT : loaded);
    return loaded;
  }

  private set(key: string, value: unknown): void {
    this.parts.set(key, value);
    this.dirty.add(key);
  }

  private record(sessionId: string): SessionLinkRecord {
    const key = `s:${sessionId}`;
    const known = this.get(key) as SessionLinkRecord | undefined;
    const record = known ?? { sessionId, origin: null, links: [] };
    this.set(key, record);
    return record;
  }

  private origin(event: RecordedEvent, d: Json): void {
    const origin = readOrigin(event, d);
    if (origin === undefined) return;
    const record = this.record(event.streamId);
    // The first start says where the session came from; a resume may fill in what it lacked.
    record.origin = record.origin === null ? origin : { ...origin, ...stripUndefined(record.origin) };
    const parent = origin.parentSessionId;
    if (origin.team !== undefined && origin.agentName !== undefined) this.name(origin.team, origin.agentName, event.streamId);
    if (parent === undefined || parent === event.streamId) return;
    if (origin.team !== undefined) this.name(origin.team, TEAM_LEAD, parent);
    const teammate = origin.parentVia === 'argument';
    const child = touchOf(event, teammate
      ? `teammate ${origin.agentName ?? '?'} of team ${origin.team ?? '?'} started by ${parent.slice(0, 8)} (--parent-session-id)`
      : `started by ${parent.slice(0, 8)} (CLAUDE_CODE_SESSION_ID in its environment)`);
    const open = openCalls(this.recent(parent, event.globalPosition));
    const call = teammate ? agentCall(open, origin.agentName) : parentCall(open.filter((c) => !c.command.startsWith(AGENT_KEY)), origin.parentCommand);
    const evidence = call === undefined ? [child] : [call.call, child];
    this.addLink(event.streamId, {
      kind: 'spawn', from: parent, to: event.streamId, exact: true, at: child.at,
      subject: call?.call.command ?? origin.parentCommand ?? '',
      ...(call === undefined ? {} : { toolUseId: call.call.toolUseId, toolUseMatch: call.match }),
    }, () => evidence);
  }

  private preToolUse(event: RecordedEvent, d: Json): void {
    if (d['tool_name'] === 'SendMessage') this.message(event, d);
  }

  /** SendMessage to a member of this session's team: a message link, exact (the tool's input names the receiver). */
  private message(event: RecordedEvent, d: Json): void {
    const input = obj(d['tool_input']);
    const to = str(input['to']);
    if (to === undefined || to.length > 128) return;
    const team = this.teamOf(event.streamId);
    const target = this.get(`n:${team}:${to}`) as string | undefined;
    if (target === undefined || target === event.streamId) return;
    const summary = str(input['summary']) ?? (typeof input['message'] === 'string' ? input['message'] : 'message');
    this.addLink(target, { kind: 'message', from: event.streamId, to: target, exact: true, at: atOf(event), subject: `to ${to}` },
      () => [touchOf(event, `sent ${to}: ${summary}`)]);
  }

  /** A TeammateIdle (or TaskCompleted) naming this session's team and name: it is a teammate of that team. */
  private joinTeam(event: RecordedEvent, d: Json): void {
    const team = str(d['team_name']);
    const name = str(d['teammate_name']);
    if (team === undefined || name === undefined || team.length > 256 || name.length > 128) return;
    // The lead's own session hears of its in-process teammates too: it is not one of them.
    if (team === leadTeamOf(event.streamId)) return;
    if (this.get(`n:${team}:${name}`) === undefined) this.name(team, name, event.streamId);
    const record = this.record(event.streamId);
    if (record.origin?.team === undefined) {
      record.origin = { eventId: event.eventId, at: atOf(event), ...record.origin, team, agentName: name };
    }
  }

  private joinAsLead(team: string, sessionId: string, at: Touch): void {
    if (this.get(`n:${team}:${TEAM_LEAD}`) === undefined) this.name(team, TEAM_LEAD, sessionId);
    const record = this.record(sessionId);
    if (record.origin?.team === undefined) record.origin = { eventId: at.eventId, at: at.at, ...record.origin, team };
  }

  /** The task list a session's tasks belong to: its team's, else its own. */
  private teamOf(sessionId: string): string {
    return (this.get(`s:${sessionId}`) as SessionLinkRecord | undefined)?.origin?.team ?? leadTeamOf(sessionId);
  }

  private name(team: string, name: string, sessionId: string): void {
    const key = `n:${team}:${name}`;
    if (this.get(key) !== sessionId) this.set(key, sessionId);
  }

  private taskCreated(event: RecordedEvent, d: Json): void {
    const id = str(d['task_id']);
    if (id === undefined) return;
    const key = `t:${str(d['team_name']) ?? this.teamOf(event.streamId)}:${id}`;
    if (this.get(key) !== undefined) return;
    const subject = (str(d['task_subject']) ?? '').slice(0, WHAT_MAX);
    this.set(key, { ...touchOf(event, `created task ${id}: ${subject}`), subject });
  }

  private taskCompleted(event: RecordedEvent, d: Json): void {
    const id = str(d['task_id']);
    if (id === undefined) return;
    if (d['team_name'] !== undefined) this.joinTeam(event, d);
    const team = str(d['team_name']);
    const created = this.get(`t:${team ?? this.teamOf(event.streamId)}:${id}`) as (Touch & { subject: string }) | undefined;
    if (created === undefined || created.sessionId === event.streamId) return;
    // The team is named after its lead: the session that created the task in the team's list is
    // its lead, whether or not a teammate's origin said so.
    if (team !== undefined && team === leadTeamOf(created.sessionId)) this.joinAsLead(team, created.sessionId, created);
    this.addLink(event.streamId, { kind: 'handoff-task', from: created.sessionId, to: event.streamId, exact: false, at: atOf(event), subject: id },
      () => [created, touchOf(event, `completed task ${id}`)]);
  }

  /**
   * Adds a link into `to` unless it is known. A spawn goes in the session's record (one per start);
   * every other link is a part of its own (`l:<to>|<kind>|<from>|<subject>`), written with INSERT OR
   * IGNORE (takeNewLinks): the store keeps the first sighting, so finding whether the store holds it
   * costs no query, and a link seen again costs nothing. The evidence is made only for a new one.
   */
  private addLink(to: string, link: Omit<SessionLink, 'id' | 'evidence'>, evidence: () => readonly LinkEvidence[]): void {
    if (link.kind === 'spawn') {
      const record = this.record(to);
      const id = linkId(link.kind, link.from, link.to, link.subject);
      if (!record.links.some((l) => l.id === id)) record.links.push({ id, ...link, evidence: evidence().map(evidenceOf) });
      return;
    }
    const key = linkPartKey(to, link.kind, link.from, link.subject);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.newLinks.set(key, { id: linkId(link.kind, link.from, link.to, link.subject), ...link, evidence: evidence().map(evidenceOf) });
  }

  /** Links found since the last call, to insert unless the store has them; they stay known in memory. */
  takeNewLinks(): Array<[string, SessionLink]> {
    const out = [...this.newLinks.entries()];
    for (const [key, link] of out) this.held.set(key, link);
    this.newLinks.clear();
    return out;
  }
}

/** The part holding a link into `to`: every link into a session shares the prefix `l:<to>|`. */
export function linkPartKey(to: string, kind: LinkKind, from: string, subject: string): string {
  return `l:${to}|${kind}|${from}|${subject}`;
}

/** The range of part keys of the links into a session: [from, to). */
export function linkPartRange(to: string): readonly [string, string] {
  return [`l:${to}|`, `l:${to}}`];
}

/** A link's id: the same link found again (a rebuild, another writer) has the same one. */
export function linkId(kind: LinkKind, from: string, to: string, subject: string): string {
  const text = `${kind}\u0000${from}\u0000${to}\u0000${subject}`;
  return `link-${hash53(text, 0x9e3779b9)}${hash53(text, 0x85ebca6b)}`;
}

/**
 * cyrb53, a 53-bit string hash in plain numbers (a BigInt hash costed a third of linking's time),
 * as 14 hex digits. It names links; it guards nothing.
 */
function hash53(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/**
 * The calls of these events (one session's, in order) still open at their end: Bash calls until
 * their PostToolUse, PostToolUseFailure or PostToolBatch; named Agent calls (an agent team's
 * teammates) stay listed, since such a call returns as soon as its teammate is spawned, maybe
 * before the teammate's first hook.
 */
export function openCalls(events: readonly RecordedEvent[]): OpenBash[] {
  const open = new Map<string, OpenBash>();
  const close = (id: unknown): void => {
    const call = typeof id === 'string' ? open.get(id) : undefined;
    if (call !== undefined && !call.command.startsWith(AGENT_KEY)) open.delete(call.toolUseId);
  };
  for (const event of events) {
    const d = obj(event.data);
    if (event.type === 'PreToolUse') {
      const tool = d['tool_name'];
      const input = obj(d['tool_input']);
      const command = tool === 'Bash' ? str(input['command']) : tool === 'Agent' || tool === 'Task' ? agentKey(str(input['name'])) : undefined;
      const toolUseId = str(d['tool_use_id']);
      if (toolUseId === undefined || command === undefined) continue;
      const what = tool === 'Bash' ? `ran Bash: ${command}` : `started teammate ${command.slice(AGENT_KEY.length)}`;
      open.set(toolUseId, { ...touchOf(event, what), toolUseId, command: squash(command).slice(0, 4096) });
    } else if (event.type === 'PostToolUse' || event.type === 'PostToolUseFailure') {
      close(d['tool_use_id']);
    } else if (event.type === 'PostToolBatch') {
      for (const call of Array.isArray(d['tool_calls']) ? d['tool_calls'] : []) close(obj(call)['tool_use_id']);
    }
  }
  return [...open.values()].slice(-MAX_OPEN_BASH);
}

/** Open calls of a named Agent are kept under this prefix (with the teammate's name). */
const AGENT_KEY = 'agent:';

function agentKey(name: string | undefined): string | undefined {
  return name === undefined || name.length > 128 ? undefined : `${AGENT_KEY}${name}`;
}

/** The task list (and team) Claude Code names after a lead session: "session-" and its id's first 8 characters. */
export function leadTeamOf(sessionId: string): string {
  return `session-${sessionId.slice(0, 8)}`;
}

/** The lead's open Agent call that named this teammate. */
function agentCall(open: readonly OpenBash[], name: string | undefined): { call: OpenBash; match: 'command' | 'only-open-call' } | undefined {
  const key = agentKey(name);
  const matches = key === undefined ? [] : open.filter((c) => c.command === key);
  return matches.length === 1 ? { call: matches[0] as OpenBash, match: 'command' } : undefined;
}

/** The parent's call that started a child: the one open call whose command the child's tree shows, else the only open call. */
function parentCall(open: readonly OpenBash[], shown: string | undefined): { call: OpenBash; match: 'command' | 'only-open-call' } | undefined {
  if (shown !== undefined) {
    const text = squash(shown);
    const matches = open.filter((c) => c.command !== '' && text.includes(c.command));
    if (matches.length === 1) return { call: matches[0] as OpenBash, match: 'command' };
    // Quotes in the command are shown escaped ('\'' for '): compare without them too.
    const loose = open.filter((c) => c.command !== '' && text.replace(/'\\''/g, "'").includes(c.command));
    if (loose.length === 1) return { call: loose[0] as OpenBash, match: 'command' };
  }
  return open.length === 1 ? { call: open[0] as OpenBash, match: 'only-open-call' } : undefined;
}

function evidenceOf(t: Touch): LinkEvidence {
  return { sessionId: t.sessionId, eventId: t.eventId, position: t.position, at: t.at, what: t.what };
}

export function touchOf(event: RecordedEvent, what: string): Touch {
  return { sessionId: event.streamId, eventId: event.eventId, position: event.globalPosition, at: atOf(event), what: oneLine(what, WHAT_MAX) };
}

/** When the event was received (the hook stamps it; payloads carry no time). */
export function atOf(event: RecordedEvent): number {
  return eventTimeMs(event) ?? (Date.parse(event.recordedAt) || 0);
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}


function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
