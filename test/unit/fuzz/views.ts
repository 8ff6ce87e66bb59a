import { overviewOf } from '../../../src/projections/overview/session-overview';
import assert from 'node:assert/strict';
import { foldLifecycle } from '../../../src/domain/lifecycle';
import { emptyQuery, LogQuery } from '../../../src/projections/event-log';
import { FileJournalIndex } from '../../../src/projections/file-journal';
import { computeInsights } from '../../../src/projections/insights';
import { collectJournal, journalViewState } from '../../../src/projections/journal-list';
import { buildSessionReport } from '../../../src/projections/report';
import { SessionCatalog } from '../../../src/projections/session-catalog';
import type { CatalogSnapshot } from '../../../src/projections/session-catalog';
import { SessionIndex } from '../../../src/projections/session-index';
import { groupSessions, sessionRow, stateTimes } from '../../../src/projections/session-list';
import type { SessionSummaryState } from '../../../src/projections/session-summary';
import { stateChanges } from '../../../src/projections/state-changes';
import { buildSessionGraphs } from '../../../src/projections/state-graph';
import { createTimeline, extendTimeline, partitionByState } from '../../../src/projections/state-timeline';
import type { RecordedEvent } from '../../../src/store/event-store';
import type { Random } from '../session-stream-gen';
import { roundTrip } from '../session-stream-gen';

// What the views compute from a session's events, folded the ways the views fold them: in one
// pass or in chunks as events arrive, and the catalog resumed from a JSON snapshot between
// chunks as the writer and a reading window do. Each returns the summary it ended with, so the
// fuzz suite can hold it against the fold from scratch.

/** Random chunk boundaries over `length` events (each chunk non-empty). */
export function chunks<T>(items: readonly T[], r: Random): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length;) {
    const size = 1 + r.int(Math.max(1, Math.ceil(items.length / 3)));
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}

/** The catalog folded chunk by chunk, restored from a JSON round trip of its snapshot between chunks. */
export function catalogInChunks(events: readonly RecordedEvent[], r: Random): SessionCatalog {
  let catalog = new SessionCatalog();
  const parts = chunks(events, r);
  // A few restarts per case: each one copies the whole catalog through JSON.
  const restarts = new Set([r.int(parts.length), r.int(parts.length)]);
  for (const [i, chunk] of parts.entries()) {
    catalog.applyAll(chunk);
    if (restarts.has(i)) {
      const restored = new SessionCatalog();
      restored.restore(roundTrip<CatalogSnapshot>(catalog.snapshot()));
      catalog = restored;
    }
  }
  return catalog;
}

/** The report view's index, extended chunk by chunk: its summary, rows and timeline. */
export function reportIndexInChunks(streamId: string, events: readonly RecordedEvent[], r: Random): SessionIndex {
  const index = new SessionIndex(streamId);
  for (const chunk of chunks(events, r)) {
    index.extend(chunk);
    // A redraw between chunks: building must not change what later chunks fold.
    if (r.chance(0.3)) index.timeline();
  }
  return index;
}

/** Every other view of one session: none may throw, whatever the summary holds. */
export function everyView(summary: SessionSummaryState, events: readonly RecordedEvent[], index: SessionIndex, r: Random): void {
  const now = (summary.lastEventAt ?? 0) + r.int(10_000_000);
  const report = buildSessionReport(summary, { now });
  assert.deepStrictEqual(roundTrip(report), report, 'the report is plain JSON');
  computeInsights(report, index.rows);
  new LogQuery({ ...emptyQuery, outcome: ['denied'], state: ['tool_running'] }, null).update(index.rows).facets();
  const row = sessionRow('ws', overviewOf(summary, summary.sessionId ?? 'ws'), { now });
  groupSessions([row], now);
  stateTimes(summary);
  collectJournal([{ folder: '/w', workspace: 'ws', sessions: [summary] }]);
  journalViewState(summary.sessionId ?? 'all', [{ folder: '/w', workspace: 'ws', sessions: [summary] }]);
  const files = new FileJournalIndex();
  files.updateSession('/w', 'ws', summary);
  for (const path of Object.keys(summary.files).slice(0, 5)) files.lookup(`/w/${path}`);
  const changes = stateChanges(events);
  const lastLifecycle = changes.filter((c) => c.machine === 'lifecycle').at(-1);
  if (lastLifecycle !== undefined) assert.equal(lastLifecycle.state, foldLifecycle(events).state, 'the sidebar timeline ends in the lifecycle\'s state');
}

/** The state-machine view: its timeline extended chunk by chunk, then both graphs. */
export function stateMachineInChunks(events: readonly RecordedEvent[], r: Random): { summary: SessionSummaryState; graphs: unknown; buckets: number } {
  const timeline = createTimeline();
  for (const chunk of chunks(events, r)) extendTimeline(timeline, chunk);
  const graphs = buildSessionGraphs(timeline);
  const buckets = [...partitionByState(timeline, 'lifecycle').values()].reduce((n, b) => n + b.length, 0);
  return { summary: timeline.summary, graphs, buckets };
}
