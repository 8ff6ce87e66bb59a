import { closeSync, fstatSync, fsyncSync, renameSync, statfsSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensurePrivateDirs, openSafe } from './safe-fs';

// Imported by the hook's tiny bundle: node built-ins only (no zod, no sql.js, no vscode).
//
// Hook events go into one append-only log, not a file each: an entry file costs the hook a
// create, a rename and a directory entry, and costs the writer an open, a read, a close, a
// rename into the archive and an unlink, which together cost more than storing the event.
// The protocol, and why nothing is lost or interleaved:
// - A hook appends its entry with ONE write(2) to inbox/live.log opened O_APPEND. The kernel
//   holds the file's lock for the whole write, so parallel hooks never interleave (local file
//   systems; not NFS). Each record starts with RECORD_MARK (0x1E, never in JSON text, which
//   escapes control characters), so a torn record (a hook killed mid-write, a full disk) is
//   found and quarantined and the next record is still read.
// - The writer claims the log by renaming it (hooks then create a fresh live.log), then RETIRES
//   it (chmod: no write bit), then reads it. A hook that opened the log before the rename may
//   write to it after: after its write it checks the file's mode, and if the log was retired
//   it writes its entry again as an entry file of its own. A write that completed before the
//   retirement is in what the writer reads after it; one that completed after is in an entry
//   file. An entry that lands in both is stored once (event ids are unique).
// - A hook that finds the log past ROTATE_BYTES renames it aside itself (`<µs>-<id>.log`), so
//   a log stays small enough to read whole even when no writer runs for days.

/** The log hooks append to; other `.log` files in the inbox are claimed logs waiting for ingest. */
export const LIVE_LOG = 'live.log';
export const LOG_SUFFIX = '.log';
/** Starts every record of a log (ASCII record separator). */
export const RECORD_MARK = 0x1e;
/** A log this big is rotated by the next hook that writes to it. */
export const ROTATE_BYTES = 8 * 1024 * 1024;
const LIVE_MODE = 0o600;
/** A claimed log: no write bit. The hooks' check; root may still write, hence a check, not a lock. */
export const RETIRED_MODE = 0o400;

/** Whether an inbox file name is a claimed log (hook events waiting for ingest). */
export function isClaimedLog(name: string): boolean {
  return name.endsWith(LOG_SUFFIX) && name !== LIVE_LOG;
}

/**
 * Appends one entry to the inbox's live log, durably. Returns the log's path, or undefined when
 * the entry may not have reached a reader (the log was claimed meanwhile, or the write was
 * short): the caller then writes it as an entry file of its own.
 * `rotatedName` names the log if this write finds it full.
 */
export function appendToInboxLog(inboxDir: string, text: string, rotatedName: () => string): string | undefined {
  const path = join(inboxDir, LIVE_LOG);
  const fd = openLiveLog(inboxDir);
  try {
    const outcome = appendRecord(fd, text);
    if (outcome === 'retired') return undefined;
    if (outcome === 'full') rotate(path, join(inboxDir, rotatedName()));
    return path;
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens (creating it, and the inbox, if needed) the live log for appending. The two folders are
 * lstat'ed and the log opened O_NOFOLLOW then fstat'ed (safe-fs.ts): a planted link, FIFO or
 * hard link throws UnsafePathError before a byte is written. No more than that on the hook's path.
 */
export function openLiveLog(inboxDir: string): number {
  ensurePrivateDirs([dirname(inboxDir), inboxDir]);
  return openSafe(join(inboxDir, LIVE_LOG), 'append', LIVE_MODE);
}

/**
 * Appends one record to an open log with one write, durably, then looks at the log: `retired`
 * when a writer may have read it before this write landed (or the write was short), `full`
 * when it is due for rotation.
 */
export function appendRecord(fd: number, text: string): 'written' | 'full' | 'retired' {
  const record = Buffer.from(`\u001e${text}`, 'utf8');
  const written = writeSync(fd, record);
  fsyncSync(fd);
  // Checked after the write: a retirement before this point means the write may be unread.
  const stat = fstatSync(fd);
  if (written !== record.length || (stat.mode & 0o200) === 0 || stat.nlink === 0) return 'retired';
  return stat.size >= ROTATE_BYTES ? 'full' : 'written';
}

function rotate(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    // Another hook or the writer took it first: either way it is no longer the live log.
  }
}

/** One record of a log: its entry text (without the mark), or the bytes of a torn one. */
export interface LogRecord {
  /** Byte offset of the record's mark in the log. */
  readonly offset: number;
  readonly text: string;
  /** Set when the record is not a whole entry (no newline at its end): it is quarantined with this reason. */
  readonly torn?: string;
}

/**
 * Splits a log's bytes into records, from `from` (a record mark's offset, or 0). Bytes before
 * the first mark (only a torn start can leave them) are a torn record too: nothing is skipped.
 */
export function splitLog(bytes: Buffer, from = 0): LogRecord[] {
  const records: LogRecord[] = [];
  let start = from;
  while (start < bytes.length) {
    const hasMark = bytes[start] === RECORD_MARK;
    const bodyStart = hasMark ? start + 1 : start;
    let end = bytes.indexOf(RECORD_MARK, bodyStart);
    if (end < 0) end = bytes.length;
    const text = bytes.toString('utf8', bodyStart, end);
    if (!hasMark) records.push({ offset: start, text, torn: `bytes ${start}-${end} of the log are not a record (no record mark)` });
    else if (bytes[end - 1] !== 0x0a) records.push({ offset: start, text, torn: `the record at byte ${start} of the log is incomplete (${end - bodyStart} bytes, no final newline): a hook was stopped mid-write` });
    else records.push({ offset: start, text });
    start = end;
  }
  return records;
}

/**
 * Linux file system types (statfs f_type) on which concurrent O_APPEND writes are not one
 * atomic append each: network file systems append at an offset the client believes is the end,
 * and a FUSE file system appends however its daemon does. On these the hook writes an entry
 * file instead (a temp file renamed into place), the inbox's older format, which the writer reads
 * alongside logs.
 */
const SHARED_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x6969, 'NFS'], [0x517b, 'SMB'], [0xff534d42, 'CIFS'], [0xfe534d42, 'SMB2'], [0x01021997, '9p'],
  [0x65735546, 'FUSE'], [0x00c36400, 'Ceph'], [0x5346414f, 'AFS'], [0x6b414653, 'AFS'], [0x73757245, 'Coda'],
]);

/** The kind of shared file system `dir` is on when appends to a log there are not safe, else undefined. */
export function sharedFileSystemOf(dir: string, typeOf: (dir: string) => number | undefined = fileSystemType): string | undefined {
  const type = typeOf(dir);
  return type === undefined ? undefined : SHARED_FILE_SYSTEMS.get(type >>> 0);
}

/** statfs's f_type of `dir` (or of its nearest existing parent) on Linux; undefined elsewhere or on error. */
function fileSystemType(dir: string): number | undefined {
  if (process.platform !== 'linux') return undefined;
  for (let at = dir, up = 0; up < 4; at = dirname(at), up += 1) {
    try {
      return statfsSync(at).type;
    } catch {
      // Not created yet (the first hook of a workspace): its parent is on the same file system, nearly always.
    }
  }
  return undefined;
}
