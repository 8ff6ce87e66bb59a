import { copyFileSync, existsSync, linkSync, renameSync, rmSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { LogbookPaths } from '../capture/paths';
import { LogbookDatabase, moveAside } from '../store/logbook-database';
import type { Redactor } from '../domain/redaction/types';
import { fsyncDir } from '../store/durable-file';
import { ensurePrivateDirs } from '../capture/safe-fs';
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
 * Opens the store for the single writer (who holds the ingest lock): read-write, which rolls
 * back a commit a killed writer left half done. A corrupt file is moved aside (never deleted)
 * and a corrupt or missing one is rebuilt from the raw segments, so no recorded event is lost.
 */
export async function openStoreForWriting(paths: LogbookPaths, redactor?: Redactor): Promise<OpenedStore> {
  const outcome = await LogbookDatabase.open(paths.store, { writer: true });
  const name = relative(paths.workspace, paths.store);
  if (outcome.ok) {
    const messages = outcome.migrated.length > 0 ? [`${name}: applied schema migrations ${outcome.migrated.join(', ')}`] : [];
    return { database: outcome.database, messages };
  }
  const segments = new SegmentLog(paths.segments);
  if (outcome.problem.kind === 'missing') {
    if (segments.count() === 0) {
      ensurePrivateDirs([dirname(paths.store)]);
      removePageFile(paths.store, 'journal');
      return { database: await LogbookDatabase.create(paths.store), messages: [] };
    }
    const rebuilt = await rebuildFromSegments(paths, { redactor });
    return { database: rebuilt.database, messages: [`${name} was missing: rebuilt it from the raw segments (${rebuilt.events} events).`, ...rebuildMessages(paths, rebuilt)] };
  }
  // The unreadable file stays where it is until the rebuilt store is there to replace it.
  const rebuilt = await rebuildFromSegments(paths, { write: false, redactor });
  const movedTo = moveAside(paths.store);
  const database = await installRebuilt(rebuilt.database, paths.store);
  const reason = outcome.problem.reason;
  return {
    database,
    messages: [
      `${name} could not be read (${reason}). It was moved to ${relative(paths.workspace, movedTo)} and the store was rebuilt from the raw segments (${rebuilt.events} events).`,
      ...rebuildMessages(paths, rebuilt),
    ],
  };
}

/** A store replayed from the raw segments, and what the replay could not read. */
export interface RebuiltStore extends RebuildFindings {
  /** Open for writing: on the store's path, or (`write: false`) on the file beside it where it was built. */
  readonly database: LogbookDatabase;
}

/** Where a rebuild builds its page file, beside the store (under the ingest lock: one at a time). */
export function rebuildingPath(store: string): string {
  return `${store}.rebuilding`;
}

/**
 * Replays the raw segments into a fresh store: every entry in the order it was first ingested,
 * normalised and linked as it was then, so global positions come out the same. Whatever cannot
 * be read (a bad journal line, a cut gzip segment, an entry that is gone) is skipped and
 * reported, and the rest still comes back. The new page file is built beside the store and
 * renamed over it (installRebuilt), unless `write` is false: it then stays beside it.
 */
export async function rebuildFromSegments(paths: LogbookPaths, options: { readonly write?: boolean; readonly redactor?: Redactor } = {}): Promise<RebuiltStore> {
  const building = rebuildingPath(paths.store);
  ensurePrivateDirs([dirname(building)]);
  removePageFile(building, 'all');
  const database = await LogbookDatabase.create(building);
  let findings: RebuildFindings;
  try {
    findings = replayInto(database, paths, options.redactor);
    database.catchUpFullText();
  } catch (error) {
    database.close();
    removePageFile(building, 'all');
    throw error;
  }
  if (options.write === false) return { database, ...findings };
  return { database: await installRebuilt(database, paths.store), ...findings };
}

/**
 * Puts a page file built beside the store (rebuildFromSegments) in its place: closed (its last
 * commit is on disk), renamed over the store, reopened there for writing. A journal the old store
 * left is moved away first: SQLite would otherwise play it into the new file.
 */
export async function installRebuilt(database: LogbookDatabase, store: string): Promise<LogbookDatabase> {
  const from = database.path;
  if (from === undefined) throw new Error('only a store file can be installed');
  database.close();
  return openMovedStore(from, store, { writer: true });
}

async function openMovedStore(from: string, to: string, options: { readonly writer: boolean }): Promise<LogbookDatabase> {
  if (existsSync(`${to}-journal`)) renameSync(`${to}-journal`, `${to}-journal.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  renameSync(from, to);
  fsyncDir(dirname(to));
  removePageFile(from, 'locks');
  const reopened = await LogbookDatabase.open(to, options);
  if (!reopened.ok) throw new Error(`the rebuilt store ${to} could not be read back: ${reopened.problem.kind === 'missing' ? 'it is missing' : reopened.problem.reason}`);
  return reopened.database;
}

/** Removes what a page file leaves beside its name: its locks, its journal too, or the file itself too ('all', a failed rebuild's). */
function removePageFile(path: string, what: 'locks' | 'journal' | 'all'): void {
  const names = [`${path}-readers`, `${path}-reserved`, `${path}-pending`];
  if (what !== 'locks') names.push(`${path}-journal`);
  if (what === 'all') names.push(path);
  for (const name of names) rmSync(name, { recursive: true, force: true });
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

/** The rebuild `logbook rebuild` runs: beside the store, with the redactor of the workspace's settings. */
export function rebuildWith(redactor: Redactor | undefined): (paths: LogbookPaths) => Promise<RebuiltStore> {
  return (p) => rebuildFromSegments(p, { write: false, redactor });
}

/**
 * `logbook rebuild` (under the ingest lock): rebuilds from the segments into a file beside the
 * store, then keeps whichever store holds more. A rebuild that fails leaves the store as it was.
 * A rebuilt store with fewer events than the current one (some segment could not be read) is
 * kept aside and the current one stays; otherwise the old file gets a second name (the backup)
 * and the rebuilt one is renamed over it: the store's path holds a whole store at every instant.
 * Readers see the new file (another inode) and reopen it.
 */
export async function rebuildStore(paths: LogbookPaths, rebuild: (paths: LogbookPaths) => Promise<RebuiltStore> = rebuildWith(undefined)): Promise<RebuildOutcome> {
  const currentEvents = await eventsIn(paths.store);
  let rebuilt: RebuiltStore;
  try {
    rebuilt = await rebuild(paths);
  } catch (error) {
    removePageFile(rebuildingPath(paths.store), 'all');
    throw error;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (currentEvents !== undefined && currentEvents > rebuilt.events) {
    const aside = `${paths.store}.rebuilt-${stamp}`;
    const from = rebuilt.database.path as string;
    rebuilt.database.close();
    const database = await openMovedStore(from, aside, { writer: false });
    return finish(paths, { ...rebuilt, database, kept: 'current', backup: undefined, aside, currentEvents });
  }
  const backup = existsSync(paths.store) ? `${paths.store}.before-rebuild-${stamp}` : undefined;
  let database: LogbookDatabase;
  try {
    if (backup !== undefined) {
      keepCopy(paths.store, backup);
      // A journal the old store left belongs with it: the backup opens as the store would have.
      if (existsSync(`${paths.store}-journal`)) renameSync(`${paths.store}-journal`, `${backup}-journal`);
    }
    database = await installRebuilt(rebuilt.database, paths.store);
  } catch (error) {
    rebuilt.database.close();
    throw error;
  }
  return finish(paths, { ...rebuilt, database, kept: 'rebuilt', backup, aside: undefined, currentEvents });
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
