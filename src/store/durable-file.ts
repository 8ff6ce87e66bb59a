import { closeSync, constants, fchmodSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

const TMP_MARK = '.tmp-';

// A new temp file: O_EXCL does not follow a link at its name; O_NOFOLLOW says so where it exists.
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (process.platform === 'win32' ? 0 : constants.O_NOFOLLOW);

/**
 * Replaces a file so that a crash at any instant leaves either the old or the new content,
 * never a torn one: write a private temp file beside it, fsync, rename over, fsync the folder.
 * The rename replaces whatever has the name (a link too): nothing is written through a link.
 * Callers that write under `.logbook/` check its folders first (safe-fs.ts).
 */
export function writeFileDurably(path: string, bytes: Uint8Array | string, mode = 0o600): void {
  const tmp = join(dirname(path), `.${basename(path)}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, CREATE_NEW, mode);
  try {
    writeAll(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    fsyncSync(fd);
    // openSync's mode is filtered by the umask; the file must have exactly the mode asked for.
    fchmodSync(fd, mode);
  } catch (error) {
    closeSync(fd);
    unlinkSync(tmp);
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

/**
 * Writes durably only when the bytes differ (reinstalling must not touch files, or editors and
 * Claude Code reload them for nothing). An existing file keeps its mode. Returns whether it wrote.
 */
export function writeIfChanged(path: string, content: string | Uint8Array, newFileMode = 0o600): boolean {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  let existing: Buffer | undefined;
  try {
    existing = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing !== undefined && existing.equals(bytes)) return false;
  writeFileDurably(path, bytes, existing === undefined ? newFileMode : statSync(path).mode & 0o777);
  return true;
}

/** Removes temp files a crashed writer left beside `path`. */
export function removeStaleTemps(path: string): number {
  const prefix = `.${basename(path)}${TMP_MARK}`;
  let removed = 0;
  for (const name of safeReaddir(dirname(path))) {
    if (!name.startsWith(prefix)) continue;
    try {
      unlinkSync(join(dirname(path), name));
      removed += 1;
    } catch {
      // Another process may have removed it first: nothing to do.
    }
  }
  return removed;
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
