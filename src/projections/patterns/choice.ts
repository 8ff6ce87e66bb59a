import type { CohortChoice, PatternsView } from '../../protocol/patterns-view';
import { buildPatternsPrompt } from '../discuss/cross-session';
import { cohortPicker } from './cohort';
import { COHORT_PRESETS, contrastDigests } from './contrast';
import type { SessionDigest } from './contrast';

// The Patterns panel's cohort (a preset, a condition, or the rows a dashboard showed) contrasted
// with the rest of the window's sessions, and the prompt to discuss it with Claude. Pure: the host
// gathers the digests (views/patterns/gather.ts), this decides and shapes.

export type ChoiceOutcome =
  | { readonly ok: true; readonly view: PatternsView; readonly prompt: () => string }
  | { readonly ok: false; readonly message: string };

/** Findings the panel lists at most. */
const LIMIT = 30;

export function contrastChoice(choice: CohortChoice, gathered: readonly SessionDigest[], at: number): ChoiceOutcome {
  // In the order `logbook patterns` reads them (the latest activity first): the same examples.
  const digests = [...gathered].sort(latestFirst);
  const picked = pickerOf(choice, digests);
  if (!picked.ok) return picked;
  const result = contrastDigests(picked.name, digests, picked.pick, { now: at, limit: LIMIT });
  const byId = new Map(digests.map((d) => [d.listing.row.sessionId, d.listing.row.title]));
  const titles: Record<string, string | null> = {};
  for (const id of [...result.findings.flatMap((f) => f.examples), ...result.insights.flatMap((i) => i.examples)]) titles[id] = byId.get(id) ?? null;
  const view: PatternsView = { result, label: picked.label, titles, at };
  return { ok: true, view, prompt: () => buildPatternsPrompt(result, picked.name, picked.command) };
}

interface Picked {
  readonly ok: true;
  /** The cohort's name in the result (the text given to --cohort, or the dashboard's words). */
  readonly name: string;
  readonly label: string;
  /** The `logbook patterns` command that gives the same cohort, when there is one. */
  readonly command: string | null;
  readonly pick: (d: SessionDigest) => boolean;
}

function pickerOf(choice: CohortChoice, digests: readonly SessionDigest[]): Picked | { ok: false; message: string } {
  if (choice.kind === 'shown') {
    // A key is the workspace folder, NUL, the session id: ids are unique across a window's folders.
    const ids = new Set(choice.keys.map((key) => key.slice(key.indexOf('\u0000') + 1)));
    const label = choice.label === '' ? `the ${choice.keys.length} session(s) shown in the dashboard` : choice.label;
    return { ok: true, name: label, label, command: null, pick: (d) => ids.has(d.listing.row.sessionId) };
  }
  const text = choice.kind === 'preset' ? choice.name : choice.text.trim();
  if (choice.kind === 'preset' && !Object.hasOwn(COHORT_PRESETS, text)) return { ok: false, message: `there is no preset "${text.slice(0, 80)}" (presets: ${Object.keys(COHORT_PRESETS).join(', ')})` };
  const picker = cohortPicker(text, digests.map((d) => d.listing));
  if (!picker.ok) return picker;
  const preset = choice.kind === 'preset' ? COHORT_PRESETS[text] : undefined;
  return {
    ok: true, name: text, label: preset === undefined ? `sessions where ${text}` : `${text}: ${preset.text}`,
    command: `logbook patterns --cohort ${shellQuote(text)}`, pick: (d) => picker.pick(d.listing),
  };
}

function latestFirst(a: SessionDigest, b: SessionDigest): number {
  const at = (d: SessionDigest): number => d.listing.row.lastEventAt ?? -Infinity;
  return at(b) - at(a) || a.listing.row.sessionId.localeCompare(b.listing.row.sessionId);
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
