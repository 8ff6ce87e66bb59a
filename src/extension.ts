import * as vscode from 'vscode';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { logbookPaths } from './capture/paths';
import type { LogbookPaths } from './capture/paths';
import { repointMachinePaths } from './capture/machine-pointers';
import { loadSqlJsWarmedInWorker } from './store/sqljs-warm/warm-client';
import { LiveIngest } from './ingest/live-ingest';
import { rebuildStore, rebuildWith } from './ingest/open-store';
import { ingestRedactor } from './ingest/redact-entry';
import { redactionSettingsReader } from './views/redaction-config';
import { tryAcquireLock } from './ingest/lock';
import { registerCommands } from './commands/table';
import { loadWorkflow } from './workflow/definition-file';
import { announceWorkflowChange } from './workflow/announce';
import type { ExtensionContext } from './commands/context';
import { hooksInstalledIn } from './capture/installed';
import { LogbookViews } from './views/services';
import { Panels } from './views/panels';
import { registerSessionsTree } from './views/sessions-tree';
import type { SessionsTree } from './views/sessions-tree';
import { registerStatusBar } from './views/status-bar';
import { registerControlCenter } from './views/control/control-view';
import type { ControlView } from './views/control/control-view';
import { registerInlineJournal } from './views/inline-journal';
import { warnIfPlanted } from './views/planted-warning';
import { hostTimings } from './views/timings/host-timings';
import type { HostTimings } from './views/timings/host-timings';

// Wiring only: every disposable goes into context.subscriptions.

/** What activate() returns: the read side and the views, for integration tests and other extensions. */
export interface LogbookApi {
  readonly views: LogbookViews;
  readonly sessionsTree: SessionsTree;
  readonly panels: Panels;
  readonly control: ControlView;
  /** Only when $LOGBOOK_BENCH_TIMINGS is 1 (bench/vscode-real/). */
  readonly timings?: HostTimings;
}

