import { lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chmodDir, chmodSafe, fixFor, kindOf, problemWith, UnsafePathError } from './safe-fs';

// `.logbook/bin/` is run by Claude Code on every hook event, and it may come from a clone: the
// installer makes it hold exactly what it writes. A committed `runtime` would otherwise name
// the program the launcher runs when node is not on PATH.

const POSIX = process.platform !== 'win32';

/**
 * Makes `bin` a real folder of the user's own (a link or a file in its place is removed, and
 * the folder made; another user's folder is refused), not writable by others. Returns what it
 * removed, in words.
 */
export function ensureBinDir(bin: string): string[] {
  let stat = lstatSync(bin, { throwIfNoEntry: false });
  const removed: string[] = [];
  if (stat !== undefined && !stat.isDirectory()) {
    removed.push(`bin itself (${kindOf(stat)})`);
    rmSync(bin, { force: true });
    stat = undefined;
  }
  if (stat === undefined) {
    mkdirSync(bin, { mode: 0o755 });
    return removed;
  }
  const problem = problemWith(bin, stat, 'folder');
  if (problem !== undefined) throw new UnsafePathError(bin, problem, fixFor(problem));
  if (POSIX && (stat.mode & 0o022) !== 0) chmodDir(bin, stat, 0o755);
  return removed;
}

/**
 * Removes from `bin` every entry not named in `keep`, and every kept name that is not a plain
 * file of the user's own (a link, a folder, a hard link): the installer writes those afresh.
 * Returns the names removed.
 */
export function removeForeign(bin: string, keep: ReadonlySet<string>): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(bin).sort()) {
    const path = join(bin, name);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined || (keep.has(name) && problemWith(path, stat, 'file') === undefined)) continue;
    // rmSync does not follow links: a link goes, never what it points at.
    rmSync(path, { recursive: true, force: true });
    removed.push(stat.isFile() ? name : `${name} (${kindOf(stat)})`);
  }
  return removed;
}

/** Removes `path` unless it is a plain file of the user's own, so the next write makes it afresh. */
export function removeUnlessOwnFile(path: string): boolean {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat === undefined || problemWith(path, stat, 'file') === undefined) return false;
  rmSync(path, { recursive: true, force: true });
  return true;
}

/** Gives a program file under bin its exec bits (through a checked descriptor); true when it had to. */
export function ensureExecutable(file: string): boolean {
  if (!POSIX || (lstatSync(file).mode & 0o111) === 0o111) return false;
  chmodSafe(file, 0o755);
  return true;
}
