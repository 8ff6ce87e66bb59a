import type { JournalEntryView, JournalSessionView, JournalViewState } from '../protocol/journal';
import { MAX_JOURNAL_ENTRIES } from '../protocol/journal';
import type { SessionSummaryState } from './session-summary';

// The journal across sessions and workspaces, for the journal browser: every session summary's
// journal records flattened into entries, newest first. Pure; the host hands in the catalogs.

/** One workspace's sessions. */
export interface JournalSource {
  /** The workspace folder (absolute): part of each entry's id. */
  readonly folder: string;
  /** Its display name. */
  readonly workspace: string;
  readonly sessions: Iterable<SessionSummaryState>;
}

/** Every entry, newest first; entries without a time last; ties keep the order they were written in, latest first. */
export function collectJournal(sources: Iterable<JournalSource>): JournalEntryView[] {
  const entries: { entry: JournalEntryView; folder: string; index: number }[] = [];
  for (const source of sources) {
    for (const summary of source.sessions) {
      const sessionId = summary.sessionId;
      if (sessionId === null) continue;
      summary.journal.forEach((record, index) => {
        entries.push({
          index,
          folder: source.folder,
          entry: {
            id: `${source.folder}\u0000${sessionId}\u0000${index}`,
            sessionId,
            workspace: source.workspace,
            text: record.text,
            tags: record.tags,
            files: record.files.map((f) => ({ path: f.path, line: f.line ?? null })),
            state: record.state,
            iteration: record.iteration,
            at: record.at,
          },
        });
      });
    }
  }
  entries.sort((a, b) => newestFirst(a.entry.at, b.entry.at) || compare(a.entry.sessionId, b.entry.sessionId) || compare(a.folder, b.folder) || b.index - a.index);
  return entries.map((e) => e.entry);
}

/** The sessions that wrote entries (most recent entry first). */
export function journalSessions(entries: readonly JournalEntryView[]): JournalSessionView[] {
  const sessions = new Map<string, { sessionId: string; workspace: string; entries: number; lastAt: number | null }>();
  // Entries are newest first: the first one seen of a session is its latest.
  for (const entry of entries) {
    const seen = sessions.get(entry.sessionId);
    if (seen === undefined) sessions.set(entry.sessionId, { sessionId: entry.sessionId, workspace: entry.workspace, entries: 1, lastAt: entry.at });
    else seen.entries += 1;
  }
  return [...sessions.values()];
}

/** Every tag used, sorted. */
export function journalTags(entries: readonly JournalEntryView[]): string[] {
  return [...new Set(entries.flatMap((e) => e.tags))].sort(compare);
}

/** The journal browser's snapshot for a key ('all' or a session id). */
export function journalViewState(key: string, sources: Iterable<JournalSource>): JournalViewState {
  const all = collectJournal(sources);
  return {
    key,
    initialSession: key === 'all' ? null : key,
    entries: all.slice(0, MAX_JOURNAL_ENTRIES),
    total: all.length,
    sessions: journalSessions(all),
    tags: journalTags(all),
  };
}

function newestFirst(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return b - a;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
