import { relative } from 'node:path';
import type { LogbookPaths } from '../capture/paths';

// What a rebuild tells the user (CLI output, VS Code's log and notification): every file it
// kept, and everything it could not read, by name and place.

/** What a replay of the raw segments brought back, and what it could not. */
export interface RebuildFindings {
  readonly events: number;
  /** Entries a line names whose text is nowhere (or could not be read: the reason is in `problems`). */
  readonly missing: string[];
  /** Everything of the segments that could not be read: lines, cut gzip files (byte offsets), entries. */
  readonly problems: string[];
  /** Inbox files no readable line named, replayed after the journaled ones. */
  readonly leftovers: string[];
}

/** Which store the rebuild left in place, and the files it kept beside it. */
export interface RebuildFiles {
  /** `rebuilt`: the rebuilt store replaced the current one; `current`: the current one held more events and stays. */
  readonly kept: 'rebuilt' | 'current';
  /** The previous store file, kept beside it (when the rebuilt one replaced it). */
  readonly backup: string | undefined;
  /** The rebuilt store, kept beside the current one (when that one held more events). */
  readonly aside: string | undefined;
  /** Events in the current store before the rebuild (undefined: there was none, or it could not be read). */
  readonly currentEvents: number | undefined;
}

/** Whether the rebuild could not bring back everything the segments were meant to hold. */
export function somethingUnread(findings: RebuildFindings): boolean {
  return findings.problems.length > 0 || findings.missing.length > 0;
}

/** The messages of a rebuild: the store it left in place and the files it kept, then what it could not read. */
export function rebuildMessages(paths: LogbookPaths, findings: RebuildFindings & Partial<RebuildFiles>): string[] {
  const name = (file: string): string => relative(paths.workspace, file);
  const messages: string[] = [];
  if (findings.kept === 'current') {
    messages.push(`the rebuilt store has ${findings.events} event(s), fewer than the ${findings.currentEvents ?? '?'} of the current store ${name(paths.store)}, which stays in place; the rebuilt store is kept as ${name(findings.aside ?? '?')}`);
  } else if (findings.kept === 'rebuilt') {
    messages.push(`rebuilt ${name(paths.store)} from the raw segments: ${findings.events} event(s)${findings.backup === undefined ? '' : `; the previous store is kept as ${name(findings.backup)}${findings.currentEvents === undefined ? '' : ` (${findings.currentEvents} event(s))`}`}`);
  }
  for (const problem of findings.problems) messages.push(`could not read: ${problem}`);
  const missing = findings.missing;
  if (missing.length > 0) {
    messages.push(`${missing.length} ingested inbox entr${missing.length === 1 ? 'y was' : 'ies were'} no longer in the raw segments' archive and could not be replayed: ${listed(missing)}`);
  }
  const leftovers = findings.leftovers;
  if (leftovers.length > 0) {
    messages.push(`${leftovers.length} inbox file(s) that no readable journal line names (in ${name(paths.segments)}/archive or ${name(paths.inbox)}) were replayed after the journaled ones: ${listed(leftovers)}`);
  }
  return messages;
}

/** One line for the end of `logbook rebuild`'s output. */
export function rebuildSummary(findings: RebuildFindings & RebuildFiles): string {
  const unread = findings.problems.length + findings.missing.length;
  const store = findings.kept === 'current' ? 'kept the current store (it holds more events)' : `rebuilt the store (${findings.events} event(s))`;
  return unread === 0 ? `${store}; everything in the raw segments was read` : `${store}; ${unread} thing(s) in the raw segments could not be read (listed above)`;
}

function listed(names: readonly string[]): string {
  return `${names.slice(0, 5).join(', ')}${names.length > 5 ? `, … (${names.length - 5} more)` : ''}`;
}
