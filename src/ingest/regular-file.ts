import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';

// Inbox and segment files are read by name from folders anyone with the workspace can write.
// A name the writer expects to be a file can be a directory, a FIFO (whose open blocks until
// someone writes to it: ingest would hang for good) or a device. These reads open without
// blocking and refuse anything but a regular file, with an error that says what it was.

/** Thrown for a path that is there but is not a regular file. */
export class NotARegularFile extends Error {
  readonly code = 'NOT_A_FILE';

  constructor(readonly kind: string) {
    super(`not a regular file (${kind})`);
  }
}

// Not defined on every platform (Windows): there a FIFO cannot be made in a folder anyway.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Opens a regular file for reading; throws what open throws, or NotARegularFile. The caller closes it. */
export function openRegularFile(path: string): { fd: number; size: number } {
  const fd = openSync(path, OPEN_FLAGS);
  let stat: Stats;
  try {
    stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotARegularFile(kindOf(stat));
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return { fd, size: stat.size };
}

/** A regular file's whole content. */
export function readRegularFile(path: string): Buffer {
  const { fd, size } = openRegularFile(path);
  try {
    // One byte to spare: the read that finds the end needs no bigger buffer.
    return readRest(fd, Buffer.allocUnsafe(size + 1), 0);
  } finally {
    closeSync(fd);
  }
}

/** A regular file's text, or undefined when nothing is there; throws when something is there but cannot be read. */
export function readTextIfThere(path: string): string | undefined {
  try {
    return readRegularFile(path).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
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

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a file';
}
