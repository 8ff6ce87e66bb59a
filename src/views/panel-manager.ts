import * as vscode from 'vscode';
import type * as z from 'zod';
import { parseWebviewMessage, persistedWebviewState } from '../protocol/channel';
import type { HostMessage } from '../protocol/channel';
import { stateMessage } from '../protocol/state-update';
import type { ReusableParts } from '../protocol/state-update';
import type { LogbookChange, LogbookViews } from './services';
import { webviewHtml, webviewOptions } from './webview-html';

/** One kind of webview panel: what it shows for a key (a session id, or "all") and what it accepts. */
export interface PanelSpec<S, M extends { readonly type: string }, D = never> {
  /** The panel's viewType, also the serializer's (declared under activationEvents as onWebviewPanel:<viewType>). */
  readonly viewType: string;
  /** The bundle: dist/webview/<view>.js from webview/<view>/main.ts. */
  readonly view: string;
  title(key: string, services: LogbookViews): string;
  /** Webview → host messages other than `ready` (validated before handle sees them). */
  readonly messages: z.ZodType<M>;
  /** The full state for a key; undefined when there is nothing to show (the panel says so). */
  snapshot(key: string, services: LogbookViews): Promise<S | undefined>;
  handle?(key: string, message: M, panel: PanelHandle<S, D>, services: LogbookViews): Promise<void>;
  /** Whether a change concerns the panel of this key (default: its session changed). */
  affects?(key: string, change: LogbookChange): boolean;
  /** Parts of the state not resent while their revision stays the same (e.g. on every scroll of a log). */
  readonly reusable?: ReusableParts<S>;
  /**
   * Only what these changes (none a reset) touched, sent to a panel that is visible and has a
   * state instead of a new snapshot; undefined: send a snapshot. Without it, every change resends the state.
   */
  delta?(key: string, changes: readonly LogbookChange[], services: LogbookViews): D | undefined;
  /** An open panel shown again gets a new snapshot (its state depends on what asked to show it). */
  readonly refreshOnShow?: boolean;
}

/** What handle() can do with its panel. */
export interface PanelHandle<S, D = never> {
  readonly key: string;
  post(message: HostMessage<S, D>): void;
  refresh(): void;
}

/**
 * Singleton panels per key (createOrShow), revived after a reload by a serializer, sent a full
 * snapshot on `ready` and on every change that concerns them (throttled, and only while visible:
 * a hidden panel gets one snapshot when it shows again).
 */
export class PanelManager<S, M extends { readonly type: string }, D = never> implements vscode.Disposable {
  private readonly panels = new Map<string, OpenPanel<S, M, D>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly spec: PanelSpec<S, M, D>, private readonly services: LogbookViews, private readonly throttleMs = 150) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(spec.viewType, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const parsed = persistedWebviewState.safeParse(state);
          if (!parsed.success) {
            panel.dispose();
            return;
          }
          this.adopt(parsed.data.key, panel);
        },
      }),
      services.onDidChange((change) => {
        for (const open of this.panels.values()) if ((spec.affects ?? defaultAffects)(open.key, change)) open.changed(change);
      }),
    );
  }

  show(key: string, column: vscode.ViewColumn = vscode.ViewColumn.Active): void {
    const open = this.panels.get(key);
    if (open !== undefined) {
      open.panel.reveal(column);
      if (this.spec.refreshOnShow === true) open.changed();
      return;
    }
    const panel = vscode.window.createWebviewPanel(this.spec.viewType, this.spec.title(key, this.services), column, { ...webviewOptions(this.services.extensionUri), retainContextWhenHidden: false });
    this.adopt(key, panel);
  }

  /** Sends the panel of this key a new snapshot now (when it is ready and visible; a hidden one gets it when shown). */
  refresh(key: string): void {
    this.panels.get(key)?.refreshNow();
  }

  /** Keys of open panels (tests, commands). */
  openKeys(): string[] {
    return [...this.panels.keys()];
  }

  dispose(): void {
    for (const open of this.panels.values()) open.panel.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private adopt(key: string, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.services.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.services.extensionUri, { view: this.spec.view, title: this.spec.title(key, this.services) });
    const open = new OpenPanel(key, panel, this.spec, this.services, this.throttleMs);
    this.panels.set(key, open);
    panel.onDidDispose(() => {
      this.panels.delete(key);
      open.dispose();
    });
  }
}

