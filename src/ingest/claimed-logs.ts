import { closeSync, fchmodSync, lstatSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { entryFileName, stampNow } from '../capture/inbox-writer';
import { LIVE_LOG, LOG_SUFFIX, RETIRED_MODE, splitLog } from '../capture/inbox-log';
import type { LogRecord } from '../capture/inbox-log';
import { openSafe, readAll } from '../capture/safe-fs';

// The writer's side of the inbox log protocol (src/capture/inbox-log.ts): claim the live log,
// retire a claimed log, then read it.

/**
 * Renames the live log aside so hooks start a fresh one; returns the claimed name, or undefined
 * when there is nothing to claim. An empty live log stays: claiming it would only make a file.
 * A live log that is not a file at all (a directory, a FIFO) is claimed too: it is then
 * quarantined as unreadable, and the hooks start a real one.
 */
export function claimLiveLog(inboxDir: string): string | undefined {
  const live = join(inboxDir, LIVE_LOG);
  try {
    // lstat: a planted link or FIFO is claimed too (renamed, never followed), so hooks get a
    // fresh live log and the read below refuses it with a message that says what it is.
    const stat = lstatSync(live);
    if (stat.isFile() && stat.size === 0) return undefined;
    const name = entryFileName(stampNow(), LOG_SUFFIX);
    renameSync(live, join(inboxDir, name));
    return name;
  } catch (error) {
    // No live log, or a hook rotated it first (it is then a claimed log under another name).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A claimed log as read: its records from the offset asked, and the bytes read in all. */
export interface ReadLog {
  readonly records: readonly LogRecord[];
  readonly size: number;
  /** The log's bytes as read (a writer that must rewrite the log keeps the records it does not change exactly). */
  readonly bytes: Buffer;
}

/**
 * Retires a claimed log (no write bit: a hook still holding it open writes its entry again
 * elsewhere), then reads it. Retiring first is what makes the read complete: every write that
 * ends before the chmod is in what is read after it. Throws ENOENT for a log that is gone, and
 * whatever else reading it throws (UnsafePathError for a directory, a FIFO or a link named like a log).
 */
export function readClaimedLog(inboxDir: string, name: string, from = 0, settle: () => void = pauseForWrite): ReadLog {
  // One descriptor for the chmod and the reads: a link, a FIFO or a hard link is refused (safe-fs.ts).
  const fd = openSafe(join(inboxDir, name), 'read');
  try {
    fchmodSync(fd, RETIRED_MODE);
    let bytes = readAll(fd);
    // A hook that opened the log before the claim may be in the middle of its write: the read can
    // see the first part of it. That hook finds the log retired once its write ends and writes the
    // entry again as a file, so nothing would be lost, but the part seen would be quarantined as a
    // torn record. Its write is one write(2) that ends within moments: read again a few times
    // until the tail is whole. A tail that stays incomplete is a hook stopped mid-write.
    for (let tries = 0; tries < SETTLE_TRIES && endsMidRecord(bytes, from); tries += 1) {
      settle();
      bytes = readAll(fd);
    }
    return { records: splitLog(bytes, from), size: bytes.length, bytes };
  } finally {
    closeSync(fd);
  }
}

/** Re-reads of a log whose tail is incomplete, each after `settle` (about 5 ms): 20 ms at most, only for such a log. */
export const SETTLE_TRIES = 4;

/** Whether the log's last record (from `from` on) lacks the newline every whole record ends with. */
function endsMidRecord(bytes: Buffer, from: number): boolean {
  return bytes.length > from && bytes[bytes.length - 1] !== 0x0a;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread for 5 ms: the writer's pass is synchronous, and this happens only for a torn tail. */
function pauseForWrite(): void {
  Atomics.wait(pause, 0, 0, 5);
}

/** Whether a claimed log has grown past `size` (only on a file system that ignores the retirement). */
export function grownPast(inboxDir: string, name: string, size: number): boolean {
  try {
    return lstatSync(join(inboxDir, name)).size > size;
  } catch {
    return false;
  }
}

// A stamped record has its provenance stamp first (src/capture/provenance.ts).
const RECEIVED_US = /^\{"v":1,(?:"mac":"t1\.[0-9a-f]{64}",)?"id":"[^"]{8,64}","receivedAt":"[^"]*","receivedUs":(\d{1,17})[,}]/;

/** The receive time of a record the hook wrote (its stamp leads the text), or undefined. */
export function receivedUsOf(text: string): number | undefined {
  const match = RECEIVED_US.exec(text);
  return match === null ? undefined : Number(match[1]);
}

/** The receive time an entry file's name starts with (zero-padded microseconds). */
export function receivedUsOfName(name: string): number {
  return Number(/^(\d{17})-/.exec(name)?.[1] ?? 0);
}
