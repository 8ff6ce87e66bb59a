import type { GroupMember, GroupSummary } from '../../domain/groups/model';
import { groupDigits } from '../../domain/group-digits';
import { duration } from '../insights';

// A group's and a member's figures in a few words, as the sidebar's rows and tooltips show them.
// Labels and titles come from sessions (run names, first prompts): the callers show them as text.

/** "tree", "run" or "team", then the group's label: "run nightly-refactor". */
export function groupName(group: GroupSummary): string {
  return `${group.kind} ${group.label}`;
}

/** "3 sessions · span 4 min 2 s · active 1 min 10 s · $0.012 · 12,345 tokens · 1 failure". */
export function groupFigures(group: GroupSummary): string {
  const n = group.members.length;
  return [
    `${n} session${n === 1 ? '' : 's'}`,
    `span ${duration(group.spanMs)}`,
    `active ${duration(group.activeMs)}`,
    cost(group.costUsd),
    `${groupDigits(group.tokens)} tokens`,
    `${group.failures} failure${group.failures === 1 ? '' : 's'}`,
  ].join(' · ');
}

/** A member's row: "worker: <title>" (or its short id). */
export function memberName(member: GroupMember): string {
  return `${member.role}: ${member.title ?? member.sessionId.slice(0, 8)}`;
}

/** "ended · active 12 s · $0.004 · 2 failures". */
export function memberFigures(member: GroupMember): string {
  return [
    member.lifecycleState.replace(/_/g, ' '),
    `active ${duration(member.activeMs)}`,
    cost(member.costUsd),
    ...(member.toolFailures > 0 ? [`${member.toolFailures} failure${member.toolFailures === 1 ? '' : 's'}`] : []),
  ].join(' · ');
}

function cost(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 3 : 2)}`;
}
