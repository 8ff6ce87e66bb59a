import { relative } from 'node:path';
import { logbookPaths } from '../capture/paths';
import type { LogbookPaths } from '../capture/paths';
import { pendingEntries } from '../ingest/pending-entries';
import { summarizeEvent } from '../domain/event-summary';
import type { RecordedEvent } from '../store/event-store';
import { LogbookDatabase } from '../store/logbook-database';
import { boolFlag, intFlag, stringFlag, UsageError } from './args';
import type { CliContext } from './main';

/** Opens a read-only snapshot of the store; undefined (with a message) when there is none. */
async function openSnapshot(ctx: CliContext, paths: LogbookPaths): Promise<LogbookDatabase | undefined> {
  const waiting = inboxCount(paths);
  const hint = waiting > 0 ? ` ${waiting} entr${waiting === 1 ? 'y waits' : 'ies wait'} in the inbox: run "logbook ingest".` : '';
  const outcome = await LogbookDatabase.open(paths.store);
  if (outcome.ok) {
    if (hint !== '') ctx.io.err(hint.trim());
    return outcome.database;
  }
  const name = relative(ctx.workspace, paths.store);
  if (outcome.problem.kind === 'missing') {
    ctx.io.err(`no store yet at ${name}.${hint}`);
  } else {
    ctx.io.err(`${name} could not be read (${outcome.problem.reason}); "logbook ingest" moves it aside and rebuilds it from the raw segments.`);
  }
  return undefined;
}

function inboxCount(paths: LogbookPaths): number {
  return pendingEntries(paths.inbox).length;
}

export async function sessionsCommand(ctx: CliContext): Promise<number> {
  const paths = logbookPaths(ctx.workspace);
  const database = await openSnapshot(ctx, paths);
  if (database === undefined) {
    if (boolFlag(ctx.args, 'json')) ctx.io.out('[]');
    return 0;
  }
  try {
    const streams = database.store.streams();
    if (boolFlag(ctx.args, 'json')) {
      ctx.io.out(JSON.stringify(streams, null, 2));
      return 0;
    }
    if (streams.length === 0) {
      ctx.io.out('no sessions recorded yet');
      return 0;
    }
    const rows = streams.map((s) => [s.streamId, String(s.version), s.firstOccurredAt, s.lastOccurredAt, s.lastType]);
    ctx.io.out(table(['session', 'events', 'first event', 'last event', 'last type'], rows));
    return 0;
  } finally {
    database.close();
  }
}

export async function eventsCommand(ctx: CliContext): Promise<number> {
  const session = stringFlag(ctx.args, 'session');
  const type = stringFlag(ctx.args, 'type');
  const search = stringFlag(ctx.args, 'search');
  const from = intFlag(ctx.args, 'from');
  const to = intFlag(ctx.args, 'to');
  const limit = intFlag(ctx.args, 'limit');
  if (from !== undefined && to !== undefined && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  if (limit !== undefined && limit < 1) throw new UsageError('--limit needs a positive number');
  if (search !== undefined && search.trim() === '') throw new UsageError('--search needs a non-empty query');
  const database = await openSnapshot(ctx, logbookPaths(ctx.workspace));
  if (database === undefined) {
    if (boolFlag(ctx.args, 'json')) ctx.io.out('[]');
    return session === undefined ? 0 : 1;
  }
  try {
    const store = database.store;
    if (session !== undefined && store.streamVersion(session) === 0) {
      ctx.io.err(`no session ${JSON.stringify(session)} in the store (see "logbook sessions")`);
      if (boolFlag(ctx.args, 'json')) ctx.io.out('[]');
      return 1;
    }
    let events: RecordedEvent[] = search !== undefined
      ? store.search(search, session === undefined ? {} : { streamId: session })
      : session !== undefined ? store.readStream(session) : type !== undefined ? store.readByType(type) : store.readAll();
    const position = (e: RecordedEvent): number => (session !== undefined ? e.streamPosition : e.globalPosition);
    events = events.filter((e) => (type === undefined || e.type === type)
      && (from === undefined || position(e) >= from) && (to === undefined || position(e) <= to));
    if (limit !== undefined) events = events.slice(0, limit);
    if (boolFlag(ctx.args, 'json')) {
      ctx.io.out(JSON.stringify(events, null, 2));
      return 0;
    }
    const rows = events.map((e) => [String(position(e)), String(e.metadata['receivedAt'] ?? e.recordedAt), e.type, summarizeEvent(e.type, e.data)]);
    ctx.io.out(rows.length === 0 ? 'no matching events' : table([session !== undefined ? 'pos' : 'global', 'received', 'type', 'summary'], rows));
    return 0;
  } finally {
    database.close();
  }
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
