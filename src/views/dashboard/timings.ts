import { TIMINGS_ENV } from '../timings/host-timings';

// How long the dashboard's webview took to paint its first table and to filter and sort, as it
// reports them (only under $LOGBOOK_BENCH_TIMINGS=1, when the state asks for them). The first
// paint is counted from the command (openDashboard marks it) to the host receiving the report,
// so it includes the snapshot, the message and the webview's load. Read by a bench through
// `api.panels.dashboardTimings()`.

export interface DashboardTiming {
  readonly name: 'firstPaint' | 'allRows' | 'filter' | 'sort';
  /** For firstPaint and allRows: ms from the command on the host's clock; else as measured in the webview. */
  readonly ms: number;
  /** Rows shown after it. */
  readonly rows: number;
  /** For firstPaint: the part the webview spent, from the state's arrival to the painted frame. */
  readonly webviewMs?: number;
}

class DashboardTimings {
  readonly enabled = process.env[TIMINGS_ENV] === '1';
  readonly spans: DashboardTiming[] = [];
  private commandAt: number | undefined;

  commanded(): void {
    if (this.enabled) this.commandAt = performance.now();
  }

  record(name: DashboardTiming['name'], ms: number, rows: number): void {
    if (!this.enabled) return;
    if (name === 'filter' || name === 'sort') this.spans.push({ name, ms, rows });
    else if (this.commandAt !== undefined) {
      this.spans.push({ name, ms: performance.now() - this.commandAt, rows, webviewMs: ms });
      // The command's clock runs until every row is shown (a first paint of all rows is both).
      if (name === 'allRows') this.commandAt = undefined;
    }
  }
}

export const dashboardTimings = new DashboardTimings();
