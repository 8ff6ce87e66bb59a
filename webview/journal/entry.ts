import { h } from '../shared/dom';
import type { JournalEntryView, JournalFileView } from '../../src/protocol/journal';

// One journal entry. Text, tags, states and paths are agent-written: they go in as text only.

export interface EntryActions {
  openReport(sessionId: string): void;
  openFile(sessionId: string, file: JournalFileView): void;
  filterSession(sessionId: string): void;
  filterTag(tag: string): void;
}

export function drawEntry(entry: JournalEntryView, actions: EntryActions): HTMLElement {
  const when = entry.at === null ? 'time unknown' : new Date(entry.at).toLocaleString();
  const meta = h('div', { class: 'entry-meta' },
    h('span', { class: 'mono', 'data-testid': 'journal-entry-time', title: entry.at === null ? '' : new Date(entry.at).toISOString() }, when),
    h('a', { class: 'link mono', 'data-testid': 'journal-entry-session', title: `Show only session ${entry.sessionId}`, onclick: () => actions.filterSession(entry.sessionId) }, entry.sessionId.slice(0, 8)),
    h('span', { class: 'muted' }, entry.workspace),
    entry.state === '' ? null : h('span', { class: 'state-badge', 'data-testid': 'journal-entry-state' }, entry.state),
    h('span', { class: 'muted', 'data-testid': 'journal-entry-iteration' }, `iteration ${entry.iteration}`),
    h('a', { class: 'link report-link', 'data-testid': 'journal-open-report', onclick: () => actions.openReport(entry.sessionId) },
      h('span', { class: 'codicon codicon-graph' }), ' Report'));
  const tags = entry.tags.length === 0 ? null : h('div', { class: 'entry-tags' },
    ...entry.tags.map((tag) => h('a', { class: 'tag', 'data-testid': 'journal-tag', title: `Show only #${tag}`, onclick: () => actions.filterTag(tag) }, `#${tag}`)));
  const files = entry.files.length === 0 ? null : h('div', { class: 'entry-files' },
    ...entry.files.map((file) => h('a', {
      class: 'link mono file-link', 'data-testid': 'journal-file', 'data-path': file.path, 'data-line': file.line ?? '',
      title: `Open ${file.path}${file.line === null ? '' : ` at line ${file.line}`}`, onclick: () => actions.openFile(entry.sessionId, file),
    }, h('span', { class: 'codicon codicon-go-to-file' }), ` ${file.path}${file.line === null ? '' : `:${file.line}`}`)));
  return h('article', {
    class: 'entry', 'data-testid': 'journal-entry', 'data-session': entry.sessionId, 'data-state': entry.state,
    'data-tags': entry.tags.join(' '), 'data-at': entry.at ?? '',
  }, meta, tags, h('div', { class: 'entry-text', 'data-testid': 'journal-entry-text' }, entry.text), files);
}
