import { h } from '../shared/dom';
import type { StateEventsView } from '../../src/protocol/state-machine';

// The events spent in the selected state, as the host listed them (the newest, capped).

export function drawEventsList(selection: StateEventsView, onClose: () => void): HTMLElement {
  const name = selection.state ?? 'before the workflow';
  const shown = selection.events.length;
  const heading = h('div', { class: 'events-heading' },
    h('h2', { 'data-testid': 'state-events-title' }, `Events in ${name}`),
    h('span', { class: 'muted', 'data-testid': 'state-events-count', 'data-total': selection.total },
      shown < selection.total ? `the latest ${shown} of ${selection.total}` : `${selection.total} event${selection.total === 1 ? '' : 's'}`),
    h('vscode-button', { secondary: true, 'data-testid': 'state-events-close', onclick: () => onClose() }, 'Close'));
  const body = selection.events.length === 0
    ? h('div', { class: 'empty' }, 'No events happened in this state.')
    : h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'time'), h('th', {}, 'event'), h('th', {}, 'what'))),
      h('tbody', {}, ...selection.events.map((event) => h('tr', { 'data-testid': 'state-event', 'data-type': event.type, 'data-position': event.position },
        h('td', { class: 'mono muted' }, event.streamPosition),
        h('td', { class: 'mono' }, event.at === null ? '–' : new Date(event.at).toLocaleTimeString()),
        h('td', {}, event.type),
        h('td', { class: 'summary' }, event.summary)))));
  return h('section', { class: 'state-events', 'data-testid': 'state-events', 'data-machine': selection.machine, 'data-state': selection.state ?? '' }, heading, body);
}
