// Only the button: a smaller bundle parses sooner (the first paint).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import './style.css';
import { connect } from '../shared/channel';
import { h, replaceChildren } from '../shared/dom';
import { descendsFirst, EMPTY_FILTER, selectable, selectRows } from '../../src/protocol/dashboard-select';
import type { DashboardFilter, SelectableRow } from '../../src/protocol/dashboard-select';
import type { DashboardDelta, DashboardState, DashboardWebviewMessage } from '../../src/protocol/dashboard';
import { visibleColumns } from './columns';
import type { Column } from './columns';
import { FilterBar } from './filters';
import { VirtualTable } from './table';
import { TrendsStrip } from './trends';

// The Sessions dashboard: every session of the window's workspaces in one virtualised table,
// filtered and sorted here (selectRows: the rules of `logbook sessions`), kept live by deltas.
// The filters are UI state, kept with vscode.setState (the rows are not: the host resends them).

interface Ui {
  readonly filter: DashboardFilter;
}

const app = document.getElementById('app') as HTMLElement;
let state: DashboardState | undefined;
let all: SelectableRow[] = [];
let shown: SelectableRow[] = [];
let columns: Column[] = [];
let painted = false;

const channel = connect<DashboardState, DashboardWebviewMessage, Ui, DashboardDelta>({
  onState: (next) => {
    state = next;
    all = next.rows.map(selectable);
    columns = visibleColumns(next.workspaces.length);
    refresh();
  },
  onDelta: applyDelta,
  onError: (message) => app.prepend(h('div', { class: 'error-banner', 'data-testid': 'error' }, message)),
});

let filter: DashboardFilter = { ...EMPTY_FILTER, ...(channel.restored?.ui?.filter ?? {}) };
const count = h('span', { class: 'muted count', 'data-testid': 'dashboard-count', role: 'status' }, 'Loading sessions…');
const table = new VirtualTable({
  open: (row) => channel.post({ type: 'openReport', sessionId: row.row.sessionId }),
  sort: (field) => {
    const descending = filter.sort.field === field ? !filter.sort.descending : descendsFirst(field);
    change({ sort: { field, descending } }, 'sort');
  },
});
const bar = new FilterBar(() => filter, (partial) => change(partial, 'filter'));
// A bucket picked in the trends: its days become the date filter, so the table lists its sessions.
const trends = new TrendsStrip((from, to) => bar.setDates(from, to), (action, by) => channel.post({ type: 'trends/discuss', action, by, keys: shown.map((s) => s.view.key) }));
const exportButton = (format: 'csv' | 'json'): HTMLElement => h('vscode-button', {
  secondary: true, 'data-testid': `dashboard-export-${format}`, title: `Save the sessions shown as ${format.toUpperCase()}`,
  onclick: () => channel.post({ type: 'export', format, keys: shown.map((s) => s.view.key) }),
}, `Export ${format.toUpperCase()}`);
// The sessions shown become the Patterns panel's cohort, contrasted with every other session.
const patternsButton = h('vscode-button', {
  secondary: true, 'data-testid': 'dashboard-patterns', title: 'Find what the sessions shown have in common, against the rest',
  onclick: () => channel.post({ type: 'patterns', keys: shown.map((s) => s.view.key) }),
}, 'Patterns');
const empty = h('div', { class: 'empty', 'data-testid': 'dashboard-empty', hidden: true });
replaceChildren(app,
  h('header', { class: 'dashboard-header' }, h('h1', {}, 'Sessions'), count, h('span', { class: 'spacer' }), patternsButton, exportButton('csv'), exportButton('json')),
  bar.element, trends.element, empty, table.element);

function change(partial: Partial<DashboardFilter>, what: 'filter' | 'sort'): void {
  const started = performance.now();
  filter = { ...filter, ...partial };
  persist();
  if (state === undefined) return;
  select();
  if (what === 'filter') table.scrollToTop();
  timing(what, started);
}

function persist(): void {
  channel.persist({ key: state?.key ?? 'all', ui: { filter } });
}

function refresh(): void {
  const started = performance.now();
  select();
  if (painted) {
    bar.options(all);
    return;
  }
  painted = true;
  persist();
  timing('firstPaint', started);
  // The selects' options (a count per value over every row) can wait for the table to show.
  setTimeout(() => bar.options(all), 0);
}

function applyDelta(delta: DashboardDelta): void {
  const removed = new Set([...delta.remove, ...delta.upsert.map((r) => r.key)]);
  all = all.filter((s) => !removed.has(s.view.key));
  for (const row of delta.upsert) all.push(selectable(row));
  refresh();
}

function select(): void {
  shown = selectRows(all, filter);
  const total = all.length;
  count.textContent = `${shown.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} session${total === 1 ? '' : 's'}`;
  count.setAttribute('data-shown', String(shown.length));
  count.setAttribute('data-total', String(total));
  empty.hidden = shown.length > 0;
  empty.textContent = total === 0 ? 'No sessions recorded yet: sessions of Claude Code in this window\'s folders show up here live.' : 'No session matches the filters.';
  table.show(shown.map((s) => s.view), columns, filter.sort);
  drawTrendsSoon();
}

// The trends follow the table, after it paints: the table is what a filter must show at once.
let trendsFrame: number | undefined;
function drawTrendsSoon(): void {
  if (trendsFrame !== undefined) return;
  trendsFrame = requestAnimationFrame(() => setTimeout(() => {
    trendsFrame = undefined;
    trends.show(shown);
  }, 0));
}

/** Under the bench ($LOGBOOK_BENCH_TIMINGS=1): how long until the frame after the change was painted. */
function timing(name: 'firstPaint' | 'filter' | 'sort', started: number): void {
  if (state?.timings !== true) return;
  const rows = shown.length;
  requestAnimationFrame(() => setTimeout(() => channel.post({ type: 'timing', name, ms: performance.now() - started, rows }), 0));
}
