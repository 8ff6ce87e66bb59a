import { closeSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { entryFileName, eventsEntryText, EVENTS_ENTRY_SUFFIX, stampNow, writeInboxEntry } from '../capture/inbox-writer';
import { logbookPaths } from '../capture/paths';
import { ensurePrivateDirs, openSafe } from '../capture/safe-fs';
import type { Alert } from '../domain/control/alert-rules';

// An alert is recorded once and told once, however many watchers see it (two VS Code windows and
// a `logbook watch`, say). Recorded: as an AlertRaised event of its session, through that
// session's workspace inbox, with the alert's own id (made from session, rule and episode), so the
// store keeps it once even if two watchers write it. Told: by the watcher that first creates the
// alert's claim file (O_EXCL) in `.logbook/state/alerts/`; the others stay quiet.

const CLAIMS_DIR = 'alerts';
/** Claims older than this are removed when a watcher starts: an episode's alert id is in the store by then. */
const CLAIM_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

/** Records the alert in its session's stream; true when this watcher is the one to tell the user. */
export function recordAlert(alert: Alert, source: 'cli' | 'vscode'): boolean {
  const paths = logbookPaths(alert.workspace);
  const claims = join(paths.state, CLAIMS_DIR);
  ensurePrivateDirs([paths.dir, paths.state, claims]);
  let claimed = true;
  try {
    closeSync(openSafe(join(claims, alert.id), 'create-new', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    claimed = false;
  }
  // Written by whoever claims it, and by the others too when the claimant may have died before
  // writing: the id makes a second copy one event.
  const stamp = stampNow();
  writeInboxEntry(paths.inbox, entryFileName(stamp, EVENTS_ENTRY_SUFFIX), eventsEntryText(stamp, source, alert.sessionId, [{ type: 'AlertRaised', id: alert.id, data: alert.data }]));
  return claimed;
}

/** Removes old claim files of a workspace (best effort: a claim left behind only keeps one alert quiet). */
export function pruneAlertClaims(workspace: string, now = Date.now()): void {
  const claims = join(logbookPaths(workspace).state, CLAIMS_DIR);
  let names: string[];
  try {
    names = readdirSync(claims);
  } catch {
    return;
  }
  for (const name of names) {
    try {
      const path = join(claims, name);
      if (now - statSync(path).mtimeMs > CLAIM_KEEP_MS) unlinkSync(path);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}
