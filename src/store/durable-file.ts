import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

const TMP_MARK = '.tmp-';

/**
 * Replaces a file so that a crash at any instant leaves either the old or the new content,
 * never a torn one: write a private temp file beside it, fsync, rename over, fsync the folder.
 */
export function writeFileDurably(path: string, bytes: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeAll(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(tmp);
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
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
