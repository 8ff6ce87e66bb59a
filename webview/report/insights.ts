import { h } from '../shared/dom';
import type { Insight } from '../../src/projections/insights';
import { codicon } from './codicon';

// The insights tab: what the rules found, worst first. "Show events" selects the events an
// insight refers to in the log.

const ICONS: Readonly<Record<Insight['severity'], string>> = { error: 'error', warning: 'warning', info: 'info' };

export function renderInsights(insights: readonly Insight[], show: (insight: Insight) => void): HTMLElement {
  if (insights.length === 0) {
    return h('section', { class: 'insights', 'data-testid': 'insights' }, h('p', { class: 'empty', 'data-testid': 'insights-empty' }, 'No anomalies found: no rule fired for this session.'));
  }
  return h('section', { class: 'insights', 'data-testid': 'insights' },
    ...insights.map((insight) => h('article', { class: `insight sev-${insight.severity}`, 'data-testid': 'insight', 'data-rule': insight.rule, 'data-severity': insight.severity, 'data-id': insight.id },
      h('div', { class: 'insight-head' }, codicon(ICONS[insight.severity], insight.severity), h('strong', {}, insight.title)),
      h('p', {}, insight.text),
      Object.keys(insight.filter).length === 0 ? null
        : h('a', { class: 'link', 'data-testid': 'insight-show', onclick: () => show(insight) }, codicon('list-filter'), ' Show events in the log'))));
}
