import { h, replaceChildren } from '../shared/dom';
import type { EventDetail } from '../../src/protocol/event-log';
import { codicon } from './codicon';

// The event log's detail pane: the selected event's envelope and its data and metadata as JSON
// text. Every value is set as text: a payload holding markup shows that markup, never runs it.

export class DetailView {
  readonly element: HTMLElement;

  constructor(private readonly close: () => void) {
    this.element = h('aside', { class: 'detail', 'data-testid': 'event-detail', 'aria-label': 'Event detail' });
    this.render(null);
  }

  render(detail: EventDetail | null): void {
    this.element.setAttribute('data-position', detail === null ? '' : String(detail.position));
    if (detail === null) {
      replaceChildren(this.element, h('div', { class: 'empty' }, 'Select an event to see its envelope and payload.'));
      return;
    }
    const envelope: [string, string][] = [
      ['type', detail.type], ['stream position', String(detail.streamPosition)], ['global position', String(detail.position)],
      ['event id', detail.eventId], ['session', detail.streamId], ['recorded at', detail.recordedAt], ['schema version', String(detail.schemaVersion)],
      ['correlation id', detail.correlationId ?? '–'], ['causation id', detail.causationId ?? '–'],
    ];
    replaceChildren(this.element,
      h('div', { class: 'detail-head' },
        h('h3', {}, `#${detail.streamPosition} ${detail.type}`),
        h('vscode-button', { secondary: true, 'data-testid': 'event-detail-close', title: 'Close', 'aria-label': 'Close detail', onclick: () => this.close() }, codicon('close'))),
      h('table', { class: 'grid envelope', 'data-testid': 'event-detail-envelope' },
        h('tbody', {}, ...envelope.map(([name, value]) => h('tr', {}, h('th', {}, name), h('td', { class: 'mono' }, value))))),
      h('h3', {}, 'data'),
      h('pre', { 'data-testid': 'event-detail-data' }, detail.data),
      h('h3', {}, 'metadata'),
      h('pre', { 'data-testid': 'event-detail-metadata' }, detail.metadata),
      detail.truncated ? h('p', { class: 'muted' }, 'Cut for display; "logbook events --json" prints the whole event.') : null);
  }
}
