import { closeSync, constants, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { LOCK } from './sqlite-abi';
import { ensurePrivateDir } from '../../capture/safe-fs';
import type { LockLevel } from './sqlite-abi';

// SQLite's rollback journal keeps readers consistent only through the VFS's locks: SHARED while
// reading, and a writer that must reach EXCLUSIVE (no reader left) before it writes pages into
// the database file. sql.js's unix VFS runs on Emscripten's file system, whose fcntl locks are
// no-ops, and Node has no fcntl or flock. So the page-file VFS locks with marker files beside
// the database, the way SQLite's own "unix-dotfile" VFS does, extended to many readers:
//
//   <db>-readers/<pid>-<thread>-<n>  one per connection holding SHARED (created, then PENDING re-checked);
//                           the thread id keeps apart the connections of the extension host's main
//                           thread and of its ingest worker, whose counters both start at 1
//   <db>-reserved           the writer's intent (RESERVED): readers see a journal as live, not hot
//   <db>-pending            the writer wants EXCLUSIVE: no new reader may start
//
// A reader creates its marker and then looks for `-pending`; a writer creates `-pending` and
// then lists the readers. Whichever comes second sees the other, so a reader never reads pages
// that a writer is writing. A marker whose process is gone (kill -9) is stale and ignored (and
// removed). The single writer is the ingest lock's (src/ingest/lock.ts); these locks only order
// it against readers. Every marker names a pid on this machine: the store must be on a local disk.

let nextConnection = 0;
/** How long a marker without a pid yet counts as live. */
const EMPTY_MARKER_MS = 5_000;

/** The lock one connection holds on one database file. */
export class MarkerLock {
  private level: LockLevel = LOCK.NONE;
  private readonly readerMarker: string;

  constructor(private readonly dbPath: string) {
    nextConnection += 1;
    this.readerMarker = join(`${dbPath}-readers`, `${process.pid}-${threadId}-${nextConnection}`);
  }

  get held(): LockLevel {
    return this.level;
  }

  /** Raises the lock to `to`; false (SQLITE_BUSY) when another process stands in the way. */
  lock(to: LockLevel): boolean {
    if (to <= this.level) return true;
    if (this.level === LOCK.NONE && !this.takeShared()) return false;
    if (to >= LOCK.RESERVED && this.level < LOCK.RESERVED) {
      if (!createMarker(`${this.dbPath}-reserved`)) return false;
      this.level = LOCK.RESERVED;
    }
    if (to === LOCK.EXCLUSIVE) {
      if (this.level < LOCK.PENDING) {
        if (!createMarker(`${this.dbPath}-pending`)) return false;
        this.level = LOCK.PENDING;
      }
      if (this.liveReaders() > 0) return false;
      this.level = LOCK.EXCLUSIVE;
    }
    if (this.level < to) this.level = to;
    return true;
  }

  /** Lowers the lock to SHARED or NONE. */
  unlock(to: LockLevel): void {
    if (to >= this.level) return;
    if (this.level >= LOCK.PENDING) removeMarker(`${this.dbPath}-pending`);
    if (this.level >= LOCK.RESERVED) removeMarker(`${this.dbPath}-reserved`);
    if (to === LOCK.NONE) removeMarker(this.readerMarker);
    this.level = to;
  }

  /** Whether some connection holds RESERVED or more: a journal beside the file is then not hot. */
  reservedByAnyone(): boolean {
    return this.level >= LOCK.RESERVED || liveMarker(`${this.dbPath}-reserved`);
  }

  private takeShared(): boolean {
    if (liveMarker(`${this.dbPath}-pending`)) return false;
    // A real folder of the user's own: a planted link there would take the markers elsewhere.
    ensurePrivateDir(`${this.dbPath}-readers`);
    writeMarker(this.readerMarker);
    if (liveMarker(`${this.dbPath}-pending`)) {
      removeMarker(this.readerMarker);
      return false;
    }
    this.level = LOCK.SHARED;
    return true;
  }

  private liveReaders(): number {
    let live = 0;
    for (const name of listDir(`${this.dbPath}-readers`)) {
      const path = join(`${this.dbPath}-readers`, name);
      if (path === this.readerMarker) continue;
      if (pidAlive(Number(name.split('-')[0]))) live += 1;
      else removeMarker(path);
    }
    return live;
  }
}

/**
 * Clears the markers a thread of this process left when it ended without unlocking (a crashed
 * ingest worker): its pid is alive, so nobody else would ever see them as stale. Only for a
 * process whose other threads never take RESERVED (the extension host's main thread reads only).
 */
export function clearMarkersOfThread(dbPath: string, deadThread: number): void {
  for (const name of listDir(`${dbPath}-readers`)) if (name.startsWith(`${process.pid}-${deadThread}-`)) removeMarker(join(`${dbPath}-readers`, name));
  for (const path of [`${dbPath}-pending`, `${dbPath}-reserved`]) {
    try {
      if (Number(readFileSync(path, 'utf8')) === process.pid) removeMarker(path);
    } catch {
      // None there.
    }
  }
}

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (process.platform === 'win32' ? 0 : constants.O_NOFOLLOW);

/** Creates `path` holding our pid; a stale one (its process gone) is replaced. False when a live one exists. */
function createMarker(path: string): boolean {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeMarker(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (liveMarker(path)) return false;
      removeMarker(path);
    }
  }
  return false;
}

function writeMarker(path: string): void {
  const fd = openSync(path, CREATE_NEW, 0o600);
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
}

function liveMarker(path: string): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    // A marker being created has no pid yet: live while young (its writer is at work), stale
    // once old (its writer was killed between creating it and writing the pid).
    if (text === '') return Date.now() - statSync(path).mtimeMs < EMPTY_MARKER_MS;
  } catch {
    return false;
  }
  return pidAlive(Number(text));
}

function removeMarker(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: another process cleared a stale marker first.
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
