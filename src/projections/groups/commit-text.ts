// Commits in Bash text: git's own summary line after a commit ("[main 1a2b3c4] message", also
// "[main (root-commit) 1a2b3c4]" and "[detached HEAD 1a2b3c4]"), and hashes mentioned anywhere
// (a `git log`, `git show 1a2b3c4`, a cherry-pick), for the commit hand-off (link-fold.ts).

/** The commits a `git commit` output names: hash and branch. */
export function commitsMade(stdout: string): Array<{ hash: string; branch: string }> {
  const made: Array<{ hash: string; branch: string }> = [];
  for (const match of stdout.matchAll(/^\[([^\]\n]+?) (?:\(root-commit\) )?([0-9a-f]{7,40})\]/gm)) {
    made.push({ branch: match[1] as string, hash: match[2] as string });
    if (made.length >= 16) break;
  }
  return made;
}

/** Hex words of 7 to 40 digits with at least one digit and one letter (a bare number or word is not a hash). */
export function hashesIn(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.slice(0, 131072).matchAll(/\b[0-9a-f]{7,40}\b/g)) {
    const word = match[0];
    if (!/[0-9]/.test(word) || !/[a-f]/.test(word)) continue;
    found.add(word);
    if (found.size >= 256) break;
  }
  return [...found];
}
