import type { LinkEvidence, LinkKind, SessionLink } from '../../../domain/groups/model';
import type { GroupArrowEnd, GroupTimelineArrow, GroupTimelineLane } from '../../../protocol/group-timeline';
import type { MemberLanes } from './member-lanes';
import { oneLine } from '../../../domain/one-line';

// The links of a group as arrows between lanes. A spawn goes from the parent's tool call that
// started the child (when the link names it and the parent's events hold it), else from the
// child's start on the parent's lane, to the child's first event. A hand-off or a message goes from
// its first evidence event (the producer) to its second (the consumer). An end sits on the
// subagent's lane when the event at it was a subagent's.

/** Where each member's lanes start in the model, and what its fold found. */
export interface PlacedMember {
  readonly laneIndex: number;
  readonly folded: MemberLanes;
}

/** The arrows, and how many links had an end outside the members. */
export function placeArrows(links: readonly SessionLink[], members: ReadonlyMap<string, PlacedMember>): { arrows: GroupTimelineArrow[]; unplaced: number } {
  const arrows: GroupTimelineArrow[] = [];
  let unplaced = 0;
  for (const link of links) {
    const from = members.get(link.from);
    const to = members.get(link.to);
    if (from === undefined || to === undefined) {
      unplaced += 1;
      continue;
    }
    const ends = link.kind === 'spawn' ? spawnEnds(link, from, to) : evidenceEnds(link, from, to, members);
    arrows.push({ id: link.id, kind: link.kind, exact: link.exact, label: arrowLabel(link), ...ends });
  }
  return { arrows, unplaced };
}

function spawnEnds(link: SessionLink, parent: PlacedMember, child: PlacedMember): { from: GroupArrowEnd; to: GroupArrowEnd } {
  const call = link.toolUseId === undefined ? undefined : parent.folded.calls.get(link.toolUseId);
  const first = child.folded.first;
  const to: GroupArrowEnd = { lane: child.laneIndex, sessionId: link.to, at: first?.at ?? link.at, position: first?.position ?? null };
  const from: GroupArrowEnd = call === undefined
    ? { lane: parent.laneIndex, sessionId: link.from, at: to.at, position: null }
    : { lane: laneOf(parent, call.agentId), sessionId: link.from, at: call.at, position: call.position };
  return { from, to };
}

function evidenceEnds(link: SessionLink, from: PlacedMember, to: PlacedMember, members: ReadonlyMap<string, PlacedMember>): { from: GroupArrowEnd; to: GroupArrowEnd } {
  const end = (evidence: LinkEvidence | undefined, fallback: PlacedMember, sessionId: string): GroupArrowEnd => {
    const placed = evidence === undefined ? undefined : members.get(evidence.sessionId);
    if (evidence === undefined || placed === undefined) return { lane: fallback.laneIndex, sessionId, at: link.at, position: null };
    return { lane: laneOf(placed, placed.folded.agentAt.get(evidence.position) ?? null), sessionId: evidence.sessionId, at: evidence.at, position: evidence.position };
  };
  return { from: end(link.evidence[0], from, link.from), to: end(link.evidence[1], to, link.to) };
}

// A member's subagent lanes by agent id, found once per set of lanes (thousands of hand-off ends
// ask; a fold makes new lanes when it reads more).
const agentOffsets = new WeakMap<readonly GroupTimelineLane[], ReadonlyMap<string, number>>();

function laneOf(member: PlacedMember, agentId: string | null): number {
  if (agentId === null) return member.laneIndex;
  let offsets = agentOffsets.get(member.folded.lanes);
  if (offsets === undefined) {
    const found = new Map<string, number>();
    member.folded.lanes.forEach((l, i) => {
      if (l.agentId !== null && !found.has(l.agentId)) found.set(l.agentId, i);
    });
    agentOffsets.set(member.folded.lanes, (offsets = found));
  }
  return member.laneIndex + (offsets.get(agentId) ?? 0);
}

const KIND_WORD: Readonly<Record<LinkKind, string>> = {
  spawn: 'spawn', 'handoff-file': 'file', 'handoff-commit': 'commit', 'handoff-task': 'task', message: 'message',
};

// Links are kept between refreshes (the hand-offs are memoised with the folds): their labels too.
const labels = new WeakMap<SessionLink, string>();

/** "spawn: sh worker.sh A", "file /w/a.txt ×3 (inferred)". */
export function arrowLabel(link: SessionLink): string {
  let label = labels.get(link);
  if (label === undefined) labels.set(link, (label = makeLabel(link)));
  return label;
}

function makeLabel(link: SessionLink): string {
  const subject = link.kind === 'handoff-commit' ? link.subject.slice(0, 12) : link.subject;
  return oneLine(`${KIND_WORD[link.kind]}: ${oneLine(subject, 60)}${link.exact ? '' : ' (inferred)'}`, 90);
}
