import { readFileSync } from 'node:fs';
import { entryFileName, entryText, invalidEntryText, stampNow, writeInboxEntry } from './inbox-writer';

// The hook's hot path. Claude Code waits for it, so it does the least that is durable:
// stamp, check the JSON, write one inbox entry, exit 0. It never breaks Claude Code.

export interface HookRun {
  readonly inboxDir: string;
  /** Event name the handler was installed for (argv); the payload's own name wins at ingest. */
  readonly hookEvent: string | undefined;
  readonly readStdin?: () => string;
}

export interface HookOutcome {
  readonly file: string | undefined;
  readonly quarantined: boolean;
  readonly error: string | undefined;
}

export function runHook(run: HookRun): HookOutcome {
  const stamp = stampNow();
  let raw: string;
  try {
    raw = (run.readStdin ?? readStdin)();
  } catch (error) {
    raw = '';
    return write(run, entryFileName(stamp), invalidEntryText(stamp, 'hook', run.hookEvent, `stdin could not be read: ${String(error)}`, raw), true);
  }
  const reason = invalidReason(raw);
  const text = reason === undefined
    ? entryText(stamp, 'hook', run.hookEvent, raw.trim())
    : invalidEntryText(stamp, 'hook', run.hookEvent, reason, raw);
  return write(run, entryFileName(stamp), text, reason !== undefined);
}

function write(run: HookRun, name: string, text: string, quarantined: boolean): HookOutcome {
  try {
    return { file: writeInboxEntry(run.inboxDir, name, text), quarantined, error: undefined };
  } catch (error) {
    return { file: undefined, quarantined, error: `agent-logbook: could not write the inbox entry in ${run.inboxDir}: ${String(error)}` };
  }
}

function readStdin(): string {
  return readFileSync(0, 'utf8');
}

/** Why a payload cannot be stored as a hook event, or undefined when it can. */
export function invalidReason(raw: string): string | undefined {
  if (raw.trim() === '') return 'stdin was empty';
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return `stdin is not valid JSON: ${(error as Error).message}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'stdin JSON is not an object';
  return undefined;
}
