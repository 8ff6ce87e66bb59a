import * as vscode from 'vscode';
import { ControlCenter } from '../../control/control-center';
import type { ControlSnapshot, RaisedAlert } from '../../control/control-center';
import type { FoundSession, LogbookViews } from '../services';
import { AlertDelivery } from './alert-delivery';
import { AlertLedger, sessionKey } from './alert-ledger';
import { controlSettingsOf, watchedWorkspaces, windowFolders } from './control-sources';
import { ControlTree } from './control-tree';
import { ForeignWorkspaces } from './session-reader';

// The control center in a VS Code window (issue 15): the engine `logbook watch` uses, fed the
// window's folders and the registry's workspaces, drawn as the "Control Center" tree, its alerts
// told as notifications with a count on the view's badge and in the status bar. The rows move
// with the engine's updates (a hook's entry in any watched inbox); while the view is on screen a
// one-second tick moves the times in state, and nothing ticks while it is hidden.

/** What the commands and the tests use of the window's control center. */
export interface ControlView {
  readonly tree: ControlTree;
  snapshot(): ControlSnapshot;
  /** Reads every watched workspace (or one) now; the first call starts the engine. */
  refresh(workspace?: string): Promise<void>;
  /** The workspaces watched at the last read. */
  watched(): readonly string[];
  /** The window's folder for a watched workspace, when it is open here. */
  folderOf(workspace: string): vscode.Uri | undefined;
  /** Alerts told here and not acknowledged yet: the badge's number. */
  unacknowledged(): number;
  /** The session, readable by the window's panels (its workspace read by this window if it was not). */
  readable(target: { workspace: string; sessionId: string }): Promise<FoundSession | undefined>;
}

/** What the control center needs from the window. */
export interface ControlDeps {
  readonly views: LogbookViews;
  readonly extensionPath: string;
  log(message: string): void;
}

/** Quiet time after activation before the first read: the window's own first reads go first. */
const START_DELAY_MS = 1000;
const TICK_MS = 1000;
/** Problems are logged once each; the set is emptied past this (a message that counts entries varies). */
const MAX_SAID = 500;

export function registerControlCenter({ views, extensionPath, log }: ControlDeps): { control: ControlView; disposables: vscode.Disposable[] } {
  let folders = windowFolders();
  let watched: readonly string[] = [];
  const said = new Set<string>();
  const sayOnce = (message: string): void => {
    if (said.has(message)) return;
    if (said.size >= MAX_SAID) said.clear();
    said.add(message);
    log(`control center: ${message}`);
  };
  const ledger = new AlertLedger();
  const tree = new ControlTree((workspace) => folders.has(workspace), ledger);
  const view = vscode.window.createTreeView('logbook.controlCenter', { treeDataProvider: tree, showCollapseAll: true });
  view.message = 'Reading the workspaces that use the logbook on this machine…';
  const delivery = new AlertDelivery(view, ledger, log);
  const foreign = new ForeignWorkspaces(views, extensionPath, log);
  const guarded = <T>(what: string, body: (value: T) => void) => (value: T): void => {
    try {
      body(value);
    } catch (error) {
      log(`control center: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const center = new ControlCenter({
    workspaces: () => (watched = watchedWorkspaces(sayOnce)),
    settingsOf: (workspace) => controlSettingsOf(workspace, folders.get(workspace)),
    source: 'vscode',
    // The window's main thread: a year of history's rows are read a slice at a time.
    pause: () => new Promise((resume) => setImmediate(resume)),
    onUpdate: guarded('an update', (snapshot: ControlSnapshot) => {
      ledger.keepOnly(new Set(snapshot.sessions.map((s) => sessionKey(s.workspace, s.sessionId))));
      tree.update(snapshot);
      view.message = snapshot.sessions.length > 0 ? undefined : `No session in progress in the ${watched.length} workspace(s) that use the logbook on this machine.`;
      delivery.show();
      foreign.changed();
      for (const problem of snapshot.problems) sayOnce(problem);
    }),
    onAlert: guarded('an alert', ({ alert, tell }: RaisedAlert) => {
      if (!tell) return;
      const session = center.snapshot().sessions.find((s) => s.workspace === alert.workspace && s.sessionId === alert.sessionId);
      delivery.tell(alert, session?.title ?? `session ${alert.sessionId.slice(0, 8)}`);
    }),
  });

  let started: Promise<void> | undefined;
  const start = (): Promise<void> => (started ??= center.start().catch((error: unknown) => log(`control center: could not start: ${String(error)}`)));
  const startTimer = setTimeout(() => void start(), START_DELAY_MS);

  let ticker: NodeJS.Timeout | undefined;
  const syncTicker = (): void => {
    if (view.visible && ticker === undefined) ticker = setInterval(() => tree.tick(), TICK_MS);
    if (!view.visible && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };

  const control: ControlView = {
    tree,
    snapshot: () => center.snapshot(),
    refresh: async (workspace) => {
      if (started === undefined) return start();
      await started;
      return workspace === undefined ? center.refreshAll() : center.refresh(workspace);
    },
    watched: () => watched,
    folderOf: (workspace) => folders.get(workspace),
    unacknowledged: () => ledger.count,
    readable: (target) => foreign.readable(target),
  };

  const disposables: vscode.Disposable[] = [
    tree, view, delivery, foreign,
    view.onDidChangeVisibility(guarded('showing the view', ({ visible }: vscode.TreeViewVisibilityChangeEvent) => {
      if (visible) delivery.acknowledgeAll();
      syncTicker();
    })),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('logbook.alerts') || event.affectsConfiguration('logbook.report.prices')) void control.refresh();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      folders = windowFolders();
      void control.refresh();
    }),
    {
      dispose: () => {
        clearTimeout(startTimer);
        clearInterval(ticker);
        center.dispose();
      },
    },
  ];
  syncTicker();
  return { control, disposables };
}
