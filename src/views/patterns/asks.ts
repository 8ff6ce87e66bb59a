import type { CohortAsk, CohortChoice } from '../../protocol/patterns-view';

// The cohort the Patterns panel was last asked to show (by `logbook.openPatterns` with an argument:
// the dashboard's rows, a preset). The panel's snapshot carries it; the webview runs an ask it has
// not taken yet, so a panel revived after a reload keeps the user's own choice.

let latest: CohortAsk | null = null;
let counter = 0;

export function askCohort(cohort: CohortChoice): CohortAsk {
  counter += 1;
  // Unique across reloads of the window too (a revived webview remembers the ids it took).
  latest = { id: `${Date.now().toString(36)}-${counter}`, cohort };
  return latest;
}

export function latestAsk(): CohortAsk | null {
  return latest;
}
