import { closeSync, fstatSync, readSync } from 'node:fs';
import { openSafe } from '../../capture/safe-fs';
import type { FileCursor } from './usage-state';

// Reads what a transcript gained since the writer's cursor, whole lines only. Claude Code is
// appending to the file while this reads it: a last line without its newline is left for the
// next pass. A file that shrank or is another file under the same name is read again from 0.
// Opened like any file the writer reads (safe-fs.ts): no link followed, no FIFO hung on.

/** A whole line read, numbered from 1 in its file. */
export interface TailLine {
  readonly text: string;
  readonly line: number;
}

export interface TailRead {
  readonly lines: readonly TailLine[];
  /** Lines skipped without being read (longer than MAX_LINE_BYTES), by number. */
  readonly tooLong: readonly number[];
  readonly cursor: FileCursor;
  /** Read again from 0: the file shrank or was replaced. */
  readonly restarted: boolean;
  /** Bytes read (counted against the pass's budget). */
  readonly bytes: number;
  /** Whole lines remain beyond what the budget let this read take. */
  readonly more: boolean;
}

/** No transcript line worth reading is this long (a line with a large image is a few MB). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * The whole lines of `path` after `from`, reading at most about `budget` bytes (always at least
 * one whole line when there is one). Throws what open throws (ENOENT: the file is gone).
 */
export function readTail(path: string, from: FileCursor | undefined, budget: number): TailRead {
  const fd = openSafe(path, 'read');
  try {
    const stat = fstatSync(fd);
    const same = from !== undefined && from.dev === stat.dev && from.ino === stat.ino && from.offset <= stat.size;
    const start = same ? from.offset : 0;
    const firstLine = same ? from.line : 0;
    const base = { dev: stat.dev, ino: stat.ino };
    const restarted = from !== undefined && !same;
    const available = stat.size - start;
    if (available <= 0) return { lines: [], tooLong: [], cursor: { ...base, offset: start, line: firstLine }, restarted, bytes: 0, more: false };
    const want = Math.min(available, Math.max(budget, 64 * 1024));
    let chunk = readAt(fd, start, want);
    let end = chunk.lastIndexOf(NEWLINE);
    const tooLong: number[] = [];
    let skipTo = -1;
    let cut = chunk.length < available;
    if (end < 0 && chunk.length < available) {
      // One line longer than the budget: read on to its end, up to MAX_LINE_BYTES.
      chunk = readAt(fd, start, Math.min(available, MAX_LINE_BYTES));
      end = chunk.indexOf(NEWLINE);
      cut = true;
      if (end < 0 && chunk.length < available) skipTo = findNewline(fd, start + chunk.length, stat.size);
    }
    if (skipTo >= 0) {
      tooLong.push(firstLine + 1);
      return { lines: [], tooLong, cursor: { ...base, offset: skipTo + 1, line: firstLine + 1 }, restarted, bytes: skipTo + 1 - start, more: skipTo + 1 < stat.size };
    }
    if (end < 0) return { lines: [], tooLong, cursor: { ...base, offset: start, line: firstLine }, restarted, bytes: chunk.length, more: false };
    const texts = chunk.subarray(0, end).toString('utf8').split('\n');
    const lines = texts.map((text, i) => ({ text, line: firstLine + i + 1 }));
    const offset = start + end + 1;
    return { lines, tooLong, cursor: { ...base, offset, line: firstLine + lines.length }, restarted, bytes: end + 1, more: cut && offset < stat.size };
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const read = readSync(fd, bytes, filled, length - filled, position + filled);
    if (read === 0) break;
    filled += read;
  }
  return bytes.subarray(0, filled);
}

/** The offset of the next newline at or after `from`, or -1 before `size`; read in pieces, nothing kept. */
function findNewline(fd: number, from: number, size: number): number {
  const piece = 1024 * 1024;
  for (let at = from; at < size; at += piece) {
    const bytes = readAt(fd, at, Math.min(piece, size - at));
    const found = bytes.indexOf(NEWLINE);
    if (found >= 0) return at + found;
    if (bytes.length === 0) break;
  }
  return -1;
}
