import type * as vscode from 'vscode';
import type { PanelName } from '../commands/context';
import { comparePanelSpec } from './compare/spec';
import { dashboardPanelSpec } from './dashboard/spec';
import { loadGroupTimeline } from './groups/group-source';
import { GroupTimelinePanels } from './groups/timeline-panel';
import { dashboardTimings } from './dashboard/timings';
import type { DashboardTiming } from './dashboard/timings';
import { journalPanelSpec } from './journal/spec';
import { PanelManager } from './panel-manager';
import { patternsPanelSpec } from './patterns/spec';
import { reportPanelSpec } from './report/spec';
import type { LogbookViews } from './services';
import { stateMachinePanelSpec } from './state-machine/spec';

/** The extension's webview panels, one manager per kind. */
export class Panels implements vscode.Disposable {
  private readonly managers: Readonly<Record<PanelName, { show(key: string): void; openKeys(): string[]; dispose(): void }>>;

  constructor(views: LogbookViews) {
    this.managers = {
      report: new PanelManager(reportPanelSpec, views), stateMachine: new PanelManager(stateMachinePanelSpec, views), journal: new PanelManager(journalPanelSpec, views),
      dashboard: new PanelManager(dashboardPanelSpec, views), compare: new PanelManager(comparePanelSpec, views), patterns: new PanelManager(patternsPanelSpec, views),
      // A panel revived after a reload asks before the store was first read: wait for that.
      groupTimeline: new GroupTimelinePanels(views, async (groupId) => {
        await views.settled();
        return loadGroupTimeline(views, groupId);
      }),
    };
  }

  show(panel: PanelName, key: string): void {
    this.managers[panel].show(key);
  }

  /** Keys of the open panels of one kind (tests). */
  openKeys(panel: PanelName): string[] {
    return this.managers[panel].openKeys();
  }

  /** What the dashboard's webview reported ($LOGBOOK_BENCH_TIMINGS=1; empty otherwise). */
  dashboardTimings(): readonly DashboardTiming[] {
    return dashboardTimings.spans;
  }

  dispose(): void {
    for (const manager of Object.values(this.managers)) manager.dispose();
  }
}
