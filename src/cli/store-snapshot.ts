import { accessSync, constants, statSync } from 'node:fs';
import { relative } from 'node:path';
import type { LogbookPaths } from '../capture/paths';
import { LogbookError } from '../domain/errors';
import { pendingEntries } from '../ingest/pending-entries';
import { LogbookDatabase } from '../store/logbook-database';
import { readLock, tryAcquireLock } from '../ingest/lock';
import { describeHolderShort } from '../ingest/lock-text';
import type { CliContext } from './context';

// How the CLI's readers meet the store. No file yet is a fact (nothing recorded): the caller
// decides what that means. A file that is there but cannot be used is a failure: a LogbookError
// that names the file and what to do, thrown before the command prints anything, so `--json`
// never answers `[]` for a store it could not read.

/** The store's read-only snapshot, or undefined when there is no store file yet. */
export async function openStore(paths: LogbookPaths): Promise<LogbookDatabase | undefined> {
  const unreadable = whyUnreadable(paths.store);
  if (unreadable !== undefined) {
    throw new LogbookError('STORE_UNREADABLE', `cannot read the store ${paths.store} (${unreadable}): fix it, or run "logbook rebuild", which keeps it as a backup and rebuilds the store from the raw segments`);
  }
  let outcome = await LogbookDatabase.open(paths.store);
  if (!outcome.ok && outcome.problem.kind === 'interrupted') {
    await rollBackInterruptedCommit(paths);
    outcome = await LogbookDatabase.open(paths.store);
  }
  if (outcome.ok) return outcome.database;
  if (outcome.problem.kind === 'missing') return undefined;
  if (outcome.problem.kind === 'interrupted') {
    throw new LogbookError('STORE_INTERRUPTED', `the store ${paths.store} has a commit a killed writer left half done (${outcome.problem.reason}), and ${describeHolderShort(readLock(paths.lock))} holds the ingest lock: it rolls the commit back when it next writes; try again in a moment, or run "logbook ingest"`);
  }
  const reason = outcome.problem.reason.length > 160 ? `${outcome.problem.reason.slice(0, 159)}…` : outcome.problem.reason;
  throw new LogbookError('STORE_CORRUPT', `the store ${paths.store} is damaged (${reason}): run "logbook ingest", which moves it aside and rebuilds it from the raw segments`);
}

/**
 * A writer killed mid-commit leaves a journal a read-only connection cannot roll back. When no
 * live writer holds the ingest lock, take it briefly and let a read-write open roll it back (a
 * writer holding the lock does it at its next commit).
 */
async function rollBackInterruptedCommit(paths: LogbookPaths): Promise<void> {
  const attempt = tryAcquireLock(paths.lock, 'cli');
  if (!attempt.acquired) return;
  try {
    const writer = await LogbookDatabase.open(paths.store, { writer: true });
    if (writer.ok) writer.database.close();
  } finally {
    attempt.lock.release();
  }
}

/** openStore for a listing: says on stderr when there is no store yet, or when entries wait in the inbox. */
export async function openSnapshot(ctx: CliContext, paths: LogbookPaths): Promise<LogbookDatabase | undefined> {
  const waiting = pendingEntries(paths.inbox).length;
  const hint = waiting > 0 ? ` ${waiting} entr${waiting === 1 ? 'y waits' : 'ies wait'} in the inbox: run "logbook ingest".` : '';
  const database = await openStore(paths);
  if (database === undefined) ctx.io.err(`no store yet at ${relative(ctx.workspace, paths.store)}.${hint}`);
  else if (hint !== '') ctx.io.err(hint.trim());
  return database;
}

/** Why the store file cannot be read at all (not a file, no permission); undefined when it can, or is missing. */
function whyUnreadable(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'it is not a regular file';
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return code === 'EACCES' ? 'permission denied' : (code ?? (error as Error).message);
  }
}
