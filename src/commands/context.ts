import type * as vscode from 'vscode';
import type { LiveIngest } from '../ingest/live-ingest';
import type { LogbookPaths } from '../capture/paths';

/** What commands need from the running extension. */
export interface ExtensionContext {
  readonly extensionPath: string;
  readonly output: vscode.OutputChannel;
  log(message: string): void;
  /** The workspace folder a command acts on (asks when there are several). */
  pickWorkspace(): Promise<LogbookPaths | undefined>;
  ingestFor(paths: LogbookPaths): LiveIngest | undefined;
  /** Starts ingesting a workspace (after hooks were installed there); no-op if it already does. */
  ensureIngest(paths: LogbookPaths): Promise<void>;
  restartIngest(paths: LogbookPaths): Promise<void>;
}
