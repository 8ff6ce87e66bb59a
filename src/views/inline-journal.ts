import type * as vscode from 'vscode';
import type { LogbookViews } from './services';

/** Placeholder: the journal inline in the editor (CodeLens and hover on files the agents touched). */
export function registerInlineJournal(_views: LogbookViews): vscode.Disposable[] {
  return [];
}
