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
  const pairs = pairsOf(inferred);
  const bucket = (i: number, stretch: number): number => Math.floor(((inferred[i] as GroupTimelineArrow).to.at - span.start) / stretch);
  // The stretch is chosen by counting the runs it makes; the arrows are merged once, at the one
  // chosen (this runs on every refresh of an open timeline: merging at each stretch tried cost
  // more than the rest of the model).
  const whole = Math.max(1, span.end - span.start);
  const count = runCounter(inferred, pairs, bucket);
  let stretch = whole / FIRST_STRETCHES;
  while (exact.length + count(stretch) > budget && stretch <= whole) stretch *= 2;
  const runs = new Map<string, GroupTimelineArrow[]>();
  inferred.forEach((arrow, i) => {
    const key = `${pairs[i]?.key ?? ''}${bucket(i, stretch)}`;
    const run = runs.get(key);
    if (run === undefined) runs.set(key, [arrow]);
    else run.push(arrow);
  });
  return [...exact, ...[...runs.values()].map(mergeRun)].sort((a, b) => a.from.at - b.from.at || a.to.at - b.to.at);
}

interface Pair {
  /** Kind and lanes, as the start of a run's key. */
  readonly key: string;
  /** The same, numbered. */
  readonly id: number;
}

function pairsOf(arrows: readonly GroupTimelineArrow[]): Pair[] {
  const ids = new Map<string, number>();
  return arrows.map((a) => {
    const key = `${a.kind}|${a.from.lane}|${a.to.lane}|`;
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    return { key, id };
  });
}

/** How many runs a stretch makes: one pass over the arrows in (kind and lanes, time) order, no key made. */
function runCounter(arrows: readonly GroupTimelineArrow[], pairs: readonly Pair[], bucket: (i: number, stretch: number) => number): (stretch: number) => number {
  const at = (i: number): number => (arrows[i] as GroupTimelineArrow).to.at;
  const order = arrows.map((_, i) => i).sort((i, j) => (pairs[i]?.id ?? 0) - (pairs[j]?.id ?? 0) || at(i) - at(j));
  return (stretch) => {
    let runs = 0;
    let lastPair = -1;
    let lastBucket = 0;
    for (const i of order) {
      const pair = pairs[i]?.id ?? 0;
      const b = bucket(i, stretch);
      if (pair !== lastPair || b !== lastBucket) runs += 1;
      lastPair = pair;
      lastBucket = b;
    }
    return runs;
  };
}

function mergeRun(run: readonly GroupTimelineArrow[]): GroupTimelineArrow {
  const first = run[0] as GroupTimelineArrow;
  if (run.length === 1) return first;
  const count = run.reduce((n, a) => n + (a.count ?? 1), 0);
  return { ...first, count, label: `${first.label} and ${count - 1} more` };
}
