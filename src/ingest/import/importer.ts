import { entryFileName, entryText, stampNow, writeInboxEntry } from '../../capture/inbox-writer';
import { LOG_SUFFIX, ROTATE_BYTES } from '../../capture/inbox-log';
import type { EventStore } from '../../store/event-store';
import { isReservedStreamId } from '../normalize';
import { listSessionTranscripts } from './claude-projects';
import type { SessionTranscripts } from './claude-projects';
import { readSession } from './session-import';
import type { NamedBadLine, StampedImport } from './session-import';

// `logbook import`: the sessions that ran before the hooks were installed, read from Claude Code's
// transcripts and handed to the inbox as hook-shaped entries of source `import`, stamped like any
// writer's (the writer then redacts, caps, archives and ingests them as it does the hooks'; it
// reads their usage from the transcript_path they carry). A session the hooks recorded is left as
// it is. Importing again writes only events the store does not hold yet: their ids are derived
// from the transcripts, so nothing is added twice.

/** Source of the entries `logbook import` writes. */
export const IMPORT_SOURCE = 'import';

/** What happened to one session's transcripts. */
export type ImportStatus = 'imported' | 'already-imported' | 'recorded-by-hooks' | 'empty';

export interface SessionOutcome {
  readonly sessionId: string;
  readonly status: ImportStatus;
  /** The main transcript's path. */
  readonly transcript: string;
  /** Events written to the inbox this time (not yet stored). */
  readonly written: number;
  readonly prompts: number;
  readonly toolCalls: number;
  readonly subagents: number;
  readonly compactions: number;
  /** Lines of this session's files that could not be read. */
  readonly badLines: readonly NamedBadLine[];
}

/** What the store is asked (the writer's own store, or a read-only snapshot when another writer holds it). */
export type ImportStore = Pick<EventStore, 'readStream' | 'streamVersion' | 'existingEventIds'>;

export interface ImportOptions {
  /** Called after each session's entries are in the inbox (the CLI ingests there, so a pass stays small). */
  readonly afterSession?: (outcome: SessionOutcome) => void;
}

// Hook events are among a session's first events and its last ones: both ends are looked at.
const EVENTS_LOOKED_AT = 64;

/** Imports every session of a transcripts folder into the inbox; `problems`: folders that could not be listed. */
export function importTranscripts(dir: string, inboxDir: string, store: ImportStore | undefined, options: ImportOptions = {}): { sessions: SessionOutcome[]; problems: string[] } {
  const problems: string[] = [];
  const sessions: SessionOutcome[] = [];
  for (const transcripts of listSessionTranscripts(dir, problems)) {
    if (isReservedStreamId(transcripts.sessionId)) continue;
    const outcome = importSession(transcripts, inboxDir, store);
    sessions.push(outcome);
    options.afterSession?.(outcome);
  }
  return { sessions, problems };
}

function importSession(transcripts: SessionTranscripts, inboxDir: string, store: ImportStore | undefined): SessionOutcome {
  const none = { sessionId: transcripts.sessionId, transcript: transcripts.path, written: 0, prompts: 0, toolCalls: 0, subagents: 0, compactions: 0, badLines: [] };
  if (store !== undefined && recordedByHooks(store, transcripts.sessionId)) return { ...none, status: 'recorded-by-hooks' };
  const read = readSession(transcripts);
  const counts = countsOf(read.events);
  if (read.events.length === 0) return { ...none, ...counts, status: 'empty', badLines: read.bad };
  const stored = store?.existingEventIds(read.events.map((e) => e.id)) ?? new Set<string>();
  const fresh = read.events.filter((e) => !stored.has(e.id));
  writeImported(inboxDir, fresh);
  const status = fresh.length === 0 ? 'already-imported' : 'imported';
  return { ...none, ...counts, status, written: fresh.length, badLines: read.bad };
}

/** Whether the store holds hook events of this session (source hook, or none: before sources were recorded). */
function recordedByHooks(store: ImportStore, sessionId: string): boolean {
  const version = store.streamVersion(sessionId);
  if (version === 0) return false;
  const ends = [...store.readStream(sessionId, { limit: EVENTS_LOOKED_AT }), ...store.readStream(sessionId, { from: Math.max(1, version - EVENTS_LOOKED_AT + 1) })];
  return ends.some((event) => event.metadata['source'] === 'hook' || event.metadata['source'] === undefined);
}

function countsOf(events: readonly StampedImport[]): Pick<SessionOutcome, 'prompts' | 'toolCalls' | 'subagents' | 'compactions'> {
  const count = (type: string): number => events.filter((e) => e.hookEvent === type).length;
  return { prompts: count('UserPromptSubmit'), toolCalls: count('PreToolUse'), subagents: count('SubagentStart'), compactions: count('PreCompact') };
}

/**
 * Writes the events as inbox logs (the format hooks append to), each made whole in a temp file
 * then renamed in: one durable write per log, not per event. A log is cut at the hooks' rotation
 * size, so the writer reads each one whole.
 */
function writeImported(inboxDir: string, events: readonly StampedImport[]): void {
  let records: string[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (records.length === 0) return;
    writeInboxEntry(inboxDir, entryFileName(stampNow(), LOG_SUFFIX), records.join(''));
    records = [];
    bytes = 0;
  };
  for (const event of events) {
    const ms = Math.floor(event.receivedUs / 1000);
    const stamp = { id: event.id, receivedAt: new Date(ms).toISOString(), receivedUs: event.receivedUs };
    const record = `\u001e${entryText(stamp, IMPORT_SOURCE, event.hookEvent, JSON.stringify(event.payload))}`;
    if (bytes > 0 && bytes + record.length > ROTATE_BYTES) flush();
    records.push(record);
    bytes += record.length;
  }
  flush();
}
