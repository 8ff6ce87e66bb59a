import * as z from 'zod';

// Host ⇄ webview protocol of the journal browser (viewType logbook.journal; key = 'all', or a
// session id to open it filtered to that session). The host sends every entry of every session
// of every workspace, newest first; the webview filters (filterJournal, shared by both sides).

/** A file a journal entry refers to; `line` is 1-based. */
export interface JournalFileView {
  readonly path: string;
  readonly line: number | null;
}

/** One journal entry. Every string in it came from an event: render as text only. */
export interface JournalEntryView {
  /** Unique in a snapshot: workspace folder, session and the entry's index in it. */
  readonly id: string;
  readonly sessionId: string;
  /** The workspace folder's name. */
  readonly workspace: string;
  readonly text: string;
  readonly tags: readonly string[];
  readonly files: readonly JournalFileView[];
  /** The workflow state the entry was written in. */
  readonly state: string;
  readonly iteration: number;
  /** Epoch ms, null when unknown. */
  readonly at: number | null;
}

/** A session that wrote entries, for the session filter. */
export interface JournalSessionView {
  readonly sessionId: string;
  readonly workspace: string;
  readonly entries: number;
  readonly lastAt: number | null;
}

/** The full state the host sends. */
export interface JournalViewState {
  readonly key: string;
  /** The session the panel was opened for (the initial session filter), null for 'all'. */
  readonly initialSession: string | null;
  /** Newest first (at most MAX_JOURNAL_ENTRIES). */
  readonly entries: readonly JournalEntryView[];
  /** How many entries there are in all (more than entries.length when capped). */
  readonly total: number;
  readonly sessions: readonly JournalSessionView[];
  /** Every tag, sorted. */
  readonly tags: readonly string[];
}

/** What the filters hold; also the UI state the webview keeps across reloads. */
export interface JournalFilter {
  readonly session: string | null;
  readonly tag: string | null;
  readonly text: string;
}

export const MAX_JOURNAL_ENTRIES = 5000;

/** Entries matching every filter that is set; text matches case-insensitively in text, tags, files, state and session. Order is kept. */
export function filterJournal(entries: readonly JournalEntryView[], filter: JournalFilter): JournalEntryView[] {
  const needle = filter.text.trim().toLowerCase();
  return entries.filter((entry) => {
    if (filter.session !== null && entry.sessionId !== filter.session) return false;
    if (filter.tag !== null && !entry.tags.includes(filter.tag)) return false;
    if (needle === '') return true;
    const haystack = [entry.text, entry.state, entry.sessionId, entry.workspace, ...entry.tags, ...entry.files.map((f) => f.path)];
    return haystack.some((value) => value.toLowerCase().includes(needle));
  });
}

const sessionId = z.string({ error: 'sessionId must be a string' }).min(1, 'sessionId must not be empty').max(200, 'sessionId is longer than 200 characters');

/** Webview → host messages (besides `ready`). */
export const journalWebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('openReport'), sessionId }).strict(),
  /** Opens a file an entry refers to; the host resolves `path` inside the session's workspace folder and clamps `line`. */
  z.object({
    type: z.literal('openFile'),
    sessionId,
    path: z.string({ error: 'path must be a string' }).min(1, 'path must not be empty').max(4096, 'path is longer than 4096 characters')
      .refine((p) => !p.includes('\0'), 'path must not contain a NUL character'),
    line: z.number({ error: 'line must be a number' }).int('line must be a whole number').min(1, 'line must be 1 or more').max(10_000_000, 'line is too large').optional(),
  }).strict(),
]);
export type JournalWebviewMessage = z.infer<typeof journalWebviewMessage>;
