import { h, replaceChildren } from '../shared/dom';
import type { DashboardGroup, DashboardRow } from '../../src/protocol/dashboard';
import type { DashboardEntry } from '../../src/protocol/dashboard-groups';
import type { DashboardSort } from '../../src/protocol/dashboard-select';
import type { Column } from './columns';

// A virtualised table: a scroll container whose inner block is as tall as every row would be,
// and in it only the rows in view (and a few either side), moved into place. Rows have one fixed
// height, so the rows in view follow from scrollTop alone: 10,000 sessions keep ~60 rows in the DOM.

export const ROW_HEIGHT = 26;
const OVERSCAN = 8;
/** Longer titles are cut for the cell and its tooltip (the overview keeps the whole first prompt short anyway). */
const MAX_CELL_TEXT = 500;

export interface TableActions {
  open(row: DashboardRow): void;
  sort(field: string): void;
  /** Ctrl/cmd-click or Space: the row is picked for Compare (selection.ts), or no longer. */
  toggle?(row: DashboardRow): void;
  selected?(row: DashboardRow): boolean;
  /** A group's row was clicked (or Enter, Space, an arrow key): it expands or folds. */
  toggleGroup?(group: DashboardGroup, open?: boolean): void;
  /** A group row's buttons. */
  groupAction?(group: DashboardGroup, action: 'timeline' | 'discuss'): void;
}

export class VirtualTable {
  readonly element: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private readonly window: HTMLElement;
  private rows: readonly DashboardEntry[] = [];
  private columns: readonly Column[] = [];
  private sort: DashboardSort | undefined;
  private drawn = { first: -1, last: -1, version: -1 };
  private version = 0;
  private frame: number | undefined;

