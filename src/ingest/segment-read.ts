import { basename } from 'node:path';
import * as z from 'zod';
import { findTooDeep } from '../domain/json-depth';
import { cutTooDeep } from '../domain/json-depth-cut';
import type { IngestRecord } from './normalize';
import { readRegularFile } from './regular-file';

// The raw segments read defensively (segments.ts writes them). They are the logbook's own
// files, but they sit in the workspace: a line can be torn by a crash, garbled by a disk, or
// edited by hand, and a gzip file can be cut short. Every reader here takes what it can, and
// says what it could not read and where (file, line, byte offset), instead of throwing: one
// bad line must not stop ingestion, nor a rebuild from bringing back everything else.

/** An inbox file's name as the segments hold it: a plain name inside the inbox or the archive, never a path. */
const entryName = z.string().min(1).max(255).refine((name) => !/[/\\\0]/.test(name) && name !== '.' && name !== '..', 'not a plain file name');

/** An entry file, or a run of a log's records from a byte offset (up to the log's next run, or its end). */
const appended = z.union([entryName, z.tuple([entryName, z.number().int().nonnegative()])]);

/** What a flush appended, in order, where that is not `entries` (entry files merged between a log's records). */
export type AppendOrder = z.infer<typeof appended>[];

/** Part of a claimed log: its records from byte `from` (a record's start) up to `to` (the end when undefined). */
export interface LogRange {
  readonly from: number;
  readonly to: number | undefined;
}

const journalGroup = z.object({
  /** The store's last global position once these entries were appended: a store short of it never got them. */
  last: z.number().int().nonnegative(),
  /** logbook.capture.maxFieldBytes they were ingested with, so a rebuild cuts the same fields. */
  cap: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  entries: z.array(entryName),
  /** Entries that could not be read, with why: replayed as the same quarantine record. */
  unreadable: z.record(z.string(), z.string()).optional(),
  /** The append order, when entry files were merged between a log's records (else `entries` is that order, logs whole). */
  order: z.array(appended).optional(),
});

/** One durable flush's entries, as the journal records them. */
export type JournalGroup = z.infer<typeof journalGroup>;

const sealedEntry = z.object({
  name: entryName,
  cap: z.number().int().nonnegative(),
  text: z.string().optional(),
  /** A claimed log's exact bytes, when they are not all UTF-8 (its records' offsets depend on them). */
  base64: z.string().optional(),
  /** The text was nowhere when the journal was sealed (with why, when it was there but could not be read). */
  missing: z.literal(true).optional(),
  reason: z.string().optional(),
  /** The entry could not be read when it was ingested: it was quarantined with this reason. */
  unreadable: z.string().optional(),
  /** A run of a log's records (from, to or null for the end); the log's text is on its first run's line only. */
  run: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative().nullable()]).optional(),
});

/** A line of the journal that could not be read when it was sealed, kept as it was. */
const sealedJournalLine = z.object({ journalLine: z.string(), problem: z.string() });

/** A line of a sealed segment. */
export type SealedLine = z.infer<typeof sealedEntry> | z.infer<typeof sealedJournalLine>;

const legacyRecord = z.looseObject({
  streamId: z.string().min(1),
  event: z.looseObject({
    eventId: z.string().min(1),
    type: z.string().min(1),
    schemaVersion: z.number().int(),
    data: z.unknown(),
    metadata: z.record(z.string(), z.unknown()),
    correlationId: z.string().nullable().optional(),
    causationId: z.string().nullable().optional(),
  }),
});

/** What a reader got out of one file, and what it could not read (messages that name the file and the place). */
export interface Read<T> {
  readonly items: T[];
  readonly problems: string[];
}

/** A journal line that could not be read, kept for the seal. */
export interface BadJournalLine {
  readonly text: string;
  readonly problem: string;
}

/**
 * A journal's groups with the byte offset each starts at. A torn last line (no newline: a crash
 * mid-append, before the store's flush) is left out silently; any other line that is not a
 * group is left out and reported, and the lines after it are still read.
 */
export function readJournal(file: string, label = segmentLabel(file)): Read<{ group: JournalGroup; offset: number }> & { bad: BadJournalLine[] } {
  const groups: { group: JournalGroup; offset: number }[] = [];
  const problems: string[] = [];
  const bad: BadJournalLine[] = [];
  const text = readWhole(file, label, problems);
  if (text === undefined) return { items: groups, problems, bad };
  let offset = 0;
  for (let line = 1; offset < text.length; line += 1) {
    const end = text.indexOf(0x0a, offset);
    if (end < 0) break;
    const lineText = text.toString('utf8', offset, end);
    const parsed = parseLine(lineText, journalGroup);
    if (typeof parsed === 'string') {
      const problem = `${label} line ${line} (byte ${offset}): ${parsed}`;
      problems.push(`${problem}; the line is skipped`);
      bad.push({ text: lineText, problem });
    } else {
      groups.push({ group: parsed, offset });
    }
    offset = end + 1;
  }
  return { items: groups, problems, bad };
}

/** A sealed segment's lines, as many as can be read: a cut or damaged gzip gives every whole line before the damage. */
export function readSealed(file: string, label = segmentLabel(file)): Read<SealedLine> {
  const lines: SealedLine[] = [];
  const problems: string[] = [];
  const text = readGzipText(file, label, problems);
  if (text === undefined) return { items: lines, problems };
  forEachLine(text, label, problems, (lineText, line) => {
    const parsed = parseLine(lineText, z.union([sealedEntry, sealedJournalLine]));
    if (typeof parsed === 'string') problems.push(`${label} line ${line}: ${parsed}; the line is skipped`);
    else lines.push(parsed);
  });
  return { items: lines, problems };
}

