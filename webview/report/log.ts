import { h, replaceChildren } from '../shared/dom';
import { emptyQuery } from '../../src/projections/event-log';
import type { EventQuery, EventRow, FacetName } from '../../src/projections/event-log';
import type { InsightFilter } from '../../src/projections/insights';
import { MAX_LOG_WINDOW } from '../../src/protocol/event-log';
import type { EventLogView } from '../../src/protocol/event-log';
import { codicon } from './codicon';
import { DetailView } from './detail';
import { FacetsView } from './facets';
import { formatClock, formatCount, kindClass, stateLabel } from './format';

// The event log tab: search, facets, a virtual list and the detail pane. The list holds a spacer
// as tall as all matching rows and draws only the window the host sent; scrolling asks for the
// window around what is visible. So 100k events scroll like 100.

export interface LogActions {
  query(query: EventQuery, offset: number, limit: number): void;
  window(offset: number, limit: number): void;
  select(position: number | null): void;
  /** The list scrolled (the first visible match changed). */
  scrolled(): void;
}

const ROW_H = 22;
const MARGIN_ROWS = 60;
const SEARCH_DEBOUNCE_MS = 250;

type TextField = HTMLElement & { value: string };

export class LogView {
  readonly element: HTMLElement;
  private readonly search: TextField;
  private readonly facets: FacetsView;
  private readonly summary: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly detail: DetailView;
  private readonly problem: HTMLElement;
  private view: EventLogView | undefined;
  private query: EventQuery = emptyQuery;
  private typing: number | undefined;
  private asked = '';
  private frame = 0;
  /** An offset to scroll to once the list is visible (restored after a reload). */
  private pendingOffset: number | null = null;
  /** The first visible match, as of the last time the list was visible. */
  private first = 0;

  constructor(private readonly actions: LogActions) {
    this.search = h('vscode-textfield', { 'data-testid': 'log-search', placeholder: 'Search events (words match by prefix)', 'aria-label': 'Search events', maxlength: 500 }, h('span', { slot: 'content-before', class: 'codicon codicon-search' })) as TextField;
    this.search.addEventListener('input', () => this.onType());
    this.search.addEventListener('change', () => this.onType());
    this.facets = new FacetsView((facet, value, on) => this.toggle(facet, value, on));
    this.summary = h('div', { class: 'log-summary', 'data-testid': 'log-count' });
    this.problem = h('div', { class: 'log-problem' });
    this.spacer = h('div', { class: 'log-spacer' });
    this.scroller = h('div', { class: 'log-scroll', 'data-testid': 'log-rows', tabindex: 0, role: 'listbox', 'aria-label': 'Events' }, this.spacer);
    this.scroller.addEventListener('scroll', () => this.schedule());
    // A hidden tab has no height: once shown, the visible window is checked again.
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
    this.scroller.addEventListener('keydown', (event) => this.onKey(event));
    this.detail = new DetailView(() => this.actions.select(null));
    this.element = h('section', { class: 'log', 'data-testid': 'event-log' },
      this.facets.element,
      h('div', { class: 'log-main' },
        h('div', { class: 'log-bar' }, this.search, this.summary),
        this.problem,
        h('div', { class: 'log-head', 'aria-hidden': 'true' }, ...['#', 'time', 'type', 'tool', 'state', 'workflow', 'outcome', 'summary'].map((c) => h('span', { class: `c-${c === '#' ? 'seq' : c}` }, c))),
        this.scroller),
      this.detail.element);
  }

  /** The query the view shows (the host's, unless the user is still typing). */
  current(): EventQuery {
    return this.query;
  }

  render(view: EventLogView): void {
    const queryChanged = JSON.stringify(view.query) !== JSON.stringify(this.view?.query);
    this.view = view;
    if (this.typing === undefined) {
      this.query = view.query;
      if (this.search.value !== view.query.text && document.activeElement !== this.search) this.search.value = view.query.text;
    }
    this.facets.render(view.facets, view.query);
    this.element.classList.toggle('no-workflow', view.facets.workflow.every((v) => v.value === ''));
    this.renderSummary(view);
    replaceChildren(this.problem, view.problem === null ? null : h('div', { class: 'error-banner' }, view.problem));
    this.spacer.style.height = `${view.total * ROW_H}px`;
    if (queryChanged && view.offset === 0) this.scroller.scrollTop = 0;
    this.drawRows(view);
    this.detail.render(view.selected);
    this.asked = '';
    this.schedule();
  }

  /** The first match in view (what a reload scrolls back to). */
  firstVisible(): number {
    return this.pendingOffset ?? this.first;
  }

  /** Scrolls to this match once the list shows (the position kept across a reload). */
  restoreOffset(offset: number): void {
    this.pendingOffset = offset > 0 ? offset : null;
  }

  /** Shows the events of a filter (an insight, a card): a fresh query, the first of them selected. */
  applyFilter(filter: InsightFilter): void {
    this.query = { ...emptyQuery, ...filter };
    this.search.value = '';
    this.ask(this.query);
    const first = filter.positions?.[0];
    if (first !== undefined) this.actions.select(first);
  }

