import { addSet, emptySet, overlaps } from './char-set';
import type { CharSet } from './char-set';
import { parseRegex, RefusedPattern } from './regex-parse';
import type { Flags, Item } from './regex-parse';
import type { Trigger } from './types';

// User patterns come from workspace settings, i.e. possibly from a hostile repository, and run
// over every string of every event. JavaScript's regex engine backtracks, so a pattern can take
// exponential or polynomial time on a crafted text. This check is conservative: it refuses what
// it cannot show to be cheap, and rewrites unbounded repetition so each start position costs a
// bounded number of steps. Refused (each with a reason):
//   - backreferences, lookahead and lookbehind (they rescan text; backreferences are exponential);
//   - a repeated group whose body has a quantifier or `|` (`(a+)+`, `(a|ab)*`: nested repetition);
//   - two variable-count atoms that can match the same characters with nothing between them that
//     tells them apart (`\d+\d*`, `.*\s*x`, `\w+_?\w+`): the split between them is tried every way;
//   - counts above 1000, more than 16 ways through the alternatives (`(a|b)(c|d)…` multiplies),
//     and more than 512 characters of repetition tried per start position (after the rewrite).
// Rewritten: unbounded repetition (`*`, `+`, `{n,}`) anywhere but at the very end is capped at
// 256 more than its minimum. A leading unbounded atom (`[a-z]+@corp\.com`) is kept unbounded and
// may only start where its characters start (`(?<![a-z])` is put in front): a match starting
// inside such a run can always be extended back to the run's start, so no match is lost, and
// the engine no longer retries from every position inside the run.

export const UNBOUNDED_CAP = 256;
export const MAX_ALTERNATIVE_PATHS = 16;
export const MAX_REPETITION_COST = 512;

export interface SafePattern {
  /** The source to compile (rewritten as above). */
  readonly source: string;
  /** A literal every match contains (for mayMatch); 'always' when none of 3+ characters is known. */
  readonly triggers: readonly Trigger[] | 'always';
  /** A group named `secret`: only it is replaced. */
  readonly secretGroup: boolean;
}

export function checkPatternSafety(source: string, flags: Flags): SafePattern {
  const top = parseRegex(source, flags);
  walk(top, (alternatives) => alternatives.forEach((sequence) => checkSequence(source, sequence)));
  walk(top, checkRepeatedGroups);
  const paths = pathCount(top);
  if (paths > MAX_ALTERNATIVE_PATHS) throw new RefusedPattern(`${paths} ways through its alternatives (at most ${MAX_ALTERNATIVE_PATHS})`);
  const sequence = top.length === 1 ? (top[0] as Item[]) : undefined;
  const tail = sequence?.[sequence.length - 1];
  const first = sequence?.[0];
  const lead = first !== undefined && first !== tail && first.kind === 'set' && first.quantifier?.max === Infinity ? first : undefined;
  const edits: { start: number; end: number; text: string }[] = [];
  let cost = 0;
  walkItems(top, 1, (item, repeat) => {
    const quantifier = item.kind === 'assert' ? undefined : item.quantifier;
    const privileged = item === tail || item === lead;
    let max = quantifier?.max ?? 1;
    if (quantifier !== undefined && max === Infinity && !privileged) {
      // A group's body is repeated whole: the cap counts characters, not repetitions.
      max = quantifier.min + (item.kind === 'group' ? Math.max(1, Math.floor(UNBOUNDED_CAP / Math.max(1, maxLength({ ...item, quantifier: undefined })))) : UNBOUNDED_CAP);
      edits.push({ start: quantifier.start, end: quantifier.end, text: `{${quantifier.min},${max}}` });
    }
    // At the end a repetition only ever stops early and succeeds; what a start position can
    // waste there is reaching its minimum. A repeated group's body runs once per repetition.
    if (item.kind === 'set') cost += (privileged ? (quantifier?.min ?? 1) : max) * repeat;
    return item.kind === 'group' && !privileged ? repeat * max : repeat;
  });
  if (cost > MAX_REPETITION_COST) throw new RefusedPattern(`up to ${cost} characters of repetition tried at each position (at most ${MAX_REPETITION_COST})`);
  let rewritten = source;
  for (const edit of edits.sort((a, b) => b.start - a.start)) rewritten = rewritten.slice(0, edit.start) + edit.text + rewritten.slice(edit.end);
  if (lead !== undefined) rewritten = `(?<!${source.slice(lead.start, lead.end)})${rewritten}`;
  return { source: rewritten, triggers: literalTriggers(sequence, flags), secretGroup: hasSecretGroup(top) };
}

