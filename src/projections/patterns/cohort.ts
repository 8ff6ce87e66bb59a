import type { SessionListing } from '../overview/session-query';
import { parseWhere, querySessions } from '../overview/session-query';
import { COHORT_PRESETS } from './contrast';

// A cohort named as `logbook patterns --cohort` and the patterns panel take it: a preset's name,
// or a condition as for `logbook sessions --where`. The CLI and the panel read it the same way.

export type CohortPick =
  | { readonly ok: true; readonly pick: (s: SessionListing) => boolean }
  | { readonly ok: false; readonly message: string };

/** The preset names, in the order they are offered. */
export const PRESET_NAMES: readonly string[] = Object.keys(COHORT_PRESETS);

export function isPreset(text: string): boolean {
  return Object.hasOwn(COHORT_PRESETS, text);
}

/**
 * Which of `all` a cohort keeps (a preset reads all of them: "cost above the 90th percentile" is
 * of these sessions); the message says why a text is neither a preset nor a condition.
 */
export function cohortPicker(text: string, all: readonly SessionListing[]): CohortPick {
  const preset = isPreset(text) ? COHORT_PRESETS[text] : undefined;
  if (preset !== undefined) return { ok: true, pick: (s) => preset.pick(s, all) };
  const where = parseWhere(text);
  if (!where.ok) return { ok: false, message: `"${text.length > 80 ? `${text.slice(0, 79)}…` : text}" is neither a preset (${PRESET_NAMES.join(', ')}) nor a condition: ${where.message}` };
  const ids = new Set(querySessions(all, { where: where.conditions }).map((s) => s.row.sessionId));
  return { ok: true, pick: (s) => ids.has(s.row.sessionId) };
}
