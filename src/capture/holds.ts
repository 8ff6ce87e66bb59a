import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { sessionStateFile } from './paths';
import { readSafeTextIfAny } from './safe-fs';

// Holding a session (issue 15): `logbook hold S` (or VS Code) puts a small file in
// `.logbook/state/holds/`, named by the session; `logbook resume S` removes it. The hook reads
// it, not the store, so a hold works with no writer running (a headless loop), and costs the
// hook path nothing when none is set: the sh launcher sends PreToolUse to Node only while
// `holds/` has a file in it (launcher.ts), and the hook program looks for its session's file
// with one open. The hold and the resume are recorded as events too (SessionHeld,
// SessionResumed), which is what views read; this file is only the brake.
//
// Imported by the hook's tiny bundle: node built-ins only, and only what the hook reads (the
// writing side is src/control/hold.ts).

/** Folder of the hold files, under `.logbook/state/`. */
export const HOLDS_DIR = 'holds';
/** Claude Code runs the call when PreToolUse times out (installer.ts gives it 600 s): a wait ends well inside. */
export const HOLD_WAIT_MAX_MS = 540_000;
/** How long a held call waits for a resume, unless the hold says otherwise. */
export const HOLD_WAIT_DEFAULT_MS = HOLD_WAIT_MAX_MS;
/** How often a waiting hook looks for the resume. */
const POLL_MS = 100;

/** A hold as its file keeps it. */
export interface HoldFile {
  readonly message: string;
  readonly waitMs: number;
  readonly at: string;
}

/** The hold file of a session (its id reduced to safe characters, as the session snapshots are). */
export function holdFileOf(logbookDir: string, sessionId: string): string {
  return sessionStateFile(join(logbookDir, 'state', HOLDS_DIR), sessionId);
}

/** What a hold file says: the hold, none, or why it cannot be read (the hook then fails open, as for any odd state file). */
export type HoldRead = { readonly kind: 'held'; readonly hold: HoldFile } | { readonly kind: 'none' } | { readonly kind: 'odd'; readonly note: string };

export function readHold(logbookDir: string, sessionId: string): HoldRead {
  const path = holdFileOf(logbookDir, sessionId);
  let text: string | undefined;
  try {
    text = readSafeTextIfAny(path);
  } catch (error) {
    return { kind: 'odd', note: `agent-logbook: the hold ${path} was not read (${(error as Error).message}); the call goes on` };
  }
  if (text === undefined) return { kind: 'none' };
  const hold = parseHold(text);
  return hold === undefined ? { kind: 'odd', note: `agent-logbook: the hold ${path} is not a hold file Agent Logbook wrote; the call goes on` } : { kind: 'held', hold };
}

function parseHold(text: string): HoldFile | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  const { message, waitMs, at } = o;
  if (o['v'] !== 1 || typeof message !== 'string' || typeof at !== 'string') return undefined;
  if (typeof waitMs !== 'number' || !Number.isInteger(waitMs) || waitMs < 0) return undefined;
  return { message: message.slice(0, 2000), waitMs: Math.min(waitMs, HOLD_WAIT_MAX_MS), at };
}

/** True while the hold file is there (lstat: a link in its place counts as a hold gone odd, not followed). */
function stillHeld(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Waits while the session stays held, up to its `waitMs`: the agent's call waits in the hook
 * (no tokens spent) instead of being refused at once. Resumed: how long it waited. Still held
 * when the wait ends: undefined (the caller denies the call with the hold's message).
 */
export function awaitResume(logbookDir: string, sessionId: string, hold: HoldFile, now: () => number = Date.now): { waitedMs: number } | undefined {
  const path = holdFileOf(logbookDir, sessionId);
  const started = now();
  for (;;) {
    const waited = now() - started;
    if (!stillHeld(path)) return { waitedMs: waited };
    if (waited >= hold.waitMs) return undefined;
    Atomics.wait(sleeper, 0, 0, Math.min(POLL_MS, hold.waitMs - waited));
  }
}

/** What the agent reads when a held call is denied. */
export function heldReason(hold: HoldFile): string {
  const said = hold.message.trim();
  return `held by the user: ${said === '' ? '(no message)' : said}. This session is paused, not stopped: wait, then try the same call again; it goes on once the user resumes the session.`;
}
