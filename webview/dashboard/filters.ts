import { h, replaceChildren } from '../shared/dom';
import { EMPTY_FILTER, NONE } from '../../src/protocol/dashboard-select';
import type { DashboardFilter, SelectableRow } from '../../src/protocol/dashboard-select';

// The filter bar: built once, so typing keeps its focus; the selects' options follow the rows
// (values seen in them), and keep a chosen value that no row has any more.

type ChoiceKey = 'state' | 'status' | 'endReason' | 'workflow' | 'branch' | 'model' | 'tag';
type MinimumKey = 'minDurationMin' | 'minCost' | 'minTokens' | 'minFailures' | 'minDenials' | 'minRejections' | 'minIterations';

const CHOICES: readonly (readonly [key: ChoiceKey, label: string, values: (s: SelectableRow) => readonly (string | null)[]])[] = [
  ['state', 'state', (s) => [s.row.workflowState ?? s.row.lifecycleState]],
  ['status', 'status', (s) => [s.status]],
  ['endReason', 'end reason', (s) => [s.row.endReason]],
  ['workflow', 'workflow', (s) => [s.row.workflow]],
  ['branch', 'branch', (s) => [s.row.branch]],
  ['model', 'model', (s) => [s.row.model]],
  ['tag', 'tag', (s) => s.row.tags],
];

const MINIMUMS: readonly (readonly [key: MinimumKey, label: string, step: string])[] = [
  ['minDurationMin', 'min ≥', '1'],
  ['minCost', '$ ≥', '0.01'],
  ['minTokens', 'tokens ≥', '1000'],
  ['minFailures', 'failures ≥', '1'],
  ['minDenials', 'denials ≥', '1'],
  ['minRejections', 'rejections ≥', '1'],
  ['minIterations', 'iterations ≥', '1'],
];

export class FilterBar {
  readonly element: HTMLElement;
  private readonly selects = new Map<ChoiceKey, HTMLSelectElement>();
  private readonly inputs = new Map<keyof DashboardFilter, HTMLInputElement | HTMLSelectElement>();

  /** `current` reads the filter as it is now (the table changes its sort); `changed` gets what the bar changed. */
  constructor(private readonly current: () => DashboardFilter, private readonly changed: (change: Partial<DashboardFilter>) => void) {
    const filter = current();
    const field = <K extends keyof DashboardFilter>(key: K, element: HTMLInputElement | HTMLSelectElement): HTMLInputElement | HTMLSelectElement => {
      this.inputs.set(key, element);
      element.addEventListener(element instanceof HTMLSelectElement ? 'change' : 'input', () => this.set({ [key]: element.value } as Partial<DashboardFilter>));
      return element;
    };
    const date = (key: 'from' | 'to', label: string): HTMLElement => h('label', { class: 'field' }, label,
      field(key, h('input', { type: 'date', 'data-testid': `dashboard-${key}`, 'aria-label': `Started ${label}`, value: filter[key] })));
    const text = field('text', h('input', { type: 'search', class: 'text', placeholder: 'Search titles, prompts, branches, workflows, ids', 'data-testid': 'dashboard-text', 'aria-label': 'Search', value: filter.text }));
    const choices = CHOICES.map(([key, label]) => {
      const select = h('select', { 'data-testid': `dashboard-${key}`, 'aria-label': label });
      this.selects.set(key, select);
      return field(key, select);
    });
    const imported = field('imported', h('select', { 'data-testid': 'dashboard-imported', 'aria-label': 'Imported' },
      h('option', { value: '' }, 'recorded or imported'), h('option', { value: 'yes' }, 'imported'), h('option', { value: 'no' }, 'recorded by hooks')));
    imported.value = filter.imported;
    const minimums = MINIMUMS.map(([key, label, step]) => h('label', { class: 'field' }, label,
      field(key, h('input', { type: 'number', min: '0', step, class: 'min', 'data-testid': `dashboard-${key}`, 'aria-label': label, value: filter[key] }))));
    const clear = h('vscode-button', { secondary: true, 'data-testid': 'dashboard-clear', onclick: () => this.reset() }, 'Clear filters');
    this.element = h('div', { class: 'filters', role: 'search' },
      h('div', { class: 'filter-row' }, text, date('from', 'from'), date('to', 'to'), clear),
      h('div', { class: 'filter-row' }, ...choices, imported, ...minimums));
  }

  /** The options of each select: the values the rows have, each with how many rows have it. */
  options(rows: readonly SelectableRow[]): void {
    for (const [key, label, values] of CHOICES) {
      const select = this.selects.get(key);
      if (select === undefined) continue;
      const seen = new Map<string, number>();
      for (const s of rows) for (const value of values(s)) { const v = value ?? NONE; seen.set(v, (seen.get(v) ?? 0) + 1); }
      const chosen = this.current()[key];
      if (chosen !== '' && !seen.has(chosen)) seen.set(chosen, 0);
      const sorted = [...seen].sort(([a], [b]) => (a === NONE ? 1 : b === NONE ? -1 : a.localeCompare(b)));
      replaceChildren(select, h('option', { value: '' }, `any ${label}`),
        ...sorted.map(([value, n]) => h('option', { value }, `${value === NONE ? `(no ${label})` : value} · ${n}`)));
      select.value = chosen;
    }
  }

  /** Sets the date range (a trend bucket was picked), as if typed in. */
  setDates(from: string, to: string): void {
    const fromInput = this.inputs.get('from');
    const toInput = this.inputs.get('to');
    if (fromInput !== undefined) fromInput.value = from;
    if (toInput !== undefined) toInput.value = to;
    this.changed({ from, to });
  }

  private set(change: Partial<DashboardFilter>): void {
    this.changed(change);
  }

  private reset(): void {
    const { sort: _sort, ...empty } = EMPTY_FILTER;
    for (const [key, element] of this.inputs) element.value = String(EMPTY_FILTER[key]);
    this.changed(empty);
  }
}
