import { listingOf } from '../../projections/overview/session-query';
import type { SessionOverview } from '../../projections/overview/session-overview';
import type { PriceTable } from '../../projections/pricing';
import type { DashboardDelta, DashboardOverview, DashboardRow } from '../../protocol/dashboard';

// Overview rows → the dashboard's rows (plain JSON). listingOf derives status, duration, tokens and
// cost exactly as `logbook sessions` does; the heavy parts of a row (usage buckets, times per
// state) stay on the host: 5,000 sessions go over postMessage as a few hundred bytes each.

/** The sessions of one workspace folder. */
export interface DashboardSource {
  /** The folder's path: with the session id, a row's key. */
  readonly folder: string;
  /** The folder's name, shown. */
  readonly workspace: string;
  readonly rows: Iterable<SessionOverview>;
}

/** A row's key: unique across the window's workspaces. */
export function rowKey(folder: string, sessionId: string): string {
  return `${folder}\u0000${sessionId}`;
}

/** A row key's folder and session id; undefined for a text rowKey did not make. */
export function splitRowKey(key: string): { readonly folder: string; readonly sessionId: string } | undefined {
  const split = key.indexOf('\u0000');
  return split < 0 ? undefined : { folder: key.slice(0, split), sessionId: key.slice(split + 1) };
}

export function dashboardRow(source: Pick<DashboardSource, 'folder' | 'workspace'>, overview: SessionOverview, now: number, prices: PriceTable): DashboardRow {
  const listing = listingOf(overview, now, prices);
  return {
    key: rowKey(source.folder, overview.sessionId),
    workspace: source.workspace,
    row: slim(overview),
    status: listing.status,
    durationMs: listing.durationMs,
    tokens: listing.tokens,
    costUsd: listing.costUsd,
  };
}

/** Every session of every source, newest first; with `limit`, only the newest that many. */
export function dashboardRows(sources: readonly DashboardSource[], now: number, prices: PriceTable, limit = Number.POSITIVE_INFINITY): DashboardRow[] {
  const picked: { source: DashboardSource; overview: SessionOverview }[] = [];
  for (const source of sources) for (const overview of source.rows) picked.push({ source, overview });
  // Ordered before they are shaped: a first page shapes its hundred, not every session.
  picked.sort((a, b) => (b.overview.firstEventAt ?? 0) - (a.overview.firstEventAt ?? 0));
  return picked.slice(0, limit).map(({ source, overview }) => dashboardRow(source, overview, now, prices));
}

/** What deltaOf reads of a LogbookChange (services.ts). */
export interface ChangedSessions {
  readonly workspace: { readonly paths: { readonly workspace: string }; readonly name: string; overview(): ReadonlyMap<string, SessionOverview> };
  readonly sessions: ReadonlySet<string>;
}

/** The rows these changes touched, as they are now; a session no longer listed is removed. */
export function deltaOf(changes: readonly ChangedSessions[], at: number, table: PriceTable): DashboardDelta {
  const touched = new Map<string, { workspace: ChangedSessions['workspace']; id: string }>();
  for (const change of changes) for (const id of change.sessions) touched.set(rowKey(change.workspace.paths.workspace, id), { workspace: change.workspace, id });
  const upsert: DashboardRow[] = [];
  const remove: string[] = [];
  for (const [key, { workspace, id }] of touched) {
    const overview = workspace.overview().get(id);
    if (overview === undefined) remove.push(key);
    else upsert.push(dashboardRow({ folder: workspace.paths.workspace, workspace: workspace.name }, overview, at, table));
  }
  return { upsert, remove, at };
}

function slim(o: SessionOverview): DashboardOverview {
  return {
    sessionId: o.sessionId, title: o.title, branch: o.branch, workflow: o.workflow, workflowState: o.workflowState,
    lifecycleState: o.lifecycleState, ended: o.ended, endReason: o.endReason, model: o.model,
    firstEventAt: o.firstEventAt, lastEventAt: o.lastEventAt, events: o.events, prompts: o.prompts, toolCalls: o.toolCalls,
    toolFailures: o.toolFailures, denials: o.denials, rejections: o.rejections, refusals: o.refusals, iterations: o.iterations,
    transitions: o.transitions, compactions: o.compactions, subagents: o.subagents, filesTouched: o.filesTouched,
    journalEntries: o.journalEntries, tags: o.tags, importedEvents: o.importedEvents,
    workflowHash: o.workflowHash, lifecycleMs: o.lifecycleMs, workflowMs: o.workflowMs,
  };
}
