// Only the button: a smaller bundle parses sooner (the first paint).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import './style.css';
import { connect } from '../shared/channel';
import { h, replaceChildren } from '../shared/dom';
import { descendsFirst, EMPTY_FILTER, selectable, selectRows } from '../../src/protocol/dashboard-select';
import type { DashboardFilter, SelectableRow } from '../../src/protocol/dashboard-select';
import type { DashboardDelta, DashboardGroup, DashboardState, DashboardWebviewMessage } from '../../src/protocol/dashboard';
import { arrangeGroups } from '../../src/protocol/dashboard-groups';
import { visibleColumns } from './columns';
import type { Column } from './columns';
import { FilterBar } from './filters';
import { CompareButton } from './compare-button';
import { compareRequest, RowSelection } from './selection';
import { filterText } from './filter-text';
import { VirtualTable } from './table';
import { TrendsStrip } from './trends';

// The Sessions dashboard: every session of the window's workspaces in one virtualised table,
// filtered and sorted here (selectRows: the rules of `logbook sessions`), kept live by deltas.
// The filters are UI state, kept with vscode.setState (the rows are not: the host resends them).

interface Ui {
  readonly filter: DashboardFilter;
  /** The keys of the group rows expanded. */
  readonly expanded?: readonly string[];
}

const app = document.getElementById('app') as HTMLElement;
let state: DashboardState | undefined;
let all: SelectableRow[] = [];
let shown: SelectableRow[] = [];
let columns: Column[] = [];
/** Sessions that work together (issue 16): a row each over its members' rows. */
let groups: readonly DashboardGroup[] = [];
let painted = false;
/** False while the rows are a first page (the newest sessions): the rest is asked for once it shows. */
let complete = true;
let restAsked = false;
/** The rows whose prompts hold the free text's words, as the host found them (for `text`). */
let prompts: { readonly text: string; readonly keys: ReadonlySet<string> } | undefined;
let promptSearch: ReturnType<typeof setTimeout> | undefined;

const channel = connect<DashboardState, DashboardWebviewMessage, Ui, DashboardDelta>({
  onState: (next) => {
    state = next;
    complete = next.complete;
    restAsked = false;
    // A reloaded view with a free text kept: its prompt matches are asked for again.
    if (prompts === undefined && filter.text.trim() !== '') searchPromptsSoon(0);
    all = next.rows.map(selectable);
    groups = next.groups;
    const keys = new Set(next.rows.map((r) => r.key));
    selection.keep((key) => keys.has(key));
    columns = visibleColumns(next.workspaces.length);
    refresh();
  },
  onDelta: applyDelta,
  onError: (message) => app.prepend(h('div', { class: 'error-banner', 'data-testid': 'error' }, message)),
});

