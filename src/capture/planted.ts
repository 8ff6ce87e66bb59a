import { lstatSync, opendirSync, readlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { LOGBOOK_DIR } from './paths';
import { effectiveUid, kindOf } from './safe-fs';

// Does a workspace's `.logbook/` look planted (shipped by a clone, or made by another user)?
// Agent Logbook never makes a link there, never leaves a folder others can write to, and owns
// everything it makes. The writer refuses such things one by one as it meets them
// (safe-fs.ts); this looks once, up front, so VS Code and `logbook ingest` can say so
// instead of using the folder silently. It only reads, follows no link, and stops after a
// bounded number of entries, top levels first: cheap enough for activation.

/** Something under `.logbook/` the logbook would not have made. */
export interface PlantedFinding {
  readonly path: string;
  /** What is wrong with it, as a predicate of the path ("is a symbolic link to /tmp/x"). */
  readonly reason: string;
  /** `path reason`, for the user. */
  readonly message: string;
}

/**
 * Entries looked at, at most (`.logbook/` first, then its folders, level by level): the folders
 * and the first of their files. Past that, a year of history is thousands of per-session files,
 * each checked anyway (refused if planted) when the logbook opens it.
 */
export const INSPECT_LIMIT = 512;

/** Findings about `<workspace>/.logbook/`, outermost first; empty when it is missing or looks as the logbook makes it. */
export function inspectLogbookDir(workspace: string, limit = INSPECT_LIMIT): PlantedFinding[] {
  const findings: PlantedFinding[] = [];
  const queue = [join(workspace, LOGBOOK_DIR)];
  const uid = effectiveUid();
  const isOurData = ourDataTest(workspace);
  for (let next = 0; next < queue.length && next < limit; next += 1) {
    const path = queue[next] as string;
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined) continue;
    const reason = reasonFor(path, stat, uid) ?? (isOurData(path) ? readableByOthers(stat) : undefined);
    if (reason !== undefined) findings.push({ path, reason, message: `${path} ${reason}` });
    if (stat.isDirectory()) listInto(path, queue, limit);
  }
  return findings;
}

function reasonFor(path: string, stat: Stats, uid: number | undefined): string | undefined {
  if (stat.isSymbolicLink()) return `is a symbolic link to ${linkTarget(path)}`;
  if (!stat.isFile() && !stat.isDirectory()) return `is ${kindOf(stat)}`;
  if (uid !== undefined && stat.uid !== uid) return `is owned by uid ${stat.uid}, not by you (uid ${uid})`;
  if (uid !== undefined && stat.isDirectory() && writableByOthers(stat)) return `is a folder others can write to (mode ${(stat.mode & 0o777).toString(8)})`;
  if (uid !== undefined && stat.isFile() && stat.nlink > 1) return `has ${stat.nlink} hard links (another name shares its content)`;
  return undefined;
}

/**
 * The store, its journal and lock markers, and what is under inbox/, segments/ and state/: only
 * the logbook writes there, always 0600. The names are worked out once, not per entry.
 */
function ourDataTest(workspace: string): (path: string) => boolean {
  const dir = join(workspace, LOGBOOK_DIR);
  const store = join(dir, 'logbook.sqlite');
  const files = new Set([store, ...STORE_COMPANIONS.map((suffix) => `${store}${suffix}`)]);
  const folders = [`${store}-readers${sep}`, ...['inbox', 'segments', 'state'].map((sub) => `${join(dir, sub)}${sep}`)];
  return (path) => files.has(path) || folders.some((folder) => path.startsWith(folder));
}

/** What SQLite and the page-file locks keep beside the store (src/store/pagefile/companions.ts). */
const STORE_COMPANIONS = ['-journal', '-reserved', '-pending'];

// A checkout makes files 0644 (0664 with umask 002); the logbook makes its own 0600. A store or an
// inbox entry others may read came from somewhere else: a repository, most likely.
function readableByOthers(stat: Stats): string | undefined {
  if (!stat.isFile() || (stat.mode & 0o077) === 0 || process.platform === 'win32') return undefined;
  return `may be read by others (mode ${(stat.mode & 0o777).toString(8)}), and Agent Logbook makes its files 0600: it may have come with the repository`;
}

// Group-writable is fine when the group is the user's own (umask 002 with a group per user, as
// Ubuntu has it, gives every cloned folder g+w).
function writableByOthers(stat: Stats): boolean {
  if ((stat.mode & 0o002) !== 0) return true;
  return (stat.mode & 0o020) !== 0 && (typeof process.getegid !== 'function' || stat.gid !== process.getegid());
}

function linkTarget(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '(unreadable target)';
  }
}

/** Adds a folder's entries to the queue, no more than the limit allows (a huge inbox is not listed whole). */
function listInto(dir: string, queue: string[], limit: number): void {
  let handle: ReturnType<typeof opendirSync>;
  try {
    handle = opendirSync(dir);
  } catch {
    return; // Unreadable: nothing to say about what is inside.
  }
  try {
    for (let entry = handle.readSync(); entry !== null && queue.length < limit; entry = handle.readSync()) queue.push(join(dir, entry.name));
  } finally {
    handle.closeSync();
  }
}
