import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS_ENTRY_SUFFIX, INBOX_ENTRY_SUFFIX, RAW_HOOK_SUFFIX } from '../capture/inbox-writer';
import type { LogbookPaths } from '../capture/paths';
import { checkDir, readSafeText } from '../capture/safe-fs';
import { LogbookError } from '../domain/errors';
import { summarizeEvent } from '../domain/event-summary';
import type { JournalFileRef, ReviewOutcome, ToolRules, WorkflowStatus } from '../domain/workflow/types';
import { parseInboxEntry } from '../ingest/inbox-entry';
import { pendingEntries } from '../ingest/pending-entries';
import { QUARANTINE_STREAM } from '../ingest/normalize';
import type { RecordedEvent } from '../store/event-store';
import { LogbookDatabase } from '../store/logbook-database';
import type { SqliteEventStore } from '../store/sqlite-event-store';
import { actOnSession, refusalOf, sessionStatus } from '../workflow/act';

// One function per MCP tool. Reads come from a store snapshot plus the inbox; writes go through
// actOnSession into the inbox, so the server never writes the database and works with VS Code closed.

/** What a tool answers: the text the agent reads, and whether it is an error. */
export interface ToolOutcome {
  readonly text: string;
  readonly isError: boolean;
}

/** A problem the agent must see as a tool error (wrong session, bad query, …). */
export class ToolError extends Error {}

const ok = (text: string): ToolOutcome => ({ text, isError: false });
const failed = (text: string): ToolOutcome => ({ text, isError: true });

/** A read-only snapshot of the store for `use`; undefined when there is no usable store file. */
async function withStore<T>(paths: LogbookPaths, use: (store: SqliteEventStore | undefined) => T): Promise<T> {
  const opened = await LogbookDatabase.open(paths.store);
  if (!opened.ok) return use(undefined);
  try {
    return use(opened.database.store);
  } finally {
    // Closed, never flushed: whatever open() migrated or indexed in memory is dropped.
    opened.database.close();
  }
}

/** Inbox entry names in receive order (the ones a JS writer or the sh fallback wrote). */
function inboxNames(paths: LogbookPaths): string[] {
  try {
    if (!checkDir(paths.inbox)) return [];
    return readdirSync(paths.inbox).filter((n) => n.endsWith(INBOX_ENTRY_SUFFIX) || n.endsWith(RAW_HOOK_SUFFIX)).sort();
  } catch {
    return [];
  }
}

function readEntry(paths: LogbookPaths, name: string): ReturnType<typeof parseInboxEntry> | undefined {
  try {
    return parseInboxEntry(name, readSafeText(join(paths.inbox, name)));
  } catch {
    return undefined; // Ingested and removed meanwhile, or not a plain file of ours (never followed).
  }
}

/**
 * The `session` argument, else the session active most recently, like the CLI, but the inbox
 * counts too: with VS Code closed, a new session may not be in the store yet.
 */
export async function resolveSession(paths: LogbookPaths, given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  let latest = await withStore(paths, (store) => store?.streams().filter((s) => s.streamId !== QUARANTINE_STREAM)
    .sort((a, b) => a.lastOccurredAt.localeCompare(b.lastOccurredAt)).map((s) => ({ id: s.streamId, at: s.lastOccurredAt })).at(-1));
  for (const pending of pendingEntries(paths.inbox).reverse()) {
    const text = pending.text();
    const entry = text === undefined ? undefined : parseInboxEntry(pending.name, text);
    const id = entry?.kind === 'events' ? entry.sessionId : entry?.kind === 'payload' ? sessionIdOf(entry.payload) : undefined;
    if (entry === undefined || id === undefined) continue;
    if (latest === undefined || entry.stamp.receivedAt > latest.at) latest = { id, at: entry.stamp.receivedAt };
    break;
  }
  if (latest === undefined) throw new ToolError('No recorded session to default to: pass `session` (your Claude Code session id, given at session start).');
  return latest.id;
}

function sessionIdOf(payload: unknown): string | undefined {
  const id = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)['session_id'] : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

export async function workflowStatus(paths: LogbookPaths, input: { session?: string | undefined }): Promise<ToolOutcome> {
  const session = await resolveSession(paths, input.session);
  return ok(describeStatus(session, await sessionStatus(paths, session)));
}