let filter: DashboardFilter = { ...EMPTY_FILTER, ...(channel.restored?.ui?.filter ?? {}) };
const expanded = new Set<string>(channel.restored?.ui?.expanded ?? []);
const count = h('span', { class: 'muted count', 'data-testid': 'dashboard-count', role: 'status' }, 'Loading sessions…');
const compareButton = new CompareButton(() => {
  const request = compareRequest(selection.selected(), shown.map((s) => s.view.key), all.length);
  if (request !== undefined) channel.post({ type: 'compare', keys: [...request.keys], cohort: request.cohort === 'all' ? 'all' : [...request.cohort] });
});
const selection = new RowSelection((keys) => {
  compareButton.show(keys.length);
  table.redraw();
});
const table = new VirtualTable({
  open: (row) => channel.post({ type: 'openReport', sessionId: row.row.sessionId }),
  toggle: (row) => selection.toggle(row.key),
  selected: (row) => selection.has(row.key),
  toggleGroup: (group, open) => {
    if (open ?? !expanded.has(group.key)) expanded.add(group.key);
    else expanded.delete(group.key);
    persist();
    drawTable();
  },
  groupAction: (group, action) => channel.post({ type: 'group', action, groupId: group.groupId, folder: group.folder }),
  sort: (field) => {
    const descending = filter.sort.field === field ? !filter.sort.descending : descendsFirst(field);
    change({ sort: { field, descending } }, 'sort');
  },
});
const bar = new FilterBar(() => filter, (partial) => change(partial, 'filter'));
// A bucket picked in the trends: its days become the date filter, so the table lists its sessions.
const trends = new TrendsStrip((from, to) => bar.setDates(from, to), (action, by) => channel.post({ type: 'trends/discuss', action, by, keys: shown.map((s) => s.view.key) }));
const exportButton = (format: 'csv' | 'json' | 'html'): HTMLElement => h('vscode-button', {
  secondary: true, 'data-export': format, 'data-testid': `dashboard-export-${format}`,
  title: format === 'html' ? 'Save the sessions shown and their trends as one self-contained web page' : `Save the sessions shown as ${format.toUpperCase()}`,
  onclick: () => channel.post({ type: 'export', format, keys: shown.map((s) => s.view.key), ...(format === 'html' ? { by: trends.period, selection: filterText(filter) } : {}) }),
}, `Export ${format.toUpperCase()}`);
// The sessions shown become the Patterns panel's cohort, contrasted with every other session.
const patternsButton = h('vscode-button', {
  secondary: true, 'data-testid': 'dashboard-patterns', title: 'Find what the sessions shown have in common, against the rest',
  onclick: () => channel.post({ type: 'patterns', keys: shown.map((s) => s.view.key) }),
}, 'Patterns');
const empty = h('div', { class: 'empty', 'data-testid': 'dashboard-empty', hidden: true });
replaceChildren(app,
  h('header', { class: 'dashboard-header' }, h('h1', {}, 'Sessions'), count, h('span', { class: 'spacer' }), compareButton.element, patternsButton, exportButton('csv'), exportButton('json'), exportButton('html')),
  bar.element, trends.element, empty, table.element);

function change(partial: Partial<DashboardFilter>, what: 'filter' | 'sort'): void {
  const started = performance.now();
  if (partial.text !== undefined && partial.text !== filter.text) searchPromptsSoon(250);
  filter = { ...filter, ...partial };
  persist();
  if (state === undefined) return;
  select();
  if (what === 'filter') table.scrollToTop();
  timing(what, started);
  drawTrendsSoon();
}

function persist(): void {
  channel.persist({ key: state?.key ?? 'all', ui: { filter, expanded: [...expanded] } });
}

function refresh(): void {
  const started = performance.now();
  // A first page shows only under the default filter and sort: under others, its newest sessions
  // would stand for rows they are not. Then the whole table is the first paint.
  if (!complete && JSON.stringify(filter) !== JSON.stringify(EMPTY_FILTER)) {
    count.textContent = `Loading ${(state?.total ?? 0).toLocaleString('en-US')} sessions…`;
    askRest();
    return;
  }
  select();
  if (painted) {
    bar.options(all);
    if (complete) allShown(started);
  } else {
    painted = true;
    persist();
    timing('firstPaint', started);
    if (complete) allShown(started);
    // The selects' options (a count per value over every row) can wait for the table to show.
    setTimeout(() => bar.options(all), 0);
  }
  drawTrendsSoon();
  // The rest once the first page is on screen.
  if (!complete) requestAnimationFrame(() => setTimeout(askRest, 0));
}

function askRest(): void {
  if (restAsked) return;
  restAsked = true;
  channel.post({ type: 'rest' });
}

/** Asks the host for the rows whose prompts hold the free text's words, once typing pauses. */
function searchPromptsSoon(delayMs: number): void {
  if (promptSearch !== undefined) clearTimeout(promptSearch);
  promptSearch = setTimeout(() => {
    promptSearch = undefined;
    if (filter.text.trim() === '') prompts = undefined;
    else channel.post({ type: 'searchPrompts', text: filter.text });
  }, delayMs);
}

