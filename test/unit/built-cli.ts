import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// The built `logbook` bin as a real process, for tests whose claim is about the process: its
// stdout and stderr, its exit code, what it does with a closed pipe or a full disk.

export const BIN = join(__dirname, '..', '..', 'dist', 'logbook.js');

/** A test's `skip` when dist/ is not built. */
export const skipUnbuilt: string | false = existsSync(BIN) ? false : `${BIN} is missing: run "node scripts/build.mjs" first`;

export interface BuiltRun {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Runs `logbook <args>` to completion. */
export function runBuilt(args: readonly string[], options: { stdio?: StdioOptions; env?: NodeJS.ProcessEnv; input?: string } = {}): BuiltRun {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    stdio: options.stdio ?? 'pipe',
    env: { ...process.env, LOGBOOK_DEBUG: '', ...options.env },
    input: options.input,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error !== undefined) throw run.error;
  return { code: run.status, out: run.stdout ?? '', err: run.stderr ?? '' };
}

/** A stack trace line ("    at f (file.js:1:2)"): what the user must never see. */
export const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

/** stderr holds exactly one line (and its newline), with no stack trace. */
export function assertOneLine(err: string, what: string): string {
  assert.doesNotMatch(err, STACK_LINE, `${what}: no stack trace`);
  assert.equal(err.trimEnd().split('\n').length, 1, `${what}: one line on stderr, got ${JSON.stringify(err.slice(0, 400))}`);
  return err.trimEnd();
}
