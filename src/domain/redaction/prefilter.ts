import type { Trigger } from './types';

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
