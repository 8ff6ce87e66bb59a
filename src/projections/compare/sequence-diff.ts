import type { SequenceRun } from '../../protocol/compare';

// Two sequences of tool names as a longest-common-subsequence diff, in runs: calls in both (in
// order), calls only in A, calls only in B. Hirschberg's algorithm: time O(n·m), space O(n + m),
// so two capped sequences of 5,000 calls cost 25M cell updates and two rows of numbers, never an
// n×m table. The common prefix and suffix are taken off first (sessions that begin alike cost
// nothing for it). Between two runs in both, what only A has comes before what only B has.

/** Calls diffed per session: beyond this the tail is cut (and the result says so). */
export const SEQUENCE_CAP = 5_000;

export interface SequenceDiff {
  readonly common: number;
  readonly onlyA: number;
  readonly onlyB: number;
  readonly runs: SequenceRun[];
}

type Op = 0 | 1 | 2;
const SAME: Op = 0;
const ONLY_A: Op = 1;
const ONLY_B: Op = 2;

/** The LCS diff of a and b as runs. Callers cap the inputs (SEQUENCE_CAP): the time is their product. */
export function diffSequences(a: readonly string[], b: readonly string[]): SequenceDiff {
  const codes = new Map<string, number>();
  const code = (name: string): number => {
    let c = codes.get(name);
    if (c === undefined) codes.set(name, (c = codes.size));
    return c;
  };
  const x = Int32Array.from(a, code);
  const y = Int32Array.from(b, code);
  const ops: Op[] = [];
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head += 1;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail += 1;
  for (let i = 0; i < head; i += 1) ops.push(SAME);
  hirschberg(x, head, x.length - tail, y, head, y.length - tail, ops);
  for (let i = 0; i < tail; i += 1) ops.push(SAME);
  return runsOf(ops, a, b);
}

// Appends the ops that turn x[x0, x1) into y[y0, y1).
function hirschberg(x: Int32Array, x0: number, x1: number, y: Int32Array, y0: number, y1: number, ops: Op[]): void {
  if (x1 === x0) {
    for (let j = y0; j < y1; j += 1) ops.push(ONLY_B);
    return;
  }
  if (y1 === y0) {
    for (let i = x0; i < x1; i += 1) ops.push(ONLY_A);
    return;
  }
  if (x1 - x0 === 1) {
    const at = y.subarray(y0, y1).indexOf(x[x0] as number);
    if (at < 0) {
      ops.push(ONLY_A);
      for (let j = y0; j < y1; j += 1) ops.push(ONLY_B);
      return;
    }
    for (let j = 0; j < at; j += 1) ops.push(ONLY_B);
    ops.push(SAME);
    for (let j = y0 + at + 1; j < y1; j += 1) ops.push(ONLY_B);
    return;
  }
  const mid = (x0 + x1) >> 1;
  const front = lcsLengths(x, x0, mid, y, y0, y1, false);
  const back = lcsLengths(x, mid, x1, y, y0, y1, true);
  // Where y splits: the front half of x against y[y0, y0 + k), the back half against the rest.
  let split = 0;
  let best = -1;
  for (let k = 0; k <= y1 - y0; k += 1) {
    const total = (front[k] as number) + (back[y1 - y0 - k] as number);
    if (total > best) {
      best = total;
      split = k;
    }
  }
  hirschberg(x, x0, mid, y, y0, y0 + split, ops);
  hirschberg(x, mid, x1, y, y0 + split, y1, ops);
}

/**
 * LCS lengths of x[x0, x1) against every prefix of y[y0, y1) (reversed: of both read backwards,
 * i.e. against every suffix, indexed by its length). One row, reused.
 */
function lcsLengths(x: Int32Array, x0: number, x1: number, y: Int32Array, y0: number, y1: number, reversed: boolean): Int32Array {
  const m = y1 - y0;
  let previous = new Int32Array(m + 1);
  let current = new Int32Array(m + 1);
  for (let i = 0; i < x1 - x0; i += 1) {
    const xi = reversed ? x[x1 - 1 - i] : x[x0 + i];
    for (let j = 1; j <= m; j += 1) {
      const yj = reversed ? y[y1 - j] : y[y0 + j - 1];
      current[j] = xi === yj ? (previous[j - 1] as number) + 1 : Math.max(previous[j] as number, current[j - 1] as number);
    }
    [previous, current] = [current, previous];
  }
  return previous;
}

// Ops to runs; each gap between runs in both becomes one run only in A, then one only in B.
function runsOf(ops: readonly Op[], a: readonly string[], b: readonly string[]): SequenceDiff {
  const runs: SequenceRun[] = [];
  const counts = [0, 0, 0];
  let i = 0;
  let j = 0;
  let k = 0;
  while (k < ops.length) {
    if (ops[k] === SAME) {
      const from = { i, j };
      while (k < ops.length && ops[k] === SAME) { i += 1; j += 1; k += 1; }
      runs.push({ kind: 'same', aIndex: from.i, bIndex: from.j, tools: a.slice(from.i, i) });
      counts[SAME] = (counts[SAME] as number) + i - from.i;
      continue;
    }
    const from = { i, j };
    while (k < ops.length && ops[k] !== SAME) {
      if (ops[k] === ONLY_A) i += 1;
      else j += 1;
      k += 1;
    }
    if (i > from.i) runs.push({ kind: 'onlyA', aIndex: from.i, bIndex: from.j, tools: a.slice(from.i, i) });
    if (j > from.j) runs.push({ kind: 'onlyB', aIndex: i, bIndex: from.j, tools: b.slice(from.j, j) });
    counts[ONLY_A] = (counts[ONLY_A] as number) + i - from.i;
    counts[ONLY_B] = (counts[ONLY_B] as number) + j - from.j;
  }
  return { common: counts[SAME] as number, onlyA: counts[ONLY_A] as number, onlyB: counts[ONLY_B] as number, runs };
}
