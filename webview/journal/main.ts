import '../shared/elements';
import './style.css';
import { connect } from '../shared/channel';
import { h, replaceChildren } from '../shared/dom';
import { filterJournal } from '../../src/protocol/journal';
import type { JournalFilter, JournalViewState, JournalWebviewMessage } from '../../src/protocol/journal';
import { drawEntry } from './entry';
import type { EntryActions } from './entry';

// The journal browser: filters (session, tag, text) over the whole journal the host sends, newest
// first. The filters are UI state, kept with the snapshot so a reloaded panel comes back as it was.

const PAGE = 300;
const app = document.getElementById('app') as HTMLElement;
let state: JournalViewState | undefined;
let filter: JournalFilter | undefined;
let limit = PAGE;

const channel = connect<JournalViewState, JournalWebviewMessage, JournalFilter>({
  onState: (next) => {
    state = next;
    filter ??= { session: next.initialSession, tag: null, text: '' };
    save();
    render();
  },
  onError: (message) => app.prepend(h('div', { class: 'error-banner', 'data-testid': 'error' }, message)),
});

if (channel.restored !== undefined) {
  state = channel.restored.snapshot;
  filter = channel.restored.ui ?? filter;
  if (state !== undefined) render();
}

const actions: EntryActions = {
  openReport: (sessionId) => channel.post({ type: 'openReport', sessionId }),
  openFile: (sessionId, file) => channel.post(file.line === null ? { type: 'openFile', sessionId, path: file.path } : { type: 'openFile', sessionId, path: file.path, line: file.line }),
  filterSession: (session) => setFilter({ session }),
  filterTag: (tag) => setFilter({ tag }),
};

function save(): void {
  if (state !== undefined) channel.persist({ key: state.key, snapshot: state, ...(filter === undefined ? {} : { ui: filter }) });
}

function setFilter(change: Partial<JournalFilter>): void {
  filter = { ...(filter ?? { session: null, tag: null, text: '' }), ...change };
  limit = PAGE;
  save();
  renderList();
}

function render(): void {
  if (state === undefined) return;
  replaceChildren(app,
    h('header', { class: 'journal-header' }, h('h1', {}, 'Journal'), h('span', { class: 'muted', 'data-testid': 'journal-count' })),
    filters(state),
    h('div', { id: 'entries', class: 'entries', 'data-testid': 'journal-entries' }));
  renderList();
}

function filters(s: JournalViewState): HTMLElement {
  const f = filter ?? { session: null, tag: null, text: '' };
  const session = h('select', { 'data-testid': 'journal-filter-session', 'aria-label': 'Session', onchange: (e: Event) => setFilter({ session: (e.target as HTMLSelectElement).value || null }) },
    h('option', { value: '' }, 'All sessions'),
    ...s.sessions.map((x) => h('option', { value: x.sessionId, selected: x.sessionId === f.session }, `${x.sessionId.slice(0, 8)} · ${x.workspace} · ${x.entries}`)));
  // A session filter for a session with no entries (yet) must still show as chosen.
  if (f.session !== null && !s.sessions.some((x) => x.sessionId === f.session)) session.appendChild(h('option', { value: f.session, selected: true }, `${f.session.slice(0, 8)} · no entries`));
  const tag = h('select', { 'data-testid': 'journal-filter-tag', 'aria-label': 'Tag', onchange: (e: Event) => setFilter({ tag: (e.target as HTMLSelectElement).value || null }) },
    h('option', { value: '' }, 'All tags'),
    ...s.tags.map((t) => h('option', { value: t, selected: t === f.tag }, `#${t}`)));
  if (f.tag !== null && !s.tags.includes(f.tag)) tag.appendChild(h('option', { value: f.tag, selected: true }, `#${f.tag}`));
  const text = h('input', { type: 'search', placeholder: 'Filter text', 'data-testid': 'journal-filter-text', 'aria-label': 'Filter text', value: f.text,
    oninput: (e: Event) => setFilter({ text: (e.target as HTMLInputElement).value }) });
  const clear = h('vscode-button', { secondary: true, 'data-testid': 'journal-filter-clear', onclick: () => { setFilter({ session: null, tag: null, text: '' }); render(); } }, 'Clear filters');
  return h('div', { class: 'filters', role: 'search' }, session, tag, text, clear);
}

function renderList(): void {
  const list = document.getElementById('entries');
  const count = app.querySelector('[data-testid="journal-count"]');
  if (state === undefined || list === null) return;
  syncSelects();
  const shown = filterJournal(state.entries, filter ?? { session: null, tag: null, text: '' });
  const capped = state.total > state.entries.length ? ` (the newest ${state.entries.length} of ${state.total} loaded)` : '';
  if (count !== null) count.textContent = `${shown.length} of ${state.entries.length} entries${capped}`;
  list.setAttribute('data-count', String(shown.length));
  if (state.entries.length === 0) {
    replaceChildren(list, h('div', { class: 'empty', 'data-testid': 'journal-empty' }, 'No journal entries yet. Agents write them with `logbook journal` or the journal_write MCP tool.'));
    return;
  }
  if (shown.length === 0) {
    replaceChildren(list, h('div', { class: 'empty', 'data-testid': 'journal-empty' }, 'No entry matches the filters.'));
    return;
  }
  replaceChildren(list, ...shown.slice(0, limit).map((entry) => drawEntry(entry, actions)),
    shown.length > limit ? h('vscode-button', { secondary: true, 'data-testid': 'journal-more', onclick: () => { limit += PAGE; renderList(); } }, `Show ${Math.min(PAGE, shown.length - limit)} more`) : null);
}

// Filters set by clicking a tag or a session in an entry show in the selects too.
function syncSelects(): void {
  const f = filter ?? { session: null, tag: null, text: '' };
  const session = app.querySelector<HTMLSelectElement>('[data-testid="journal-filter-session"]');
  const tag = app.querySelector<HTMLSelectElement>('[data-testid="journal-filter-tag"]');
  if (session !== null && session.value !== (f.session ?? '')) {
    if (![...session.options].some((o) => o.value === f.session)) session.appendChild(h('option', { value: f.session ?? '' }, (f.session ?? '').slice(0, 8)));
    session.value = f.session ?? '';
  }
  if (tag !== null && tag.value !== (f.tag ?? '')) {
    if (![...tag.options].some((o) => o.value === f.tag)) tag.appendChild(h('option', { value: f.tag ?? '' }, `#${f.tag ?? ''}`));
    tag.value = f.tag ?? '';
  }
}
