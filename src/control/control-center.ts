import { readdirSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { FSWatcher } from 'node:fs';
import { logbookPaths } from '../capture/paths';
import { evaluateAlerts, nextDueAt } from '../domain/control/alert-rules';
import type { Alert, AlertInput, DayCost } from '../domain/control/alert-rules';
import { DEFAULT_ALERT_SETTINGS } from '../domain/control/alert-settings';
import type { AlertSettings } from '../domain/control/alert-settings';
import { historyThresholds } from '../domain/control/alert-thresholds';
import type { HistoryThresholds } from '../domain/control/alert-thresholds';
import type { LiveSession } from '../domain/control/live-session';
import { InboxEventCache } from '../projections/control/pending-events';
import { readLiveSessions } from '../projections/control/live-reader';
import { StoreCache } from '../projections/control/store-cache';
import type { SessionOverview } from '../projections/overview/session-overview';
import { tallyCost } from '../projections/overview/usage-tally';
import { DEFAULT_PRICE_TABLE } from '../projections/pricing';
import type { PriceTable } from '../projections/pricing';
import { pruneAlertClaims, recordAlert } from './alert-record';

// The control center's engine (issue 15), shared by `logbook watch` and the VS Code view: the live
// sessions of every watched workspace, and the alerts their rules raise. It reads a workspace again
// only when something there changed (its inbox or its store, seen by fs.watch, with a slow poll as
// a fallback where watching fails), so an idle machine costs it nothing but a timer; time-based
// rules get a timer of their own for the moment they fall due (nextDueAt).

/** What a workspace's settings say about alerts and prices. */
export interface WorkspaceControlSettings {
  readonly alerts: AlertSettings;
  readonly prices: PriceTable;
  readonly problems: readonly string[];
}

export interface ControlSnapshot {
  /** Every live session of every watched workspace, the most recent activity first. */
  readonly sessions: readonly LiveSession[];
  readonly problems: readonly string[];
  readonly at: number;
}

/** An alert this watcher raised; `tell` is false when another watcher already told the user. */
export interface RaisedAlert {
  readonly alert: Alert;
  readonly tell: boolean;
}

export interface ControlCenterOptions {
  /** The workspaces to watch, asked again at every full refresh (the registry grows). */
  readonly workspaces: () => readonly string[];
  readonly settingsOf: (workspace: string) => WorkspaceControlSettings;
  readonly onUpdate: (snapshot: ControlSnapshot) => void;
  readonly onAlert: (raised: RaisedAlert) => void;
  /** Who records the alerts. */
  readonly source: 'cli' | 'vscode';
  readonly now?: () => number;
  /** Quiet time after a change before the workspace is read (changes come in bursts). */
  readonly settleMs?: number;
  /** How often every workspace is read anyway (a missed watch event, the registry's new entries). */
  readonly pollMs?: number;
  /** Record and tell alerts (false: rows only, e.g. `logbook watch --no-alerts`). */
  readonly alerts?: boolean;
  /** Given on a window's main thread: a big store's rows are read in slices, this awaited between them. */
  readonly pause?: () => Promise<void>;
}

interface WorkspaceState {
  readonly cache: InboxEventCache;
  readonly store: StoreCache;
  sessions: readonly LiveSession[];
  thresholds: HistoryThresholds;
  dayCost: DayCost;
  settings: WorkspaceControlSettings;
  problems: readonly string[];
  watchers: FSWatcher[];
  timer: NodeJS.Timeout | undefined;
  /** What the inbox and the store looked like at the last read (changeSignature): a poll that finds the same skips the read. */
  signature: string;
  /** The settings the last read used: a change of them reads again. */
  settingsKey: string;
}

const DEFAULT_SETTLE_MS = 50;
const DEFAULT_POLL_MS = 30_000;

export class ControlCenter {
  private readonly states = new Map<string, WorkspaceState>();
  private dueTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly raisedHere = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly options: ControlCenterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Reads every workspace, then watches them. */
  async start(): Promise<void> {
    await this.refreshAll();
    this.pollTimer = setInterval(() => void this.refreshAll(), this.options.pollMs ?? DEFAULT_POLL_MS);
    this.pollTimer.unref?.();
  }

  /** The latest rows, as last told to onUpdate. */
  snapshot(): ControlSnapshot {
    const sessions = [...this.states.values()].flatMap((s) => s.sessions).sort((a, b) => (b.lastEventAt ?? 0) - (a.lastEventAt ?? 0));
    return { sessions, problems: [...this.states.values()].flatMap((s) => [...s.settings.problems, ...s.problems]), at: this.now() };
  }

  /** Reads every workspace now (new ones are watched from then on, forgotten ones dropped). */
  async refreshAll(): Promise<void> {
    const wanted = new Set(this.options.workspaces());
    for (const [workspace, state] of this.states) {
      if (!wanted.has(workspace)) this.drop(workspace, state);
    }
    for (const workspace of wanted) {
      const state = this.states.get(workspace);
      // A poll finds most workspaces as they were: a few stats instead of a read of the store.
      if (state !== undefined && state.signature === changeSignature(workspace) && state.settingsKey === settingsKeyOf(this.options.settingsOf(workspace))) continue;
      await this.read(workspace, false);
    }
    this.publish();
  }

  /** Reads one workspace now (a change there). */
  async refresh(workspace: string): Promise<void> {
    await this.read(workspace, false);
    this.publish();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.dueTimer);
    clearInterval(this.pollTimer);
    for (const [workspace, state] of this.states) this.drop(workspace, state);
  }

  private async read(workspace: string, publish: boolean): Promise<void> {
    if (this.disposed) return;
    let state = this.states.get(workspace);
    const settings = this.options.settingsOf(workspace);
    if (state === undefined) {
      state = { cache: new InboxEventCache(), store: new StoreCache(), sessions: [], thresholds: historyThresholds([], settings.alerts), dayCost: { day: '', costUsd: 0 }, settings, problems: [], watchers: [], timer: undefined, signature: '', settingsKey: '' };
      this.states.set(workspace, state);
      pruneAlertClaims(workspace, this.now());
      this.watch(workspace, state);
    }
    const now = this.now();
    state.signature = changeSignature(workspace);
    state.settingsKey = settingsKeyOf(settings);
    const read = await readLiveSessions(workspace, { now, prices: settings.prices, inboxCache: state.cache, storeCache: state.store, ...(this.options.pause === undefined ? {} : { pause: this.options.pause }) });
    state.settings = settings;
    state.sessions = read.sessions;
    state.problems = read.problems;
    state.thresholds = historyThresholds(read.rows, settings.alerts);
    state.dayCost = dayCostOf(read.rows, now, settings.prices);
    if (publish) this.publish();
  }

  // Linux watches a folder's entries, not a subfolder's: the inbox (hooks, CLI, MCP) and `.logbook/`
  // (the store's file and its page files) are the two places a change shows.
  private watch(workspace: string, state: WorkspaceState): void {
    const paths = logbookPaths(workspace);
    for (const dir of [paths.inbox, paths.dir]) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.changed(workspace, state));
        watcher.on('error', () => watcher.close());
        state.watchers.push(watcher);
      } catch {
        // Not there yet, or not watchable: the poll reads it.
      }
    }
  }

  private changed(workspace: string, state: WorkspaceState): void {
    if (state.timer !== undefined || this.disposed) return;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      // `.logbook/` changes for more than the store (the writer's lock, state files): nothing to read then.
      if (state.signature === changeSignature(workspace)) return;
      void this.read(workspace, true);
    }, this.options.settleMs ?? DEFAULT_SETTLE_MS);
  }

  private drop(workspace: string, state: WorkspaceState): void {
    for (const watcher of state.watchers) watcher.close();
    clearTimeout(state.timer);
    this.states.delete(workspace);
  }

  private publish(): void {
    if (this.disposed) return;
    if (this.options.alerts !== false) this.raise();
    this.options.onUpdate(this.snapshot());
  }

  /** Evaluates every workspace's rules, records what is due, and sets the timer for the next. */
  private raise(): void {
    const now = this.now();
    let due: number | undefined;
    for (const [workspace, state] of this.states) {
      const input: AlertInput = {
        sessions: state.sessions.map((s) => this.withRaised(s)), now, settings: state.settings.alerts,
        thresholds: new Map([[workspace, state.thresholds]]), dayCost: new Map([[workspace, state.dayCost]]),
      };
      for (const alert of evaluateAlerts(input)) {
        if (this.raisedHere.has(alert.id)) continue;
        this.raisedHere.add(alert.id);
        let tell: boolean;
        try {
          tell = recordAlert(alert, this.options.source);
        } catch (error) {
          state.problems = [...state.problems, `${workspace}: alert ${alert.data.rule} of session ${alert.sessionId} not recorded: ${(error as Error).message}`];
          tell = true;
        }
        this.options.onAlert({ alert, tell });
      }
      // The alerts just raised were due already: the next due moment is the same without them.
      const next = nextDueAt(input);
      if (next !== undefined && (due === undefined || next < due)) due = next;
    }
    clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    // Clamped: setTimeout cannot wait past ~24.8 days; a poll reads everything before then anyway.
    if (due !== undefined) {
      this.dueTimer = setTimeout(() => this.publish(), Math.min(Math.max(0, due - now) + 1, 2 ** 31 - 1));
      this.dueTimer.unref?.();
    }
  }

  /** A session as it will be once the alerts raised here are read back from its inbox. */
  private withRaised(session: LiveSession): LiveSession {
    if (this.raisedHere.size === 0) return session;
    return { ...session, alertIds: [...session.alertIds, ...this.raisedHere] };
  }
}

