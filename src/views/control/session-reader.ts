import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import { basename, join } from 'node:path';
import { logbookPaths } from '../../capture/paths';
import { pendingEntries } from '../../ingest/pending-entries';
import type { FoundSession, LogbookViews } from '../services';
import { resolved } from './control-sources';

// A control center row may be a session of a workspace this window does not have open. The
// report, the state machine and the transcript read a session through the window's read side
// (LogbookViews), which holds the window's folders: such a workspace is added to it ("adopted"),
// read through the same read-only connection a second window on a folder uses, so its sessions
// open in the usual panels and stay current as its store changes. From then on the window lists
// that workspace's sessions too (the Sessions view, the dashboard), as a multi-root window would.
//
// No window may be storing that workspace's inbox (none is open on it): this one keeps its store
// current, or the panels and the Sessions view would show it as its inbox was when adopted. It
// runs `logbook ingest` there, the program the workspace's own hooks start when its inbox grows
// long: with that workspace's settings, under its lock, doing nothing while a writer holds it.
// It runs when the user opens a session there, and again after the control center sees entries
// arrive, at most every few seconds.

const INGEST_TIMEOUT_MS = 120_000;
/** The least time between two ingests of one adopted workspace. */
const KEEP_CURRENT_MS = 3000;

interface Adopted {
  inflight: Promise<void> | undefined;
  timer: NodeJS.Timeout | undefined;
  lastRun: number;
  /** Entries left waiting after the last run: unchanged means nothing new to store. */
  pendingAfter: number | undefined;
}

export class ForeignWorkspaces implements vscode.Disposable {
  private readonly adopted = new Map<string, Adopted>();

  constructor(private readonly views: LogbookViews, private readonly extensionPath: string, private readonly log: (message: string) => void) {}

  /** The session, readable by the window's panels; undefined when its workspace's store does not hold it. */
  async readable(target: { workspace: string; sessionId: string }): Promise<FoundSession | undefined> {
    const known = this.views.workspaces().find((ws) => resolved(ws.paths.workspace) === target.workspace);
    if (known !== undefined && !this.adopted.has(target.workspace)) {
      this.views.refresh(known.paths.workspace);
    } else {
      const adopting = !this.adopted.has(target.workspace);
      if (adopting) this.adopted.set(target.workspace, { inflight: undefined, timer: undefined, lastRun: 0, pendingAfter: undefined });
      // Current when it opens: what waits in the inbox is stored first.
      await this.ingest(target.workspace, true);
      if (adopting) {
        this.log(`control center: reading ${target.workspace} (not open in this window) for session ${target.sessionId}; this window keeps its store current while it is open`);
        this.views.add(logbookPaths(target.workspace));
      }
    }
    await this.views.settled();
    const found = this.views.findSession(target.sessionId);
    return found !== undefined && resolved(found.workspace.paths.workspace) === target.workspace ? found : undefined;
  }

  /** The control center saw a change: adopted workspaces with new entries get an ingest soon. */
  changed(): void {
    for (const [workspace, state] of this.adopted) {
      if (state.inflight !== undefined || state.timer !== undefined) continue;
      const pending = waiting(workspace);
      if (pending === 0 || pending === state.pendingAfter) continue;
      state.timer = setTimeout(() => {
        state.timer = undefined;
        void this.ingest(workspace, false);
      }, Math.max(0, state.lastRun + KEEP_CURRENT_MS - Date.now()));
      state.timer.unref?.();
    }
  }

  dispose(): void {
    // A running ingest finishes on its own: stopping it mid-commit would only leave its rollback to the next writer.
    for (const state of this.adopted.values()) clearTimeout(state.timer);
    this.adopted.clear();
  }

  /** Stores what waits in the workspace's inbox (one run at a time per workspace). */
  private async ingest(workspace: string, withProgress: boolean): Promise<void> {
    const state = this.adopted.get(workspace);
    if (state?.inflight !== undefined) return state.inflight;
    if (waiting(workspace) === 0) return undefined;
    const run = withProgress
      ? Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Agent Logbook: storing the events waiting in ${basename(workspace)}'s inbox…` }, () => this.runIngest(workspace)))
      : this.runIngest(workspace);
    if (state !== undefined) {
      state.inflight = run;
      state.lastRun = Date.now();
    }
    try {
      await run;
    } finally {
      if (state !== undefined) {
        state.inflight = undefined;
        state.pendingAfter = waiting(workspace);
      }
      this.views.refresh(workspace);
    }
    return undefined;
  }

  private runIngest(workspace: string): Promise<void> {
    return new Promise<void>((done) => {
      // Electron runs as Node with this variable (VS Code desktop); code-server's host is Node already.
      execFile(process.execPath, [join(this.extensionPath, 'dist', 'logbook.js'), 'ingest', '--workspace', workspace], { cwd: workspace, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: INGEST_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
        const said = `${stdout}${stderr}`.trim();
        if (error !== null) this.log(`control center: logbook ingest in ${workspace} failed: ${error.message}${said === '' ? '' : `\n${said}`}`);
        else if (said !== '') this.log(`control center: logbook ingest in ${workspace}: ${said}`);
        done();
      });
    });
  }
}

function waiting(workspace: string): number {
  return pendingEntries(logbookPaths(workspace).inbox).length;
}
