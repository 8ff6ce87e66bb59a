import { closeSync, lstatSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { readBoundedText } from '../../capture/bounded-read';
import type { LogbookPaths } from '../../capture/paths';
import { sessionStateFile } from '../../capture/paths';
import { ensurePrivateDirs, openSafe } from '../../capture/safe-fs';

// Where the writer stands in each session's transcripts: `.logbook/state/usage/<session>.json`.
// Written only after the usage entries it covers are durable in the inbox, so a crash between the
// two rereads lines whose events are already written: their ids are the same, the store keeps one.
// A state file that is lost, stale or unreadable means rereading, which adds nothing either: so it
// is replaced atomically (temp, rename) but not fsynced, which would cost every pass two syncs.

/** How far one transcript file was read. */
export interface FileCursor {
  /** Bytes consumed: always just after a newline (a partial last line waits for its end). */
  readonly offset: number;
  /** Lines consumed, so a later line is named by its number in the file. */
  readonly line: number;
  /** The file read (a file replaced under the same name is read again from 0). */
  readonly dev: number;
  readonly ino: number;
}

/** One session's cursors, by the transcript file's absolute path. */
export interface UsageCursorState {
  readonly sessionId: string;
  /** The main transcript (the hooks' transcript_path). */
  readonly transcriptPath: string;
  readonly files: Readonly<Record<string, FileCursor>>;
}

// Bounded: one cursor per subagent, a few dozen bytes each.
const STATE_MAX_BYTES = 4 * 1024 * 1024;
const cursor = z.object({ offset: z.number().int().nonnegative(), line: z.number().int().nonnegative(), dev: z.number(), ino: z.number() });
const stateFile = z.object({ v: z.literal(1), sessionId: z.string().min(1), transcriptPath: z.string().min(1), files: z.record(z.string(), cursor) });

export function usageStateDir(paths: LogbookPaths): string {
  return join(paths.state, 'usage');
}

/** The session's saved cursors; undefined when none were saved or the file does not read (it is then rewritten). */
export function loadUsageState(paths: LogbookPaths, sessionId: string): UsageCursorState | undefined {
  const read = readBoundedText(sessionStateFile(usageStateDir(paths), sessionId), STATE_MAX_BYTES, { underLogbook: true });
  if (read.kind !== 'text') return undefined;
  try {
    const parsed = stateFile.safeParse(JSON.parse(read.text));
    // Two ids that reduce to one file name: the file is the other session's.
    if (!parsed.success || parsed.data.sessionId !== sessionId) return undefined;
    return { sessionId, transcriptPath: parsed.data.transcriptPath, files: parsed.data.files };
  } catch {
    return undefined;
  }
}

/** Whether the session has a cursor file (cheap: no read). */
export function hasUsageState(paths: LogbookPaths, sessionId: string): boolean {
  return lstatSync(sessionStateFile(usageStateDir(paths), sessionId), { throwIfNoEntry: false }) !== undefined;
}

export function saveUsageState(paths: LogbookPaths, state: UsageCursorState): void {
  const dir = usageStateDir(paths);
  ensurePrivateDirs([paths.dir, paths.state, dir]);
  writePrivateFile(sessionStateFile(dir, state.sessionId), JSON.stringify({ v: 1, ...state }));
}

function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  // create-new: never written through a planted link. A temp a crashed writer left is removed
  // (unlink removes a name, never what a link points at).
  if (lstatSync(tmp, { throwIfNoEntry: false }) !== undefined) unlinkSync(tmp);
  const fd = openSafe(tmp, 'create-new', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

// Written once every session stored before usage was recorded has been read (an upgrade's
// backfill): later writers skip the check of every stored session, a cost that grew with the
// history (an lstat per session in every `logbook ingest`). `$` keeps it apart from session
// files: sessionStateFile maps every other character to a letter, a digit, "_" or "-".
const BACKFILL_FILE = '$backfilled.json';
const backfillFile = z.object({ v: z.literal(1), through: z.number().int().nonnegative() });

/** The global position through which every stored session was queued and read, if the backfill finished. */
export function usageBackfilledThrough(paths: LogbookPaths): number | undefined {
  const read = readBoundedText(join(usageStateDir(paths), BACKFILL_FILE), STATE_MAX_BYTES, { underLogbook: true });
  if (read.kind !== 'text') return undefined;
  try {
    const parsed = backfillFile.safeParse(JSON.parse(read.text));
    return parsed.success ? parsed.data.through : undefined;
  } catch {
    return undefined;
  }
}

export function saveUsageBackfilled(paths: LogbookPaths, through: number): void {
  const dir = usageStateDir(paths);
  ensurePrivateDirs([paths.dir, paths.state, dir]);
  writePrivateFile(join(dir, BACKFILL_FILE), JSON.stringify({ v: 1, through }));
}