function applyDelta(delta: DashboardDelta): void {
  if (delta.prompts !== undefined) {
    // An answer for a text since changed is dropped: another is on its way.
    if (delta.prompts.text !== filter.text) return;
    prompts = { text: delta.prompts.text, keys: new Set(delta.prompts.keys) };
    count.title = delta.prompts.indexed ? 'Free text matches titles, branches, workflows, ids and every prompt' : 'Free text matches titles, branches, workflows and ids: prompts are not indexed in this store yet';
    if (state !== undefined) {
      select();
      drawTrendsSoon();
    }
    return;
  }
  if (delta.groups !== undefined) groups = delta.groups;
  if (delta.rest === true) {
    // Every row as it is now: the first page and whatever deltas brought meanwhile are in it.
    all = delta.upsert.map(selectable);
    complete = true;
  } else {
    const removed = new Set([...delta.remove, ...delta.upsert.map((r) => r.key)]);
    all = all.filter((s) => !removed.has(s.view.key));
    for (const row of delta.upsert) all.push(selectable(row));
  }
  const keys = new Set(all.map((s) => s.view.key));
  selection.keep((key) => keys.has(key));
  refresh();
}

function select(): void {
  shown = selectRows(all, filter, Date.now(), prompts !== undefined && prompts.text === filter.text ? prompts.keys : undefined);
  const total = all.length;
  count.textContent = complete
    ? `${shown.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} session${total === 1 ? '' : 's'}`
    : `The newest ${shown.length.toLocaleString('en-US')} of ${(state?.total ?? total).toLocaleString('en-US')} sessions (loading the rest…)`;
  count.setAttribute('data-shown', String(shown.length));
  count.setAttribute('data-total', String(total));
  count.setAttribute('data-complete', String(complete));
  // An export or a trend of a first page would leave sessions out: both wait for every row.
  for (const button of document.querySelectorAll('[data-export]')) button.toggleAttribute('disabled', !complete);
  empty.hidden = shown.length > 0;
  empty.textContent = total === 0 ? 'No sessions recorded yet: sessions of Claude Code in this window\'s folders show up here live.' : 'No session matches the filters.';
  drawTable();
}

/** The table: the sessions shown, each group's members folded into its row (expanded: listed under it). */
function drawTable(): void {
  table.show(arrangeGroups(shown.map((s) => s.view), groups, expanded), columns, filter.sort);
}

// The trends follow the table, after it paints: the table is what a filter must show at once.
let trendsFrame: number | undefined;
function drawTrendsSoon(): void {
  if (trendsFrame !== undefined) return;
  trendsFrame = requestAnimationFrame(() => setTimeout(() => {
    trendsFrame = undefined;
    if (complete) trends.show(shown);
  }, 0));
}

let benched = false;
function allShown(started: number): void {
  timing('allRows', started);
  if (state?.timings !== true || benched) return;
  benched = true;
  // Under the bench: a sort and a filter the way a click and a keystroke make them (change()), each
  // timed to its painted frame, then the filter as it was.
  const before = filter;
  const steps: (() => void)[] = [
    () => change({ sort: { field: 'cost', descending: true } }, 'sort'),
    () => change({ sort: before.sort }, 'sort'),
    () => change({ text: 'e' }, 'filter'),
    () => change({ text: before.text }, 'filter'),
  ];
  steps.forEach((step, i) => setTimeout(step, 500 * (i + 1)));
}

/** Under the bench ($LOGBOOK_BENCH_TIMINGS=1): how long until the frame after the change was painted. */
function timing(name: 'firstPaint' | 'allRows' | 'filter' | 'sort', started: number): void {
  if (state?.timings !== true) return;
  const rows = shown.length;
  requestAnimationFrame(() => setTimeout(() => channel.post({ type: 'timing', name, ms: performance.now() - started, rows }), 0));
}
