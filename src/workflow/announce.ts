import { join } from 'node:path';
import { readBoundedText } from '../capture/bounded-read';
import type { LogbookPaths } from '../capture/paths';
import { ensurePrivateDirs } from '../capture/safe-fs';
import { entryFileName, eventsEntryText, EVENTS_ENTRY_SUFFIX, stampNow, writeInboxEntry } from '../capture/inbox-writer';
import type { InboxSource } from '../capture/inbox-writer';
import { DEFAULT_SILENCE_MS, deriveSessionStatus } from '../domain/lifecycle-time';
import { decide, evolve, initialWorkflowState } from '../domain/workflow/decider';
import type { WorkflowState } from '../domain/workflow/types';
import { currentSummaries } from '../projections/overview/overview-store';
import { writeFileDurably } from '../store/durable-file';
import { LogbookDatabase } from '../store/logbook-database';
import { loadWorkflow } from './definition-file';
import { pendingEventsEntries } from './session-state';
import type { PendingEventsEntry } from './session-state';

// Editing `.logbook/workflow.json` is an event of every session it changes, recorded when the
// file changes (the extension's watcher, or the next `logbook ingest` after an edit made with
// VS Code closed), not only when a session next acts on its workflow.

export interface AnnounceOptions {
  /** An open store to read (the CLI's writer holds one); else the store file is read. */
  readonly database?: LogbookDatabase;
  readonly source?: InboxSource;
  /** Epoch ms; decides which sessions are abandoned (silent longer than silenceMs). */
  readonly now?: number;
  readonly silenceMs?: number;
}

/** What an announcement did: the sessions that got a WorkflowDefinitionChanged, and for which definition. */
export interface Announcement {
  readonly hash: string | null;
  readonly sessions: readonly string[];
}

/**
 * Decides ChangeDefinition for every session in progress (not ended, not abandoned) whose
 * workflow runs on another definition than the file's, and writes each one's events to the
 * inbox as its own entry, exactly as the CLI and MCP write theirs. Idempotent: a session whose
 * latest state (store, then inbox) already names this definition gets nothing, and a definition
 * announced once is not looked at again.
 * A missing or invalid file announces nothing: the hooks stop enforcing, the record stays.
 */
export async function announceWorkflowChange(paths: LogbookPaths, options: AnnounceOptions = {}): Promise<Announcement> {
  const loaded = loadWorkflow(paths);
  if (loaded.status !== 'ok') return { hash: null, sessions: [] };
  // Announced already: every session then in progress got it, and sessions started since run on
  // it. Skipping the catalog fold keeps `logbook ingest` cheap while the file does not change.
  if (lastAnnounced(paths) === loaded.hash) return { hash: loaded.hash, sessions: [] };
  const now = options.now ?? Date.now();
  const at = new Date(now).toISOString();
  const sessions: string[] = [];
  for (const [sessionId, state] of await workflowsInProgress(paths, options, now)) {
    if (state.definitionHash === loaded.hash) continue;
    const events = decide({ type: 'ChangeDefinition', definition: loaded.definition, definitionHash: loaded.hash, at }, state, loaded.definition);
    if (events.length === 0) continue;
    const stamp = stampNow();
    writeInboxEntry(paths.inbox, entryFileName(stamp, EVENTS_ENTRY_SUFFIX), eventsEntryText(stamp, options.source ?? 'cli', sessionId, events));
    sessions.push(sessionId);
  }
  ensurePrivateDirs([paths.dir, paths.state]);
  writeFileDurably(announcedFile(paths), JSON.stringify({ v: 1, hash: loaded.hash }));
  return { hash: loaded.hash, sessions };
}

// A session that comes back after being abandoned on an older definition is not announced to
// again: the next writer that acts on its workflow decides the change (act.ts, the hook).
function announcedFile(paths: LogbookPaths): string {
  return join(paths.state, 'announced-workflow.json');
}

// The file holds one hash: anything much larger was not written by us.
const ANNOUNCED_MAX_BYTES = 4096;

function lastAnnounced(paths: LogbookPaths): string | undefined {
  try {
    const read = readBoundedText(announcedFile(paths), ANNOUNCED_MAX_BYTES, { underLogbook: true });
    if (read.kind !== 'text') return undefined;
    const file = JSON.parse(read.text) as { hash?: unknown } | null;
    return typeof file?.hash === 'string' ? file.hash : undefined;
  } catch {
    return undefined;
  }
}

/** Every session in progress with a started workflow, and that workflow's latest state (store, then inbox). */
async function workflowsInProgress(paths: LogbookPaths, options: AnnounceOptions, now: number): Promise<Map<string, WorkflowState>> {
  const states = new Map<string, WorkflowState>();
  const ended = new Set<string>();
  let database = options.database;
  if (database === undefined) {
    const opened = await LogbookDatabase.open(paths.store);
    if (opened.ok) database = opened.database;
    // Unreadable is not empty: announcing to nobody would mark this definition as done.
    else if (opened.problem.kind === 'corrupt') throw new Error(`${paths.store} could not be read (${opened.problem.reason})`);
  }
  // The store first, then the inbox: an entry leaves the inbox only once the store holds it.
  let pending: readonly PendingEventsEntry[];
  if (database === undefined) {
    pending = pendingEventsEntries(paths);
  } else {
    try {
      for (const [sessionId, summary] of currentSummaries(database.raw, database.store)) {
        const status = deriveSessionStatus(summary.lifecycle, now, options.silenceMs ?? DEFAULT_SILENCE_MS);
        if (status === 'ended' || status === 'abandoned') ended.add(sessionId);
        else states.set(sessionId, summary.workflow.state);
      }
      const waiting = pendingEventsEntries(paths);
      const stored = database.store.existingEventIds(waiting.map((e) => e.id));
      pending = waiting.filter((e) => !stored.has(e.id));
    } finally {
      if (options.database === undefined) database.close();
    }
  }
  // Decided by other writers and not ingested yet: a start, or this very change, may be among them.
  for (const entry of pending) {
    if (ended.has(entry.sessionId)) continue;
    states.set(entry.sessionId, entry.events.reduce(evolve, states.get(entry.sessionId) ?? initialWorkflowState));
  }
  for (const [sessionId, state] of states) if (state.current === null) states.delete(sessionId);
  return states;
}

