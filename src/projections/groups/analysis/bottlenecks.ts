import type { Bottleneck, GroupFacts } from '../../../domain/groups/facts';
import { callsOf, livesOf, spawningCall } from './critical-path';

// The members others waited on. A wait is only counted where the logbook saw it: a parent's call
// that started a child (a spawn link whose spawning call is known and closed) was open while the
// child lived. The parent waited for the overlap of that call with the child's life. When one call
// started several children that ran at once, each child is charged the overlap of its own life with
// the call: the waits add up to more than the call lasted, since no single child alone held it up.
// Hand-offs are not counted as waits: a consumer that read a file may have been busy with other
// work until then, and telling idle from busy would need more than the links say.

type Waiter = Bottleneck['waiters'][number];

/** Members others waited on, the longest-waited-on first; members nobody waited on are left out. */
export function bottlenecks(facts: GroupFacts): Bottleneck[] {
  const lives = livesOf(facts.group.members);
  const calls = callsOf(facts);
  const waits = new Map<string, Waiter[]>();
  for (const link of facts.group.links) {
    if (link.kind !== 'spawn' || link.from === link.to) continue;
    const child = lives.get(link.to);
    if (child === undefined) continue;
    const call = spawningCall(link, calls.get(link.from) ?? [], child);
    if (call === null || call.end === null) continue;
    const ms = Math.min(call.end, child.last) - Math.max(call.start, child.first);
    if (ms <= 0) continue;
    const list = waits.get(link.to) ?? [];
    list.push({ sessionId: link.from, ms, linkId: link.id });
    waits.set(link.to, list);
  }
  const result: Bottleneck[] = [];
  for (const [sessionId, waiters] of waits) {
    waiters.sort((a, b) => b.ms - a.ms || a.linkId.localeCompare(b.linkId));
    result.push({ sessionId, waiters, totalWaitMs: waiters.reduce((sum, w) => sum + w.ms, 0) });
  }
  return result.sort((a, b) => b.totalWaitMs - a.totalWaitMs || a.sessionId.localeCompare(b.sessionId));
}