/**
 * The names in the inbox with the size and time of its logs (hooks append to them), and the
 * store's size and time: what any new event changes. Read before the workspace is, so a change
 * during the read shows at the next poll.
 */
export function changeSignature(workspace: string): string {
  const paths = logbookPaths(workspace);
  const parts: string[] = [];
  const stamp = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    parts.push(stat === undefined ? '-' : `${stat.size}:${stat.mtimeMs}`);
  };
  try {
    for (const name of readdirSync(paths.inbox).sort()) {
      parts.push(name);
      if (name.endsWith('.log')) stamp(join(paths.inbox, name));
    }
  } catch {
    parts.push('no inbox');
  }
  stamp(paths.store);
  return parts.join('|');
}

function settingsKeyOf(settings: WorkspaceControlSettings): string {
  return JSON.stringify([settings.alerts, settings.prices]);
}

/** The cost of the sessions active today (local day), for the daily budget. A session that began yesterday counts whole. */
export function dayCostOf(rows: readonly SessionOverview[], now: number, prices: PriceTable = DEFAULT_PRICE_TABLE): DayCost {
  const start = new Date(now);
  start.setHours(0, 0, 0, 0);
  const day = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}-${String(start.getDate()).padStart(2, '0')}`;
  let costUsd = 0;
  for (const row of rows) {
    if (row.lastEventAt !== null && row.lastEventAt >= start.getTime()) costUsd += tallyCost(row.usage, prices).costUsd;
  }
  return { day, costUsd };
}

/** Alert settings for a workspace with no settings of its own. */
export const DEFAULT_CONTROL_SETTINGS: WorkspaceControlSettings = { alerts: DEFAULT_ALERT_SETTINGS, prices: DEFAULT_PRICE_TABLE, problems: [] };
