import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplayItem, SegmentFiles } from './segments';
import { readJournal, readLegacy, readSealed, segmentLabel } from './segment-read';
import { readTextIfThere } from './regular-file';
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
  for (const line of read.items) {
    if (!('name' in line)) {
      yield problem(`${segmentLabel(file)} keeps a line of its journal that could not be read when it was sealed (${line.problem}): the entries it named, if still in the archive, are replayed last`);
      continue;
    }
    cap.last = line.cap;
    if (line.unreadable !== undefined) {
      named.add(line.name);
      yield { kind: 'unreadable', name: line.name, reason: line.unreadable, maxFieldBytes: line.cap };
    } else if (line.text !== undefined) {
      named.add(line.name);
      yield { kind: 'entry', name: line.name, text: line.text, maxFieldBytes: line.cap };
    } else {
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
    for (const name of group.entries) {
      const unreadable = group.unreadable?.[name];
      named.add(name);
      if (unreadable !== undefined) {
        yield { kind: 'unreadable', name, reason: unreadable, maxFieldBytes: group.cap };
        continue;
      }
      let text: string | undefined;
      try {
        text = readTextIfThere(join(archiveDir, name)) ?? readTextIfThere(join(inboxDir, name));
      } catch (error) {
        yield { kind: 'missing', name, reason: `it could not be read: ${(error as Error).message}` };
        continue;
      }
      yield text === undefined ? { kind: 'missing', name } : { kind: 'entry', name, text, maxFieldBytes: group.cap };
    }
  }
  yield* problems(read.problems);
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
      const text = readTextIfThere(join(found.get(name) as string, name));
      if (text !== undefined) yield { kind: 'entry', name, text, maxFieldBytes: cap, leftover: true };
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