export async function activate(context: vscode.ExtensionContext): Promise<LogbookApi> {
  const timings = hostTimings();
  timings?.wrapStoreCalls();
  if (timings !== undefined) context.subscriptions.push(timings);
  const output = vscode.window.createOutputChannel('Agent Logbook');
  context.subscriptions.push(output);
  const log = (message: string): void => output.appendLine(`[${new Date().toISOString()}] ${message}`);
  const ingests = new Map<string, LiveIngest>();
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('logbook');
  const views = new LogbookViews(context.extensionUri, log);
  const panels = new Panels(views);
  context.subscriptions.push(views, panels);
  const control = registerControlCenter({ views, extensionPath: context.extensionPath, log });
  context.subscriptions.push(...control.disposables);
  const updateContextKeys = (): void => {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
    void vscode.commands.executeCommand('setContext', 'logbook.hooksInstalled', folders.some((folder) => hooksInstalledIn(folder.uri.fsPath)));
    void vscode.commands.executeCommand('setContext', 'logbook.hasSessions', views.workspaces().some((ws) => ws.overview().size > 0));
  };

  const redactionSettings = redactionSettingsReader(config, log);

  let sqlJsReady: Promise<void> | undefined;
  const startIngest = async (paths: LogbookPaths): Promise<void> => {
    if (ingests.has(paths.workspace)) return;
    // sql.js compiled and warmed in a thread of its own: the views' first queries then block the
    // window for a few ms instead of compiling SQLite's functions on the main thread. Asked for
    // first, so that thread works while this one checks the folder below.
    timings?.mark('sqlJsRequested');
    sqlJsReady ??= loadSqlJsWarmedInWorker().then((outcome) => { if (!outcome.warmed) log(`sql.js loaded on the main thread (${outcome.problem ?? 'no warmed module'})`); });
    warnIfPlanted(paths, output, (message) => log(`${paths.workspace}: ${message}`));
    repointAfterUpdate(paths.workspace, context.extensionPath, log);
    timings?.mark('folderChecked');
    const live = new LiveIngest(paths, {
      owner: 'vscode',
      maxFieldBytes: () => config().get<number>('capture.maxFieldBytes', 65_536),
      redaction: redactionSettings,
      debounceMs: () => config().get<number>('ingest.debounceMs', 100),
      flushDebounceMs: () => config().get<number>('ingest.flushDebounceMs', 500),
      log: (message) => log(`${paths.workspace}: ${message}`),
      onIngested: () => views.refresh(paths.workspace),
    });
    ingests.set(paths.workspace, live);
    started.add(live);
    timings?.mark('sqlJsAwaited');
    await sqlJsReady;
    timings?.mark('sqlJsLoaded');
    views.add(paths);
    // The tree first: the worker's start (its own sql.js, a first pass) would compete with the first read for the CPU.
    await views.settled();
    timings?.mark('catalogCaughtUp');
    await live.start();
    timings?.mark('writerStarted');
    views.refresh(paths.workspace);
  };

  const kept = new Set<vscode.Disposable>();
  const ctx: ExtensionContext = {
    extensionPath: context.extensionPath,
    globalState: context.globalState,
    output,
    views,
    control: control.control,
    log,
    showPanel: (panel, key) => panels.show(panel, key),
    updateContextKeys,
    keep: (disposable) => {
      if (kept.has(disposable)) return;
      kept.add(disposable);
      context.subscriptions.push(disposable);
    },
    pickWorkspace: async () => {
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (folders.length === 0) {
        void vscode.window.showWarningMessage('Agent Logbook: open a folder first.');
        return undefined;
      }
      const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick();
      return folder === undefined ? undefined : logbookPaths(folder.uri.fsPath);
    },
    ingestFor: (paths) => ingests.get(paths.workspace),
    ensureIngest: startIngest,
    restartIngest: async (paths) => {
      // The worker's final flush and the lock's release come first: the rebuild takes the lock.
      const old = ingests.get(paths.workspace);
      await old?.close();
      if (old !== undefined) started.delete(old);
      ingests.delete(paths.workspace);
      try {
        const attempt = tryAcquireLock(paths.lock, 'vscode');
        if (!attempt.acquired) throw new Error('another process holds the store; close it and try again');
        try {
          const outcome = await rebuildStore(paths, rebuildWith(ingestRedactor(redactionSettings()).redactor));
          outcome.database.close();
          for (const message of outcome.messages) log(`${paths.workspace}: ${message}`);
          return outcome;
        } finally {
          attempt.lock.release();
        }
      } finally {
        // A failed rebuild left the store as it was: ingest goes on either way.
        await startIngest(paths);
      }
    },
  };

  context.subscriptions.push(...registerCommands(ctx));
  const sessions = registerSessionsTree(views);
  timings?.watchTree(sessions.tree);
  context.subscriptions.push(...sessions.disposables, ...registerStatusBar(views), ...registerInlineJournal(views));
  context.subscriptions.push(views.onDidChange((change) => { if (change.reset || change.sessions.size > 0) updateContextKeys(); }));
  context.subscriptions.push({ dispose: () => { for (const live of ingests.values()) void live.close(); ingests.clear(); } });
  timings?.mark('wired');
  try {
    // Only workspaces that use the logbook get a writer: never create .logbook/ uninvited.
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const paths = logbookPaths(folder.uri.fsPath);
      if (existsSync(paths.dir)) await startIngest(paths);
      // Hooks installed later (from a shell, say) show up as a new .logbook/ folder.
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.logbook/**'));
      context.subscriptions.push(watcher, watcher.onDidCreate(() => void startIngest(paths).catch((error: unknown) => log(`ingest: ${String(error)}`))));
      // The hook enforces the workflow from a compiled copy: validate and compile on every change.
      const checkWorkflow = (): void => {
        try {
          const loaded = loadWorkflow(paths);
          if (loaded.status === 'invalid') {
            log(`workflow file has problems; hooks do not enforce it until they are fixed:\n${loaded.problems.join('\n')}`);
            void vscode.window.showWarningMessage(`Agent Logbook: .logbook/workflow.json has ${loaded.problems.length} problem(s); see "Logbook: Show Log".`);
          } else if (loaded.status === 'ok') {
            log(`workflow "${loaded.definition.name}" is in force (${loaded.hash.slice(0, 12)})`);
          }
          // An edit is an event of every session in progress; the writing window records it (once).
          if (ingests.get(paths.workspace)?.isWriter === true) void announceWorkflowChange(paths, { source: 'vscode' }).then((done) => { if (done.sessions.length > 0) log(`workflow change recorded in ${done.sessions.length} session(s)`); }, (error: unknown) => log(`workflow change: ${String(error)}`));
        } catch (error) {
          log(`workflow check: ${(error as Error).message}`);
        }
      };
      const workflowWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.logbook/workflow.json'));
      context.subscriptions.push(workflowWatcher, workflowWatcher.onDidCreate(checkWorkflow), workflowWatcher.onDidChange(checkWorkflow), workflowWatcher.onDidDelete(checkWorkflow));
      if (existsSync(paths.workflow)) checkWorkflow();
      // Another window or the CLI writes the store: readers re-read it when it is replaced.
      const storeWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.logbook/logbook.sqlite'));
      const storeChanged = (): void => views.refresh(paths.workspace);
      context.subscriptions.push(storeWatcher, storeWatcher.onDidCreate(storeChanged), storeWatcher.onDidChange(storeChanged));
      const settingsWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.claude/settings*.json'));
      context.subscriptions.push(settingsWatcher, settingsWatcher.onDidCreate(updateContextKeys), settingsWatcher.onDidChange(updateContextKeys), settingsWatcher.onDidDelete(updateContextKeys));
    }
    updateContextKeys();
  } catch (error) {
    log(`activation: ${(error as Error).message}`);
    void vscode.window.showErrorMessage(`Agent Logbook could not start: ${(error as Error).message}`);
    throw error;
  }
  timings?.mark('activated');
  return { views, sessionsTree: sessions.tree, panels, control: control.control, ...(timings === undefined ? {} : { timings }) };
}

/** After an update of the extension or of VS Code, `.logbook/bin/` names this window's programs again. */
function repointAfterUpdate(workspace: string, extensionPath: string, log: (message: string) => void): void {
  try {
    for (const moved of repointMachinePaths(workspace, { cliPath: join(extensionPath, 'dist', 'logbook.js'), runtime: process.execPath })) {
      log(`${workspace}: ${moved.file} named ${moved.was}, which is gone (an update?); it now names ${moved.now}`);
    }
  } catch (error) {
    log(`${workspace}: could not check .logbook/bin/: ${(error as Error).message}`);
  }
}

/** Every ingest this window started: deactivate() waits for their workers' final flushes. */
const started = new Set<LiveIngest>();

export async function deactivate(): Promise<void> {
  // close() is idempotent: whether VS Code disposes context.subscriptions before or after this, each worker flushes once.
  await Promise.all([...started].map((live) => live.close()));
  started.clear();
}
