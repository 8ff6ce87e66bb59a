import { h } from '../shared/dom';

// Rows picked for Compare: ctrl/cmd-click or Space toggles a row, at most two are kept (a third
// drops the oldest). With two, "Compare" sets them side by side; with one, it compares it with the
// median of the sessions the table shows (all of them: "all", so the host needs no list). Keys
// of rows that went away are dropped. Only the keys are held: the table stays a plain window.

/** What the dashboard asks the host to compare (row keys, as in DashboardRow.key). */
export interface CompareRequest {
  readonly keys: readonly string[];
  readonly cohort: 'all' | readonly string[];
}

/** The comparison for this selection, or undefined when nothing is selected. */
export function compareRequest(selected: readonly string[], shown: readonly string[], total: number): CompareRequest | undefined {
  if (selected.length === 0) return undefined;
  if (selected.length >= 2) return { keys: selected.slice(0, 2), cohort: 'all' };
  const one = selected[0] as string;
  // Every session shown is every session: the same cohort as the quick pick's "all".
  if (shown.length >= total) return { keys: [one], cohort: 'all' };
  return { keys: [one], cohort: shown.filter((key) => key !== one) };
}

export class RowSelection {
  private keys: string[] = [];
  readonly button: HTMLElement;
  private readonly label = h('span', {}, 'Compare');

  constructor(private readonly changed: () => void, compare: (selected: readonly string[]) => void) {
    this.button = h('vscode-button', {
      secondary: true, disabled: true, 'data-testid': 'dashboard-compare', 'data-selected': 0,
      title: 'Ctrl/Cmd-click (or Space on) one or two rows: two are compared side by side, one with the median of the sessions shown',
      onclick: () => { if (this.keys.length > 0) compare(this.keys); },
    }, this.label);
  }

  has(key: string): boolean {
    return this.keys.includes(key);
  }

  toggle(key: string): void {
    this.keys = this.has(key) ? this.keys.filter((k) => k !== key) : [...this.keys, key].slice(-2);
    this.update();
  }

  /** Drops keys no longer among the rows. */
  keep(present: (key: string) => boolean): void {
    const kept = this.keys.filter(present);
    if (kept.length === this.keys.length) return;
    this.keys = kept;
    this.update();
  }

  private update(): void {
    const n = this.keys.length;
    this.label.textContent = n === 0 ? 'Compare' : n === 1 ? 'Compare 1 with median' : 'Compare 2';
    this.button.toggleAttribute('disabled', n === 0);
    this.button.setAttribute('data-selected', String(n));
    this.changed();
  }
}
