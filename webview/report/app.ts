import { h, replaceChildren } from '../shared/dom';
import { emptyQuery } from '../../src/projections/event-log';
import type { Insight, InsightFilter } from '../../src/projections/insights';
import { REPORT_TABS } from '../../src/protocol/event-log';
import type { ReportTab, ReportUiState } from '../../src/protocol/event-log';
import type { ReportViewState } from '../../src/protocol/report';
import { codicon } from './codicon';
import { renderDiscuss } from './discuss';
import { formatCount, formatDateTime } from './format';
import type { PortHandlers, ReportPort } from './hosts';
import { renderInsights } from './insights';
import { LogView } from './log';
import { renderOverview } from './overview';
import { TimelineView } from './timeline';
import type { Range } from './timeline';

// The report's shell: header, tabs, and the sections drawn from each snapshot. The heavy sections
// (overview, timeline, insights, prompt) are redrawn only when the session changed (revision);
// the event log on every snapshot, since scrolling and searching produce one each.

const TAB_TITLES: Readonly<Record<ReportTab, string>> = { overview: 'Overview', timeline: 'Timeline', log: 'Event log', insights: 'Insights', discuss: 'Discuss with Claude' };

type Tabs = HTMLElement & { selectedIndex: number };

export function startReport(root: HTMLElement, connect: (handlers: PortHandlers) => ReportPort): void {
  const app = new ReportApp(root);
  const port = connect({ onState: (state) => app.show(state), onError: (message) => app.error(message) });
  app.attach(port);
}

class ReportApp {
  private port: ReportPort | undefined;
  private state: ReportViewState | undefined;
  private revision = -1;
  private tab: ReportTab = 'overview';
  private zoom: Range | null = null;
  private readonly header = h('header', { class: 'report-header' });
  private readonly banner = h('div', { class: 'banners' });
  private readonly errors = h('div', { class: 'errors', 'data-testid': 'report-errors' });
  private readonly panels = new Map<ReportTab, HTMLElement>(REPORT_TABS.map((t) => [t, h('vscode-tab-panel', { 'data-testid': `panel-${t}` })]));
  private readonly tabs: Tabs;
  private readonly log: LogView;
  private readonly timeline: TimelineView;

