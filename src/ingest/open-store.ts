import { existsSync, renameSync } from 'node:fs';
import { relative } from 'node:path';
import type { LogbookPaths } from '../capture/paths';
import { LogbookDatabase, moveAside } from '../store/logbook-database';
import type { WriterResidence } from '../store/logbook-database';
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
export async function openStoreForWriting(paths: LogbookPaths, residence: WriterResidence = IN_MEMORY): Promise<OpenedStore> {
  const opened = await openOrRebuild(paths, residence);
  return { ...opened, database: opened.database.tuneForWriting() };
}

/** The writer keeps the store in SQLite's memory while it is small enough (logbook-database.ts). */
const IN_MEMORY: WriterResidence = { inMemory: true };

async function openOrRebuild(paths: LogbookPaths, residence: WriterResidence): Promise<OpenedStore> {
  const outcome = await LogbookDatabase.open(paths.store, residence);
  const name = relative(paths.workspace, paths.store);
  if (outcome.ok) {
    const messages = outcome.migrated.length > 0 ? [`${name}: applied schema migrations ${outcome.migrated.join(', ')}`] : [];
    return { database: outcome.database, messages };
  }
  const segments = new SegmentLog(paths.segments);
  if (outcome.problem.kind === 'missing') {
    if (segments.count() === 0) return { database: await LogbookDatabase.create(paths.store, residence), messages: [] };
    const { database, events, missing } = await rebuildFromSegments(paths, residence);
    return { database, messages: [`${name} was missing: rebuilt it from the raw segments (${events} events).`, ...missingMessage(missing)] };
  }
  const movedTo = moveAside(paths.store);
  const { database, events, missing } = await rebuildFromSegments(paths, residence);
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
export async function rebuildFromSegments(paths: LogbookPaths, residence: WriterResidence = IN_MEMORY): Promise<{ database: LogbookDatabase; events: number; missing: string[] }> {
  const database = (await LogbookDatabase.create(paths.store, residence)).tuneForWriting();
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
      missing.push(item.reason === undefined ? item.name : `${item.name} (${item.reason})`);
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
