import { closeSync, fstatSync, fsyncSync, ftruncateSync, lstatSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { archiveDirOf } from '../capture/paths';
import { checkDir, ensurePrivateDirs, openSafe } from '../capture/safe-fs';
import { fsyncDir, removeStaleTemps, writeFileDurably } from '../store/durable-file';
import type { IngestRecord } from './normalize';
import { appendOrderOf, readJournal, readSealed, zlib } from './segment-read';
import type { AppendOrder, JournalGroup, LogRange } from './segment-read';
import { readContentIfThere } from './regular-file';
import { replaySegments } from './replay';

// The raw segments: an immutable copy of every ingested inbox entry, in ingest order, so a
// corrupt or deleted store is rebuilt with the same global positions and no event lost.
// Nothing is copied on the ingest path:
// - order-N.jsonl, the open journal: one line per durable flush, written and fsynced BEFORE the
//   store is, naming the inbox entries that flush holds in the order they were appended;
// - archive/: the entries themselves, moved out of the inbox (a rename) once the flush is done;
// - raw-N.jsonl.gz: a sealed journal, each of its entries with its text, written off the
//   ingest path when the journal is full; then its archived files are removed.
// seg-N.jsonl[.gz] hold records written by earlier versions; they are replayed first.
// Every reader takes what it can (segment-read.ts): a bad line or a cut gzip file is reported
// and skipped, and inbox files no readable line names are replayed last, so nothing readable
// is left out of a rebuild.

const LEGACY = /^seg-(\d{6})\.jsonl(\.gz)?$/;
const JOURNAL = /^order-(\d{6})\.jsonl$/;
const SEALED = /^raw-(\d{6})\.jsonl\.gz$/;
/** Raw bytes of entries after which the open journal is sealed. */
export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
/** Entries after which it is sealed anyway: a seal reads them all at once, and the archive stays small. */
export const MAX_JOURNAL_ENTRIES = 4096;

/** What a rebuild replays, in ingest order. */
export type ReplayItem =
  /** A record as an earlier version stored it. */
  | { readonly kind: 'record'; readonly record: IngestRecord }
  /**
   * An inbox entry's text, to be ingested again exactly as the first time: a claimed log whole,
   * or a run of its records (`range`); `leftover`: no readable line names it.
   */
  | { readonly kind: 'entry'; readonly name: string; readonly text: string; readonly maxFieldBytes: number; readonly range?: LogRange; readonly leftover?: true; readonly bytes?: Buffer }
  /** An entry that could not be read when it was ingested: quarantined again with the same reason. */
  | { readonly kind: 'unreadable'; readonly name: string; readonly reason: string; readonly maxFieldBytes: number; readonly leftover?: true }
  /** An entry a line names but whose text is nowhere (removed by hand), or cannot be read now (`reason`). */
  | { readonly kind: 'missing'; readonly name: string; readonly reason?: string }
  /** Something of the segments that could not be read (a line, the rest of a cut gzip file), and where. */
  | { readonly kind: 'problem'; readonly message: string };

/** The segment files, by kind and number. */
export interface SegmentFiles {
  readonly legacy: { readonly file: string; readonly sealed: boolean }[];
  /** Journal numbers, ascending, each with its sealed and/or open file. */
  readonly journals: { readonly n: number; readonly sealed: string | undefined; readonly open: string | undefined }[];
  /** Names that look like segments but are not regular files (a directory, a FIFO): never read nor written. */
  readonly blocked: { readonly name: string; readonly n: number }[];
}

export class SegmentLog {
  readonly archiveDir: string;
  /** Bytes and entries of the open journal, read once, then counted. */
  private openSize: { bytes: number; entries: number } | undefined;
  /** Problems not told yet, and every one told (a bad line is read again and again, and told once). */
  private readonly problems: string[] = [];
  private readonly told = new Set<string>();

  constructor(readonly dir: string, private readonly sealBytes = DEFAULT_SEGMENT_BYTES) {
    this.archiveDir = archiveDirOf(dir);
  }

  /**
   * Records one flush's entries, in the order each was read whole, durably (one fsync); call
   * before the store's flush. `unreadable`: entries that could not be read, with why (a replay
   * quarantines them alike); `order`: the append order, when entry files were merged between a
   * log's records.
   */
  appendGroup(entries: readonly string[], last: number, cap: number, bytes: number, extra: { readonly unreadable?: ReadonlyMap<string, string>; readonly order?: AppendOrder } = {}): void {
    if (entries.length === 0) return;
    this.ensureDir();
    const size = this.openJournalSize();
    const unreadable = extra.unreadable ?? new Map<string, string>();
    const reasons = entries.filter((name) => unreadable.has(name)).map((name) => [name, unreadable.get(name) as string] as const);
    const group: JournalGroup = {
      last, cap, bytes, entries: [...entries],
      ...(reasons.length > 0 ? { unreadable: Object.fromEntries(reasons) } : {}),
      ...(extra.order === undefined ? {} : { order: [...extra.order] }),
    };
    const line = `${JSON.stringify(group)}\n`;
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
   * they really land. A group with an entry in the archive did land: it is kept. Lines that
   * cannot be read are reported and left alone.
   */
  dropUnlanded(lastPosition: number): number {
    const file = this.openJournal();
    if (!exists(file)) return 0;
    const groups = this.journal(file);
    let keep = groups.length;
    while (keep > 0) {
      const group = groups[keep - 1] as { group: JournalGroup; offset: number };
      if (group.group.last <= lastPosition || group.group.entries.some((name) => exists(join(this.archiveDir, name)))) break;
      keep -= 1;
    }
    if (keep === groups.length) return 0;
    const fd = openSafe(file, 'read-write');
    try {
      ftruncateSync(fd, (groups[keep] as { offset: number }).offset);
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
   * An entry that could not be read is sealed with its reason instead of its text (and stays in
   * the archive), and a journal line that could not be read is sealed as it is.
   */
  seal(inboxDir: string): void {
    const journal = this.openJournal();
    if (!exists(journal)) return;
    const n = Number(JOURNAL.exec(basename(journal))?.[1]);
    const read = readJournal(journal);
    this.tell(read.problems);
    const lines: string[] = [];
    for (const { group } of read.items) {
      const sealedLogs = new Set<string>();
      for (const { name, range } of appendOrderOf(group)) {
        if (range === undefined) {
          lines.push(JSON.stringify(sealedEntryOf(name, group, this.archiveDir, inboxDir)));
          continue;
        }
        // A log's text goes with its first run only; the later runs' lines point back to it.
        const run = [range.from, range.to ?? null];
        lines.push(JSON.stringify(sealedLogs.has(name) ? { name, cap: group.cap, run } : { ...sealedEntryOf(name, group, this.archiveDir, inboxDir), run }));
        sealedLogs.add(name);
      }
    }
    for (const bad of read.bad) lines.push(JSON.stringify({ journalLine: bad.text, problem: bad.problem }));
    const sealed = join(this.dir, journalName('raw', n, '.jsonl.gz'));
    removeStaleTemps(sealed);
    // Level 1: sealing stays cheap; the text still shrinks several times.
    writeFileDurably(sealed, zlib().gzipSync(Buffer.from(lines.length === 0 ? '' : `${lines.join('\n')}\n`), { level: 1 }));
    this.openSize = undefined;
  }

  /**
   * Sealed journals whose archived entries and journal file are still to be removed (just
   * sealed, or interrupted), each with the entries whose text the sealed file really holds:
   * only those may be removed.
   */
  unfinishedSeals(): { journal: string; entries: string[] }[] {
    return this.listFiles().journals
      .filter((j) => j.sealed !== undefined && j.open !== undefined)
      .map((j) => {
        const read = readSealed(j.sealed as string);
        this.tell(read.problems);
        return { journal: j.open as string, entries: read.items.flatMap((line) => ('name' in line && (line.text !== undefined || line.base64 !== undefined) ? [line.name] : [])) };
      });
  }

  /** Entry names in journals after `journal`: their archived copies are still needed. */
  namesAfter(journal: string): Set<string> {
    const n = Number(JOURNAL.exec(basename(journal))?.[1]);
    const names = new Set<string>();
    for (const j of this.listFiles().journals) {
      if (j.n <= n || j.open === undefined) continue;
      for (const { group } of this.journal(j.open)) for (const name of group.entries) names.add(name);
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
   * entries (sealed: with their text; open: read from the archive or the inbox), then the inbox
   * files in the archive or the inbox that no readable line names. What cannot be read is a
   * `problem` item, and the replay goes on.
   */
  replay(inboxDir: string): Generator<ReplayItem> {
    return replaySegments(this.listFiles(), this.archiveDir, inboxDir);
  }

  /** Number of segment files of any kind: none means nothing was ever ingested here. */
  count(): number {
    const { legacy, journals } = this.listFiles();
    return legacy.length + journals.length;
  }

  /** Problems met reading the segments since the last call, each told once (a bad journal line is read at every flush). */
  takeProblems(): string[] {
    return this.problems.splice(0);
  }

  /** The segment files there are, in order. */
  listFiles(): SegmentFiles {
    const legacy = new Map<number, { file: string; sealed: boolean }>();
    const journals = new Map<number, { n: number; sealed: string | undefined; open: string | undefined }>();
    const blocked: { name: string; n: number }[] = [];
    const journal = (n: number): { n: number; sealed: string | undefined; open: string | undefined } => {
      let found = journals.get(n);
      if (found === undefined) {
        found = { n, sealed: undefined, open: undefined };
        journals.set(n, found);
      }
      return found;
    };
    // A planted link or another user's folder is refused here, before anything in it is read.
    for (const entry of checkDir(this.dir) ? readdirSync(this.dir, { withFileTypes: true }) : []) {
      const name = entry.name;
      const old = LEGACY.exec(name);
      const open = JOURNAL.exec(name);
      const sealed = SEALED.exec(name);
      const n = Number((old ?? open ?? sealed)?.[1]);
      if (Number.isNaN(n)) continue;
      if (!entry.isFile()) {
        blocked.push({ name, n });
        continue;
      }
      if (old) {
        const isSealed = old[2] !== undefined;
        // If sealing was interrupted after the .gz landed, both exist: the sealed one wins.
        if (!legacy.has(n) || isSealed) legacy.set(n, { file: join(this.dir, name), sealed: isSealed });
      }
      if (open) journal(n).open = join(this.dir, name);
      if (sealed) journal(n).sealed = join(this.dir, name);
    }
    const byNumber = <T>(map: Map<number, T>): T[] => [...map.entries()].sort((a, b) => a[0] - b[0]).map(([, value]) => value);
    if (blocked.length > 0) this.tell(blocked.map(({ name }) => `segments/${name} is not a regular file: it is left alone, neither read nor written`));
    return { legacy: byNumber(legacy), journals: byNumber(journals), blocked };
  }

  /** The open journal: the last one, unless it is sealed (or its name is taken by something else). */
  private openJournal(): string {
    const { journals, blocked } = this.listFiles();
    const last = journals.at(-1);
    const taken = Math.max(0, ...blocked.map((b) => b.n));
    if (last === undefined || last.n < taken) return join(this.dir, journalName('order', taken + 1, '.jsonl'));
    return join(this.dir, journalName('order', last.sealed === undefined ? last.n : last.n + 1, '.jsonl'));
  }

  private openJournalSize(): { bytes: number; entries: number } {
    if (this.openSize === undefined) {
      const file = this.openJournal();
      const groups = exists(file) ? this.journal(file) : [];
      this.openSize = {
        bytes: groups.reduce((sum, { group }) => sum + group.bytes, 0),
        entries: groups.reduce((sum, { group }) => sum + group.entries.length, 0),
      };
    }
    return this.openSize;
  }

  /** A journal's readable groups; what cannot be read is told once. */
  private journal(file: string): { group: JournalGroup; offset: number }[] {
    const read = readJournal(file);
    this.tell(read.problems);
    return read.items;
  }

  private tell(problems: readonly string[]): void {
    for (const problem of problems) {
      if (this.told.has(problem)) continue;
      this.told.add(problem);
      this.problems.push(problem);
    }
  }
}

/** What the seal keeps of one journaled entry: its text, or why it has none. */
function sealedEntryOf(name: string, group: JournalGroup, archiveDir: string, inboxDir: string): Record<string, unknown> {
  const unreadable = group.unreadable?.[name];
  if (unreadable !== undefined) return { name, cap: group.cap, unreadable };
  try {
    const content = readContentIfThere(join(archiveDir, name), name) ?? readContentIfThere(join(inboxDir, name), name);
    if (content === undefined) return { name, cap: group.cap, missing: true };
    // A log whose bytes are not all UTF-8 (a hook killed mid-character) is kept exact: its records' offsets depend on them.
    return content.bytes === undefined ? { name, cap: group.cap, text: content.text } : { name, cap: group.cap, base64: content.bytes.toString('base64') };
  } catch (error) {
    // Readable when it was ingested, not now: kept in the archive (a rebuild replays it from there if it can).
    return { name, cap: group.cap, missing: true, reason: `it could not be read when its journal was sealed: ${(error as Error).message}` };
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

export function journalName(kind: 'order' | 'raw', n: number, suffix: string): string {
  return `${kind}-${String(n).padStart(6, '0')}${suffix}`;
}

/** Whether anything (a link too) has this name: lstat, never followed. */
function exists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}
