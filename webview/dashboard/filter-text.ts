import { EMPTY_FILTER, NONE } from '../../src/protocol/dashboard-select';
import type { DashboardFilter } from '../../src/protocol/dashboard-select';

// The dashboard's filters in words, for the HTML export to say what it holds: "from 2026-03-01 ·
// workflow = team-loop · cost ≥ 1". Printed in the page as text.

const LABELS: readonly (readonly [key: keyof Omit<DashboardFilter, 'sort'>, label: string])[] = [
  ['from', 'from'], ['to', 'to'], ['text', 'text ~'], ['state', 'state ='], ['status', 'status ='], ['endReason', 'end reason ='], ['workflow', 'workflow ='],
  ['branch', 'branch ='], ['model', 'model ='], ['tag', 'tag ='], ['imported', 'imported:'], ['minDurationMin', 'minutes ≥'],
  ['minCost', 'cost ≥ $'], ['minTokens', 'tokens ≥'], ['minFailures', 'failures ≥'], ['minDenials', 'denials ≥'], ['minRejections', 'rejections ≥'],
  ['minIterations', 'iterations ≥'],
];

export function filterText(filter: DashboardFilter): string {
  const parts: string[] = [];
  for (const [key, label] of LABELS) {
    const value = filter[key];
    if (value === EMPTY_FILTER[key]) continue;
    // A typed text can be long; the export message takes 4,000 characters of this in all.
    const shown = value === NONE ? '(none)' : value.length > 200 ? `${value.slice(0, 200)}…` : value;
    parts.push(`${label} ${shown}`);
  }
  parts.push(`sorted by ${filter.sort.field} ${filter.sort.descending ? 'descending' : 'ascending'}`);
  return parts.join(' · ');
}
