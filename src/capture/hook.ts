import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { entryFileName, entryText, eventsEntryText, EVENTS_ENTRY_SUFFIX, invalidEntryText, stampNow, writeInboxEntry } from './inbox-writer';
import type { InboxStamp, StdinBytes } from './inbox-writer';
import { decodeStdin } from './stdin';
import { decideInHook } from './hook-decide';
import { appendToInboxLog, LOG_SUFFIX, sharedFileSystemOf } from './inbox-log';
import { isUnsafePath } from './safe-fs';
import { awaitResume, heldReason, readHold } from './holds';

// The hook's hot path. Claude Code waits for it, so it does the least that is durable:
// stamp, check the JSON, write one inbox entry, answer only when a workflow rule asks it to
// (deny a tool, block a stop), exit 0. It never breaks Claude Code.

export interface HookRun {
  readonly inboxDir: string;
  /** Event name the handler was installed for (argv); the payload's own name wins at ingest. */
  readonly hookEvent: string | undefined;
  /** Bytes (as the hook reads them) or text; tests pass either. */
  readonly readStdin?: () => string | Buffer;
  /** statfs's f_type of the inbox (tests stand in for a network file system with it). */
  readonly fileSystemType?: (dir: string) => number | undefined;
}

export interface HookOutcome {
  readonly file: string | undefined;
  readonly quarantined: boolean;
  readonly error: string | undefined;
  /** What to print on stdout for Claude Code (a deny or block decision), if anything. */
  readonly output: string | undefined;
}

export function runHook(run: HookRun): HookOutcome {
  const stamp = stampNow();
  let raw: string;
  let stdin: StdinBytes | undefined;
  try {
    ({ raw, stdin } = decodeStdin((run.readStdin ?? readStdin)()));
  } catch (error) {
    return append(run, stamp, invalidEntryText(stamp, 'hook', run.hookEvent, `stdin could not be read: ${String(error)}`, ''), true);
  }
  const checked = checkPayload(raw);
  if (typeof checked === 'string') return append(run, stamp, invalidEntryText(stamp, 'hook', run.hookEvent, checked, raw, stdin), true);
  const outcome = append(run, stamp, entryText(stamp, 'hook', run.hookEvent, raw.trim(), stdin), false);
  if (outcome.file === undefined) return outcome;
  const held = holdCall(run, checked, stamp);
  if (held?.output !== undefined) return { ...outcome, error: held.error, output: held.output };
  const decided = decide(run, checked, stamp, outcome);
  return held?.error === undefined ? decided : { ...decided, error: [held.error, decided.error].filter((e) => e !== undefined).join('\n') };
}

/** The workflow's answer, if it has one (deny a tool, block a stop), recorded after the event it answers. */
function decide(run: HookRun, checked: Record<string, unknown>, stamp: InboxStamp, outcome: HookOutcome): HookOutcome {
  let decision: ReturnType<typeof decideInHook>;
  try {
    decision = decideInHook(dirname(run.inboxDir), checked, stamp.receivedAt);
  } catch (error) {
    return { ...outcome, error: `agent-logbook: workflow check skipped: ${String(error)}` };
  }
  if (decision.output === undefined) return decision.note === undefined ? outcome : { ...outcome, error: decision.note };
  if (decision.decided.length === 0) return { ...outcome, output: decision.output };
  // The decision is recorded as its own entry, after the hook event it answers, so every writer
  // that scans the inbox for pending workflow events sees it.
  const sessionId = String(checked['session_id']);
  const cmd = stampNow();
  const recorded = write(run, entryFileName(cmd, EVENTS_ENTRY_SUFFIX), eventsEntryText(cmd, 'hook', sessionId, decision.decided, stamp.id), false);
  // Answer even if the record failed: the rule still applies; the error goes to stderr.
  return { ...outcome, error: recorded.error, output: decision.output };
}

/**
 * A held session's PreToolUse (holds.ts) waits for the resume; still held when the wait ends, the
 * call is denied with the user's message (`output`). Either way the wait is recorded
 * (ToolCallHeld). Resumed, or not held at all: no output, and the workflow decides as usual.
 */
function holdCall(run: HookRun, payload: Record<string, unknown>, stamp: InboxStamp): { output: string | undefined; error: string | undefined } | undefined {
  const sessionId = payload['session_id'];
  if (payload['hook_event_name'] !== 'PreToolUse' || typeof sessionId !== 'string') return undefined;
  const logbookDir = dirname(run.inboxDir);
  const read = readHold(logbookDir, sessionId);
  if (read.kind === 'none') return undefined;
  if (read.kind === 'odd') return { output: undefined, error: read.note };
  const resumed = awaitResume(logbookDir, sessionId, read.hold);
  const toolUseId = payload['tool_use_id'];
  const data = {
    toolName: String(payload['tool_name'] ?? ''), toolUseId: typeof toolUseId === 'string' ? toolUseId : null, message: read.hold.message,
    waitedMs: resumed?.waitedMs ?? read.hold.waitMs, outcome: resumed === undefined ? 'denied' : 'resumed', at: new Date().toISOString(),
  };
  const cmd = stampNow();
  const recorded = write(run, entryFileName(cmd, EVENTS_ENTRY_SUFFIX), eventsEntryText(cmd, 'hook', sessionId, [{ type: 'ToolCallHeld', data }], stamp.id), false);
  if (resumed !== undefined) return { output: undefined, error: recorded.error };
  const output = JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: heldReason(read.hold) } });
  return { output, error: recorded.error };
}

/** A hook event's entry goes to the inbox log; if the log cannot take it, to an entry file of its own. */
function append(run: HookRun, stamp: InboxStamp, text: string, quarantined: boolean): HookOutcome {
  // Appends from several hosts (or through a FUSE daemon) can interleave: entry files there.
  if (sharedFileSystemOf(run.inboxDir, run.fileSystemType) !== undefined) return write(run, entryFileName(stamp), text, quarantined);
  let refused: string | undefined;
  try {
    const file = appendToInboxLog(run.inboxDir, text, () => entryFileName(stampNow(), LOG_SUFFIX));
    if (file !== undefined) return { file, quarantined, error: undefined, output: undefined };
  } catch (error) {
    // A planted log is worth saying; other problems the entry file below reports if it has them too.
    if (isUnsafePath(error)) refused = error.message;
  }
  const written = write(run, entryFileName(stamp), text, quarantined);
  if (refused === undefined || written.file === undefined) return written;
  return { ...written, error: `agent-logbook: ${refused}. The event was written to ${written.file} instead.` };
}

function write(run: HookRun, name: string, text: string, quarantined: boolean): HookOutcome {
  try {
    return { file: writeInboxEntry(run.inboxDir, name, text), quarantined, error: undefined, output: undefined };
  } catch (error) {
    const why = isUnsafePath(error) ? error.message : String(error);
    return { file: undefined, quarantined, error: `agent-logbook: could not write the inbox entry in ${run.inboxDir}: ${why}`, output: undefined };
  }
}

function readStdin(): Buffer {
  return readFileSync(0);
}

/** The payload object, or why it cannot be stored as a hook event. */
function checkPayload(raw: string): Record<string, unknown> | string {
  if (raw.trim() === '') return 'stdin was empty';
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return `stdin is not valid JSON: ${(error as Error).message}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'stdin JSON is not an object';
  return value as Record<string, unknown>;
}
