import * as vscode from 'vscode';
import type { LogbookPaths } from '../capture/paths';
import { windowPrices } from './window-prices';
import type { SessionReport } from '../projections/report';
import type { SessionOverview } from '../projections/overview/session-overview';
import type { SessionSummaryState } from '../projections/session-summary';
import { loadSessionReport } from '../read/session-report';
import type { RecordedEvent } from '../store/event-store';
import { WorkspaceLogbook } from './workspace-logbook';

/** Sessions whose summaries changed in one workspace. */
export interface LogbookChange {
  readonly workspace: WorkspaceLogbook;
  readonly sessions: ReadonlySet<string>;
  /** Everything was re-read (views should redraw all of this workspace). */
  readonly reset: boolean;
}

export interface FoundSession {
  readonly workspace: WorkspaceLogbook;
  readonly summary: SessionSummaryState;
}

/**
 * What every view reads: the workspaces' folded sessions and a change event. Views never open the
 * store themselves; they ask here, and redraw only the sessions a change names.
 */
export class LogbookViews implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<LogbookChange>();
  readonly onDidChange = this.emitter.event;
  private readonly byFolder = new Map<string, WorkspaceLogbook>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly poll: NodeJS.Timeout;

  constructor(readonly extensionUri: vscode.Uri, readonly log: (message: string) => void, pollMs = 2000) {
    // Safety net for readers: a store written by another window or the CLI shows up within pollMs.
    this.poll = setInterval(() => { for (const ws of this.byFolder.values()) this.refresh(ws.paths.workspace); }, pollMs);
  }

  /** Starts showing a workspace (idempotent). */
  add(paths: LogbookPaths): WorkspaceLogbook {
    const existing = this.byFolder.get(paths.workspace);
    if (existing !== undefined) return existing;
    const ws = new WorkspaceLogbook(paths, (message) => this.log(`${paths.workspace}: ${message}`));
    this.byFolder.set(paths.workspace, ws);
    this.refresh(paths.workspace);
    return ws;
  }

  workspaces(): readonly WorkspaceLogbook[] {
    return [...this.byFolder.values()];
  }

  findSession(sessionId: string): FoundSession | undefined {
    for (const workspace of this.byFolder.values()) {
      const summary = workspace.summary(sessionId);
      if (summary !== undefined) return { workspace, summary };
    }
    return undefined;
  }

  /** The session that most recently did something, if any. */
  latestSession(): FoundSession | undefined {
    let best: { workspace: WorkspaceLogbook; row: SessionOverview } | undefined;
    for (const workspace of this.byFolder.values()) {
      for (const row of workspace.overview().values()) {
        if (best === undefined || (row.lastEventAt ?? 0) > (best.row.lastEventAt ?? 0)) best = { workspace, row };
      }
    }
    const summary = best?.workspace.summary(best.row.sessionId);
    return best === undefined || summary === undefined ? undefined : { workspace: best.workspace, summary };
  }

  async readStream(sessionId: string): Promise<RecordedEvent[]> {
    return (await this.findSession(sessionId)?.workspace.readStream(sessionId)) ?? [];
  }

  /** The session's report with tokens and cost (prices from the `logbook.report.prices` setting). */
  async report(sessionId: string, now: number = Date.now()): Promise<SessionReport | undefined> {
    const found = this.findSession(sessionId);
    if (found === undefined) return undefined;
    const events = await found.workspace.readStream(sessionId);
    return loadSessionReport(found.summary, events, windowPrices(), now);
  }

  /** Folds what is new in a workspace and tells the views; calls never overlap per workspace. */
  refresh(folder: string): void {
    if (this.pending.has(folder)) {
      this.again.add(folder);
      return;
    }
    const ws = this.byFolder.get(folder);
    if (ws === undefined) return;
    const run = ws.catchUp()
      .then((result) => { if (result.sessions.size > 0 || result.reset) this.emitter.fire({ workspace: ws, ...result }); })
      .catch((error: unknown) => this.log(`${folder}: reading the store failed: ${String(error)}`))
      .finally(() => {
        this.pending.delete(folder);
        if (this.again.delete(folder)) this.refresh(folder);
      });
    this.pending.set(folder, run);
  }

  /** Resolves once pending refreshes are done (tests, commands that need fresh data). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending.values());
  }

  dispose(): void {
    clearInterval(this.poll);
    this.emitter.dispose();
    for (const ws of this.byFolder.values()) ws.dispose();
    this.byFolder.clear();
  }
}