/** Records of an earlier version's segment, as many as can be read; each bounded in depth like a new event. */
export function readLegacy(file: string, sealed: boolean, label = segmentLabel(file)): Read<IngestRecord> {
  const records: IngestRecord[] = [];
  const problems: string[] = [];
  const text = sealed ? readGzipText(file, label, problems) : readWhole(file, label, problems)?.toString('utf8');
  if (text === undefined) return { items: records, problems };
  // A crash mid-append tore only the final line of an open segment, whose entries stayed in the inbox.
  const lastTorn = !sealed && !text.endsWith('\n');
  forEachLine(lastTorn ? text.slice(0, text.lastIndexOf('\n') + 1) : text, label, problems, (lineText, line) => {
    const parsed = parseLine(lineText, legacyRecord);
    if (typeof parsed === 'string') problems.push(`${label} line ${line}: ${parsed}; the line is skipped`);
    else records.push(findTooDeep(lineText) === undefined ? (parsed as IngestRecord) : boundedRecord(parsed as IngestRecord));
  });
  return { items: records, problems };
}

/**
 * A gzip file's text, or as much of it as decompresses: the longest prefix of the file that
 * inflates without an error (a file cut short inflates up to its end; a damaged one up to the
 * damage), found by halving. Says where it stopped.
 */
export function gunzipSalvage(bytes: Buffer): { text: Buffer; stopped?: { offset: number; reason: string } } {
  try {
    return { text: zlib().gunzipSync(bytes) };
  } catch (error) {
    const reason = (error as Error).message;
    let good = 0;
    let text: Buffer = Buffer.alloc(0);
    let high = bytes.length;
    while (good < high) {
      const mid = Math.ceil((good + high) / 2);
      const out = inflatePrefix(bytes.subarray(0, mid));
      if (out === undefined) {
        high = mid - 1;
      } else {
        good = mid;
        text = out;
      }
    }
    return { text, stopped: { offset: good, reason } };
  }
}

/** A file's name for messages: `segments/<name>`. */
export function segmentLabel(file: string): string {
  return `segments/${basename(file)}`;
}

function inflatePrefix(bytes: Buffer): Buffer | undefined {
  try {
    // A sync flush hands out what the prefix holds instead of asking for the rest.
    const { constants, gunzipSync } = zlib();
    return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
}

function readWhole(file: string, label: string, problems: string[]): Buffer | undefined {
  try {
    return readRegularFile(file);
  } catch (error) {
    problems.push(`${label} could not be read: ${(error as Error).message}`);
    return undefined;
  }
}

function readGzipText(file: string, label: string, problems: string[]): string | undefined {
  const bytes = readWhole(file, label, problems);
  if (bytes === undefined) return undefined;
  const { text, stopped } = gunzipSalvage(bytes);
  if (stopped !== undefined) {
    problems.push(`${label} is damaged: its gzip data stops at byte ${stopped.offset} of ${bytes.length} (${stopped.reason}); the lines before it are read, the rest is lost`);
  }
  return text.toString('utf8');
}

/** Calls `each` on every whole line of `text`; a last line without its newline (cut off) is reported, not read. */
function forEachLine(text: string, label: string, problems: string[], each: (line: string, number: number) => void): void {
  const lines = text.split('\n');
  const last = lines.length - 1;
  for (let i = 0; i < last; i += 1) if ((lines[i] as string) !== '') each(lines[i] as string, i + 1);
  if ((lines[last] as string) !== '') problems.push(`${label} line ${last + 1} is cut off (${(lines[last] as string).length} characters, no end of line); it is skipped`);
}

function parseLine<T>(text: string, schema: z.ZodType<T>): T | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : `not a valid line: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`;
}

/** A record whose data or metadata nests too deep, bounded as the ingest bounds new events (normalize.ts). */
function boundedRecord(record: IngestRecord): IngestRecord {
  const data = cutTooDeep(record.event.data);
  const metadata = cutTooDeep(record.event.metadata).value as Record<string, unknown>;
  // Its serialized text, if the line has one, is the unbounded one: the store serialises the bounded values instead.
  return { streamId: record.streamId, event: { ...record.event, serialized: undefined, data: data.value, metadata: data.cuts.length > 0 ? { ...metadata, depthCuts: data.cuts } : metadata } };
}

/**
 * A group's append order as items to replay: entry files whole, and each run of a log's records
 * with its range (up to the same log's next run). Without `order`, the entries in their order.
 */
export function appendOrderOf(group: JournalGroup): { name: string; range?: LogRange }[] {
  if (group.order === undefined) return group.entries.map((name) => ({ name }));
  const items: { name: string; range?: LogRange }[] = [];
  const open = new Map<string, { from: number; at: number }>();
  for (const label of group.order) {
    if (typeof label === 'string') {
      items.push({ name: label });
      continue;
    }
    const [log, from] = label;
    const previous = open.get(log);
    if (previous !== undefined) items[previous.at] = { name: log, range: { from: previous.from, to: from } };
    open.set(log, { from, at: items.length });
    items.push({ name: log, range: { from, to: undefined } });
  }
  return items;
}

/**
 * node:zlib, loaded when a sealed segment is first read or written: every `logbook ingest` loads
 * this module, few of them seal or read a segment, and loading zlib costs about 3 ms.
 */
export function zlib(): typeof import('node:zlib') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node:zlib') as typeof import('node:zlib');
}
