import { performance } from 'node:perf_hooks';
import type { SessionListing } from '../../projections/overview/session-query';
import { listingOf } from '../../projections/overview/session-query';
import { digestSession } from '../../projections/patterns/contrast';
import type { SessionDigest } from '../../projections/patterns/contrast';
import type { PriceTable } from '../../projections/pricing';
import type { SessionSummaryState } from '../../projections/session-summary';
import type { WorkspaceLogbook } from '../workspace-logbook';

// The sessions a contrast reads in a window, as `logbook patterns` reads them in a store: a
// listing from each overview row and a digest of each full summary. At a year of history that is
// thousands of summaries and reports: read and digested in slices, the thread given back between
// them, progress told as it goes. A digest is kept while its session does not change, so a second
// cohort over the same sessions costs only the contrast.

/** Digesting goes on for at most this long between two pauses (a session's report takes 0.1–1 ms, a huge one more). */
const SLICE_MS = 12;

export interface GatherProgress {
  (phase: 'reading' | 'digesting', done: number, total: number): void;
}

interface Kept {
  readonly position: number;
  readonly digest: SessionDigest;
}

export class DigestCache {
  private readonly kept = new WeakMap<WorkspaceLogbook, Map<string, Kept>>();

  /** Every session of these workspaces, digested (listings made at `now`). */
  async gather(workspaces: readonly WorkspaceLogbook[], now: number, prices: PriceTable, progress: GatherProgress, pause: () => Promise<void>): Promise<SessionDigest[]> {
    const total = workspaces.reduce((n, ws) => n + ws.overview().size, 0);
    const digests: SessionDigest[] = [];
    let read = 0;
    for (const ws of workspaces) {
      const kept = this.keptOf(ws);
      const listings = [...ws.overview().values()].map((row) => listingOf(row, now, prices));
      const fresh = (s: SessionListing): boolean => reusable(kept.get(s.row.sessionId), s) !== undefined;
      const wanted = new Set(listings.filter((s) => !fresh(s)).map((s) => s.row.sessionId));
      let slices = 0;
      const summaries = await ws.loadSummaries((row) => wanted.has(row.sessionId), async () => {
        slices += 1;
        progress('reading', Math.min(total, read + slices * 200), total);
        await pause();
      });
      read += listings.length;
      const byId = new Map<string, SessionSummaryState>();
      for (const summary of summaries) if (summary.sessionId !== null) byId.set(summary.sessionId, summary);
      await digestAll(listings, kept, byId, now, (digest) => digests.push(digest), () => {
        progress('digesting', digests.length, total);
        return pause();
      });
    }
    progress('digesting', digests.length, total);
    return digests;
  }

  private keptOf(ws: WorkspaceLogbook): Map<string, Kept> {
    let kept = this.kept.get(ws);
    if (kept === undefined) {
      kept = new Map();
      this.kept.set(ws, kept);
    }
    return kept;
  }
}

async function digestAll(listings: readonly SessionListing[], kept: Map<string, Kept>, summaries: ReadonlyMap<string, SessionSummaryState>, now: number, out: (digest: SessionDigest) => void, pause: () => Promise<void>): Promise<void> {
  let since = performance.now();
  for (const listing of listings) {
    const id = listing.row.sessionId;
    const reused = reusable(kept.get(id), listing);
    if (reused !== undefined) {
      out(reused);
      continue;
    }
    const summary = summaries.get(id);
    // A session the store no longer holds (a rebuild since the rows were read) is left out.
    if (summary === undefined) continue;
    const digest = digestSession({ listing, summary }, now);
    // A running session's report grows with the clock: digested again each time.
    if (!running(listing)) kept.set(id, { position: listing.row.lastPosition, digest });
    out(digest);
    if (performance.now() - since > SLICE_MS) {
      await pause();
      since = performance.now();
    }
  }
}

/** A kept digest still true of this listing (the same events), with the listing made now. */
function reusable(kept: Kept | undefined, listing: SessionListing): SessionDigest | undefined {
  if (kept === undefined || kept.position !== listing.row.lastPosition || running(listing)) return undefined;
  return { ...kept.digest, listing };
}

function running(listing: SessionListing): boolean {
  return listing.status === 'live' || listing.status === 'idle';
}
