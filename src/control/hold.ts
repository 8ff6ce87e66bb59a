import type { LogbookPaths } from '../capture/paths';
import { entryFileName, eventsEntryText, EVENTS_ENTRY_SUFFIX, stampNow, writeInboxEntry } from '../capture/inbox-writer';
import type { InboxStamp } from '../capture/inbox-writer';
import { unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { HOLD_WAIT_DEFAULT_MS, holdFileOf, readHold } from '../capture/holds';
import type { HoldFile } from '../capture/holds';
import { ensurePrivateDirs } from '../capture/safe-fs';
import { writeFileDurably } from '../store/durable-file';
import type { ControlEvent, SessionHeldData } from '../domain/control/events';

// Hold and resume (issue 15), for the CLI and VS Code alike: the hold file is the brake the hook
// reads (src/capture/holds.ts); the SessionHeld/SessionResumed event is the record views read.
// The file is written first, so a hold is in force before anyone reads that it is; the event's
// stamp (which orders the inbox) is taken before the file changes, so a hook that sees the change
// records its ToolCallHeld after the hold or the resume that caused it.

/** Who holds or resumes. */
export type ControlActor = SessionHeldData['by'];

/** Holds a session: its next PreToolUse waits up to `waitMs` for a resume, then is denied with the message. */
export function holdSession(paths: LogbookPaths, sessionId: string, options: { message: string; waitMs?: number; by: ControlActor }): SessionHeldData {
  const stamp = stampNow();
  const at = stamp.receivedAt;
  const data: SessionHeldData = { message: options.message, waitMs: options.waitMs ?? HOLD_WAIT_DEFAULT_MS, by: options.by, at };
  writeHold(paths.dir, sessionId, { message: data.message, waitMs: data.waitMs, at });
  record(paths, stamp, sessionId, { type: 'SessionHeld', data }, options.by);
  return data;
}

/** Resumes a held session; false (and nothing recorded) when it was not held. */
export function resumeSession(paths: LogbookPaths, sessionId: string, by: ControlActor): boolean {
  const stamp = stampNow();
  if (!removeHold(paths.dir, sessionId)) return false;
  record(paths, stamp, sessionId, { type: 'SessionResumed', data: { by, at: stamp.receivedAt } }, by);
  return true;
}

/** The session's hold as its file says, if it has one (an unreadable file reads as none). */
export function currentHold(paths: LogbookPaths, sessionId: string): { message: string; at: string } | undefined {
  const read = readHold(paths.dir, sessionId);
  return read.kind === 'held' ? { message: read.hold.message, at: read.hold.at } : undefined;
}

function record(paths: LogbookPaths, stamp: InboxStamp, sessionId: string, event: ControlEvent, by: ControlActor): void {
  // The inbox's own source names: the hook has none of these to say here.
  const source = by === 'hook' ? 'cli' : by;
  writeInboxEntry(paths.inbox, entryFileName(stamp, EVENTS_ENTRY_SUFFIX), eventsEntryText(stamp, source, sessionId, [event]));
}

/** Writes (or replaces) a session's hold in private folders; renamed over its name, never written through a link there. */
function writeHold(logbookDir: string, sessionId: string, hold: HoldFile): void {
  const target = holdFileOf(logbookDir, sessionId);
  ensurePrivateDirs([logbookDir, dirname(dirname(target)), dirname(target)]);
  writeFileDurably(target, `${JSON.stringify({ v: 1, ...hold })}\n`, 0o600);
}

/** Removes a session's hold; false when it had none. */
function removeHold(logbookDir: string, sessionId: string): boolean {
  try {
    unlinkSync(holdFileOf(logbookDir, sessionId));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
