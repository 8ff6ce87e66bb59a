import type { GroupMember, SessionLink } from '../../../domain/groups/model';
import type { CriticalPath, GroupFacts, MemberCall, PathStep } from '../../../domain/groups/facts';

// The critical path of a group: the chain of work and waits that set the group's end time, read
// backwards from the member whose last event is the group's end. Kept explainable on purpose: each
// step names one member and, for a wait, the member and the link it waited on.
//
// At member S, at time t, S depends on:
//   - a child C it started (a spawn link from S) when S's spawning call stayed open until C's last
//     event: S waited on C, released at C's last event;
//   - a producer P whose output S used (an inferred hand-off link to S): released when P wrote it
//     (the link's producing evidence).
// The dependency released latest (≤ t, after S's first event) wins: S worked from then to t (and, for
// a child, waited on it from the child's start), and the walk goes on at that member with t = release.
// When S has none, S worked from its first event to t, and, if S was itself spawned, the walk goes on
// at its parent with t = S's start: the parent's work before the spawn is what started S. (That last
// rule goes beyond "stop at the first member without a dependency": without it a lead that spawns its
// workers would vanish from the path before its first wait.)
// Each link is followed at most once as a dependency and once back to a parent, so cycles of
// hand-offs (A→B and B→A) end. Members without times are skipped; zero-length work steps are left out.

/** A member's life: its first and last event. */
export interface Life {
  readonly first: number;
  readonly last: number;
}

/** The lives of the members that have events. */
export function livesOf(members: readonly GroupMember[]): Map<string, Life> {
  const lives = new Map<string, Life>();
  for (const m of members) {
    if (m.firstEventAt !== null && m.lastEventAt !== null) lives.set(m.sessionId, { first: m.firstEventAt, last: m.lastEventAt });
  }
  return lives;
}

/** Each member's tool calls, by session id. */
export function callsOf(facts: GroupFacts): Map<string, readonly MemberCall[]> {
  return new Map(facts.members.map((m) => [m.sessionId, m.calls]));
}

export const isHandoff = (link: SessionLink): boolean => link.kind.startsWith('handoff-');

/**
 * The parent's call that started a child: the one the link names, else the closed call whose span
 * holds the child's whole life (the latest-starting, so the tightest, when several do).
 */
export function spawningCall(link: SessionLink, parentCalls: readonly MemberCall[], child: Life): MemberCall | null {
  if (link.toolUseId !== undefined) {
    const named = parentCalls.find((c) => c.toolUseId === link.toolUseId);
    if (named !== undefined) return named;
  }
  let best: MemberCall | null = null;
  for (const call of parentCalls) {
    if (call.end === null || call.start > child.first || call.end < child.last) continue;
    if (best === null || call.start > best.start) best = call;
  }
  return best;
}

interface Dependency {
  readonly link: SessionLink;
  /** The member depended on. */
  readonly on: string;
  readonly release: number;
  /** For a spawn wait: when the wait began (the child's start). */
  readonly waitFrom: number | null;
}

interface Walk {
  readonly lives: ReadonlyMap<string, Life>;
  readonly calls: ReadonlyMap<string, readonly MemberCall[]>;
  readonly links: readonly SessionLink[];
  /** Links already followed as a dependency. */
  readonly used: Set<string>;
  /** Spawn links already followed back to the parent (the same link may have been a wait too). */
  readonly climbed: Set<string>;
}

function spawnDependency(walk: Walk, link: SessionLink): Dependency | null {
  const child = walk.lives.get(link.to);
  if (child === undefined) return null;
  const call = spawningCall(link, walk.calls.get(link.from) ?? [], child);
  if (call === null || call.end === null || call.end < child.last) return null;
  return { link, on: link.to, release: child.last, waitFrom: child.first };
}

function handoffDependency(walk: Walk, link: SessionLink): Dependency | null {
  const producer = walk.lives.get(link.from);
  const produced = link.evidence[0];
  if (producer === undefined || produced === undefined || produced.at < producer.first) return null;
  return { link, on: link.from, release: produced.at, waitFrom: null };
}

function dependencyOf(walk: Walk, link: SessionLink, at: string): Dependency | null {
  if (link.kind === 'spawn' && link.from === at) return spawnDependency(walk, link);
  if (isHandoff(link) && link.to === at) return handoffDependency(walk, link);
  return null;
}

// Ties: an exact link (a spawn) before an inferred one, then by link id, so the path is stable.
function later(a: Dependency, b: Dependency): boolean {
  if (a.release !== b.release) return a.release > b.release;
  if (a.link.exact !== b.link.exact) return a.link.exact;
  return a.link.id < b.link.id;
}

function pickDependency(walk: Walk, at: string, life: Life, t: number): Dependency | null {
  let best: Dependency | null = null;
  for (const link of walk.links) {
    if (link.from === link.to || walk.used.has(link.id)) continue;
    const dep = dependencyOf(walk, link, at);
    if (dep === null || dep.release > t || dep.release <= life.first) continue;
    if (best === null || later(dep, best)) best = dep;
  }
  return best;
}

/** The spawn link that started `at`, when its parent was alive at that start. */
function starter(walk: Walk, at: string, life: Life): SessionLink | null {
  for (const link of walk.links) {
    if (link.kind !== 'spawn' || link.to !== at || link.from === at || walk.climbed.has(link.id)) continue;
    const parent = walk.lives.get(link.from);
    if (parent !== undefined && parent.first <= life.first && life.first <= parent.last) return link;
  }
  return null;
}

function endMember(lives: ReadonlyMap<string, Life>): [string, Life] | null {
  let end: [string, Life] | null = null;
  for (const entry of lives) {
    if (end === null || entry[1].last > end[1].last || (entry[1].last === end[1].last && entry[0] < end[0])) end = entry;
  }
  return end;
}

function work(sessionId: string, from: number, to: number): PathStep {
  return { sessionId, kind: 'work', from, to };
}

/** The chain of work and waits that set the group's end time, in time order. */
export function criticalPath(facts: GroupFacts): CriticalPath {
  const lives = livesOf(facts.group.members);
  const end = endMember(lives);
  if (end === null) return { steps: [], totalMs: 0 };
  const walk: Walk = { lives, calls: callsOf(facts), links: facts.group.links, used: new Set(), climbed: new Set() };
  const backwards: PathStep[] = [];
  let [at, life] = end;
  let t = life.last;
  for (;;) {
    const dep = pickDependency(walk, at, life, t);
    const from = dep === null ? life.first : dep.release;
    if (from < t) backwards.push(work(at, from, t));
    let next: string;
    if (dep !== null) {
      if (dep.waitFrom !== null) backwards.push({ sessionId: at, kind: 'wait', from: dep.waitFrom, to: dep.release, waitingOn: dep.on, linkId: dep.link.id });
      walk.used.add(dep.link.id);
      next = dep.on;
      t = dep.release;
    } else {
      const spawn = starter(walk, at, life);
      if (spawn === null) break;
      walk.climbed.add(spawn.id);
      next = spawn.from;
      t = life.first;
    }
    const nextLife = lives.get(next);
    if (nextLife === undefined) break;
    at = next;
    life = nextLife;
  }
  // A wait runs beside its child's work, so chain order is not quite time order: sort by start,
  // stably, which keeps chain order among steps that start together.
  const steps = backwards.reverse().sort((a, b) => a.from - b.from);
  const first = steps[0];
  return { steps, totalMs: first === undefined ? 0 : end[1].last - first.from };
}
