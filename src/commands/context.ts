import type * as vscode from 'vscode';
import type { LiveIngest } from '../ingest/live-ingest';
import type { LogbookPaths } from '../capture/paths';
import type { LogbookViews } from '../views/services';
import type { ControlView } from '../views/control/control-view';
import type { RebuildOutcome } from '../ingest/open-store';

/** The webview panels commands can open, each keyed (a session id, "all" for the journal, the dashboard and patterns, compareKey for compare, a group id). */
export type PanelName = 'report' | 'stateMachine' | 'journal' | 'dashboard' | 'compare' | 'patterns' | 'groupTimeline';

/** What commands need from the running extension. */
export interface ExtensionContext {
  readonly extensionPath: string;
  readonly output: vscode.OutputChannel;
  readonly views: LogbookViews;
  /** The control center: live sessions of every workspace that uses the logbook on this machine (issue 15). */
  readonly control: ControlView;
  /** The extension's globalState (what is offered once, e.g. the import after hooks are installed). */
  readonly globalState: vscode.Memento;
  log(message: string): void;
  /** The workspace folder a command acts on (asks when there are several). */
  pickWorkspace(): Promise<LogbookPaths | undefined>;
  ingestFor(paths: LogbookPaths): LiveIngest | undefined;
  /** Starts ingesting a workspace (after hooks were installed there); no-op if it already does. */
  ensureIngest(paths: LogbookPaths): Promise<void>;
  /** Rebuilds the store from the raw segments (keeping whichever store holds more), then ingests again. */
  restartIngest(paths: LogbookPaths): Promise<RebuildOutcome>;
  showPanel(panel: PanelName, key: string): void;
  /** Re-reads whether hooks are installed and whether there are sessions (welcome view context keys). */
  updateContextKeys(): void;
  /** Keeps a disposable until the extension deactivates (once, however often it is passed). */
  keep(disposable: vscode.Disposable): void;
}

/** A command: the context, then whatever VS Code passed (a tree item, a session id, nothing). */
export type Command = (ctx: ExtensionContext, ...args: unknown[]) => Promise<void>;
