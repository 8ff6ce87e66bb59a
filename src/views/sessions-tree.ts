import type * as vscode from 'vscode';
import type { LogbookViews } from './services';

export function registerSessionsTree(_views: LogbookViews): vscode.Disposable[] {
  return [];
}
