import { entryFileName, entryText, stampNow, writeInboxEntry } from '../src/capture/inbox-writer';
import type { WorkloadGenerator } from './workload';

/** The session a bench follows: its id (the first event's) and how many of its entries were written. */
export interface FollowedSession {
  id: string;
  written: number;
}

/** The next workload event, written as the hook writes it: one stamped entry file in the inbox. */
export function writeHookEntry(inbox: string, turns: WorkloadGenerator, session: FollowedSession): void {
  const event = turns.next();
  const id = (JSON.parse(event.json) as { session_id?: unknown }).session_id;
  if (typeof id === 'string' && session.id === '') session.id = id;
  const stamp = stampNow();
  writeInboxEntry(inbox, entryFileName(stamp), entryText(stamp, 'hook', event.hookEvent, event.json));
  if (id === session.id) session.written += 1;
}