  constructor(private readonly root: HTMLElement) {
    this.log = new LogView({
      query: (query, offset, limit) => this.port?.query(query, offset, limit),
      window: (offset, limit) => this.port?.window(offset, limit),
      select: (position) => this.port?.select(position),
      scrolled: () => this.persist(),
    });
    this.timeline = new TimelineView({
      select: (position) => this.selectEvent(position),
      zoomed: (range) => { this.zoom = range; this.persist(); },
    });
    this.tabs = h('vscode-tabs', { 'data-testid': 'report-tabs' },
      ...REPORT_TABS.flatMap((t) => [h('vscode-tab-header', { slot: 'header', 'data-testid': `tab-${t}` }, TAB_TITLES[t]), this.panels.get(t) as HTMLElement])) as Tabs;
    this.tabs.addEventListener('vsc-tabs-select', (event) => {
      this.tab = REPORT_TABS[(event as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex] ?? 'overview';
      this.persist();
    });
    this.panels.get('log')?.appendChild(this.log.element);
    this.panels.get('timeline')?.appendChild(this.timeline.element);
    replaceChildren(this.root, h('div', { class: 'loading', 'data-testid': 'report-loading' }, h('vscode-progress-ring', {}), ' Reading the session…'));
  }

  attach(port: ReportPort): void {
    this.port = port;
    const restored = port.restored;
    if (restored === undefined) return;
    this.tab = REPORT_TABS.includes(restored.tab) ? restored.tab : 'overview';
    this.zoom = restored.zoom;
    this.timeline.setRange(restored.zoom, false);
    // The host may have restarted (a window reload): it learns the query and selection again.
    port.query({ ...emptyQuery, ...restored.query }, Math.max(0, restored.offset - 60), 200);
    this.log.restoreOffset(restored.offset);
    if (restored.selected !== null) port.select(restored.selected);
  }

  show(state: ReportViewState): void {
    const first = this.state === undefined;
    replaceChildren(this.errors);
    this.state = state;
    if (first) this.mount();
    if (state.revision !== this.revision) {
      this.revision = state.revision;
      this.drawSession(state);
    }
    this.log.render(state.log);
    this.persist();
  }

  /** A refusal or failure: shown until the next snapshot (which says the host is fine again). */
  error(message: string): void {
    this.errors.appendChild(h('div', { class: 'error-banner', 'data-testid': 'report-error', role: 'alert' }, message));
    if (this.state === undefined) replaceChildren(this.root, this.errors);
  }

  private mount(): void {
    replaceChildren(this.root, this.header, this.banner, this.errors, this.tabs);
    this.tabs.selectedIndex = REPORT_TABS.indexOf(this.tab);
  }

  private drawSession(state: ReportViewState): void {
    const r = state.report;
    replaceChildren(this.header,
      h('h1', {}, 'Session ', h('span', { class: 'mono', 'data-testid': 'report-session' }, state.key)),
      h('span', { class: `status-badge status-${r.status}`, 'data-testid': 'report-status' }, r.status),
      h('span', { class: 'muted' }, `as of ${formatDateTime(r.generatedAtMs)}`),
      this.port?.mode === 'live'
        ? h('vscode-button', { secondary: true, 'data-testid': 'export-html', title: 'Save this report as one HTML file', onclick: () => this.port?.exportHtml() }, codicon('export'), ' Export HTML')
        : h('span', { class: 'muted' }, 'Exported from Agent Logbook'));
    replaceChildren(this.banner,
      state.note === null ? null : h('div', { class: 'note', 'data-testid': 'report-note' }, codicon('info'), ' ', state.note),
      r.imported === null ? null : h('div', { class: 'note', 'data-testid': 'report-imported', 'data-value': String(r.imported.events) }, codicon('history'), ' ',
        `Imported from its transcript by "logbook import" (${formatCount(r.imported.events)} of ${formatCount(r.counts.events)} events): `, r.imported.lacks.join('; '), '.'));
    replaceChildren(this.panels.get('overview') as HTMLElement, renderOverview(state, { filter: (filter) => this.filter(filter) }));
    this.timeline.setModel(state.timeline, Object.keys(r.workflow.timePerStateMs));
    if (this.zoom !== null) this.timeline.setRange(this.zoom, false);
    replaceChildren(this.panels.get('insights') as HTMLElement, renderInsights(state.insights, (insight) => this.showInsight(insight)));
    const header = this.tabs.querySelector('[data-testid="tab-insights"]');
    if (header !== null) header.textContent = state.insights.length === 0 ? TAB_TITLES.insights : `${TAB_TITLES.insights} (${state.insights.length})`;
    replaceChildren(this.panels.get('discuss') as HTMLElement, renderDiscuss(state.prompt, {
      live: this.port?.mode === 'live',
      copy: async () => (await this.port?.copyPrompt(state.prompt)) ?? false,
      terminal: () => this.port?.sendToTerminal(),
    }));
  }

  private showInsight(insight: Insight): void {
    this.filter(insight.filter);
  }

  private filter(filter: InsightFilter): void {
    this.log.applyFilter(filter);
    this.openTab('log');
  }

  private selectEvent(position: number): void {
    this.port?.select(position);
    this.openTab('log');
  }

  private openTab(tab: ReportTab): void {
    this.tab = tab;
    this.tabs.selectedIndex = REPORT_TABS.indexOf(tab);
    this.persist();
  }

  private persist(): void {
    const state = this.state;
    if (state === undefined || this.port === undefined) return;
    const ui: ReportUiState = { tab: this.tab, query: this.log.current(), offset: this.log.firstVisible(), selected: state.log.selected?.position ?? null, zoom: this.zoom };
    this.port.persist(state.key, ui);
  }
}
