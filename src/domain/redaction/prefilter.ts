import type { Scanner, Trigger } from './types';

// mayMatch's cheap test: every rule names literals, one of which any text it matches contains
// (a prefix, a keyword, a user pattern's required run, a glob's literal piece). A text holding
// none of them cannot be matched, so it is skipped without parsing or walking. Two regular
// expressions of plain alternatives (one exact, one case-insensitive the way the rules are)
// scan the text once each.

export interface Prefilter {
  /** Some rule has no literal: every text is a candidate. */
  readonly always: boolean;
  readonly exact: RegExp | undefined;
  readonly ignoringCase: RegExp | undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

export function buildPrefilter(lists: readonly (readonly Trigger[] | 'always')[]): Prefilter {
  if (lists.some((list) => list === 'always')) return { always: true, exact: undefined, ignoringCase: undefined };
  const triggers = (lists as readonly (readonly Trigger[])[]).flat();
  const alternation = (ignoreCase: boolean): RegExp | undefined => {
    const texts = [...new Set(triggers.filter((t) => t.ignoreCase === ignoreCase).map((t) => escapeRegExp(t.text)))];
    return texts.length === 0 ? undefined : new RegExp(texts.join('|'), ignoreCase ? 'i' : '');
  };
  return { always: false, exact: alternation(false), ignoringCase: alternation(true) };
}

/** Whether a (decoded) string holds any trigger. */
export function holdsTrigger(prefilter: Prefilter, text: string): boolean {
  return prefilter.always || (prefilter.exact?.test(text) ?? false) || (prefilter.ignoringCase?.test(text) ?? false);
}

// `\\` is consumed as a pair so that `\\u0041` (a backslash, then "u0041") stays as it is.
const HIDING_ESCAPE = /\\(\\|\/|u[0-9a-fA-F]{4})/g;

/**
 * JSON text as its strings read, as far as triggers care: a `\uXXXX` escape or `\/` can spell a
 * trigger's character (`\u0041KIA` is AKIA), so they are decoded. Triggers never hold quotes,
 * backslashes or control characters, so the other escapes (`\n`, `\"`) cannot hide one.
 */
export function triggerText(jsonText: string): string {
  if (!jsonText.includes('\\u') && !jsonText.includes('\\/')) return jsonText;
  return jsonText.replace(HIDING_ESCAPE, (all: string, escape: string) => {
    if (escape === '\\') return all;
    if (escape === '/') return '/';
    return String.fromCharCode(parseInt(escape.slice(1), 16));
  });
}

/** Which scanners a string needs: those whose triggers it holds (a long output rarely holds many). */
export interface TriggerIndex {
  readonly scanners: readonly Scanner[];
  /** Every trigger, lower-cased, longest first; case-insensitive, so exact triggers are over-selected, never missed. */
  readonly search: RegExp | undefined;
  /** Trigger (lower case) → the scanners whose trigger it is or contains. */
  readonly byTrigger: ReadonlyMap<string, readonly number[]>;
  readonly always: readonly number[];
}

export function buildTriggerIndex(scanners: readonly Scanner[]): TriggerIndex {
  const owners = new Map<string, Set<number>>();
  const always: number[] = [];
  scanners.forEach((scanner, i) => {
    if (scanner.triggers === 'always') always.push(i);
    else for (const trigger of scanner.triggers) owners.set(trigger.text.toLowerCase(), (owners.get(trigger.text.toLowerCase()) ?? new Set()).add(i));
  });
  const texts = [...owners.keys()].sort((a, b) => b.length - a.length);
  // At one position the search reports the longest trigger there; any other trigger starting
  // there is a prefix of it, so a trigger stands for every trigger it contains.
  const byTrigger = new Map(texts.map((text) => [text, [...new Set(texts.filter((other) => text.includes(other)).flatMap((other) => [...(owners.get(other) ?? [])]))]]));
  const search = texts.length === 0 ? undefined : new RegExp(texts.map(escapeRegExp).join('|'), 'gi');
  return { scanners, search, byTrigger, always };
}

/** The scanners `text` needs, in priority order. */
export function scannersFor(index: TriggerIndex, text: string): Scanner[] {
  const chosen = new Set(index.always);
  const search = index.search;
  if (search !== undefined) {
    search.lastIndex = 0;
    for (let m = search.exec(text); m !== null && chosen.size < index.scanners.length; m = search.exec(text)) {
      const owners = index.byTrigger.get(m[0].toLowerCase());
      // Case folding that toLowerCase does not undo (rare letters): take every scanner.
      if (owners === undefined) return [...index.scanners];
      for (const owner of owners) chosen.add(owner);
      // Resume at the next position, not after the match: a trigger may start inside this one.
      search.lastIndex = m.index + 1;
    }
  }
  return index.scanners.filter((_, i) => chosen.has(i));
}
