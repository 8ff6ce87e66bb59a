import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { LogbookError } from '../domain/errors';

// Imported by the hook's tiny bundle: node built-ins only, and a few system calls per use.
//
// A cloned repository can ship anything under `.logbook/`: `inbox/live.log` as a symbolic link
// to ~/.bashrc, `inbox/` as a link to another folder, a hard link, a FIFO, a folder of another
// user. Every file operation there goes through these primitives:
// - a folder is lstat'ed level by level: a link, a non-folder or another user's folder is
//   refused; group and other bits are taken away (0700, through a descriptor opened
//   O_NOFOLLOW). A folder that is the user's own and 0700 lets nobody else plant anything in
//   it, which is what makes the checks on the files in it hold;
// - a file is opened with O_NOFOLLOW (a link as the last component fails) and O_NONBLOCK (a
//   FIFO does not hang the open), then fstat'ed: a regular file, the user's own, one link;
// - a chmod goes through such a descriptor (fchmod), never through a path.
// Windows has no O_NOFOLLOW and no uids: there the checks are lstat's alone (a link or a
// non-file is refused), with a window between the check and the open, and no ownership check.

export const UNSAFE_PATH = 'UNSAFE_PATH';

const POSIX = process.platform !== 'win32';
const NOFOLLOW = POSIX ? constants.O_NOFOLLOW : 0;
const NONBLOCK = POSIX ? constants.O_NONBLOCK : 0;

/** A path under `.logbook/` that is not what Agent Logbook made: refused, never followed. */
export class UnsafePathError extends LogbookError {
  constructor(readonly path: string, readonly problem: string, fix = 'remove it (a cloned repository may have planted it)') {
    super(UNSAFE_PATH, `${path} ${problem}; Agent Logbook does not read or write through links, or files that are not your own, under .logbook/: ${fix}`);
    this.name = 'UnsafePathError';
  }
}

export function isUnsafePath(error: unknown): error is UnsafePathError {
  return error instanceof LogbookError && error.code === UNSAFE_PATH;
}

/** The effective uid (what the kernel checks), or undefined where there are no uids. */
export function effectiveUid(): number | undefined {
  return POSIX && typeof process.geteuid === 'function' ? process.geteuid() : undefined;
}

/** What kind of thing a Stats is, in words. */
export function kindOf(stat: Stats): string {
  if (stat.isFile()) return 'a regular file';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'an unknown kind of file';
}

/** Why a thing found at `path` is not the user's own plain `want`, or undefined when it is. */
export function problemWith(path: string, stat: Stats, want: 'file' | 'folder'): string | undefined {
  if (stat.isSymbolicLink()) return `is a symbolic link to ${linkTarget(path)}`;
  if (want === 'folder' ? !stat.isDirectory() : !stat.isFile()) return `is ${kindOf(stat)}, not a ${want === 'folder' ? 'folder' : 'regular file'}`;
  const uid = effectiveUid();
  if (uid !== undefined && stat.uid !== uid) return `is owned by uid ${stat.uid}, not by you (uid ${uid})`;
  if (want === 'file' && POSIX && stat.nlink !== 1) return `has ${stat.nlink} hard links (another name shares its content)`;
  return undefined;
}

function linkTarget(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '(unreadable target)';
  }
}

/**
 * Makes sure each folder, in order, is the user's own private folder: created 0700 when missing
 * (level by level, not `recursive: true`: Node's recursive mkdir can spin forever on some special
 * file systems, and a hook must never hang), refused (UnsafePathError) when it is a link, not a
 * folder, or another user's, made 0700 when it has group or other bits. Returns the folders it created.
 */
export function ensurePrivateDirs(dirs: readonly string[]): string[] {
  const created: string[] = [];
  for (const dir of dirs) if (ensurePrivateDir(dir) === 'created') created.push(dir);
  return created;
}

