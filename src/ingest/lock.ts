import { closeSync, futimesSync, lstatSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ensurePrivateDir, kindOf, openSafe, readSafeText, UnsafePathError } from '../capture/safe-fs';

/** Who holds the workspace's single-writer lock. */
export interface LockInfo {
  readonly pid: number;
  readonly hostname: string;
  readonly owner: string;
  readonly acquiredAt: string;
  readonly token: string;
}

export interface HeldLock {
  readonly info: LockInfo;
  /** Refreshes the lock's mtime so others do not take it over as stale. */
  heartbeat(): void;
  /** False once another process took the lock over: stop writing. */
  stillOwned(): boolean;
  release(): void;
}

export type LockAttempt =
  | { readonly acquired: true; readonly lock: HeldLock; readonly tookOverFrom: LockInfo | undefined }
  | { readonly acquired: false; readonly holder: LockInfo | undefined };

/** A lock untouched this long is stale even if its pid looks alive (e.g. another machine). */
export const LOCK_STALE_MS = 30_000;
/**
 * A lock touched this far in the future is stale too: no heartbeat sets it there, a planted or
 * copied file (or a clock set back) does, and it would otherwise block every writer for good.
 */
export const LOCK_CLOCK_SKEW_MS = 60_000;

export function tryAcquireLock(path: string, owner: string, staleMs = LOCK_STALE_MS): LockAttempt {
  const info: LockInfo = { pid: process.pid, hostname: hostname(), owner, acquiredAt: new Date().toISOString(), token: randomUUID() };
  // The lock's folder (`.logbook/`) holds the store too: a private folder of the user's own.
  ensurePrivateDir(dirname(path));
  if (create(path, info)) return { acquired: true, lock: held(path, info), tookOverFrom: undefined };
  const holder = readLock(path);
  if (holder !== undefined && !isStale(path, holder, staleMs)) return { acquired: false, holder };
  // Stale (dead pid, silent too long or from the future, unreadable, or not a plain file of
  // ours: a link is removed, never followed): take it over, then check we won any race.
  removeStale(path);
  if (!create(path, info) || readLock(path)?.token !== info.token) return { acquired: false, holder: readLock(path) };
  return { acquired: true, lock: held(path, info), tookOverFrom: holder };
}

/** Releases the lock at `path` if it still carries `token`: the lock of a writer that died without releasing it (a crashed worker thread of this process). */
export function releaseLockOf(path: string, token: string): void {
  held(path, { pid: process.pid, hostname: hostname(), owner: '', acquiredAt: '', token }).release();
}

export function readLock(path: string): LockInfo | undefined {
  try {
    const value = JSON.parse(readSafeText(path)) as Partial<LockInfo>;
    if (typeof value.pid !== 'number' || typeof value.token !== 'string') return undefined;
    return { pid: value.pid, hostname: String(value.hostname), owner: String(value.owner), acquiredAt: String(value.acquiredAt), token: value.token };
  } catch {
    return undefined;
  }
}

function removeStale(path: string): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  // unlink cannot take a folder away, and it would stand in the lock's place for good.
  if (stat?.isDirectory() === true) throw new UnsafePathError(path, `is ${kindOf(stat)}, not a lock file`);
  try {
    unlinkSync(path);
  } catch {
    // Someone else removed it first; the create below decides.
  }
}

function create(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSafe(path, 'create-new', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(info));
  } finally {
    closeSync(fd);
  }
  return true;
}

function isStale(path: string, holder: LockInfo, staleMs: number): boolean {
  if (holder.hostname === hostname() && !pidAlive(holder.pid)) return true;
  try {
    const age = Date.now() - lstatSync(path).mtimeMs;
    return age > staleMs || age < -LOCK_CLOCK_SKEW_MS;
  } catch {
    return true;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function held(path: string, info: LockInfo): HeldLock {
  return {
    info,
    heartbeat: () => {
      const now = new Date();
      try {
        // Through a checked descriptor: a link put in the lock's place is not touched through.
        const fd = openSafe(path, 'read');
        try {
          futimesSync(fd, now, now);
        } finally {
          closeSync(fd);
        }
      } catch {
        // Lost the file: stillOwned() will say so.
      }
    },
    stillOwned: () => readLock(path)?.token === info.token,
    release: () => {
      if (readLock(path)?.token === info.token) {
        try {
          unlinkSync(path);
        } catch {
          // Already gone.
        }
      }
    },
  };
}
