import { logbookPaths } from '../capture/paths';
import { summarizeEvent } from '../domain/event-summary';
import { LogbookError } from '../domain/errors';
import type { RecordedEvent } from '../store/event-store';
import type { LogbookDatabase } from '../store/logbook-database';
import type { SqliteEventStore } from '../store/sqlite-event-store';
import { UsageError } from './args';
import { printLines } from './context';
import type { CliContext } from './context';
import { defineCommand, described } from './options';
import type { OptionValues } from './options';
import { flagRule, limitRule, nameRule, optional, positionRule, searchRule, sessionRule } from './option-rules';
import { openSnapshot } from './store-snapshot';
import { jsonArrayLines, tableLines } from './text-lines';

// A read command prints its answer on stdout only when it has one: a store it cannot read, an
// unknown session or a bad query is a message on stderr and a non-zero exit, stdout left empty.
// No store yet is an answer (nothing recorded): `[]` for --json, with a note on stderr.

const EVENTS_OPTIONS = {
  session: described(optional(sessionRule), "one session's events, numbered by their position in it (default: every session's)", 'S'),
  type: described(optional(nameRule()), 'only events of this type (e.g. PreToolUse)', 'T'),
  from: described(optional(positionRule), 'from this position on (the first is 1)', 'N'),
  to: described(optional(positionRule), 'up to this position', 'M'),
  search: described(optional(searchRule), 'full-text search: words, "quoted phrases", prefix*, AND / OR / NOT', 'Q'),
  limit: described(optional(limitRule), 'at most N events (1 to 1,000,000)', 'N'),
  json: described(flagRule, 'print the events as JSON'),
};

type EventsOptions = OptionValues<typeof EVENTS_OPTIONS>;

export const eventsCommand = defineCommand(EVENTS_OPTIONS, listEvents,
  ({ from, to }) => (from !== undefined && to !== undefined && from > to ? `--from ${from} is after --to ${to}` : undefined));

async function listEvents(ctx: CliContext, options: EventsOptions): Promise<number> {
  const { session, json } = options;
  const database = await openSnapshot(ctx, logbookPaths(ctx.workspace));
  if (database === undefined) {
    // Nothing recorded: no events at all is an answer; a named session is not there.
    if (session !== undefined) {
      ctx.io.err(`no session ${JSON.stringify(session)}: nothing is recorded yet`);
      return 1;
    }
    if (json) ctx.io.out('[]');
    return 0;
  }
  const events = readAndClose(database, (store) => (session !== undefined && store.streamVersion(session) === 0 ? undefined : selectEvents(store, options)));
  if (events === undefined) {
    ctx.io.err(`no session ${JSON.stringify(session)} in the store (see "logbook sessions")`);
    return 1;
  }
  if (json) {
    await printLines(ctx.io, jsonArrayLines(events));
    return 0;
  }
  const position = (e: RecordedEvent): number => (session !== undefined ? e.streamPosition : e.globalPosition);
  const rows = events.map((e) => [String(position(e)), String(e.metadata['receivedAt'] ?? e.recordedAt), e.type, summarizeEvent(e.type, e.data)]);
  if (rows.length === 0) ctx.io.out('no matching events');
  else await printLines(ctx.io, tableLines([session !== undefined ? 'pos' : 'global', 'received', 'type', 'summary'], rows));
  return 0;
}

// Every filter and the limit go to the store, so a limited listing reads what it shows, not the
// whole history (a million events at a year of use).
function selectEvents(store: SqliteEventStore, { session, type, search, from, to, limit }: EventsOptions): RecordedEvent[] {
  const range = { from, to, limit };
  try {
    if (search !== undefined) return store.search(search, { streamId: session, type, from, to, limit });
  } catch (error) {
    // The query is the user's input: exit 2, one line that quotes it shortened (the store does).
    if (error instanceof LogbookError && error.code === 'SEARCH_QUERY_INVALID') {
      throw new UsageError(`${error.message}; use words, "quoted phrases", prefix* and AND / OR / NOT`, { usage: false });
    }
    throw error;
  }
  if (session === undefined) return type === undefined ? store.readAll(range) : store.readByType(type, range);
  if (type === undefined) return store.readStream(session, range);
  // One session of one type: the session's events are read, then kept by type.
  const ofType = store.readStream(session, { from, to }).filter((e) => e.type === type);
  return limit === undefined ? ofType : ofType.slice(0, limit);
}

/** Reads from a snapshot and closes it, whatever happens. */
function readAndClose<T>(database: LogbookDatabase, read: (store: SqliteEventStore) => T): T {
  try {
    return read(database.store);
  } finally {
    database.close();
  }
}