/** ensurePrivateDirs for one folder; with `create: false` a missing one is 'absent', not made. */
export function ensurePrivateDir(dir: string, options: { readonly create?: boolean } = {}): 'created' | 'present' | 'absent' {
  let stat = lstatIfAny(dir);
  if (stat === undefined) {
    if (options.create === false) return 'absent';
    try {
      mkdirSync(dir, { mode: 0o700 });
      return 'created';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    stat = lstatSync(dir);
  }
  const problem = problemWith(dir, stat, 'folder');
  if (problem !== undefined) throw new UnsafePathError(dir, problem, fixFor(problem));
  // A sticky folder is a shared one (/tmp): never ours to make private, whoever passed it.
  if (POSIX && (stat.mode & 0o1000) !== 0) throw new UnsafePathError(dir, 'is a shared folder (sticky bit set, like /tmp)', 'give Agent Logbook a folder of its own');
  if (POSIX && (stat.mode & 0o077) !== 0) chmodDir(dir, stat, 0o700);
  return 'present';
}

/** Checks a folder for reading only (no creation, no chmod): false when it does not exist. */
export function checkDir(dir: string): boolean {
  const stat = lstatIfAny(dir);
  if (stat === undefined) return false;
  const problem = problemWith(dir, stat, 'folder');
  if (problem !== undefined) throw new UnsafePathError(dir, problem, fixFor(problem));
  return true;
}

/** What the user can do about a problem: another user's thing may be theirs to take back. */
export function fixFor(problem: string): string | undefined {
  return problem.startsWith('is owned by uid') ? 'move it away, or make it yours (chown) if you trust it' : undefined;
}

/** chmod of a folder through a descriptor that cannot be a link, after checking it is the folder lstat saw. */
export function chmodDir(dir: string, seen: Stats, mode: number): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | NOFOLLOW);
  try {
    const now = fstatSync(fd);
    if (now.ino !== seen.ino || now.dev !== seen.dev) throw new UnsafePathError(dir, 'was replaced while it was being checked');
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

function lstatIfAny(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * How a file is opened: `read`; `append` (created if missing); `append-read` (the same, and
 * readable); `read-write` (existing only); `create-new` (fails if anything is there).
 */
export type OpenHow = 'read' | 'append' | 'append-read' | 'read-write' | 'create-new';

const FLAGS: Readonly<Record<OpenHow, number>> = {
  'read': constants.O_RDONLY,
  'append': constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
  'append-read': constants.O_RDWR | constants.O_APPEND | constants.O_CREAT,
  'read-write': constants.O_RDWR,
  'create-new': constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
};

/**
 * Opens a file under `.logbook/` that must be the user's own regular file with one link; a
 * link, a FIFO, a folder, a device, a hard link or another user's file throws UnsafePathError
 * (and is not followed, hung on, or left open). Other errors (ENOENT, EEXIST) are thrown as they are.
 */
export function openSafe(path: string, how: OpenHow, mode = 0o600): number {
  if (!POSIX) refuseLinkByLstat(path);
  let fd: number;
  try {
    fd = openSync(path, FLAGS[how] | NOFOLLOW | NONBLOCK, mode);
  } catch (error) {
    throw explainOpenError(path, error);
  }
  let stat: Stats;
  try {
    stat = fstatSync(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  const problem = problemWith(path, stat, 'file');
  if (problem !== undefined) {
    closeSync(fd);
    throw new UnsafePathError(path, problem, fixFor(problem));
  }
  return fd;
}

// Without O_NOFOLLOW the best there is: refuse what lstat shows to be a link (Windows).
function refuseLinkByLstat(path: string): void {
  const stat = lstatIfAny(path);
  if (stat?.isSymbolicLink() === true) throw new UnsafePathError(path, `is a symbolic link to ${linkTarget(path)}`);
}

// ELOOP/EMLINK: O_NOFOLLOW met a link; ENXIO: a FIFO without a reader or a socket; EISDIR: a folder.
const REFUSALS: ReadonlySet<string> = new Set(['ELOOP', 'EMLINK', 'ENXIO', 'EISDIR', 'EOPNOTSUPP', 'EFTYPE']);

function explainOpenError(path: string, error: unknown): unknown {
  if (!REFUSALS.has(String((error as NodeJS.ErrnoException).code))) return error;
  const stat = lstatIfAny(path);
  const problem = stat === undefined ? undefined : problemWith(path, stat, 'file');
  return problem === undefined ? error : new UnsafePathError(path, problem, fixFor(problem));
}

/** A whole file's bytes, read through a checked descriptor (openSafe). */
export function readSafe(path: string): Buffer {
  const fd = openSafe(path, 'read');
  try {
    return readAll(fd);
  } finally {
    closeSync(fd);
  }
}

export function readSafeText(path: string): string {
  return readSafe(path).toString('utf8');
}

/** readSafeText, or undefined for a file that does not exist. */
export function readSafeTextIfAny(path: string): string | undefined {
  try {
    return readSafeText(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * What an open file holds from `from` on, read by position (the descriptor's offset is not
 * used), up to the size fstat gives, as readFileSync does; a file that says 0 is read to its end.
 */
export function readAll(fd: number, from = 0): Buffer {
  const size = fstatSync(fd).size - from;
  if (size <= 0) return readToEnd(fd, Math.max(from, 0));
  const bytes = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const read = readSync(fd, bytes, filled, size - filled, from + filled);
    if (read === 0) break;
    filled += read;
  }
  return filled === size ? bytes : bytes.subarray(0, filled);
}

function readToEnd(fd: number, from: number): Buffer {
  const chunks: Buffer[] = [];
  for (let position = from; ;) {
    const chunk = Buffer.allocUnsafe(64 * 1024);
    const read = readSync(fd, chunk, 0, chunk.length, position);
    if (read === 0) return Buffer.concat(chunks);
    chunks.push(chunk.subarray(0, read));
    position += read;
  }
}

/** chmod of a file under `.logbook/` through a checked descriptor (openSafe), never by path. */
export function chmodSafe(path: string, mode: number): void {
  const fd = openSafe(path, 'read');
  try {
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}
