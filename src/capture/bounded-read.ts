import { isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { LogbookError } from '../domain/errors';
import { isUnsafePath, openSafe } from './safe-fs';

// Reading a file someone else may have planted: the workflow, the settings we edit, the state
// files the hook reads on every tool call. Its size is checked on the open file before a byte is
// read, and the read stops past the limit even if the file grows meanwhile. A FIFO or a device
// is refused without blocking (opened non-blocking, checked with fstat). Text must be UTF-8: a
// file decoded with replacement characters and written back would lose the user's bytes.
// Node built-ins only: the hook's bundle imports this.

/** Largest user configuration file we read (Claude settings, .mcp.json, .vscode/settings.json, .gitignore). */
export const CONFIG_FILE_MAX_BYTES = 8 * 1024 * 1024;

/** Why a file was not read. */
export type FileRefusal = 'FILE_TOO_LARGE' | 'FILE_NOT_REGULAR' | 'FILE_NOT_UTF8' | 'FILE_UNREADABLE' | 'FILE_UNSAFE';

/** How to open: a file Agent Logbook keeps under `.logbook/` is never read through a link or from another user (safe-fs.ts). */
export interface ReadOptions {
  readonly underLogbook?: boolean;
}

/** A file's text, or that there is none, or why it was not read (`reason` follows the file's name). */
export type BoundedText =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'refused'; readonly code: FileRefusal; readonly reason: string };

/** A file refused by readTextOrThrow; the message starts with the file's label. */
export class WorkspaceFileError extends LogbookError {
  constructor(code: FileRefusal, readonly file: string, reason: string) {
    super(code, `${file}: ${reason}`);
    this.name = 'WorkspaceFileError';
  }
}

/** Reads a UTF-8 text file of at most `maxBytes`; never throws. */
export function readBoundedText(path: string, maxBytes: number, options: ReadOptions = {}): BoundedText {
  let fd: number;
  try {
    fd = options.underLogbook === true ? openSafe(path, 'read') : openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return refusedOnError(error);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return refused('FILE_NOT_REGULAR', 'is a directory, not a file');
    if (!stat.isFile()) return refused('FILE_NOT_REGULAR', 'is not a regular file');
    if (stat.size > maxBytes) return refused('FILE_TOO_LARGE', tooLarge(stat.size, maxBytes));
    const bytes = readAtMost(fd, stat.size, maxBytes);
    if (bytes.length > maxBytes) return refused('FILE_TOO_LARGE', `${tooLarge(bytes.length, maxBytes)} (it grew while being read)`);
    if (!isUtf8(bytes)) return refused('FILE_NOT_UTF8', notUtf8(bytes));
    return { kind: 'text', text: bytes.toString('utf8') };
  } catch (error) {
    return refusedOnError(error);
  } finally {
    closeSync(fd);
  }
}

/** The text of a file, undefined when there is none; throws WorkspaceFileError naming `label`. */
export function readTextOrThrow(path: string, label: string, maxBytes: number, options: ReadOptions = {}): string | undefined {
  const read = readBoundedText(path, maxBytes, options);
  if (read.kind === 'refused') throw new WorkspaceFileError(read.code, label, read.reason);
  return read.kind === 'text' ? read.text : undefined;
}

/** `2.0 MiB (2097152 bytes)`: the size people read, and the exact one. */
export function describeSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit] ?? ''} (${bytes} bytes)`;
}

function tooLarge(size: number, maxBytes: number): string {
  return `is ${describeSize(size)}, over the limit of ${describeSize(maxBytes)}: not read`;
}

function refused(code: FileRefusal, reason: string): BoundedText {
  return { kind: 'refused', code, reason };
}

function refusedOnError(error: unknown): BoundedText {
  // The message names the path itself: keep only what is wrong with it.
  if (isUnsafePath(error)) return refused('FILE_UNSAFE', error.problem);
  const code = (error as NodeJS.ErrnoException).code;
  // A missing folder on the way, a file where a folder should be, or a name no file system
  // takes (a session id a megabyte long): there is no such file.
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return { kind: 'missing' };
  if (code === 'EISDIR') return refused('FILE_NOT_REGULAR', 'is a directory, not a file');
  return refused('FILE_UNREADABLE', `cannot be read (${(error as Error).message})`);
}

/** Reads up to `maxBytes + 1` bytes: one more than allowed says the file is too large. */
function readAtMost(fd: number, expected: number, maxBytes: number): Buffer {
  let buffer = Buffer.allocUnsafe(Math.min(expected, maxBytes) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) break;
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
  }
  return buffer.subarray(0, length);
}

/** Where the first byte that is not UTF-8 is: line and byte offset, with the byte's value. */
function notUtf8(bytes: Buffer): string {
  // Up to the first bad sequence every character decoded as it was written, so the byte length
  // of the decoded text before a replacement character is the byte offset of what it replaced.
  const text = bytes.toString('utf8');
  let offset = 0;
  let from = 0;
  for (let at = text.indexOf('\uFFFD'); at >= 0; at = text.indexOf('\uFFFD', at + 1)) {
    offset += Buffer.byteLength(text.slice(from, at));
    // A replacement character written in the file is not a bad byte.
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) break;
    offset += 3;
    from = at + 1;
  }
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line += 1;
  const byte = (bytes[offset] ?? 0).toString(16).padStart(2, '0');
  return `is not UTF-8 text (byte 0x${byte} at line ${line}, byte offset ${offset})`;
}
