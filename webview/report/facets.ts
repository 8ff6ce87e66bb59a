import { h, replaceChildren } from '../shared/dom';
import { FACETS } from '../../src/projections/event-log';
import type { FacetCounts, FacetName } from '../../src/projections/event-log';
import { formatCount, stateLabel } from './format';

// The event log's facets: per facet a list of checkboxes "value (count)". Values within a facet are
// OR'ed, facets AND'ed; counts come from the host (or the exported page's own query). The lists are
// updated in place while their values stay the same, so a click does not lose focus.

const TITLES: Readonly<Record<FacetName, string>> = { type: 'Type', tool: 'Tool', state: 'Lifecycle state', workflow: 'Workflow state', outcome: 'Outcome' };
const SHOWN = 12;

type Checkbox = HTMLElement & { checked: boolean };

interface FacetList {
  readonly element: HTMLElement;
  readonly list: HTMLElement;
  signature: string;
  readonly boxes: Map<string, Checkbox>;
  expanded: boolean;
}

export class FacetsView {
  readonly element: HTMLElement;
  private readonly lists = new Map<FacetName, FacetList>();
  private counts: FacetCounts | undefined;
  private chosen: Readonly<Record<FacetName, readonly string[]>> | undefined;

  constructor(private readonly toggle: (facet: FacetName, value: string, on: boolean) => void) {
    this.element = h('nav', { class: 'facets', 'data-testid': 'log-facets', 'aria-label': 'Facets' });
    for (const facet of FACETS) {
      const list = h('div', { class: 'facet-values', role: 'group', 'aria-label': TITLES[facet] });
      const element = h('div', { class: 'facet', 'data-testid': `facet-${facet}`, 'data-facet': facet }, h('h3', {}, TITLES[facet]), list);
      this.lists.set(facet, { element, list, signature: '', boxes: new Map(), expanded: false });
      this.element.appendChild(element);
    }
  }

  render(counts: FacetCounts, chosen: Readonly<Record<FacetName, readonly string[]>>): void {
    this.counts = counts;
    this.chosen = chosen;
    for (const facet of FACETS) this.renderFacet(facet);
  }

  private renderFacet(facet: FacetName): void {
    const state = this.lists.get(facet);
    if (state === undefined || this.counts === undefined || this.chosen === undefined) return;
    const chosen = new Set(this.chosen[facet]);
    const all = this.counts[facet];
    // Chosen values always show, even past the cut.
    const values = state.expanded ? all : all.filter((v, i) => i < SHOWN || chosen.has(v.value));
    const signature = JSON.stringify([state.expanded, values.map((v) => v.value)]);
    if (signature !== state.signature) {
      state.signature = signature;
      state.boxes.clear();
      const boxes = values.map((v) => {
        const box = h('vscode-checkbox', { 'data-testid': 'facet-option', 'data-facet': facet, 'data-value': v.value }) as Checkbox;
        box.addEventListener('change', () => this.toggle(facet, v.value, box.checked));
        // A click on the element itself (element.click() in a script or test) toggles it too; a
        // pointer click lands inside the component, which handles it and fires change.
        box.addEventListener('click', (event) => {
          if (event.composedPath()[0] !== box) return;
          box.checked = !box.checked;
          this.toggle(facet, v.value, box.checked);
        });
        state.boxes.set(v.value, box);
        return box;
      });
      const more = all.length > values.length || state.expanded
        ? h('a', { class: 'link facet-more', 'data-testid': `facet-${facet}-more`, onclick: () => { state.expanded = !state.expanded; this.renderFacet(facet); } },
          state.expanded ? 'Show fewer' : `Show all ${formatCount(all.length)}`)
        : null;
      replaceChildren(state.list, ...boxes, more, all.length === 0 ? h('span', { class: 'muted' }, '–') : null);
    }
    for (const v of values) {
      const box = state.boxes.get(v.value);
      if (box === undefined) continue;
      box.setAttribute('label', `${display(facet, v.value)} (${formatCount(v.count)})`);
      box.setAttribute('data-count', String(v.count));
      box.checked = chosen.has(v.value);
    }
  }
}

function display(facet: FacetName, value: string): string {
  if (value === '') return '(none)';
  return facet === 'state' ? stateLabel(value) : value;
}
