import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

// The linked git worktrees of a workspace (`git worktree add`, `claude --worktree`), read from
// the repository's own files rather than by running git: <main>/.git/worktrees/<name>/gitdir
// names each worktree's `.git` file. The installer puts the hooks in each (their launcher hands
// the events to this workspace's logbook: launcher-origin.ts), so every session of the
// repository lands in one logbook.

/** The roots of the workspace's linked worktrees that still exist; none when it is not a git main worktree. */
export function linkedWorktrees(workspace: string): string[] {
  const gitDir = join(workspace, '.git');
  let entries: string[];
  try {
    if (!lstatSync(gitDir).isDirectory()) return [];
    entries = readdirSync(join(gitDir, 'worktrees'));
  } catch {
    return [];
  }
  const roots: string[] = [];
  for (const name of entries) {
    try {
      const line = readFileSync(join(gitDir, 'worktrees', name, 'gitdir'), 'utf8').trim();
      const dotGit = isAbsolute(line) ? line : resolve(gitDir, 'worktrees', name, line);
      if (existsSync(dotGit) && lstatSync(dotGit).isFile()) roots.push(dirname(dotGit));
    } catch {
      // A worktree git no longer knows (pruned, moved): nothing to install.
    }
  }
  return roots.sort();
}

/** What installing in one linked worktree came to: nothing said is success. */
export interface WorktreeInstall {
  readonly worktree: string;
  readonly error?: string;
}

/** Runs `install` in every linked worktree of the workspace; one that fails is reported, the others go on. */
export function installInLinkedWorktrees(workspace: string, install: (worktree: string) => void): WorktreeInstall[] {
  return linkedWorktrees(workspace).map((worktree) => {
    try {
      install(worktree);
      return { worktree };
    } catch (error) {
      return { worktree, error: (error as Error).message };
    }
  });
}

/** How an install says what it did in a linked worktree. */
export function worktreeInstallText(done: WorktreeInstall): string {
  return done.error === undefined
    ? `installed the hooks in the linked worktree ${done.worktree}: its sessions are recorded in this workspace's logbook`
    : `could not install the hooks in the linked worktree ${done.worktree}: ${done.error}`;
}
