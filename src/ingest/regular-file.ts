import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, readSync } from 'node:fs';
import { isClaimedLog } from '../capture/inbox-log';
import { RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import { openSafe, readSafe, readSafeTextIfAny } from '../capture/safe-fs';

// Inbox and segment files are read by name from folders anyone with the workspace can write.
// A name the writer expects to be a file can be a directory, a FIFO (whose open blocks until
// someone writes to it: ingest would hang for good), a device, or a link planted to a file
// outside the workspace. These reads go through safe-fs.ts: opened without following a link and
// without blocking, and only a regular file of the user's own, with one link, is read; anything
// else throws an error that says what it was (the ingest quarantines it with that reason).

/** Opens a regular file for reading; throws what open throws, or UnsafePathError. The caller closes it. */
export function openRegularFile(path: string): { fd: number; size: number } {
  const fd = openSafe(path, 'read');
  try {
    return { fd, size: fstatSync(fd).size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** A regular file's whole content. */
export function readRegularFile(path: string): Buffer {
  return readSafe(path);
}

/** A regular file's text, or undefined when nothing is there; throws when something is there but cannot be read. */
export function readTextIfThere(path: string): string | undefined {
  return readSafeTextIfAny(path);
}

/**
 * An inbox file's content as a rebuild replays it: its text, and for a claimed log whose bytes are
 * not all UTF-8 the exact bytes too (its records are found by byte offset, which a decoded and
 * re-encoded text would shift). Undefined when nothing is there.
 */
export function readContentIfThere(path: string, name: string): { text: string; bytes?: Buffer } | undefined {
  let bytes: Buffer;
  try {
    bytes = readSafe(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const text = bytes.toString('utf8');
  // A log's records' offsets depend on its exact bytes; a raw payload's bytes are what Claude Code sent.
  return (isClaimedLog(name) || name.endsWith(RAW_HOOK_SUFFIX)) && !isUtf8(bytes) ? { text, bytes } : { text };
}

/**
 * Reads from `fd` into `buffer` from `filled` on until the end of the file (growing the buffer
 * if the file grew since it was sized); returns the bytes read.
 */
export function readRest(fd: number, buffer: Buffer, filled: number): Buffer {
  let bytes = buffer;
  let length = filled;
  for (;;) {
    if (length === bytes.length) {
      const grown = Buffer.allocUnsafe(bytes.length * 2 + 64 * 1024);
      bytes.copy(grown, 0, 0, length);
      bytes = grown;
    }
    const read = readSync(fd, bytes, length, bytes.length - length, length);
    if (read === 0) return bytes.subarray(0, length);
    length += read;
  }
}
