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

/**
 * Hex words of 7 to 40 digits: each is only looked up among the commits sessions made, so a number
 * or a word that happens to be hex costs a lookup, never a false link (a short hash may well be all
 * digits: one in 27 of them is).
 */
export function hashesIn(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.slice(0, 131072).matchAll(/\b[0-9a-f]{7,40}\b/g)) {
    found.add(match[0]);
    if (found.size >= 1024) break;
  }
  return [...found];
}
