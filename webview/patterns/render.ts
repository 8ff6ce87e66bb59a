import { h } from '../shared/dom';
import { formatDuration } from '../shared/duration';
import type { PatternsView } from '../../src/protocol/patterns-view';

// The result of a contrast as tables: the findings ranked (support as "12 of 40 (30%)", the
// rest's share, lift, example sessions as links to their reports), the median time per state
// cohort against rest, and the single-session insight rules counted across sessions. Every value
// and title came from sessions: text only.

/** Opens a session's report. */
export type OpenSession = (sessionId: string) => void;

const EXAMPLES = 3;

export function renderResult(view: PatternsView, open: OpenSession): HTMLElement {
  const { result } = view;
  const size = result.cohort.sessions.length;
  const rest = result.rest.sessions;
  const head = h('p', { class: 'cohort-line', 'data-testid': 'patterns-cohort', 'data-size': size, 'data-rest': rest },
    h('strong', {}, view.label), `: ${count(size)} session${size === 1 ? '' : 's'} in the cohort, against ${count(rest)} other${rest === 1 ? '' : 's'}`);
  if (size === 0) return h('section', {}, head, h('p', { class: 'muted', 'data-testid': 'patterns-empty' }, 'No session is in this cohort: nothing to contrast.'));
  return h('section', {}, head,
    h('h2', {}, 'What the cohort shares'),
    h('p', { class: 'muted' }, 'Ranked by lift: how many times more common a trait is in the cohort than in the rest (the rest smoothed by one session). A trait needs 2 cohort sessions or more.'),
    findings(view, open),
    h('h2', {}, 'Median time per state'),
    stateTimes(view),
    result.insights.length === 0 ? null : h('h2', {}, 'Single-session insights, counted across sessions'),
    result.insights.length === 0 ? null : insights(view, open));
}

function findings(view: PatternsView, open: OpenSession): HTMLElement {
  const { result } = view;
  const size = result.cohort.sessions.length;
  if (result.findings.length === 0) return h('p', { class: 'muted', 'data-testid': 'patterns-no-findings' }, 'Nothing is shared by 2 cohort sessions or more.');
  return table(['#', 'kind', 'value', 'cohort', 'rest', 'lift', 'e.g.'], result.findings.map((f, i) => h('tr', {
    'data-testid': 'patterns-finding', 'data-kind': f.kind, 'data-value': f.value, 'data-cohort': f.cohortCount, 'data-lift': f.lift.toFixed(3),
  },
  h('td', { class: 'num muted' }, String(i + 1)),
  h('td', { class: 'kind' }, f.kind.replace(/-/g, ' ')),
  h('td', { class: 'value', dir: 'auto', title: f.value }, f.value),
  h('td', { class: 'num' }, share(f.cohortCount, size)),
  h('td', { class: 'num' }, share(f.restCount, result.rest.sessions)),
  h('td', { class: 'num' }, `${f.lift.toFixed(1)}×`),
  h('td', { class: 'examples' }, ...examples(f.examples, view, open)))), 'patterns-findings');
}

function stateTimes(view: PatternsView): HTMLElement {
  const times = view.result.stateTimes;
  if (times.length === 0) return h('p', { class: 'muted' }, 'No time in any state.');
  return table(['state', 'cohort', 'rest', 'ratio'], times.slice(0, 16).map((t) => h('tr', { 'data-testid': 'patterns-state', 'data-state': t.state },
    h('td', { dir: 'auto' }, `${t.workflow ? 'workflow ' : ''}${t.state.replace(/_/g, ' ')}`),
    h('td', { class: 'num' }, formatDuration(t.cohortMedianMs)),
    h('td', { class: 'num' }, formatDuration(t.restMedianMs)),
    h('td', { class: 'num' }, t.ratio === null ? '—' : `${t.ratio.toFixed(2)}×`))), 'patterns-states');
}

function insights(view: PatternsView, open: OpenSession): HTMLElement {
  const { result } = view;
  return table(['rule', 'cohort', 'rest', 'e.g.'], result.insights.map((i) => h('tr', { 'data-testid': 'patterns-insight', 'data-rule': i.rule },
    h('td', {}, i.rule.replace(/-/g, ' ')),
    h('td', { class: 'num' }, share(i.cohort, result.cohort.sessions.length)),
    h('td', { class: 'num' }, share(i.rest, result.rest.sessions)),
    h('td', { class: 'examples' }, ...examples(i.examples, view, open)))), 'patterns-insights');
}

function examples(ids: readonly string[], view: PatternsView, open: OpenSession): HTMLElement[] {
  return ids.slice(0, EXAMPLES).map((id) => {
    const title = Object.hasOwn(view.titles, id) ? view.titles[id] ?? null : null;
    return h('a', {
      href: '#', class: 'example', dir: 'auto', 'data-testid': 'patterns-example', 'data-session': id,
      title: `${title ?? 'untitled'} (${id}): open its report`,
      onclick: (event: Event) => {
        event.preventDefault();
        open(id);
      },
    }, shorten(title ?? id.slice(0, 8)));
  });
}

function table(head: readonly string[], rows: readonly HTMLElement[], testid: string): HTMLElement {
  return h('table', { class: 'patterns-table', 'data-testid': testid },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows));
}

/** "12 of 40 (30%)". */
export function share(part: number, whole: number): string {
  return `${count(part)} of ${count(whole)} (${whole === 0 ? 0 : Math.round((part / whole) * 100)}%)`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 39)}…` : flat;
}
