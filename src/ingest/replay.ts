import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplayItem, SegmentFiles } from './segments';
import { appendOrderOf, readJournal, readLegacy, readSealed, segmentLabel } from './segment-read';
import { readContentIfThere } from './regular-file';
import { isInboxItemName, unreadableReason } from './inbox-items';

// A rebuild's reading of the raw segments: everything readable, in ingest order, and a
// `problem` item for everything that is not, so the rebuild can say what it could not bring
// back. Inbox files that no readable line names (their journal line is garbled, their sealed
// segment was cut short, or they were never ingested) are replayed last, in receive order.

/** logbook.capture.maxFieldBytes's default: the cap for leftovers when no journal line says which was in use. */
const DEFAULT_CAP = 65_536;

export function* replaySegments(files: SegmentFiles, archiveDir: string, inboxDir: string): Generator<ReplayItem> {
  // Names replayed (or found unreadable) from a line: any other inbox file is a leftover.
  const named = new Set<string>();
  const cap = { last: DEFAULT_CAP };
  for (const { name } of files.blocked) yield problem(`segments/${name} is not a regular file: it was not read`);
  for (const { file, sealed } of files.legacy) {
    const read = readLegacy(file, sealed);
    for (const record of read.items) yield { kind: 'record', record };
    yield* problems(read.problems);
  }
  for (const journal of files.journals) {
    if (journal.sealed !== undefined) yield* sealedItems(journal.sealed, named, cap);
    else yield* journalItems(journal.open as string, archiveDir, inboxDir, named, cap);
  }
  yield* leftovers(archiveDir, inboxDir, named, cap.last);
}

function* sealedItems(file: string, named: Set<string>, cap: { last: number }): Generator<ReplayItem> {
  const read = readSealed(file);
  // The text of each log whose records were sealed in runs: it is on the first run's line.
  const logTexts = new Map<string, { text: string; bytes?: Buffer }>();
  for (const line of read.items) {
    if (!('name' in line)) {
      yield problem(`${segmentLabel(file)} keeps a line of its journal that could not be read when it was sealed (${line.problem}): the entries it named, if still in the archive, are replayed last`);
      continue;
    }
    cap.last = line.cap;
    const range = line.run === undefined ? undefined : { from: line.run[0], to: line.run[1] ?? undefined };
    const own = sealedContent(line);
    if (own !== undefined && range !== undefined) logTexts.set(line.name, own);
    const content = own ?? (range !== undefined && line.missing !== true && line.unreadable === undefined ? logTexts.get(line.name) : undefined);
    if (line.unreadable !== undefined) {
      named.add(line.name);
      yield { kind: 'unreadable', name: line.name, reason: line.unreadable, maxFieldBytes: line.cap };
    } else if (content !== undefined) {
      named.add(line.name);
      yield { kind: 'entry', name: line.name, ...content, maxFieldBytes: line.cap, ...(range === undefined ? {} : { range }) };
    } else if (range === undefined || own !== undefined || line.missing === true) {
      // Left unnamed: if its file is back (or readable again), it is replayed last.
      yield { kind: 'missing', name: line.name, ...(line.reason === undefined ? {} : { reason: line.reason }) };
    }
  }
  yield* problems(read.problems);
}

function* journalItems(file: string, archiveDir: string, inboxDir: string, named: Set<string>, cap: { last: number }): Generator<ReplayItem> {
  const read = readJournal(file);
  for (const { group } of read.items) {
    cap.last = group.cap;
    // A log replayed in runs is read once per group.
    const texts = new Map<string, { text: string; bytes?: Buffer } | Error | undefined>();
    for (const { name, range } of appendOrderOf(group)) {
      const unreadable = group.unreadable?.[name];
      named.add(name);
      if (unreadable !== undefined) {
        yield { kind: 'unreadable', name, reason: unreadable, maxFieldBytes: group.cap };
        continue;
      }
      const again = texts.has(name);
      if (!again) texts.set(name, entryText(archiveDir, inboxDir, name));
      const text = texts.get(name);
      if (text !== undefined && !(text instanceof Error)) yield { kind: 'entry', name, ...text, maxFieldBytes: group.cap, ...(range === undefined ? {} : { range }) };
      else if (again) continue;
      else if (text instanceof Error) yield { kind: 'missing', name, reason: `it could not be read: ${text.message}` };
      else yield { kind: 'missing', name };
    }
  }
  yield* problems(read.problems);
}

/** A sealed line's content: its text, or a log's exact bytes. */
function sealedContent(line: { readonly text?: string; readonly base64?: string }): { text: string; bytes?: Buffer } | undefined {
  if (line.base64 !== undefined) {
    const bytes = Buffer.from(line.base64, 'base64');
    return { text: bytes.toString('utf8'), bytes };
  }
  return line.text === undefined ? undefined : { text: line.text };
}

/** An entry's content from the archive, or the inbox for one not moved yet; undefined when it is in neither, the error when it cannot be read. */
function entryText(archiveDir: string, inboxDir: string, name: string): { text: string; bytes?: Buffer } | Error | undefined {
  try {
    return readContentIfThere(join(archiveDir, name), name) ?? readContentIfThere(join(inboxDir, name), name);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Inbox files in the archive or the inbox that no readable line names, in name (= receive) order, read as the ingest would read them. */
function* leftovers(archiveDir: string, inboxDir: string, named: ReadonlySet<string>, cap: number): Generator<ReplayItem> {
  const found = new Map<string, string>();
  const listProblems: string[] = [];
  for (const dir of [archiveDir, inboxDir]) {
    for (const name of listNames(dir, listProblems)) if (isInboxItemName(name) && !named.has(name) && !found.has(name)) found.set(name, dir);
  }
  yield* problems(listProblems);
  for (const name of [...found.keys()].sort()) {
    try {
      const content = readContentIfThere(join(found.get(name) as string, name), name);
      if (content !== undefined) yield { kind: 'entry', name, ...content, maxFieldBytes: cap, leftover: true };
    } catch (error) {
      yield { kind: 'unreadable', name, reason: unreadableReason(name, error), maxFieldBytes: cap, leftover: true };
    }
  }
}

function listNames(dir: string, problems: string[]): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${dir} could not be listed: ${(error as Error).message}`);
    return [];
  }
}

function* problems(messages: readonly string[]): Generator<ReplayItem> {
  for (const message of messages) yield problem(message);
}

function problem(message: string): ReplayItem {
  return { kind: 'problem', message };
}