  constructor(private readonly actions: TableActions) {
    this.header = h('div', { class: 'thead', role: 'row', 'data-testid': 'dashboard-header' });
    this.window = h('div', { class: 'rows-window', role: 'rowgroup' });
    this.body = h('div', { class: 'tbody' }, this.window);
    const table = h('div', { class: 'table', role: 'grid', 'aria-label': 'Sessions' }, this.header, this.body);
    this.element = h('div', { class: 'viewport', 'data-testid': 'dashboard-viewport', tabindex: -1 }, table);
    this.element.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  /** Shows these rows (sessions and groups) with these columns; keeps the scroll position (clamped). */
  show(rows: readonly DashboardEntry[], columns: readonly Column[], sort: DashboardSort): void {
    if (columns !== this.columns || sort.field !== this.sort?.field || sort.descending !== this.sort.descending) {
      this.columns = columns;
      this.sort = sort;
      this.drawHeader();
    }
    this.rows = rows;
    this.version += 1;
    this.body.style.height = `${rows.length * ROW_HEIGHT}px`;
    this.body.setAttribute('data-count', String(rows.length));
    this.draw();
  }

  /** Draws the rows in view again (their selection changed). */
  redraw(): void {
    this.version += 1;
    this.draw();
  }

  scrollToTop(): void {
    this.element.scrollTop = 0;
  }

  private schedule(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.draw();
    });
  }

  private drawHeader(): void {
    const template = this.columns.map((c) => `${c.width}px`).join(' ');
    this.element.style.setProperty('--columns', template);
    this.element.style.setProperty('--table-width', `${this.columns.reduce((sum, c) => sum + c.width, 0)}px`);
    replaceChildren(this.header, ...this.columns.map((c) => {
      const sorted = this.sort?.field === c.sort;
      const arrow = sorted ? (this.sort?.descending === true ? ' ▼' : ' ▲') : '';
      return h('div', {
        class: `th${c.numeric === true ? ' num' : ''}${sorted ? ' sorted' : ''}`, role: 'columnheader', tabindex: 0,
        'data-testid': 'dashboard-sort', 'data-field': c.sort, 'aria-sort': sorted ? (this.sort?.descending === true ? 'descending' : 'ascending') : 'none',
        title: `Sort by ${c.label.toLowerCase()}`,
        onclick: () => this.actions.sort(c.sort),
        onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') { e.preventDefault(); this.actions.sort(c.sort); } },
      }, c.label, arrow);
    }));
  }

  private draw(): void {
    const headerHeight = this.header.offsetHeight;
    const top = Math.max(0, this.element.scrollTop - headerHeight);
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((top + this.element.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    if (first === this.drawn.first && last === this.drawn.last && this.version === this.drawn.version) return;
    this.drawn = { first, last, version: this.version };
    this.window.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    const drawn: HTMLElement[] = [];
    for (let i = first; i < last; i += 1) {
      const row = this.rows[i];
      if (row !== undefined) drawn.push(row.kind === 'group' ? this.drawGroup(row, i) : this.drawRow(row.row, i, row.member));
    }
    replaceChildren(this.window, ...drawn);
  }

  private drawRow(r: DashboardRow, index: number, member?: { readonly group: string; readonly role: string }): HTMLElement {
    const cells = this.columns.map((c) => {
      const text = clip(c.text(r));
      if (c.id === 'title' && member !== undefined) {
        // A group's member: its role before its title, indented under the group's row.
        return h('div', { class: 'td member-title', role: 'gridcell', 'data-col': c.id, title: text },
          h('span', { class: 'role', 'data-testid': 'dashboard-member-role' }, member.role), h('span', { dir: 'auto' }, text));
      }
      // dir=auto: a right-to-left title reads right to left inside its cell without turning the row.
      return h('div', { class: `td${c.numeric === true ? ' num' : ''}`, role: 'gridcell', 'data-col': c.id, ...(c.id === 'title' ? { dir: 'auto', title: text } : {}) }, text);
    });
    const selected = this.actions.selected?.(r) === true;
    return h('div', {
      class: `tr${index % 2 === 1 ? ' odd' : ''}${selected ? ' selected' : ''}${member === undefined ? '' : ' member'}`, role: 'row', tabindex: 0, 'aria-rowindex': index + 2, 'aria-selected': selected ? 'true' : 'false',
      'data-testid': 'dashboard-row', 'data-session': r.row.sessionId, 'data-key': r.key, 'data-status': r.status,
      ...(member === undefined ? {} : { 'data-member-of': member.group, 'data-role': member.role }),
      onclick: (e: Event) => this.click(r, e as MouseEvent),
      onkeydown: (e: Event) => this.key(r, e as KeyboardEvent),
    }, ...cells);
  }

  private drawGroup(entry: Extract<DashboardEntry, { kind: 'group' }>, index: number): HTMLElement {
    const g = entry.group;
    const n = g.members.length;
    const button = (action: 'timeline' | 'discuss', label: string, title: string): HTMLElement => h('button', {
      class: 'group-action', type: 'button', title, 'data-testid': `dashboard-group-${action}`,
      onclick: (e: Event) => { e.stopPropagation(); this.actions.groupAction?.(g, action); },
    }, label);
    // The title cell takes in the columns after it that say nothing of a group (branch, workflow).
    const titleAt = this.columns.findIndex((c) => c.id === 'title');
    let span = 1;
    while (titleAt >= 0 && this.columns[titleAt + span] !== undefined && this.columns[titleAt + span]?.group === undefined) span += 1;
    const cells = this.columns.filter((_, i) => i <= titleAt || i >= titleAt + span).map((c) => {
      if (c.id !== 'title') return h('div', { class: `td${c.numeric === true ? ' num' : ''}`, role: 'gridcell', 'data-col': c.id }, clip(c.group?.(g) ?? ''));
      const name = clip(`${g.kind} ${g.label}`);
      const cell = h('div', { class: 'td group-title', role: 'gridcell', 'data-col': c.id, title: name },
        h('span', { class: 'caret', 'aria-hidden': 'true' }, entry.expanded ? '▾' : '▸'),
        h('span', { class: 'group-name', dir: 'auto' }, name),
        h('span', { class: 'muted group-count' }, entry.shown === n ? `${n} sessions` : `${entry.shown} of ${n} sessions`),
        button('timeline', 'Timeline', 'Open the unified timeline of this group'),
        button('discuss', 'Discuss', 'Discuss this group with Claude'));
      // Through the CSSOM: the CSP allows no style attribute.
      cell.style.gridColumn = `span ${span}`;
      return cell;
    });
    return h('div', {
      class: `tr group${index % 2 === 1 ? ' odd' : ''}`, role: 'row', tabindex: 0, 'aria-rowindex': index + 2, 'aria-expanded': entry.expanded ? 'true' : 'false',
      'data-testid': 'dashboard-group', 'data-group': g.groupId, 'data-key': g.key, 'data-members': n, 'data-shown': entry.shown, 'data-expanded': String(entry.expanded),
      onclick: () => this.actions.toggleGroup?.(g),
      onkeydown: (e: Event) => {
        const key = (e as KeyboardEvent).key;
        if (key !== 'Enter' && key !== ' ' && key !== 'ArrowRight' && key !== 'ArrowLeft') return;
        e.preventDefault();
        this.actions.toggleGroup?.(g, key === 'ArrowRight' ? true : key === 'ArrowLeft' ? false : undefined);
      },
    }, ...cells);
  }

  private click(r: DashboardRow, e: MouseEvent): void {
    if ((e.ctrlKey || e.metaKey) && this.actions.toggle !== undefined) this.actions.toggle(r);
    else this.actions.open(r);
  }

  private key(r: DashboardRow, e: KeyboardEvent): void {
    if (e.key === 'Enter') this.actions.open(r);
    else if (e.key === ' ' && this.actions.toggle !== undefined) {
      e.preventDefault();
      this.actions.toggle(r);
    }
  }
}

function clip(text: string): string {
  return text.length > MAX_CELL_TEXT ? `${text.slice(0, MAX_CELL_TEXT)}…` : text;
}