  private ask(query: EventQuery): void {
    this.scroller.scrollTop = 0;
    this.actions.query(query, 0, this.windowSize());
  }

  private onType(): void {
    if (this.typing !== undefined) clearTimeout(this.typing);
    this.query = { ...this.query, text: this.search.value };
    this.typing = window.setTimeout(() => {
      this.typing = undefined;
      this.ask(this.query);
    }, SEARCH_DEBOUNCE_MS);
  }

  private toggle(facet: FacetName, value: string, on: boolean): void {
    const values = this.query[facet].filter((v) => v !== value);
    this.query = { ...this.query, [facet]: on ? [...values, value] : values };
    this.ask(this.query);
  }

  private renderSummary(view: EventLogView): void {
    const filtered = JSON.stringify({ ...view.query, text: view.query.text.trim() }) !== JSON.stringify(emptyQuery);
    this.summary.setAttribute('data-total', String(view.total));
    this.summary.setAttribute('data-unfiltered', String(view.unfiltered));
    replaceChildren(this.summary,
      h('span', {}, `${formatCount(view.total)} of ${formatCount(view.unfiltered)} events`),
      view.query.positions === null ? null : h('span', { class: 'chip', 'data-testid': 'log-positions-filter' }, `${formatCount(view.query.positions.length)} chosen events`),
      filtered ? h('a', { class: 'link', 'data-testid': 'log-clear', onclick: () => { this.search.value = ''; this.query = emptyQuery; this.ask(emptyQuery); } }, codicon('clear-all'), ' Clear filters') : null);
  }

  private drawRows(view: EventLogView): void {
    const selected = view.selected?.position ?? null;
    const rows = view.rows.map((row, i) => this.row(row, view.offset + i, row.position === selected));
    replaceChildren(this.spacer, ...rows, view.total === 0 ? h('div', { class: 'empty', 'data-testid': 'log-empty' }, 'No events match.') : null);
  }

  private row(row: EventRow, index: number, selected: boolean): HTMLElement {
    const element = h('div', {
      class: `log-row${selected ? ' selected' : ''}`, role: 'option', 'aria-selected': selected ? 'true' : 'false',
      'data-testid': 'event-row', 'data-position': row.position, 'data-seq': row.seq, 'data-type': row.type, 'data-tool': row.tool,
      'data-state': row.state, 'data-workflow': row.workflow, 'data-outcome': row.outcome, 'data-index': index,
      onclick: () => this.actions.select(row.position),
    },
    h('span', { class: 'c-seq' }, String(row.seq)),
    h('span', { class: 'c-time' }, formatClock(row.at)),
    h('span', { class: 'c-type' }, row.type),
    h('span', { class: 'c-tool' }, row.tool),
    h('span', { class: 'c-state' }, stateLabel(row.state)),
    h('span', { class: 'c-workflow' }, row.workflow),
    h('span', { class: `c-outcome ${kindClass(row.outcome)}` }, row.outcome === 'none' ? '' : row.outcome),
    h('span', { class: 'c-summary', 'data-testid': 'event-row-summary' }, row.summary));
    // Rows sit at their index in the full list (CSSOM, which the CSP allows; style attributes it does not).
    element.style.transform = `translateY(${index * ROW_H}px)`;
    return element;
  }

  private windowSize(): number {
    return Math.min(MAX_LOG_WINDOW, Math.ceil((this.scroller.clientHeight || 600) / ROW_H) + 2 * MARGIN_ROWS);
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.pendingOffset !== null && this.scroller.clientHeight > 0 && (this.view?.total ?? 0) > 0) {
        this.scroller.scrollTop = this.pendingOffset * ROW_H;
        this.pendingOffset = null;
      }
      const first = Math.floor(this.scroller.scrollTop / ROW_H);
      if (this.scroller.clientHeight > 0 && first !== this.first) {
        this.first = first;
        this.actions.scrolled();
      }
      this.ensureWindow();
    });
  }

  private ensureWindow(): void {
    const view = this.view;
    if (view === undefined || view.total === 0 || this.typing !== undefined) return;
    const first = Math.floor(this.scroller.scrollTop / ROW_H);
    const last = Math.min(view.total, first + Math.ceil((this.scroller.clientHeight || 600) / ROW_H) + 1);
    if (first >= view.offset && last <= view.offset + view.rows.length) return;
    const offset = Math.max(0, first - MARGIN_ROWS);
    const key = `${offset}`;
    if (key === this.asked) return;
    this.asked = key;
    this.actions.window(offset, this.windowSize());
  }

  private onKey(event: KeyboardEvent): void {
    const view = this.view;
    if (view === undefined || (event.key !== 'ArrowDown' && event.key !== 'ArrowUp')) return;
    event.preventDefault();
    const at = view.rows.findIndex((r) => r.position === view.selected?.position);
    const next = view.rows[at < 0 ? 0 : at + (event.key === 'ArrowDown' ? 1 : -1)];
    if (next !== undefined) this.actions.select(next.position);
  }
}
