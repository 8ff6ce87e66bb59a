import { random } from '../session-stream-gen';
import type { Random } from '../session-stream-gen';

// The fuzz suites' seed and case loop. Seeded and reproducible: the seed comes from
// LOGBOOK_FUZZ_SEED (decimal or 0x-hex) when set, else a fixed default, so CI runs the same cases
// every time; each case gets its own generator derived from the seed, the suite and its index,
// so LOGBOOK_FUZZ_CASE=<index> reruns one failing case alone. A failure names the seed, the case,
// the input class the generator chose and the command that reruns it.

/** The default seed: CI is reproducible; set LOGBOOK_FUZZ_SEED to explore other cases. */
export const DEFAULT_FUZZ_SEED = 0x1b00c12;

export const FUZZ_SEED = readSeed(process.env['LOGBOOK_FUZZ_SEED']);
const ONLY_CASE = process.env['LOGBOOK_FUZZ_CASE'] === undefined ? undefined : Number(process.env['LOGBOOK_FUZZ_CASE']);

/**
 * Input classes whose fix lives on another branch of issue 12: a failure in one of them says so,
 * so the lead can tell "rerun after merging" from a new bug.
 */
export const FIXED_ELSEWHERE: Readonly<Record<string, string>> = {
  'deep nesting': 'deep nesting in payload walks (capFields, searchableText, JSON.stringify in ingest) and in workflow/settings parsing',
  'huge file': 'size caps in workflow/settings parsing',
  'unreadable inbox item': 'an ingestor that quarantines unreadable inbox items instead of failing',
};

/** What a case tells the harness about itself: the input classes it generated. */
export interface FuzzCase {
  readonly r: Random;
  readonly index: number;
  /** Records an input class (shown when the case fails). */
  note(inputClass: string): void;
}

/** Runs `count` cases of a suite; a failure rethrows with the seed, the case and how to rerun it. */
export function fuzzCases(file: string, suite: string, count: number, run: (c: FuzzCase) => void): number {
  let ran = 0;
  for (let index = 0; index < count; index += 1) {
    if (ONLY_CASE !== undefined && index !== ONLY_CASE) continue;
    const classes: string[] = [];
    try {
      run({ r: random(caseSeed(suite, index)), index, note: (c) => classes.push(c) });
    } catch (error) {
      throw failure(file, suite, index, classes, error);
    }
    ran += 1;
  }
  return ran;
}

/** fuzzCases for cases that await (files, processes, stores). */
export async function fuzzCasesAsync(file: string, suite: string, count: number, run: (c: FuzzCase) => Promise<void>): Promise<number> {
  let ran = 0;
  for (let index = 0; index < count; index += 1) {
    if (ONLY_CASE !== undefined && index !== ONLY_CASE) continue;
    const classes: string[] = [];
    try {
      await run({ r: random(caseSeed(suite, index)), index, note: (c) => classes.push(c) });
    } catch (error) {
      throw failure(file, suite, index, classes, error);
    }
    ran += 1;
  }
  return ran;
}

/** The rerun command of a fuzz file, as failure messages print it. */
export function rerunCommand(file: string, index?: number): string {
  return `LOGBOOK_FUZZ_SEED=${FUZZ_SEED}${index === undefined ? '' : ` LOGBOOK_FUZZ_CASE=${index}`} node --import tsx --test ${file}`;
}

function failure(file: string, suite: string, index: number, classes: readonly string[], error: unknown): Error {
  const elsewhere = [...new Set(classes)].flatMap((c) => Object.entries(FIXED_ELSEWHERE).filter(([key]) => c.includes(key)).map(([, fix]) => fix));
  const lines = [
    `fuzz ${suite}: case ${index} failed (seed ${FUZZ_SEED}; input classes: ${classes.length === 0 ? 'plain' : [...new Set(classes)].join(', ')})`,
    ...(elsewhere.length === 0 ? [] : [`  this case has an input class another branch of issue 12 fixes (${[...new Set(elsewhere)].join('; ')}): rerun it after merging`]),
    `  rerun: ${rerunCommand(file, index)}`,
    `  ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  ];
  return new Error(lines.join('\n'), { cause: error });
}

// FNV-1a of the suite name mixed with the seed and the index: every case its own stream of numbers.
function caseSeed(suite: string, index: number): number {
  let hash = 0x811c9dc5 ^ FUZZ_SEED;
  for (const ch of `${suite}#${index}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193);
  return hash >>> 0;
}

function readSeed(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_FUZZ_SEED;
  const value = Number(text.trim());
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`LOGBOOK_FUZZ_SEED must be a non-negative integer (decimal or 0x-hex), got ${JSON.stringify(text)}`);
  return value >>> 0;
}
