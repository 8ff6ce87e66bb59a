import { closeSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';

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

export function tryAcquireLock(path: string, owner: string, staleMs = LOCK_STALE_MS): LockAttempt {
  const info: LockInfo = { pid: process.pid, hostname: hostname(), owner, acquiredAt: new Date().toISOString(), token: randomUUID() };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (create(path, info)) return { acquired: true, lock: held(path, info), tookOverFrom: undefined };
  const holder = readLock(path);
  if (holder !== undefined && !isStale(path, holder, staleMs)) return { acquired: false, holder };
  // Stale (dead pid, silent too long, or unreadable): take it over, then check we won any race.
  try {
    unlinkSync(path);
  } catch {
    // Someone else removed it first; the create below decides.
  }
  if (!create(path, info) || readLock(path)?.token !== info.token) return { acquired: false, holder: readLock(path) };
  return { acquired: true, lock: held(path, info), tookOverFrom: holder };
}

export function readLock(path: string): LockInfo | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    if (typeof value.pid !== 'number' || typeof value.token !== 'string') return undefined;
    return { pid: value.pid, hostname: String(value.hostname), owner: String(value.owner), acquiredAt: String(value.acquiredAt), token: value.token };
  } catch {
    return undefined;
  }
}

function create(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
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
    return Date.now() - statSync(path).mtimeMs > staleMs;
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
        utimesSync(path, now, now);
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
