import { existsSync, renameSync } from 'node:fs';
import { relative } from 'node:path';
import type { LogbookPaths } from '../capture/paths';
import { LogbookDatabase, moveAside } from '../store/logbook-database';
import { appendRecords, emptyReport } from './ingestor';
import type { IngestRecord } from './normalize';
import { SegmentLog } from './segments';

export interface OpenedStore {
  readonly database: LogbookDatabase;
  /** What happened on the way, for the user: a rebuild, a file moved aside, a migration. */
  readonly messages: string[];
}

/**
 * Opens the store for the single writer. A corrupt file is moved aside (never deleted) and a
 * corrupt or missing one is rebuilt from the raw segments, so no recorded event is lost.
 */
export async function openStoreForWriting(paths: LogbookPaths): Promise<OpenedStore> {
  const outcome = await LogbookDatabase.open(paths.store);
  const name = relative(paths.workspace, paths.store);
  if (outcome.ok) {
    const messages = outcome.migrated.length > 0 ? [`${name}: applied schema migrations ${outcome.migrated.join(', ')}`] : [];
    return { database: outcome.database, messages };
  }
  const segments = new SegmentLog(paths.segments);
  if (outcome.problem.kind === 'missing') {
    if (segments.count() === 0) return { database: await LogbookDatabase.create(paths.store), messages: [] };
    const { database, events } = await rebuildFromSegments(paths);
    return { database, messages: [`${name} was missing: rebuilt it from the raw segments (${events} events).`] };
  }
  const movedTo = moveAside(paths.store);
  const { database, events } = await rebuildFromSegments(paths);
  return {
    database,
    messages: [`${name} could not be read (${outcome.problem.reason}). It was moved to ${relative(paths.workspace, movedTo)} and the store was rebuilt from the raw segments (${events} events).`],
  };
}

/** Replays every raw segment into a fresh store and flushes it durably. */
export async function rebuildFromSegments(paths: LogbookPaths): Promise<{ database: LogbookDatabase; events: number }> {
  const database = await LogbookDatabase.create(paths.store);
  const report = emptyReport();
  let chunk: IngestRecord[] = [];
  for (const record of new SegmentLog(paths.segments).records()) {
    chunk.push(record);
    if (chunk.length >= 5000) {
      appendRecords(database, chunk, report);
      chunk = [];
    }
  }
  appendRecords(database, chunk, report);
  database.flush();
  return { database, events: report.appended };
}

/** `logbook rebuild`: keeps the current file as a backup, then rebuilds from the segments. */
export async function rebuildStore(paths: LogbookPaths): Promise<{ database: LogbookDatabase; events: number; backup: string | undefined }> {
  let backup: string | undefined;
  if (existsSync(paths.store)) {
    backup = `${paths.store}.before-rebuild-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(paths.store, backup);
  }
  const rebuilt = await rebuildFromSegments(paths);
  return { ...rebuilt, backup };
}
