import type { FileActivity, FileNote } from '../../projections/file-journal';

// Plain-text pieces of the inline journal (no vscode import, so tests can check them). CodeLens
// titles are plain text except `$(icon)` syntax: agent text must not be able to produce icons.

/** Agent text on one line, bounded, with `$(` defused. */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim().replace(/\$\(/g, '$\u200b(');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Where a session stands, as a lens or hover says it: `developing · idle`, or just the lifecycle state. */
export function sessionState(last: { readonly lifecycleState: string; readonly workflowState: string | null }): string {
  const lifecycle = last.lifecycleState.replace(/_/g, ' ');
  return last.workflowState === null ? lifecycle : `${oneLine(last.workflowState, 40)} · ${lifecycle}`;
}

/** The first lens: edits, sessions and the last session. */
export function activityTitle(activity: FileActivity): string {
  const edits = `${activity.edits} agent edit${activity.edits === 1 ? '' : 's'}`;
  const sessions = activity.sessions > 1 ? ` in ${activity.sessions} sessions` : '';
  const last = activity.last === null ? '' : ` · last: ${oneLine(activity.last.sessionId.slice(0, 8), 20)} (${sessionState(activity.last)})`;
  return `$(history) ${edits}${sessions}${last}`;
}

/** The second lens: the latest journal entry, truncated. */
export function latestNoteTitle(note: FileNote): string {
  return `$(note) ${oneLine(note.text, 80)}`;
}

/** The only commands the hover's Markdown may run. */
export const TRUSTED_COMMANDS = ['logbook.openReport', 'logbook.openJournal'] as const;

/** A Markdown command link whose argument cannot break out of the link: JSON, URI-encoded, parentheses too. */
export function link(label: string, command: (typeof TRUSTED_COMMANDS)[number], arg: string): string {
  const encoded = encodeURIComponent(JSON.stringify([arg])).replace(/[()'!*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `[${label}](command:${command}?${encoded})`;
}
