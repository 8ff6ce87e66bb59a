import { buildDiscussPrompt } from '../../projections/discuss-prompt';
import { eventDetail } from '../../projections/event-detail';
import { emptyQuery } from '../../projections/event-log';
import type { EventQuery } from '../../projections/event-log';
import { computeInsights } from '../../projections/insights';
import type { Insight } from '../../projections/insights';
import type { PriceTable } from '../../projections/pricing';
import { buildSessionReport } from '../../projections/report';
import type { SessionReport } from '../../projections/report';
import type { EventDetail, EventLogView } from '../../protocol/event-log';
import type { ReportViewState } from '../../protocol/report';
import type { EventStore } from '../../store/event-store';
import { SessionIndexes } from './session-cache';
import type { SessionEntry } from './session-cache';

// The report's host side without VS Code: per-session indexes, the log's UI state per panel key,
// and the snapshot built from them. The panel spec (spec.ts) only wires this to the panel manager.

/** What the webview showed last: the host keeps it so every snapshot carries the same window. */
export interface LogUi {
  query: EventQuery;
  offset: number;
  limit: number;
  selected: number | null;
}

interface Derived {
  readonly position: number;
  readonly report: SessionReport;
  readonly insights: readonly Insight[];
  readonly prompt: string;
}

const DEFAULT_LOG_WINDOW = 200;

export class ReportHost {
  private readonly indexes = new SessionIndexes();
  private readonly uis = new Map<string, LogUi>();
  private readonly derived = new Map<string, Derived>();

  constructor(private readonly log: (message: string) => void = () => undefined) {}

  ui(key: string): LogUi {
    let ui = this.uis.get(key);
    if (ui === undefined) {
      ui = { query: emptyQuery, offset: 0, limit: DEFAULT_LOG_WINDOW, selected: null };
      this.uis.set(key, ui);
    }
    return ui;
  }

  /** The full state of the report of session `key`, as of now. */
  async snapshot(key: string, store: EventStore, prices: PriceTable, now: number = Date.now()): Promise<ReportViewState | undefined> {
    const entry = await this.indexes.sync(key, store);
    if (entry.index.rows.length === 0) return undefined;
    const derived = await this.derive(key, entry, prices, now);
    // Read after the await: of two snapshots in flight, each shows the latest query.
    const log = this.logView(key, entry, store);
    return {
      key,
      title: `Session ${key}`,
      mode: 'live',
      revision: entry.index.lastPosition,
      report: derived.report,
      timeline: entry.index.timeline(),
      insights: derived.insights,
      prompt: derived.prompt,
      log,
      note: null,
    };
  }

  /** The prompt as last built for the session (what "Copy" and "Send to terminal" send). */
  prompt(key: string): string | undefined {
    return this.derived.get(key)?.prompt;
  }

  private async derive(key: string, entry: SessionEntry, prices: PriceTable, now: number): Promise<Derived> {
    const known = this.derived.get(key);
    const position = entry.index.lastPosition;
    if (known !== undefined && known.position === position) return known;
    const summary = entry.index.summary;
    // Usage events are folded with the rest of the stream: a new one moves the position too.
    const usage = entry.index.usage(prices);
    const report = buildSessionReport(summary, { now, importedEvents: entry.index.importedEvents, ...(usage === undefined ? {} : { usage }) });
    const insights = computeInsights(report, entry.index.rows);
    const derived: Derived = { position, report, insights, prompt: buildDiscussPrompt(report, insights) };
    this.derived.set(key, derived);
    return derived;
  }

  private logView(key: string, entry: SessionEntry, store: EventStore): EventLogView {
    const ui = this.ui(key);
    const { result, problem } = this.indexes.query(entry, ui.query, store);
    const window = result.window(entry.index.rows, ui.offset, ui.limit);
    return {
      query: ui.query,
      total: result.total,
      unfiltered: entry.index.rows.length,
      facets: result.facets(),
      offset: window.offset,
      rows: window.rows,
      selected: ui.selected === null ? null : readDetail(store, key, ui.selected),
      problem,
    };
  }
}

function readDetail(store: EventStore, key: string, position: number): EventDetail | null {
  const event = store.readAll({ from: position, to: position })[0];
  // Only events of this session: a position from the webview is untrusted input.
  return event === undefined || event.streamId !== key ? null : eventDetail(event);
}
