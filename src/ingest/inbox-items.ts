import { isClaimedLog } from '../capture/inbox-log';
import { INBOX_ENTRY_SUFFIX, RAW_HOOK_SUFFIX } from '../capture/inbox-writer';

/** Whether an inbox file name is one the writer ingests (entry files, claimed logs; not the live log). */
export function isInboxItemName(name: string): boolean {
  return name.endsWith(INBOX_ENTRY_SUFFIX) || name.endsWith(RAW_HOOK_SUFFIX) || isClaimedLog(name);
}

/** Why an inbox item could not be read, naming it: the reason its quarantine record and the journal keep. */
export function unreadableReason(name: string, error: unknown): string {
  return `inbox file ${name} could not be read: ${error instanceof Error ? error.message : String(error)}`;
}
