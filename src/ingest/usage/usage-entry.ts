import { entryFileName, INBOX_FORMAT_VERSION, stampNow, writeInboxEntry } from '../../capture/inbox-writer';
import { stampEntry } from '../../capture/provenance';
import { UsageEventType } from '../../domain/usage/events';
import type { UsageRecordedData } from '../../domain/usage/events';
import { idFromName } from '../inbox-entry';

// Usage events reach the store the way every other writer's events do: as a stamped inbox
// entry, so they are archived in the raw segments and `logbook rebuild` replays them to the same
// positions (the transcripts they came from may be gone by then). Each event carries an id made
// from what it says, so reading the same line twice (a crash before the cursor was saved, a file
// read again from 0) gives the same id, and the store keeps it once.

/** Source of the entries the writer makes from transcripts. */
export const TRANSCRIPT_SOURCE = 'transcript';

// An entry stays small enough to read back in one piece, whatever a first read of a long session finds.
const EVENTS_PER_ENTRY = 500;

/** The id of the event that records `data` in `sessionId`: where it was read (file, line, time) does not count. */
export function usageEventId(sessionId: string, data: UsageRecordedData): string {
  const { key, model, agentId, inputTokens, outputTokens, cacheCreationInputTokens, cacheCreation1hInputTokens, cacheReadInputTokens, fast } = data;
  return idFromName(JSON.stringify([UsageEventType.UsageRecorded, sessionId, key, model, agentId, inputTokens, outputTokens, cacheCreationInputTokens, cacheCreation1hInputTokens, cacheReadInputTokens, fast]));
}

/** The stamped text of one entry of usage events for a session. */
export function usageEntryText(stamp: { id: string; receivedAt: string; receivedUs: number }, sessionId: string, events: readonly UsageRecordedData[]): string {
  const decided = events.map((data) => ({ type: UsageEventType.UsageRecorded, id: usageEventId(sessionId, data), data }));
  return stampEntry(JSON.stringify({ v: INBOX_FORMAT_VERSION, id: stamp.id, receivedAt: stamp.receivedAt, receivedUs: stamp.receivedUs, source: TRANSCRIPT_SOURCE, sessionId, events: decided }) + '\n');
}

/** Writes a session's usage events into the inbox, durably, in entries of at most EVENTS_PER_ENTRY; returns how many entries. */
export function writeUsageEntries(inboxDir: string, sessionId: string, events: readonly UsageRecordedData[]): number {
  let entries = 0;
  for (let start = 0; start < events.length; start += EVENTS_PER_ENTRY) {
    const stamp = stampNow();
    writeInboxEntry(inboxDir, entryFileName(stamp), usageEntryText(stamp, sessionId, events.slice(start, start + EVENTS_PER_ENTRY)));
    entries += 1;
  }
  return entries;
}
