import { createHash } from 'node:crypto';
import type { ChosenCohort } from './compare-data';

// Cohorts chosen in another view (the sessions the dashboard shows) are held here by a short id,
// so a panel key stays short however many sessions the cohort has. Host memory only: a panel
// revived after a reload whose cohort is gone says so (compare-data.ts).

const MAX_HELD = 50;

export class CohortRegistry {
  private readonly held = new Map<string, ChosenCohort>();

  /** Holds a cohort; the same sessions with the same label get the same id. */
  add(cohort: ChosenCohort): string {
    const id = createHash('sha256').update(JSON.stringify([cohort.label, [...cohort.ids].sort()])).digest('hex').slice(0, 16);
    this.held.delete(id);
    this.held.set(id, { ids: [...cohort.ids], label: cohort.label });
    while (this.held.size > MAX_HELD) this.held.delete(this.held.keys().next().value as string);
    return id;
  }

  get(id: string): ChosenCohort | undefined {
    return this.held.get(id);
  }
}
