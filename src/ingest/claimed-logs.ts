import { chmodSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { entryFileName, stampNow } from '../capture/inbox-writer';
import { LIVE_LOG, LOG_SUFFIX, RETIRED_MODE, splitLog } from '../capture/inbox-log';
import type { LogRecord } from '../capture/inbox-log';

// The writer's side of the inbox log protocol (src/capture/inbox-log.ts): claim the live log,
// retire a claimed log, then read it.

/**
 * Renames the live log aside so hooks start a fresh one; returns the claimed name, or undefined
 * when there is nothing to claim. An empty live log stays: claiming it would only make a file.
 */
export function claimLiveLog(inboxDir: string): string | undefined {
  const live = join(inboxDir, LIVE_LOG);
  try {
    if (statSync(live).size === 0) return undefined;
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
}

/**
 * Retires a claimed log (no write bit: a hook still holding it open writes its entry again
 * elsewhere), then reads it. Retiring first is what makes the read complete: every write that
 * ends before the chmod is in what is read after it. Throws ENOENT for a log that is gone.
 */
export function readClaimedLog(inboxDir: string, name: string, from = 0): ReadLog {
  const path = join(inboxDir, name);
  chmodSync(path, RETIRED_MODE);
  const bytes = readFileSync(path);
  return { records: splitLog(bytes, from), size: bytes.length };
}

/** Whether a claimed log has grown past `size` (only on a file system that ignores the retirement). */
export function grownPast(inboxDir: string, name: string, size: number): boolean {
  try {
    return statSync(join(inboxDir, name)).size > size;
  } catch {
    return false;
  }
}

const RECEIVED_US = /^\{"v":1,"id":"[^"]{8,64}","receivedAt":"[^"]*","receivedUs":(\d{1,17})[,}]/;

/** The receive time of a record the hook wrote (its stamp leads the text), or undefined. */
export function receivedUsOf(text: string): number | undefined {
  const match = RECEIVED_US.exec(text);
  return match === null ? undefined : Number(match[1]);
}

/** The receive time an entry file's name starts with (zero-padded microseconds). */
export function receivedUsOfName(name: string): number {
  return Number(/^(\d{17})-/.exec(name)?.[1] ?? 0);
}