export async function workflowTransition(paths: LogbookPaths, input: { to: string; reason: string; session?: string | undefined }): Promise<ToolOutcome> {
  const session = await resolveSession(paths, input.session);
  const result = await actOnSession(paths, session, (at) => ({ type: 'Transition', to: input.to, reason: input.reason, at }), 'mcp');
  // The refusal is recorded all the same: the agent reads why, and where it may go instead.
  const refusal = refusalOf(result);
  if (refusal !== undefined) return failed(refusal);
  return ok(`Moved to "${input.to}".\n\n${describeStatus(session, result.status)}`);
}

export async function journalWrite(paths: LogbookPaths, input: { text: string; tags?: string[] | undefined; files?: JournalFileRef[] | undefined; session?: string | undefined }): Promise<ToolOutcome> {
  const session = await resolveSession(paths, input.session);
  const result = await actOnSession(paths, session, (at) => ({ type: 'WriteJournal', text: input.text, tags: input.tags ?? [], files: input.files ?? [], at }), 'mcp');
  const refusal = refusalOf(result);
  if (refusal !== undefined) return failed(refusal);
  const { state, iteration, journalNeeded } = result.status;
  return ok(`Journal entry written (session ${session}, state "${state ?? '-'}", iteration ${iteration}).${journalNeeded > 0 ? ` Entries still needed before stopping: ${journalNeeded}.` : ''}`);
}

export async function reviewRecord(paths: LogbookPaths, input: { outcome: ReviewOutcome; notes?: string | undefined; session?: string | undefined }): Promise<ToolOutcome> {
  const session = await resolveSession(paths, input.session);
  const result = await actOnSession(paths, session, (at) => ({ type: 'RecordReview', outcome: input.outcome, notes: input.notes ?? '', at }), 'mcp');
  const refusal = refusalOf(result);
  if (refusal !== undefined) return failed(refusal);
  const back = result.events.find((e) => e.type === 'ReviewRejected')?.data.backTo;
  const done = input.outcome === 'approved' ? 'Review approved.' : `Review rejected${back === undefined ? '' : `: the work goes back to "${back}"`}.`;
  return ok(`${done}\n\n${describeStatus(session, result.status)}`);
}

/** A journal entry as the agent reads it back, from the store or still in the inbox. */
interface JournalItem {
  readonly session: string;
  readonly data: Record<string, unknown>;
  readonly pending: boolean;
}

export async function journalRead(paths: LogbookPaths, input: { session?: string | undefined; tag?: string | undefined; text?: string | undefined; limit: number }): Promise<ToolOutcome> {
  const items = await withStore(paths, (store) => {
    const found: JournalItem[] = (store?.readByType('JournalEntryWritten') ?? [])
      .map((e) => ({ session: e.streamId, data: asRecord(e.data), pending: false }));
    // Entries decided by a CLI or MCP writer and not ingested yet; an entry already in the store
    // (ingested, not yet removed from the inbox) is skipped, so nothing shows twice.
    for (const name of inboxNames(paths).filter((n) => n.endsWith(EVENTS_ENTRY_SUFFIX))) {
      const entry = readEntry(paths, name);
      if (entry?.kind !== 'events' || store?.hasEvent(entry.stamp.id) === true) continue;
      for (const event of entry.events) {
        if (event.type === 'JournalEntryWritten') found.push({ session: entry.sessionId, data: event.data, pending: true });
      }
    }
    return found;
  });
  const needle = input.text?.toLowerCase();
  const matching = items.filter((item) => (input.session === undefined || item.session === input.session)
    && (input.tag === undefined || stringsOf(item.data['tags']).includes(input.tag))
    && (needle === undefined || stringOf(item.data['text']).toLowerCase().includes(needle)));
  if (matching.length === 0) return ok(items.length === 0 ? 'No journal entries yet.' : 'No journal entries match.');
  const shown = matching.slice(-input.limit);
  const head = `${shown.length} of ${matching.length} matching journal entr${matching.length === 1 ? 'y' : 'ies'}, oldest first:`;
  return ok([head, ...shown.map(describeJournal)].join('\n\n'));
}

function describeJournal(item: JournalItem): string {
  const d = item.data;
  const tags = stringsOf(d['tags']);
  const files = (Array.isArray(d['files']) ? d['files'] : []).map((f) => {
    const ref = asRecord(f);
    return typeof ref['line'] === 'number' ? `${stringOf(ref['path'])}:${ref['line']}` : stringOf(ref['path']);
  });
  const meta = [
    `state "${stringOf(d['state'])}"`, `iteration ${String(d['iteration'] ?? '?')}`,
    ...(tags.length > 0 ? [`tags: ${tags.join(', ')}`] : []), ...(files.length > 0 ? [`files: ${files.join(', ')}`] : []),
    ...(typeof d['actor'] === 'string' ? [`by ${d['actor']}`] : []), ...(item.pending ? ['not ingested yet'] : []),
  ];
  return `[${stringOf(d['at'])}] session ${item.session}, ${meta.join('; ')}\n${stringOf(d['text'])}`;
}

