import type { GroupTimelineArrow } from '../../../protocol/group-timeline';

// The unified timeline's bound on arrows, as lane-budget.ts bounds its bars. Twenty sessions that
// share a repository's files give thousands of inferred hand-offs (the bench's group: 4,883), more
// than anyone can follow and more than a frame can draw fluidly. Past the budget, inferred arrows
// of one kind between the same two lanes whose consumers fall in the same stretch of time become
// one arrow ("file: /w/a.ts (inferred) and 11 more"), drawn as the earliest of them; stretches double until the arrows fit.
// Exact links (spawns, messages) are never merged: there are few, and each one is a fact.

/** Arrows in a whole group timeline, at most (unless exact links alone are more). */
export const GROUP_MAX_ARROWS = 400;
/** The first stretch: the group's span in this many parts. */
const FIRST_STRETCHES = 256;

export function fitArrows(arrows: readonly GroupTimelineArrow[], span: { readonly start: number; readonly end: number } | null, budget = GROUP_MAX_ARROWS): GroupTimelineArrow[] {
  if (arrows.length <= budget || span === null) return [...arrows];
  const exact = arrows.filter((a) => a.exact);
  const inferred = arrows.filter((a) => !a.exact).sort((a, b) => a.to.at - b.to.at || a.from.at - b.from.at);
  const whole = Math.max(1, span.end - span.start);
  let merged: GroupTimelineArrow[] = [...inferred];
  for (let stretch = whole / FIRST_STRETCHES; exact.length + merged.length > budget; stretch *= 2) {
    merged = mergeWithin(inferred, span.start, stretch);
    if (stretch > whole) break;
  }
  return [...exact, ...merged].sort((a, b) => a.from.at - b.from.at || a.to.at - b.to.at);
}

function mergeWithin(arrows: readonly GroupTimelineArrow[], start: number, stretch: number): GroupTimelineArrow[] {
  const runs = new Map<string, GroupTimelineArrow[]>();
  for (const arrow of arrows) {
    const key = `${arrow.kind}|${arrow.from.lane}|${arrow.to.lane}|${Math.floor((arrow.to.at - start) / stretch)}`;
    const run = runs.get(key);
    if (run === undefined) runs.set(key, [arrow]);
    else run.push(arrow);
  }
  return [...runs.values()].map(mergeRun);
}

function mergeRun(run: readonly GroupTimelineArrow[]): GroupTimelineArrow {
  const first = run[0] as GroupTimelineArrow;
  if (run.length === 1) return first;
  const count = run.reduce((n, a) => n + (a.count ?? 1), 0);
  return { ...first, count, label: `${first.label} and ${count - 1} more` };
}
