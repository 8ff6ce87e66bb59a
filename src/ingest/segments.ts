import { closeSync, fstatSync, fsyncSync, ftruncateSync, lstatSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { archiveDirOf } from '../capture/paths';
import { checkDir, ensurePrivateDirs, isUnsafePath, openSafe, readSafe } from '../capture/safe-fs';
import { fsyncDir, removeStaleTemps, writeFileDurably } from '../store/durable-file';
import { LogbookError } from '../domain/errors';
import type { IngestRecord } from './normalize';

// The raw segments: an immutable copy of every ingested inbox entry, in ingest order, so a
// corrupt or deleted store is rebuilt with the same global positions and no event lost.
// Nothing is copied on the ingest path:
// - order-N.jsonl, the open journal: one line per durable flush, written and fsynced BEFORE the
//   store is, naming the inbox entries that flush holds in the order they were appended;
// - archive/: the entries themselves, moved out of the inbox (a rename) once the flush is done;
// - raw-N.jsonl.gz: a sealed journal, each of its entries with its text, written off the
//   ingest path when the journal is full; then its archived files are removed.
// seg-N.jsonl[.gz] hold records written by earlier versions; they are replayed first.

const LEGACY = /^seg-(\d{6})\.jsonl(\.gz)?$/;
const JOURNAL = /^order-(\d{6})\.jsonl$/;
const SEALED = /^raw-(\d{6})\.jsonl\.gz$/;
/** Raw bytes of entries after which the open journal is sealed. */
export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
/** Entries after which it is sealed anyway: a seal reads them all at once, and the archive stays small. */
export const MAX_JOURNAL_ENTRIES = 4096;

/** One durable flush's entries, as the journal records them. */
interface JournalGroup {
  /** The store's last global position once these entries were appended: a store short of it never got them. */
  readonly last: number;
  /** logbook.capture.maxFieldBytes they were ingested with, so a rebuild cuts the same fields. */
  readonly cap: number;
  readonly bytes: number;
  readonly entries: readonly string[];
}

/** What a rebuild replays, in ingest order. */
export type ReplayItem =
  /** A record as an earlier version stored it. */
  | { readonly kind: 'record'; readonly record: IngestRecord }
  /** An inbox entry's text, to be ingested again exactly as the first time. */
  | { readonly kind: 'entry'; readonly name: string; readonly text: string; readonly maxFieldBytes: number }
  /** An entry the journal names but whose text is nowhere (removed by hand), or refused (a planted link: `reason`). */
  | { readonly kind: 'missing'; readonly name: string; readonly reason?: string };

interface SegmentFiles {
  readonly legacy: { readonly file: string; readonly sealed: boolean }[];
  /** Journal numbers, ascending, each with its sealed and/or open file. */
  readonly journals: { readonly n: number; readonly sealed: string | undefined; readonly open: string | undefined }[];
}

export class SegmentLog {
  readonly archiveDir: string;
  /** Bytes and entries of the open journal, read once, then counted. */
  private openSize: { bytes: number; entries: number } | undefined;

  constructor(private readonly dir: string, private readonly sealBytes = DEFAULT_SEGMENT_BYTES) {
    this.archiveDir = archiveDirOf(dir);
  }

  /** Records one flush's entries, in append order, durably (one fsync); call before the store's flush. */
  appendGroup(entries: readonly string[], last: number, cap: number, bytes: number): void {
    if (entries.length === 0) return;
    this.ensureDir();
    const size = this.openJournalSize();
    const line = `${JSON.stringify({ last, cap, bytes, entries } satisfies JournalGroup)}\n`;
    const file = this.openJournal();
    const created = !exists(file);
    const fd = openSafe(file, 'append-read', 0o600);
    try {
      dropTornTail(fd);
      writeSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // A new journal's name must be on disk too before the store that relies on it.
    if (created) fsyncDir(this.dir);
    size.bytes += bytes;
    size.entries += entries.length;
  }

  /**
   * Drops the journal's last groups whose flush never reached the disk (a crash between the
   * journal and the store), so their entries, still in the inbox, are journaled again where
   * they really land. A group with an entry in the archive did land: it is kept.
   */
  dropUnlanded(lastPosition: number): number {
    const file = this.openJournal();
    if (!exists(file)) return 0;
    const groups = readJournal(file);
    let keep = groups.length;
    while (keep > 0) {
      const group = groups[keep - 1] as { group: JournalGroup; offset: number };
      if (group.group.last <= lastPosition || group.group.entries.some((name) => exists(join(this.archiveDir, name)))) break;
      keep -= 1;
    }
    if (keep === groups.length) return 0;
    const fd = openSafe(file, 'read-write');
    try {
      ftruncateSync(fd, keep === 0 ? 0 : (groups[keep] as { offset: number }).offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.openSize = undefined;
    return groups.length - keep;
  }

  /**
   * Creates the segments folder and its archive, durably (their names are on disk before anything
   * is moved in); existing ones must be private folders of the user's own (safe-fs.ts).
   */
  ensureDir(): void {
    const created = ensurePrivateDirs([this.dir, this.archiveDir]);
    if (created.includes(this.archiveDir)) fsyncDir(this.dir);
    if (created.includes(this.dir)) fsyncDir(dirname(this.dir));
  }

  /** Whether the open journal holds enough to be sealed. */
  get full(): boolean {
    const size = this.openJournalSize();
    return size.bytes >= this.sealBytes || size.entries >= MAX_JOURNAL_ENTRIES;
  }

  /**
   * Seals the open journal: every entry with its text (from the archive, or the inbox for one
   * not moved yet) into raw-N.jsonl.gz, durably. Later flushes go to the next journal. The
   * caller then removes the archived copies and the journal file (unfinishedSeals, finishSeal).
   */
  seal(inboxDir: string): void {
    const journal = this.openJournal();
    if (!exists(journal)) return;
    const n = Number(JOURNAL.exec(basename(journal))?.[1]);
    const lines: string[] = [];
    const dirs = this.entryDirs(inboxDir);
    for (const { group } of readJournal(journal)) {
      for (const name of group.entries) {
        const found = this.entryText(dirs, name);
        lines.push(JSON.stringify(found.text === undefined ? { name, cap: group.cap, missing: true, ...found } : { name, cap: group.cap, text: found.text }));
      }
    }
    const sealed = join(this.dir, journalName('raw', n, '.jsonl.gz'));
    removeStaleTemps(sealed);
    // Level 1: sealing stays cheap; the text still shrinks several times.
    writeFileDurably(sealed, gzipSync(Buffer.from(lines.length === 0 ? '' : `${lines.join('\n')}\n`), { level: 1 }));
    this.openSize = undefined;
  }

  /** Sealed journals whose archived entries and journal file are still to be removed (just sealed, or interrupted). */
  unfinishedSeals(): { journal: string; entries: string[] }[] {
    return this.files().journals
      .filter((j) => j.sealed !== undefined && j.open !== undefined)
      .map((j) => ({ journal: j.open as string, entries: readJournal(j.open as string).flatMap(({ group }) => group.entries) }));
  }

  /** Entry names in journals after `journal`: their archived copies are still needed. */
  namesAfter(journal: string): Set<string> {
    const n = Number(JOURNAL.exec(basename(journal))?.[1]);
    const names = new Set<string>();
    for (const j of this.files().journals) {
      if (j.n <= n || j.open === undefined) continue;
      for (const { group } of readJournal(j.open)) for (const name of group.entries) names.add(name);
    }
    return names;
  }

  /** The last step of a seal: the journal file goes once its archived entries are gone. */
  finishSeal(journal: string): void {
    try {
      unlinkSync(journal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    fsyncDir(this.dir);
  }

  /**
   * Everything ingested, in ingest order: earlier versions' records, then each journal's
   * entries (sealed: with their text; open: read from the archive or the inbox). A torn last
   * line of a journal is skipped: a crash mid-append, before the store's flush.
   */
  *replay(inboxDir: string): Generator<ReplayItem> {
    const { legacy, journals } = this.files();
    for (const { file, sealed } of legacy) for (const record of readLegacy(file, sealed)) yield { kind: 'record', record };
    for (const journal of journals) {
      if (journal.sealed !== undefined) {
        yield* readSealed(journal.sealed);
        continue;
      }
      const dirs = this.entryDirs(inboxDir);
      for (const { group } of readJournal(journal.open as string)) {
        for (const name of group.entries) {
          const found = this.entryText(dirs, name);
          yield found.text === undefined ? { kind: 'missing', name, ...found } : { kind: 'entry', name, text: found.text, maxFieldBytes: group.cap };
        }
      }
    }
  }

  /** Number of segment files of any kind: none means nothing was ever ingested here. */
  count(): number {
    const { legacy, journals } = this.files();
    return legacy.length + journals.length;
  }

  /**
   * A journaled entry's text, from the archive or (not moved yet) the inbox. One that is not a
   * plain file of the user's own (a planted link to ~/.ssh/id_rsa, a FIFO) is never read: it
   * counts as missing, with the reason.
   */
  private entryText(dirs: readonly string[], name: string): { readonly text: string } | { readonly text?: undefined; readonly reason?: string } {
    let reason: string | undefined;
    for (const dir of dirs) {
      try {
        return { text: readSafe(join(dir, name)).toString('utf8') };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        if (!isUnsafePath(error)) throw error;
        reason ??= error.message;
      }
    }
    return reason === undefined ? {} : { reason };
  }

  /** Where journaled entries are read from: the archive, then the inbox (each checked: a planted link throws). */
  private entryDirs(inboxDir: string): string[] {
    return [this.archiveDir, inboxDir].filter(checkDir);
  }

  private openJournal(): string {
    const last = this.files().journals.at(-1);
    if (last === undefined) return join(this.dir, journalName('order', 1, '.jsonl'));
    return join(this.dir, journalName('order', last.sealed === undefined ? last.n : last.n + 1, '.jsonl'));
  }

  private openJournalSize(): { bytes: number; entries: number } {
    if (this.openSize === undefined) {
      const file = this.openJournal();
      const groups = exists(file) ? readJournal(file) : [];
      this.openSize = {
        bytes: groups.reduce((sum, { group }) => sum + group.bytes, 0),
        entries: groups.reduce((sum, { group }) => sum + group.entries.length, 0),
      };
    }
    return this.openSize;
  }

  private files(): SegmentFiles {
    const legacy = new Map<number, { file: string; sealed: boolean }>();
    const journals = new Map<number, { n: number; sealed: string | undefined; open: string | undefined }>();
    const journal = (n: number): { n: number; sealed: string | undefined; open: string | undefined } => {
      let found = journals.get(n);
      if (found === undefined) {
        found = { n, sealed: undefined, open: undefined };
        journals.set(n, found);
      }
      return found;
    };
    // A planted link or another user's folder is refused here, before anything in it is read.
    for (const name of checkDir(this.dir) ? readdirSync(this.dir) : []) {
      const old = LEGACY.exec(name);
      if (old) {
        const n = Number(old[1]);
        const sealed = old[2] !== undefined;
        // If sealing was interrupted after the .gz landed, both exist: the sealed one wins.
        if (!legacy.has(n) || sealed) legacy.set(n, { file: join(this.dir, name), sealed });
        continue;
      }
      const open = JOURNAL.exec(name);
      if (open) journal(Number(open[1])).open = join(this.dir, name);
      const sealed = SEALED.exec(name);
      if (sealed) journal(Number(sealed[1])).sealed = join(this.dir, name);
    }
    const byNumber = <T>(map: Map<number, T>): T[] => [...map.entries()].sort((a, b) => a[0] - b[0]).map(([, value]) => value);
    return { legacy: byNumber(legacy), journals: byNumber(journals) };
  }
}

/** Whether anything (a link too) has this name: lstat, never followed. */
function exists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** A journal's groups with the byte offset each starts at; a torn last line is left out. */
function readJournal(file: string): { group: JournalGroup; offset: number }[] {
  const text = readSafe(file);
  const groups: { group: JournalGroup; offset: number }[] = [];
  let offset = 0;
  while (offset < text.length) {
    const end = text.indexOf(0x0a, offset);
    if (end < 0) break;
    const line = text.toString('utf8', offset, end);
    try {
      groups.push({ group: JSON.parse(line) as JournalGroup, offset });
    } catch (error) {
      throw new LogbookError('SEGMENT_CORRUPT', `${file}: byte ${offset}: ${(error as Error).message}`);
    }
    offset = end + 1;
  }
  return groups;
}

function* readSealed(file: string): Generator<ReplayItem> {
  const lines = gunzipSync(readSafe(file)).toString('utf8').split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    if (line === '') continue;
    let entry: { name: string; cap: number; text?: string; reason?: string };
    try {
      entry = JSON.parse(line) as { name: string; cap: number; text?: string; reason?: string };
    } catch (error) {
      throw new LogbookError('SEGMENT_CORRUPT', `${file}:${i + 1}: ${(error as Error).message}`);
    }
    yield entry.text === undefined ? { kind: 'missing', name: entry.name, ...(typeof entry.reason === 'string' ? { reason: entry.reason } : {}) } : { kind: 'entry', name: entry.name, text: entry.text, maxFieldBytes: entry.cap };
  }
}

function* readLegacy(file: string, sealed: boolean): Generator<IngestRecord> {
  const text = sealed ? gunzipSync(readSafe(file)).toString('utf8') : readSafe(file).toString('utf8');
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    if (line === '') continue;
    try {
      yield JSON.parse(line) as IngestRecord;
    } catch (error) {
      // A crash mid-append tore only the final line, whose entries stayed in the inbox.
      if (!sealed && i === lines.length - 1) continue;
      throw new LogbookError('SEGMENT_CORRUPT', `${file}:${i + 1}: ${(error as Error).message}`);
    }
  }
}

/**
 * A crash mid-append leaves a partial last line. Its flush never happened, so its entries are
 * still in the inbox and will be journaled again: cut the fragment off first, or it would end
 * up in the middle of the journal.
 */
function dropTornTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  let keep = -1;
  while (end > 0 && keep < 0) {
    const start = Math.max(0, end - chunk.length);
    const read = readSync(fd, chunk, 0, end - start, start);
    if (end === size && chunk[read - 1] === 0x0a) return;
    const at = chunk.subarray(0, read).lastIndexOf(0x0a);
    if (at >= 0) keep = start + at + 1;
    end = start;
  }
  ftruncateSync(fd, Math.max(keep, 0));
}

function journalName(kind: 'order' | 'raw', n: number, suffix: string): string {
  return `${kind}-${String(n).padStart(6, '0')}${suffix}`;
}