export async function eventsSearch(paths: LogbookPaths, input: { query: string; session?: string | undefined; limit: number }): Promise<ToolOutcome> {
  const waiting = inboxNames(paths).length;
  const note = waiting > 0 ? `\n(${waiting} inbox entr${waiting === 1 ? 'y is' : 'ies are'} not ingested yet and not searched.)` : '';
  return withStore(paths, (store) => {
    if (store === undefined) return ok(`No events in the store yet.${note}`);
    if (input.session !== undefined && store.streamVersion(input.session) === 0) {
      const known = store.streams().filter((s) => s.streamId !== QUARANTINE_STREAM).slice(-5).map((s) => s.streamId);
      return failed(`No session "${input.session}" in the store.${known.length > 0 ? ` Recent sessions: ${known.join(', ')}.` : ''}`);
    }
    let shown: RecordedEvent[];
    let total: number;
    try {
      // The newest matches and a count from the index: never every match of a common word.
      total = store.searchCount(input.query, input.session);
      shown = store.search(input.query, { streamId: input.session, limit: input.limit, newest: true });
    } catch (error) {
      if (!(error instanceof LogbookError)) throw error;
      return failed(`${error.message}. Use words, "quoted phrases", prefix* and AND / OR / NOT.`);
    }
    if (shown.length === 0) return ok(`No events match ${JSON.stringify(input.query)}.${note}`);
    const lines = shown.map((e) => `#${e.globalPosition} ${e.streamId} ${e.type} ${stringOf(e.metadata['receivedAt']) || e.recordedAt} ${summaryOf(e.type, e.data)}`);
    return ok([`${shown.length} of ${total} matching events (global position, session, type, time, summary), newest last:`, ...lines].join('\n') + note);
  });
}

/** summarizeEvent covers hook payloads; workflow events carry their words in other fields. */
function summaryOf(type: string, data: unknown): string {
  const summary = summarizeEvent(type, data);
  if (summary !== '') return summary;
  const d = asRecord(data);
  const words = type === 'WorkflowTransitioned' ? `${stringOf(d['from'])} → ${stringOf(d['to'])}: ${stringOf(d['reason'])}` : stringOf(d['text']) || stringOf(d['notes']);
  // Through summarizeEvent again for its bounding and control-character cleaning.
  return summarizeEvent('', { message: words });
}

/** The status tool's text: what the agent should do here, and where it may go. */
export function describeStatus(session: string, status: WorkflowStatus): string {
  const moves = status.allowedTransitions.map((t) => (t.guardsMet ? t.to : `${t.to} (needs: ${t.missing.join('; ')})`));
  return [
    `session: ${session}`,
    `state: ${status.state ?? '-'}${status.final ? ' (final)' : ''}, iteration ${status.iteration}${status.description === null ? '' : ` (${status.description})`}`,
    ...(status.instructions === null ? [] : [`instructions: ${status.instructions}`]),
    `transitions: ${moves.length === 0 ? 'none' : moves.join('; ')}`,
    `tool rules: ${describeRules(status.toolRules)}`,
    `journal entries still needed before stopping: ${status.journalNeeded}`,
    ...(status.reviewExpected ? ['a review is expected here: call review_record with outcome "approved" or "rejected"'] : []),
  ].join('\n');
}

function describeRules(rules: ToolRules | null): string {
  const parts = [
    ...(rules?.allow === undefined ? [] : [`only tools ${rules.allow.join(', ')}`]),
    ...(rules?.deny === undefined ? [] : [`no ${rules.deny.join(', ')}`]),
    ...(rules?.bash?.allow === undefined ? [] : [`Bash only ${rules.bash.allow.map((g) => JSON.stringify(g)).join(', ')}`]),
    ...(rules?.bash?.deny === undefined ? [] : [`Bash never ${rules.bash.deny.map((g) => JSON.stringify(g)).join(', ')}`]),
  ];
  return parts.length === 0 ? 'none (every tool allowed)' : parts.join('; ');
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
