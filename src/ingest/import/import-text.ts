import type { SessionOutcome } from './importer';
import type { NamedBadLine } from './session-import';

// How an import is told, the same in the CLI and in VS Code's output channel.

/** One line per session: imported (with what), already imported, or skipped and why. */
export function sessionLine(s: SessionOutcome): string {
  switch (s.status) {
    case 'imported':
      return `imported ${s.sessionId}: ${s.prompts} prompt(s), ${s.toolCalls} tool call(s), ${s.subagents} subagent(s), ${s.compactions} compaction(s); ${s.written} event(s)`;
    case 'already-imported':
      return `already imported ${s.sessionId}: nothing new`;
    case 'recorded-by-hooks':
      return `skipped ${s.sessionId}: recorded by hooks`;
    case 'empty':
      return `skipped ${s.sessionId}: its transcript holds nothing to import`;
    default: {
      const never: never = s.status;
      return never;
    }
  }
}

/** `<file>:<line>: why`, or `<file>: why` for a file that could not be read at all. */
export function badLineText(bad: NamedBadLine): string {
  return bad.line > 0 ? `${bad.file}:${bad.line}: ${bad.reason}` : `${bad.file}: ${bad.reason}`;
}

/** The totals of an import, as `--json` prints them. */
export interface ImportTotals {
  readonly imported: number;
  readonly alreadyImported: number;
  readonly recordedByHooks: number;
  readonly empty: number;
  readonly events: number;
  readonly unreadableLines: number;
}

export function totalsOf(sessions: readonly SessionOutcome[]): ImportTotals {
  const count = (status: SessionOutcome['status']): number => sessions.filter((s) => s.status === status).length;
  return {
    imported: count('imported'), alreadyImported: count('already-imported'), recordedByHooks: count('recorded-by-hooks'), empty: count('empty'),
    events: sessions.reduce((n, s) => n + s.written, 0), unreadableLines: sessions.reduce((n, s) => n + s.badLines.length, 0),
  };
}

/** The total line: imported sessions and events, the others, unreadable lines. */
export function totalLine(totals: ImportTotals): string {
  const parts = [`imported ${totals.imported} session(s) (${totals.events} event(s))`];
  if (totals.alreadyImported > 0) parts.push(`${totals.alreadyImported} already imported`);
  if (totals.recordedByHooks > 0) parts.push(`${totals.recordedByHooks} recorded by hooks, skipped`);
  if (totals.empty > 0) parts.push(`${totals.empty} with nothing to import`);
  parts.push(`${totals.unreadableLines} unreadable line(s)`);
  return parts.join('; ');
}