function defaultAffects(key: string, change: LogbookChange): boolean {
  return change.reset || change.sessions.has(key);
}

class OpenPanel<S, M extends { readonly type: string }, D> implements PanelHandle<S, D> {
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stale = false;
  private ready = false;
  /** The revision of the last state posted whole (for PanelSpec.reusable); undefined: send the next whole. */
  private sentRevision: number | undefined;
  /** Changes since the last message, for spec.delta; `whole`: the next message must be a snapshot. */
  private pending: LogbookChange[] = [];
  private whole = false;

  constructor(readonly key: string, readonly panel: vscode.WebviewPanel, private readonly spec: PanelSpec<S, M, D>, private readonly services: LogbookViews, private readonly throttleMs: number) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidChangeViewState(() => { if (panel.visible && this.stale) this.changed(); }),
    );
  }

  post(message: HostMessage<S, D>): void {
    void this.panel.webview.postMessage(message);
  }

  refresh(): void {
    void this.sendSnapshot();
  }

  /** A new snapshot now, unthrottled, if the webview is ready; a hidden panel is marked stale instead. */
  refreshNow(): void {
    if (!this.ready) return;
    if (!this.panel.visible) {
      this.stale = true;
      return;
    }
    void this.sendSnapshot();
  }

  /** A change concerns the panel (undefined: redraw it whole). */
  changed(change?: LogbookChange): void {
    if (!this.ready) return;
    if (change === undefined || change.reset) this.whole = true;
    else this.pending.push(change);
    if (!this.panel.visible) {
      // A hidden webview is reloaded when it shows again: it gets a whole state then.
      this.stale = true;
      this.pending = [];
      return;
    }
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.throttleMs);
  }

  private async flush(): Promise<void> {
    // A snapshot sent since (after `ready`) held these changes already.
    if (!this.whole && this.pending.length === 0) return;
    const changes = this.pending;
    const whole = this.whole || this.spec.delta === undefined;
    this.pending = [];
    this.whole = false;
    let delta: D | undefined;
    try {
      delta = whole ? undefined : this.spec.delta?.(this.key, changes, this.services);
    } catch (error) {
      this.services.log(`${this.spec.view} delta failed (sending the whole state): ${String(error)}`);
    }
    if (delta === undefined) await this.sendSnapshot();
    else this.post({ type: 'delta', delta });
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const disposable of this.disposables) disposable.dispose();
  }

  private async receive(raw: unknown): Promise<void> {
    if (isReady(raw)) {
      this.ready = true;
      // A (re)loaded webview has nothing to reuse: the next state goes whole.
      this.sentRevision = undefined;
      await this.sendSnapshot();
      return;
    }
    const parsed = parseWebviewMessage(this.spec.messages, raw, this.spec.view);
    if (!parsed.ok) {
      this.services.log(parsed.problem);
      this.post({ type: 'error', message: parsed.problem });
      return;
    }
    try {
      await this.spec.handle?.(this.key, parsed.message, this, this.services);
    } catch (error) {
      const message = `${this.spec.view}: ${parsed.message.type} failed: ${error instanceof Error ? error.message : String(error)}`;
      this.services.log(message);
      this.post({ type: 'error', message });
    }
  }

  private async sendSnapshot(): Promise<void> {
    this.stale = false;
    this.pending = [];
    this.whole = false;
    try {
      const state = await this.spec.snapshot(this.key, this.services);
      if (state === undefined) {
        this.sentRevision = undefined;
        this.post({ type: 'error', message: `Nothing to show for ${this.key}: it is not in this window's logbook.` });
        return;
      }
      this.post(stateMessage<S>(state, this.sentRevision, this.spec.reusable));
      this.sentRevision = this.spec.reusable?.revision(state);
    } catch (error) {
      this.services.log(`${this.spec.view} snapshot failed: ${String(error)}`);
      this.post({ type: 'error', message: `Could not build the ${this.spec.view} view: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
}

function isReady(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'ready';
}
