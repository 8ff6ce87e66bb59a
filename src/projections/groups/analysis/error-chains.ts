import type { SessionLink } from '../../../domain/groups/model';
import type { ErrorChain, GroupFacts, MemberCall, MemberFailure } from '../../../domain/groups/facts';
import { callsOf, isHandoff, livesOf, spawningCall } from './critical-path';
import type { Life } from './critical-path';

// Error chains: a failure, then the failures that followed it in the members that used the failing
// member's output. A failure in member A passes on
//   - to A's parent (a spawn link to A): a worker's failure reaches the lead that started it when the
//     spawning call, or a call the parent started after it, failed after the worker's failure (a turn
//     failure of the parent, which names no call, counts too);
//   - to the consumer of a hand-off from A, when the consumer used it (the link's consuming evidence)
//     after the failure: the consumer's first failure at or after that use.
// The next step is the earliest such failure over all of A's links (an exact link before an inferred
// one on a tie), and the walk goes on from it. Failures are taken in time order (the store position
// breaks ties) and a failure already in a chain is explained by it, so it starts none of its own and
// joins no other: the chain points at the first failure, typically the failing worker's. Only chains
// of two steps or more are kept: a lone failure is the session's own story, not the group's.

type Step = ErrorChain['steps'][number];

interface Moment {
  readonly at: number;
  readonly position: number;
}

const compare = (a: Moment, b: Moment): number => a.at - b.at || a.position - b.position;

interface Failure extends MemberFailure {
  readonly sessionId: string;
}

interface Scene {
  readonly failures: ReadonlyMap<string, readonly Failure[]>;
  readonly calls: ReadonlyMap<string, readonly MemberCall[]>;
  readonly lives: ReadonlyMap<string, Life>;
  readonly links: readonly SessionLink[];
  readonly used: Set<string>;
}

interface Next {
  readonly failure: Failure;
  readonly link: SessionLink;
}

function firstFree(scene: Scene, sessionId: string, fits: (f: Failure) => boolean): Failure | null {
  const found = (scene.failures.get(sessionId) ?? []).find(fits);
  return found === undefined || scene.used.has(found.eventId) ? null : found;
}

function throughSpawn(scene: Scene, link: SessionLink, failed: Failure): Failure | null {
  const parentCalls = scene.calls.get(link.from) ?? [];
  const child = scene.lives.get(link.to);
  const spawning = child === undefined ? null : spawningCall(link, parentCalls, child);
  const startOf = (f: Failure): number | null => parentCalls.find((c) => c.toolUseId === f.toolUseId)?.start ?? null;
  return firstFree(scene, link.from, (f) => {
    if (compare(f, failed) <= 0) return false;
    const start = f.toolUseId === null ? null : startOf(f);
    return spawning === null || start === null || start >= spawning.start;
  });
}

function throughHandoff(scene: Scene, link: SessionLink, failed: Failure): Failure | null {
  const used = link.evidence[1];
  if (used === undefined || compare(used, failed) <= 0) return null;
  return firstFree(scene, link.to, (f) => compare(f, failed) > 0 && compare(f, used) >= 0);
}

function nextOf(scene: Scene, failed: Failure): Next | null {
  let best: Next | null = null;
  for (const link of scene.links) {
    if (link.from === link.to) continue;
    let failure: Failure | null = null;
    if (link.kind === 'spawn' && link.to === failed.sessionId) failure = throughSpawn(scene, link, failed);
    else if (isHandoff(link) && link.from === failed.sessionId) failure = throughHandoff(scene, link, failed);
    if (failure === null) continue;
    const candidate = { failure, link };
    if (best === null || earlier(candidate, best)) best = candidate;
  }
  return best;
}

function earlier(a: Next, b: Next): boolean {
  const order = compare(a.failure, b.failure);
  if (order !== 0) return order < 0;
  if (a.link.exact !== b.link.exact) return a.link.exact;
  return a.link.id < b.link.id;
}

function step(f: Failure, linkId?: string): Step {
  const base = { sessionId: f.sessionId, eventId: f.eventId, at: f.at, what: f.what };
  return linkId === undefined ? base : { ...base, linkId };
}

function chainFrom(scene: Scene, start: Failure): Step[] {
  const steps = [step(start)];
  const seen = new Set([start.eventId]);
  let current = start;
  for (let next = nextOf(scene, current); next !== null && !seen.has(next.failure.eventId); next = nextOf(scene, current)) {
    steps.push(step(next.failure, next.link.id));
    seen.add(next.failure.eventId);
    current = next.failure;
  }
  return steps;
}

/** The group's error chains, the longest first, then the earliest. */
export function errorChains(facts: GroupFacts): ErrorChain[] {
  const failures = new Map<string, Failure[]>();
  for (const m of facts.members) {
    failures.set(m.sessionId, m.failures.map((f) => ({ ...f, sessionId: m.sessionId })).sort(compare));
  }
  const scene: Scene = { failures, calls: callsOf(facts), lives: livesOf(facts.group.members), links: facts.group.links, used: new Set() };
  const chains: ErrorChain[] = [];
  for (const failure of [...failures.values()].flat().sort(compare)) {
    if (scene.used.has(failure.eventId)) continue;
    const steps = chainFrom(scene, failure);
    if (steps.length < 2) continue;
    for (const s of steps) scene.used.add(s.eventId);
    chains.push({ steps });
  }
  return chains.sort((a, b) => b.steps.length - a.steps.length || (a.steps[0]?.at ?? 0) - (b.steps[0]?.at ?? 0));
}
