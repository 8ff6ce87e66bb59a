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

/** What a case tells the harness about itself: the input classes it generated. */
export interface FuzzCase {
  readonly r: Random;
  readonly index: number;
  /** Records an input class (shown when the case fails). */
  note(inputClass: string): void;
}

/**
 * Runs `count` cases of a suite. Every case runs even after a failure (one known failure must
 * not hide a new one); then one error lists the failed cases, each with its rerun command.
 */
export function fuzzCases(file: string, suite: string, count: number, run: (c: FuzzCase) => void): number {
  const failures: Failure[] = [];
  let ran = 0;
  for (const index of caseIndices(count)) {
    const classes: string[] = [];
    try {
      run({ r: random(caseSeed(suite, index)), index, note: (c) => classes.push(c) });
    } catch (error) {
      failures.push(failure(file, suite, index, classes, error));
    }
    ran += 1;
  }
  throwIfFailed(file, suite, ran, failures);
  return ran;
}

/** fuzzCases for cases that await (files, processes, stores). */
export async function fuzzCasesAsync(file: string, suite: string, count: number, run: (c: FuzzCase) => Promise<void>): Promise<number> {
  const failures: Failure[] = [];
  let ran = 0;
  for (const index of caseIndices(count)) {
    const classes: string[] = [];
    try {
      await run({ r: random(caseSeed(suite, index)), index, note: (c) => classes.push(c) });
    } catch (error) {
      failures.push(failure(file, suite, index, classes, error));
    }
    ran += 1;
  }
  throwIfFailed(file, suite, ran, failures);
  return ran;
}

function caseIndices(count: number): number[] {
  if (ONLY_CASE !== undefined) return Number.isInteger(ONLY_CASE) && ONLY_CASE >= 0 && ONLY_CASE < count ? [ONLY_CASE] : [];
  return Array.from({ length: count }, (_, i) => i);
}

const SHOWN_FAILURES = 5;

/** A failed case: its message (input classes, rerun command, error) and the error itself. */
interface Failure {
  readonly message: string;
  readonly cause: unknown;
}

function throwIfFailed(file: string, suite: string, ran: number, failures: readonly Failure[]): void {
  if (failures.length === 0) return;
  const head = `fuzz ${suite}: ${failures.length} of ${ran} cases failed (seed ${FUZZ_SEED})`;
  const shown = failures.slice(0, SHOWN_FAILURES).map((f) => f.message);
  const more = failures.length > SHOWN_FAILURES ? [`… and ${failures.length - SHOWN_FAILURES} more; rerun all: ${rerunCommand(file)}`] : [];
  throw new Error([head, ...shown, ...more].join('\n\n'), { cause: failures[0]?.cause });
}

/** The rerun command of a fuzz file, as failure messages print it. */
export function rerunCommand(file: string, index?: number): string {
  return `LOGBOOK_FUZZ_SEED=${FUZZ_SEED}${index === undefined ? '' : ` LOGBOOK_FUZZ_CASE=${index}`} node --import tsx --test ${file}`;
}

function failure(file: string, suite: string, index: number, classes: readonly string[], error: unknown): Failure {
  const lines = [
    `fuzz ${suite}: case ${index} failed (seed ${FUZZ_SEED}; input classes: ${classes.length === 0 ? 'plain' : [...new Set(classes)].join(', ')})`,
    `  rerun: ${rerunCommand(file, index)}`,
    `  ${error instanceof Error ? firstLines(error.stack ?? error.message) : String(error)}`,
  ];
  return { message: lines.join('\n'), cause: error };
}

function firstLines(text: string): string {
  return text.split('\n').slice(0, 30).join('\n  ');
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
