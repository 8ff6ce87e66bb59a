import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { INBOX_ENTRY_SUFFIX, RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import { isClaimedLog, LIVE_LOG, splitLog } from '../capture/inbox-log';
import { receivedUsOf, receivedUsOfName } from './claimed-logs';
import { checkDir, readSafe } from '../capture/safe-fs';

// A read-only look at what waits in the inbox (entry files and log records), for readers that
// are not the writer (CLI counts, the MCP server's default session). Nothing is claimed.

/** An entry waiting in the inbox: its name (`<log>#<offset>` for a log record) and text. */
export interface PendingEntry {
  readonly name: string;
  readonly receivedUs: number;
  /** The text, or undefined for an entry file ingested and removed meanwhile. */
  text(): string | undefined;
}

/** Every entry waiting in the inbox, oldest first. */
export function pendingEntries(inboxDir: string): PendingEntry[] {
  let names: string[];
  try {
    // A planted link in the inbox's place is not listed: the writer reports it.
    names = checkDir(inboxDir) ? readdirSync(inboxDir) : [];
  } catch {
    return [];
  }
  const entries: PendingEntry[] = [];
  for (const name of names) {
    if (name.endsWith(INBOX_ENTRY_SUFFIX) || name.endsWith(RAW_HOOK_SUFFIX)) {
      entries.push({ name, receivedUs: receivedUsOfName(name), text: () => readOrUndefined(join(inboxDir, name)) });
    } else if (name === LIVE_LOG || isClaimedLog(name)) {
      const bytes = readBytes(join(inboxDir, name));
      let us = receivedUsOfName(name);
      for (const record of bytes === undefined ? [] : splitLog(bytes)) {
        us = receivedUsOf(record.text) ?? us;
        entries.push({ name: `${name}#${record.offset}`, receivedUs: us, text: () => record.text });
      }
    }
  }
  return entries.sort((a, b) => a.receivedUs - b.receivedUs);
}

/** A file's bytes; undefined when it is gone, or not a plain file of the user's own (never followed). */
function readBytes(path: string): Buffer | undefined {
  try {
    return readSafe(path);
  } catch {
    return undefined;
  }
}

function readOrUndefined(path: string): string | undefined {
  return readBytes(path)?.toString('utf8');
}
