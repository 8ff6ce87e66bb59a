import { copyFileSync, existsSync, linkSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { LogbookPaths } from '../capture/paths';
import { LogbookDatabase, moveAside } from '../store/logbook-database';
import type { WriterResidence } from '../store/logbook-database';
import type { Redactor } from '../domain/redaction/types';
import { fsyncDir, writeFileDurably } from '../store/durable-file';
import { CausationLinker } from './causation';
import { emptyReport } from './ingestor';
import { appendRecords, entryRecords, unreadableRecords } from './entry-records';
import { serializeRecord } from './normalize';
import type { IngestRecord } from './normalize';
import { SegmentLog } from './segments';
import { rebuildMessages } from './rebuild-report';
import type { RebuildFiles, RebuildFindings } from './rebuild-report';

export interface OpenedStore {
  readonly database: LogbookDatabase;
  /** What happened on the way, for the user: a rebuild, a file moved aside, a migration. */
  readonly messages: string[];
}

/**
 * Opens the store for the single writer. A corrupt file is moved aside (never deleted) and a
 * corrupt or missing one is rebuilt from the raw segments, so no recorded event is lost.
 */
export async function openStoreForWriting(paths: LogbookPaths, residence: WriterResidence = IN_MEMORY, redactor?: Redactor): Promise<OpenedStore> {
  const opened = await openOrRebuild(paths, residence, redactor);
  return { ...opened, database: opened.database.tuneForWriting() };
}

/** The writer keeps the store in SQLite's memory while it is small enough (logbook-database.ts). */
const IN_MEMORY: WriterResidence = { inMemory: true };

async function openOrRebuild(paths: LogbookPaths, residence: WriterResidence, redactor: Redactor | undefined): Promise<OpenedStore> {
  const outcome = await LogbookDatabase.open(paths.store, residence);
  const name = relative(paths.workspace, paths.store);
  if (outcome.ok) {
    const messages = outcome.migrated.length > 0 ? [`${name}: applied schema migrations ${outcome.migrated.join(', ')}`] : [];
    return { database: outcome.database, messages };
  }
  const segments = new SegmentLog(paths.segments);
  if (outcome.problem.kind === 'missing') {
    if (segments.count() === 0) return { database: await LogbookDatabase.create(paths.store, residence), messages: [] };
    const rebuilt = await rebuildFromSegments(paths, residence, { redactor });
    return { database: rebuilt.database, messages: [`${name} was missing: rebuilt it from the raw segments (${rebuilt.events} events).`, ...rebuildMessages(paths, rebuilt)] };
  }
  // The unreadable file stays where it is until the rebuilt store is there to replace it.
  const rebuilt = await rebuildFromSegments(paths, residence, { write: false, redactor });
  const movedTo = moveAside(paths.store);
  rebuilt.database.flush();
  return {
    database: rebuilt.database,
    messages: [
      `${name} could not be read (${outcome.problem.reason}). It was moved to ${relative(paths.workspace, movedTo)} and the store was rebuilt from the raw segments (${rebuilt.events} events).`,
      ...rebuildMessages(paths, rebuilt),
    ],
  };
}

/** A store replayed from the raw segments, and what the replay could not read. */
export interface RebuiltStore extends RebuildFindings {
  /** Bound to the store's path (`write: false`: not written there yet). */
  readonly database: LogbookDatabase;
}

/**
 * Replays the raw segments into a fresh store: every entry in the order it was first ingested,
 * normalised and linked as it was then, so global positions come out the same. Whatever cannot
 * be read (a bad journal line, a cut gzip segment, an entry that is gone) is skipped and
 * reported, and the rest still comes back. Written durably to `paths.store` unless `write` is false.
 */
export async function rebuildFromSegments(paths: LogbookPaths, residence: WriterResidence = IN_MEMORY, options: { readonly write?: boolean; readonly redactor?: Redactor } = {}): Promise<RebuiltStore> {
  const database = (await LogbookDatabase.create(paths.store, residence)).tuneForWriting();
  try {
    const findings = replayInto(database, paths, options.redactor);
    if (options.write !== false) database.flush();
    return { database, ...findings };
  } catch (error) {
    database.close();
    throw error;
  }
}

function replayInto(database: LogbookDatabase, paths: LogbookPaths, redactor: Redactor | undefined): RebuildFindings {
  const report = emptyReport();
  const linker = new CausationLinker(database.store);
  const findings = { events: 0, missing: [] as string[], problems: [] as string[], leftovers: [] as string[] };
  let chunk: IngestRecord[] = [];
  // Records of earlier versions come linked already; the linker looks their causes up in the store.
  let chunkHasRecords = false;
  const append = (): void => {
    appendRecords(database, chunk, report);
    chunk = [];
    chunkHasRecords = false;
  };
  const entry = (records: readonly IngestRecord[]): void => {
    if (chunkHasRecords) append();
    for (const record of records) chunk.push(serializeRecord(linker.link(record)));
  };
  for (const item of new SegmentLog(paths.segments).replay(paths.inbox)) {
    if (item.kind === 'problem') {
      findings.problems.push(item.message);
    } else if (item.kind === 'missing') {
      findings.missing.push(item.name);
      if (item.reason !== undefined) findings.problems.push(`inbox entry ${item.name} could not be replayed: ${item.reason}`);
    } else if (item.kind === 'record') {
      chunk.push(item.record);
      chunkHasRecords = true;
    } else {
      if (item.leftover === true) findings.leftovers.push(item.name);
      entry(item.kind === 'entry' ? entryRecords(item.name, item.text, { maxFieldBytes: item.maxFieldBytes, redactor }, item.range, item.bytes) : unreadableRecords(item.name, item.reason, { maxFieldBytes: item.maxFieldBytes }));
    }
    if (chunk.length >= 5000) append();
  }
  append();
  return { ...findings, events: report.appended };
}

/** What `logbook rebuild` did: which file is the store now, which it kept, and what it could not read. */
export interface RebuildOutcome extends RebuiltStore, RebuildFiles {
  /** Every message, for the CLI's output and VS Code's log: files kept, what could not be read. */
  readonly messages: string[];
}

/** The rebuild `logbook rebuild` runs: in memory, with the redactor of the workspace's settings. */
export function rebuildWith(redactor: Redactor | undefined): (paths: LogbookPaths) => Promise<RebuiltStore> {
  return (p) => rebuildFromSegments(p, IN_MEMORY, { write: false, redactor });
}

/**
 * `logbook rebuild`: rebuilds from the segments in memory, then keeps whichever store holds
 * more. A rebuild that fails leaves the store as it was. A rebuilt store with fewer events than
 * the current one (some segment could not be read) is written beside it and the current one
 * stays; otherwise the old file gets a second name (the backup) and the rebuilt one replaces it
 * (temp file, fsync, rename): the store's path holds a whole store at every instant.
 */
export async function rebuildStore(paths: LogbookPaths, rebuild: (paths: LogbookPaths) => Promise<RebuiltStore> = rebuildWith(undefined)): Promise<RebuildOutcome> {
  const currentEvents = await eventsIn(paths.store);
  const rebuilt = await rebuild(paths);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (currentEvents !== undefined && currentEvents > rebuilt.events) {
    const aside = `${paths.store}.rebuilt-${stamp}`;
    try {
      writeFileDurably(aside, rebuilt.database.export());
    } finally {
      // Bound to the store's path, where a flush would overwrite the fuller store: read back from aside.
      rebuilt.database.close();
    }
    const reopened = await LogbookDatabase.open(aside);
    if (!reopened.ok) throw new Error(`the rebuilt store ${aside} could not be read back: ${reopened.problem.kind === 'corrupt' ? reopened.problem.reason : 'it is missing'}`);
    return finish(paths, { ...rebuilt, database: reopened.database, kept: 'current', backup: undefined, aside, currentEvents });
  }
  const backup = existsSync(paths.store) ? `${paths.store}.before-rebuild-${stamp}` : undefined;
  try {
    if (backup !== undefined) keepCopy(paths.store, backup);
    rebuilt.database.flush();
  } catch (error) {
    rebuilt.database.close();
    throw error;
  }
  return finish(paths, { ...rebuilt, kept: 'rebuilt', backup, aside: undefined, currentEvents });
}

function finish(paths: LogbookPaths, outcome: Omit<RebuildOutcome, 'messages'>): RebuildOutcome {
  return { ...outcome, messages: rebuildMessages(paths, outcome) };
}

/** The events of the store file at `path`, or undefined when it is missing or cannot be read. */
async function eventsIn(path: string): Promise<number | undefined> {
  const opened = await LogbookDatabase.open(path);
  if (!opened.ok) return undefined;
  try {
    return opened.database.store.lastGlobalPosition();
  } finally {
    opened.database.close();
  }
}

/** A second name for the old store (a hard link: no copy, no moment without a store); a copy where links are not possible. */
function keepCopy(path: string, backup: string): void {
  try {
    linkSync(path, backup);
  } catch {
    copyFileSync(path, backup);
  }
  fsyncDir(dirname(backup));
}
