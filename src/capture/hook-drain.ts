import { closeSync, fstatSync, lstatSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { namesExistingFile, readRecordedPath } from './recorded-path';
import { ensurePrivateDirs, isUnsafePath, openSafe } from './safe-fs';

// A headless loop runs for hours with no writer: every event waits in the inbox, and the hook
// lists the inbox on every decision (hook-state.ts), so each PreToolUse would cost more than the
// last (10,000 entries: about 13 ms of listing and its garbage, measured with --cpu-prof). When
// the hook sees DRAIN_AT names or more and no writer holds the ingest lock, it starts
// `logbook ingest` in the background (the program install-hooks recorded in `.logbook/bin/cli`),
// detached, its output in `state/drain/<slot>.log`, and answers at once. The inbox stays short,
// so listing it stays cheap; the writer keeps its order (it ingests in name order, as always).
//
// Never two drains at once: at most one claim per DRAIN_COOLDOWN_MS slot (created O_EXCL, so
// of two hooks one wins), none while the last claimed drain's process lives or a writer's lock
// is fresh. A drain that fails leaves the pile for the next slot: one process a minute at most.
// No CLI recorded (hooks installed by hand, an old install): no drain, and the hook still
// decides from its fold of pending decisions (hook-overlay.ts), at the cost of the listing.

/** Inbox names (entries, logs, rawhooks) at which the hook starts a drain. */
export const DRAIN_AT = 1000;
/** One drain claim per slot of this length. */
export const DRAIN_COOLDOWN_MS = 60_000;
/** A claimed drain counts as running at most this long (a planted claim naming a live pid cannot stop drains for good). */
export const DRAIN_MAX_MS = 10 * 60_000;
/** A writer whose lock is untouched this long is gone (src/ingest/lock.ts LOCK_STALE_MS; not imported: it loads node:crypto). */
export const WRITER_SILENT_MS = 30_000;
const CLAIM_SUFFIX = '.log';

/** What the hook did about the pile; tests and the bench read it. */
export type DrainStart =
  | { readonly kind: 'started'; readonly pid: number; readonly claim: string }
  | { readonly kind: 'skipped'; readonly why: 'short' | 'writer' | 'draining' | 'claimed' | 'no-cli' | 'failed' };

/** Starts a background `logbook ingest` when the inbox is long and nobody drains it; never throws. */
export function drainIfLong(logbookDir: string, listed: number, now = Date.now()): DrainStart {
  if (listed < DRAIN_AT) return skipped('short');
  try {
    if (writerHoldsLock(join(logbookDir, 'ingest.lock'), now)) return skipped('writer');
    const cli = recordedCli(logbookDir);
    if (cli === undefined) return skipped('no-cli');
    const claims = join(logbookDir, 'state', 'drain');
    ensurePrivateDirs([join(logbookDir, 'state'), claims]);
    const slot = Math.floor(now / DRAIN_COOLDOWN_MS);
    if (lastDrainRunning(claims, slot, now)) return skipped('draining');
    return claimAndStart(claims, slot, cli, dirname(logbookDir));
  } catch {
    // A drain is an optimisation: the hook's answer never depends on it.
    return skipped('failed');
  }
}

function skipped(why: Extract<DrainStart, { kind: 'skipped' }>['why']): DrainStart {
  return { kind: 'skipped', why };
}

/** A lock touched within WRITER_SILENT_MS (and not from the future) is a writer at work: it ingests the pile itself. */
function writerHoldsLock(lock: string, now: number): boolean {
  const stat = lstatSync(lock, { throwIfNoEntry: false });
  if (stat === undefined || !stat.isFile()) return false;
  const age = now - stat.mtimeMs;
  return age >= -WRITER_SILENT_MS && age < WRITER_SILENT_MS;
}

/**
 * Whether the newest claim is this slot's, or names a drain still running. Every other claim
 * is removed, so the folder keeps one: the last drain's, with its output; a claim from a future
 * slot (planted, or the clock went back) is removed too.
 */
function lastDrainRunning(claims: string, slot: number, now: number): boolean {
  const slots = readdirSync(claims).filter((n) => /^\d+\.log$/.test(n)).map((n) => Number(n.slice(0, -CLAIM_SUFFIX.length))).sort((a, b) => b - a);
  let newest: number | undefined;
  for (const s of slots) {
    if (newest === undefined && s <= slot) newest = s;
    else removeClaim(join(claims, `${s}${CLAIM_SUFFIX}`));
  }
  if (newest === undefined) return false;
  if (newest === slot) return true;
  const last = join(claims, `${newest}${CLAIM_SUFFIX}`);
  if (claimRunning(last, now)) return true;
  // Over: the claim about to be made takes its place (one log, the last drain's, stays).
  removeClaim(last);
  return false;
}

/** rmSync never follows a link: a planted one goes, never what it points at. */
function removeClaim(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/**
 * A claim's first line is `drain pid <pid>` (only that is read: the drain's output follows, of
 * any length); a claim without it yet is a drain being started.
 */
function claimRunning(claim: string, now: number): boolean {
  let fd: number;
  try {
    fd = openSafe(claim, 'read');
  } catch (error) {
    // Not a claim of ours (a link, a folder: planted) or gone meanwhile: no drain runs by it.
    if (isUnsafePath(error) || (error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  let head: string;
  let age: number;
  try {
    const bytes = Buffer.alloc(64);
    head = bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, 0)).toString('latin1');
    age = now - fstatSync(fd).mtimeMs;
  } finally {
    closeSync(fd);
  }
  if (age > DRAIN_MAX_MS) return false;
  const pid = /^drain pid (\d+)\n/.exec(head)?.[1];
  if (pid === undefined) return age < DRAIN_COOLDOWN_MS;
  return isAlive(Number(pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, another user's (a reused pid): counted as running, DRAIN_MAX_MS bounds it.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The logbook program install-hooks recorded for this machine (git-ignored, beside the hook
 * program and written by the same installer, so it is trusted as the hook program itself is).
 */
function recordedCli(logbookDir: string): string | undefined {
  const cli = readRecordedPath(join(logbookDir, 'bin', 'cli'));
  return cli !== undefined && namesExistingFile(cli) ? cli : undefined;
}

/** Takes this slot's claim (O_EXCL: one hook wins) and starts the drain with its output in the claim. */
function claimAndStart(claims: string, slot: number, cli: string, workspace: string): DrainStart {
  const claim = join(claims, `${slot}${CLAIM_SUFFIX}`);
  let fd: number;
  try {
    fd = openSafe(claim, 'create-new', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return skipped('claimed');
    throw error;
  }
  try {
    // Loaded only here: child_process costs every hook 5–6 ms to load.
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    // Detached (its own session: Claude Code's kill of the hook's group spares it), no pipe of
    // ours held (Claude Code waits for the hook's stdout and stderr to close), the same runtime
    // (node, or VS Code's with ELECTRON_RUN_AS_NODE=1 from the launcher's environment).
    const child = spawn(process.execPath, [cli, 'ingest', '--workspace', workspace], { cwd: workspace, detached: true, stdio: ['ignore', fd, fd], windowsHide: true });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) return skipped('failed');
    lowerPriority(child.pid);
    writeSync(fd, `drain pid ${child.pid}\n`);
    return { kind: 'started', pid: child.pid, claim };
  } finally {
    closeSync(fd);
  }
}

/** The drain yields the CPU to the agent and its hooks (a two-core machine runs both). */
function lowerPriority(pid: number): void {
  try {
    const { constants, setPriority } = require('node:os') as typeof import('node:os');
    setPriority(pid, constants.priority.PRIORITY_LOW);
  } catch {
    // Not allowed here: the drain runs at the hook's priority.
  }
}
