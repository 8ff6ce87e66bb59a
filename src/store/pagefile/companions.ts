import { lstatSync } from 'node:fs';
import { fixFor, problemWith, UnsafePathError } from '../../capture/safe-fs';

// The files a page file keeps beside its name: SQLite's rollback journal and the marker locks
// (file-locks.ts). A cloned repository can plant any of them: each is opened O_NOFOLLOW, and
// these checks name a link, a non-file or another user's file before the store is used.

/** Files beside the store, by suffix. */
export const COMPANION_FILES = ['-journal', '-reserved', '-pending'] as const;
/** The folder of reader markers beside the store. */
export const READERS_SUFFIX = '-readers';

/** Throws UnsafePathError naming the first companion of `path` that is not the user's own plain file (or folder). */
export function checkCompanions(path: string): void {
  const want: [string, 'file' | 'folder'][] = [...COMPANION_FILES.map((suffix): [string, 'file'] => [`${path}${suffix}`, 'file']), [`${path}${READERS_SUFFIX}`, 'folder']];
  for (const [companion, kind] of want) {
    const stat = lstatSync(companion, { throwIfNoEntry: false });
    if (stat === undefined) continue;
    const problem = problemWith(companion, stat, kind);
    if (problem !== undefined) throw new UnsafePathError(companion, problem, fixFor(problem));
  }
}
