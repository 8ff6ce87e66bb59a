/** First line of the block we own in the workspace `.gitignore`; we find our block again by it. */
export const GITIGNORE_MARKER = '# Agent Logbook:';

/**
 * Ignore the recorded data (store, inbox, segments, lock) but keep `.logbook/bin/` (so hooks
 * installed in the shared settings work on a teammate's machine) and `workflow.json` (a team's
 * workflow definition). The runtime's and the logbook program's paths are machine-specific, so
 * they stay ignored.
 */
export const GITIGNORE_BLOCK: readonly string[] = [
  `${GITIGNORE_MARKER} local event store and inbox (keep .logbook/bin and workflow.json)`,
  '.logbook/*',
  '!.logbook/bin/',
  '!.logbook/workflow.json',
  '.logbook/bin/runtime',
  '.logbook/bin/cli',
];

export interface GitignoreUpdate {
  /** The new content, or the old one unchanged. */
  readonly text: string;
  readonly changed: boolean;
  readonly warnings: string[];
}

// Lines that belong to our block when we rewrite an older version of it.
const BLOCK_LINE = /^!?\/?\.logbook(\/|$)/;
// A rule outside our block that ignores the whole folder: git cannot re-include .logbook/bin under it.
const WHOLE_FOLDER = /^\/?\.logbook\/?(\*\*)?$/;

/** Adds our block to `.gitignore` text (undefined: no file yet), or refreshes an older block in place. */
export function ensureGitignoreBlock(existing: string | undefined): GitignoreUpdate {
  const text = existing ?? '';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim().startsWith(GITIGNORE_MARKER));
  let next: string;
  let outside: string[];
  if (start >= 0) {
    let end = start + 1;
    while (end < lines.length && BLOCK_LINE.test((lines[end] ?? '').trim())) end++;
    outside = [...lines.slice(0, start), ...lines.slice(end)];
    next = [...lines.slice(0, start), ...GITIGNORE_BLOCK, ...lines.slice(end)].join(eol);
  } else {
    outside = lines;
    // A blank line between the user's rules and ours, without piling up blank lines.
    const separator = text === '' || text.endsWith(eol + eol) ? '' : text.endsWith('\n') ? eol : eol + eol;
    next = text + separator + GITIGNORE_BLOCK.join(eol) + eol;
  }
  const warnings = outside.some((line) => WHOLE_FOLDER.test(line.trim()))
    ? ['.gitignore ignores the whole .logbook folder elsewhere, so .logbook/bin is not committed: remove that line for shared hooks to work for teammates.']
    : [];
  return { text: next, changed: next !== text, warnings };
}
