import type { LogbookPaths } from '../../src/capture/paths';
import { LiveIngest } from '../../src/ingest/live-ingest';
import { WorkspaceLogbook } from '../../src/views/workspace-logbook';
import { msSince } from '../stats';

// The extension host's store work for one workspace, wired as src/extension.ts and
// src/views/services.ts wire it (LiveIngest + WorkspaceLogbook, the views' refresh that never
// overlaps itself, the same settings' defaults), without vscode: those layers never import it.

export class ExtensionHostStore {
  readonly ws: WorkspaceLogbook;
  readonly live: LiveIngest;
  readonly logs: string[] = [];
  private pending: Promise<void> | undefined;
  private again = false;
  private readonly poll: NodeJS.Timeout;
  private readonly listeners = new Set<() => void>();

  constructor(readonly paths: LogbookPaths) {
    const log = (message: string): void => { this.logs.push(message); };
    this.ws = new WorkspaceLogbook(paths, log);
    this.live = new LiveIngest(paths, {
      owner: 'vscode', maxFieldBytes: () => 65_536, redaction: () => ({}), debounceMs: () => 100, flushDebounceMs: () => 500, log,
      onIngested: () => this.refresh(),
    });
    // LogbookViews' safety net for readers.
    this.poll = setInterval(() => this.refresh(), 2000);
  }

  /** activate(): views.add (a first refresh, awaited), live.start(), views.refresh. Resolves with the ms until the first refresh filled the catalog (the tree). */
  async activate(): Promise<number> {
    const started = process.hrtime.bigint();
    this.refresh();
    const filled = this.pending?.then(() => msSince(started));
    // extension.ts waits for the views' first read before it starts the writer.
    await this.settled();
    await this.live.start();
    this.refresh();
    return (await filled) ?? Number.NaN;
  }

  /** Told after every refresh (the tree redraws). */
  onRefreshed(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  refresh(): void {
    if (this.pending !== undefined) {
      this.again = true;
      return;
    }
    this.pending = this.ws.catchUp()
      .then(() => { for (const listener of this.listeners) listener(); })
      .catch((error: unknown) => { this.logs.push(`reading the store failed: ${String(error)}`); })
      .finally(() => {
        this.pending = undefined;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
  }

  async settled(): Promise<void> {
    while (this.pending !== undefined) await this.pending;
  }

  async dispose(): Promise<void> {
    clearInterval(this.poll);
    await this.settled();
    await this.live.close();
    this.ws.dispose();
  }
}
