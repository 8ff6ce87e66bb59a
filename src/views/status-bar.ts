import type * as vscode from 'vscode';
import type { LogbookViews } from './services';

export function registerStatusBar(_views: LogbookViews): vscode.Disposable[] {
  return [];
}
