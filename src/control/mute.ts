import type { LogbookPaths } from '../capture/paths';
import { entryFileName, eventsEntryText, EVENTS_ENTRY_SUFFIX, stampNow, writeInboxEntry } from '../capture/inbox-writer';
import type { AlertRuleId } from '../domain/control/alert-rules';
import type { AlertRuleMutedData } from '../domain/control/events';
import type { ControlActor } from './hold';

// Muting a rule for one session (issue 15): unlike a hold there is no file for the hook to read,
// the event is the whole of it. The live fold reads AlertRuleMuted into `mutedRules`, and the
// alert rules skip a rule the session muted, so every watcher (each window, `logbook watch`)
// stops raising it once it reads the event back from the inbox or the store.

/** Records AlertRuleMuted in the session's stream, through its workspace's inbox. */
export function muteRuleForSession(paths: LogbookPaths, sessionId: string, rule: AlertRuleId, by: ControlActor): AlertRuleMutedData {
  const stamp = stampNow();
  const data: AlertRuleMutedData = { rule, by, at: stamp.receivedAt };
  // The inbox's own source names: the hook has none of these to say here.
  const source = by === 'hook' ? 'cli' : by;
  writeInboxEntry(paths.inbox, entryFileName(stamp, EVENTS_ENTRY_SUFFIX), eventsEntryText(stamp, source, sessionId, [{ type: 'AlertRuleMuted', data }]));
  return data;
}
