// Rows picked for Compare: ctrl/cmd-click or Space toggles a row, at most two are kept (a third
// drops the oldest). With two, "Compare" sets them side by side; with one, it compares it with the
// median of the sessions the table shows ("all" when it shows every one, so the host needs no
// list). Keys of rows that went away are dropped. Only keys are held, so the virtual table stays
// a plain window over the rows; no DOM here (compare-button.ts draws the button).

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
  if (shown.length >= total) return { keys: [one], cohort: 'all' };
  return { keys: [one], cohort: shown.filter((key) => key !== one) };
}

export class RowSelection {
  private keys: string[] = [];

  constructor(private readonly changed: (selected: readonly string[]) => void) {}

  selected(): readonly string[] {
    return this.keys;
  }

  has(key: string): boolean {
    return this.keys.includes(key);
  }

  toggle(key: string): void {
    this.keys = this.has(key) ? this.keys.filter((k) => k !== key) : [...this.keys, key].slice(-2);
    this.changed(this.keys);
  }

  /** Drops keys no longer among the rows. */
  keep(present: (key: string) => boolean): void {
    const kept = this.keys.filter(present);
    if (kept.length === this.keys.length) return;
    this.keys = kept;
    this.changed(this.keys);
  }
}