/** Calls `visit` on the top-level alternatives and on every group's. */
function walk(top: Item[][], visit: (alternatives: Item[][], group: Item | undefined) => void): void {
  const stack: [Item[][], Item | undefined][] = [[top, undefined]];
  while (stack.length > 0) {
    const [alternatives, group] = stack.pop() as [Item[][], Item | undefined];
    visit(alternatives, group);
    for (const item of alternatives.flat()) if (item.kind === 'group') stack.push([item.alternatives, item]);
  }
}

/** Every item with how often its enclosing groups can repeat it; `visit` returns the repeat for a group's body. */
function walkItems(top: Item[][], repeat: number, visit: (item: Item, repeat: number) => number): void {
  const stack: [Item, number][] = top.flat().map((item) => [item, repeat]);
  while (stack.length > 0) {
    const [item, times] = stack.pop() as [Item, number];
    const inner = visit(item, times);
    if (item.kind === 'group') for (const child of item.alternatives.flat()) stack.push([child, inner]);
  }
}

function checkRepeatedGroups(alternatives: Item[][], group: Item | undefined): void {
  if (group === undefined || group.kind !== 'group' || group.quantifier === undefined) return;
  let nested = alternatives.length > 1;
  walk(alternatives, (inner, innerGroup) => {
    if (innerGroup !== undefined && inner.length > 1) nested = true;
    for (const item of inner.flat()) if (item.kind !== 'assert' && item.quantifier !== undefined) nested = true;
  });
  if (nested) throw new RefusedPattern(`the repeated group at ${group.start} contains a quantifier or "|" (nested repetition can take exponential time)`);
}

function minLength(item: Item): number {
  if (item.kind === 'assert') return 0;
  const times = item.quantifier?.min ?? 1;
  if (item.kind === 'set') return times;
  return times * Math.min(...item.alternatives.map((seq) => seq.reduce((sum, child) => sum + minLength(child), 0)));
}

function maxLength(item: Item): number {
  if (item.kind === 'assert') return 0;
  const times = item.quantifier?.max ?? 1;
  if (item.kind === 'set') return times;
  const inner = Math.max(...item.alternatives.map((seq) => seq.reduce((sum, child) => sum + maxLength(child), 0)));
  return inner === 0 ? 0 : times * inner;
}

function charsOf(item: Item): CharSet {
  if (item.kind === 'set') return item.set;
  const all = emptySet();
  if (item.kind === 'group') walkItems([[item]], 1, (child) => {
    if (child.kind === 'set') addSet(all, child.set);
    return 1;
  });
  return all;
}

/** A variable-count atom, then (before anything that tells them apart) another that can take the same characters. */
function checkSequence(source: string, sequence: Item[]): void {
  const text = (item: Item): string => `"${source.slice(item.start, item.kind === 'assert' ? item.end : (item.quantifier?.end ?? item.end))}"`;
  sequence.forEach((item, i) => {
    if (item.kind === 'assert' || maxLength(item) === minLength(item)) return;
    const chars = charsOf(item);
    for (const next of sequence.slice(i + 1)) {
      if (next.kind === 'assert') continue;
      const shared = overlaps(chars, charsOf(next));
      if (!shared && minLength(next) >= 1) return;
      if (shared && maxLength(next) !== minLength(next)) throw new RefusedPattern(`${text(item)} and ${text(next)} repeat over the same characters with nothing between them that tells them apart (their split is tried every way)`);
    }
  });
}

function pathCount(alternatives: Item[][]): number {
  let paths = alternatives.length;
  for (const item of alternatives.flat()) if (item.kind === 'group') paths *= pathCount(item.alternatives);
  return paths;
}

function hasSecretGroup(top: Item[][]): boolean {
  let found = false;
  walkItems(top, 1, (item) => {
    if (item.kind === 'group' && item.name === 'secret') found = true;
    return 1;
  });
  return found;
}

/**
 * The longest run of plain characters the top-level sequence requires, as mayMatch's trigger:
 * with `i` it is compared case-insensitively the way the pattern is (no `u`: ASCII-only folding);
 * with `i` and `u` together (ſ matches s, K matches k) no trigger is trusted.
 */
function literalTriggers(sequence: Item[] | undefined, flags: Flags): readonly Trigger[] | 'always' {
  if (sequence === undefined || (flags.ignoreCase && flags.unicode)) return 'always';
  let best = '';
  let run = '';
  for (const item of sequence) {
    // JSON text escapes quotes, backslashes and control characters: a run never spans them.
    const plain = item.kind === 'set' && item.quantifier === undefined && item.char !== undefined && !/["\\\u0000-\u001f]/.test(item.char);
    run = plain ? run + (item.char as string) : '';
    if (run.length > best.length) best = run;
  }
  return best.length >= 3 ? [{ text: best, ignoreCase: flags.ignoreCase }] : 'always';
}
