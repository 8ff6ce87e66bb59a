import { existsSync, renameSync } from 'node:fs';
import { relative } from 'node:path';
import type { LogbookPaths } from '../capture/paths';
import { LogbookDatabase, moveAside } from '../store/logbook-database';
import { CausationLinker } from './causation';
import { appendRecords, emptyReport, entryRecords } from './ingestor';
import { serializeRecord } from './normalize';
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
  const opened = await openOrRebuild(paths);
  return { ...opened, database: tuneForWriting(opened.database) };
}

/**
 * The single writer's connection. sql.js holds the database in an in-memory file: its rollback
 * journal can live in memory too, and a larger page cache spills pages to that file less often
 * in the middle of a pass. Neither touches durability, which is the flush's (export, temp file,
 * fsync, rename); a rollback still undoes a failed pass.
 */
export function tuneForWriting(database: LogbookDatabase): LogbookDatabase {
  database.raw.run('PRAGMA journal_mode = MEMORY');
  database.raw.run(`PRAGMA cache_size = -${WRITER_CACHE_KIB}`);
  return database;
}

/** The writer's page cache, in KiB (sql.js's default is 2 MB). */
const WRITER_CACHE_KIB = 16 * 1024;

async function openOrRebuild(paths: LogbookPaths): Promise<OpenedStore> {
  const outcome = await LogbookDatabase.open(paths.store);
  const name = relative(paths.workspace, paths.store);
  if (outcome.ok) {
    const messages = outcome.migrated.length > 0 ? [`${name}: applied schema migrations ${outcome.migrated.join(', ')}`] : [];
    return { database: outcome.database, messages };
  }
  const segments = new SegmentLog(paths.segments);
  if (outcome.problem.kind === 'missing') {
    if (segments.count() === 0) return { database: await LogbookDatabase.create(paths.store), messages: [] };
    const { database, events, missing } = await rebuildFromSegments(paths);
    return { database, messages: [`${name} was missing: rebuilt it from the raw segments (${events} events).`, ...missingMessage(missing)] };
  }
  const movedTo = moveAside(paths.store);
  const { database, events, missing } = await rebuildFromSegments(paths);
  return {
    database,
    messages: [
      `${name} could not be read (${outcome.problem.reason}). It was moved to ${relative(paths.workspace, movedTo)} and the store was rebuilt from the raw segments (${events} events).`,
      ...missingMessage(missing),
    ],
  };
}

/**
 * Replays the raw segments into a fresh store and flushes it durably: every entry in the order
 * it was first ingested, normalised and linked as it was then, so global positions come out the same.
 */
export async function rebuildFromSegments(paths: LogbookPaths): Promise<{ database: LogbookDatabase; events: number; missing: string[] }> {
  const database = tuneForWriting(await LogbookDatabase.create(paths.store));
  const report = emptyReport();
  const linker = new CausationLinker(database.store);
  const missing: string[] = [];
  let chunk: IngestRecord[] = [];
  // Records of earlier versions come linked already; the linker looks their causes up in the store.
  let chunkHasRecords = false;
  const append = (): void => {
    appendRecords(database, chunk, report);
    chunk = [];
    chunkHasRecords = false;
  };
  for (const item of new SegmentLog(paths.segments).replay(paths.inbox)) {
    if (item.kind === 'missing') {
      missing.push(item.name);
    } else if (item.kind === 'record') {
      chunk.push(item.record);
      chunkHasRecords = true;
    } else {
      if (chunkHasRecords) append();
      for (const record of entryRecords(item.name, item.text, { maxFieldBytes: item.maxFieldBytes })) chunk.push(serializeRecord(linker.link(record)));
    }
    if (chunk.length >= 5000) append();
  }
  append();
  database.flush();
  return { database, events: report.appended, missing };
}

function missingMessage(missing: readonly string[]): string[] {
  if (missing.length === 0) return [];
  const shown = missing.slice(0, 5).join(', ');
  return [`${missing.length} ingested inbox entr${missing.length === 1 ? 'y was' : 'ies were'} no longer in the raw segments' archive and could not be replayed: ${shown}${missing.length > 5 ? ', …' : ''}`];
}

/** `logbook rebuild`: keeps the current file as a backup, then rebuilds from the segments. */
export async function rebuildStore(paths: LogbookPaths): Promise<{ database: LogbookDatabase; events: number; missing: string[]; backup: string | undefined }> {
  let backup: string | undefined;
  if (existsSync(paths.store)) {
    backup = `${paths.store}.before-rebuild-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(paths.store, backup);
  }
  const rebuilt = await rebuildFromSegments(paths);
  return { ...rebuilt, backup };
}
