import * as vscode from 'vscode';
import type { FileActivity, FileNote } from '../../projections/file-journal';
import { link, sessionState, TRUSTED_COMMANDS } from './text';

// The hover's Markdown. Only our own structure goes through appendMarkdown; every string from an
// event goes through appendText (escaped). The string is trusted for exactly two commands, whose
// arguments are JSON-encoded into the link, never spliced in raw.

const MAX_NOTES = 5;

/** The hover for a file (line = null: its first line) or for one referenced line (1-based). */
export function hoverMarkdown(activity: FileActivity, line: number | null): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', false);
  md.isTrusted = { enabledCommands: [...TRUSTED_COMMANDS] };
  md.supportHtml = false;
  const notes = line === null ? activity.notes : activity.notes.filter((n) => n.line === line);
  md.appendMarkdown('**Agent Logbook** — ');
  md.appendText(`${activity.edits} agent edit${activity.edits === 1 ? '' : 's'}, ${activity.notes.length} journal entr${activity.notes.length === 1 ? 'y' : 'ies'}`);
  if (activity.last !== null) {
    md.appendMarkdown('\n\nLast session: ');
    md.appendText(`${activity.last.sessionId.slice(0, 8)} (${sessionState(activity.last)})`);
    md.appendMarkdown(` · ${link('Report', 'logbook.openReport', activity.last.sessionId)} · ${link('Journal', 'logbook.openJournal', activity.last.sessionId)}`);
  }
  for (const note of notes.slice(0, MAX_NOTES)) appendNote(md, note);
  if (notes.length > MAX_NOTES) {
    md.appendMarkdown('\n\n---\n\n');
    md.appendText(`${notes.length - MAX_NOTES} older entr${notes.length - MAX_NOTES === 1 ? 'y' : 'ies'}: `);
    md.appendMarkdown(link('open the journal', 'logbook.openJournal', 'all'));
  }
  return md;
}

function appendNote(md: vscode.MarkdownString, note: FileNote): void {
  md.appendMarkdown('\n\n---\n\n');
  const when = note.at === null ? 'time unknown' : new Date(note.at).toLocaleString();
  const where = note.line === null ? '' : ` · line ${note.line}`;
  md.appendMarkdown('*');
  md.appendText(`${when} · ${note.sessionId.slice(0, 8)}${note.state === '' ? '' : ` · ${note.state}`} · iteration ${note.iteration}${where}`);
  md.appendMarkdown('*');
  if (note.tags.length > 0) {
    md.appendMarkdown(' ');
    md.appendText(note.tags.map((t) => `#${t}`).join(' '));
  }
  md.appendMarkdown('\n\n');
  md.appendText(note.text);
  md.appendMarkdown(`\n\n${link('Open report', 'logbook.openReport', note.sessionId)}`);
}
