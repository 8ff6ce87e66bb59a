// How deeply a JSON (or JSON with comments) text nests, found in one pass without recursion.
// Recursive code (JSON.stringify, zod, jsonc-parser, our own walks) overflows the stack on a
// document nested a few thousand levels deep; a text that fails this check is refused or cut
// before any of them sees it. Pure and dependency-free: the hook's bundle may import it.

/** Deepest nesting any input is let through with: far beyond any real payload or settings file. */
export const MAX_JSON_DEPTH = 256;

/** Where a text first nests deeper than allowed. */
export interface TooDeep {
  /** UTF-16 offset of the bracket that went one level too deep. */
  readonly offset: number;
  readonly limit: number;
}

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const STAR = 0x2a;

/**
 * The first place where `text` nests deeper than `limit` arrays/objects, or undefined. Brackets
 * inside strings (and, with `comments`, inside // and block comments) do not count. The text
 * need not be valid JSON: a malformed one is left to its parser, which says what is wrong.
 */
export function findTooDeep(text: string, limit = MAX_JSON_DEPTH, options: { readonly comments?: boolean } = {}): TooDeep | undefined {
  // Each level needs its own bracket: a text with few brackets cannot be too deep. Most texts
  // stop here after a handful of indexOf calls, which costs far less than the scan below.
  if (!hasMoreBrackets(text, limit)) return undefined;
  const comments = options.comments === true;
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i);
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      depth += 1;
      if (depth > limit) return { offset: i, limit };
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      if (depth > 0) depth -= 1;
    } else if (comments && c === SLASH) {
      i = endOfComment(text, i);
    }
  }
  return undefined;
}

/** Whether `text` holds more than `limit` opening brackets (strings included: an upper bound). */
function hasMoreBrackets(text: string, limit: number): boolean {
  if (text.length <= limit) return false;
  let count = 0;
  for (const bracket of ['[', '{']) {
    for (let at = text.indexOf(bracket); at >= 0; at = text.indexOf(bracket, at + 1)) {
      count += 1;
      if (count > limit) return true;
    }
  }
  return false;
}

/** Index of the quote that closes the string opening at `start` (or the text's last index). */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 1;
    else if (c === QUOTE) return i;
  }
  return text.length - 1;
}

/** Index of the last character of a comment starting at `start`, or `start` when none starts there. */
function endOfComment(text: string, start: number): number {
  const next = text.charCodeAt(start + 1);
  if (next === SLASH) {
    const end = text.indexOf('\n', start + 2);
    return end < 0 ? text.length - 1 : end;
  }
  if (next === STAR) {
    const end = text.indexOf('*/', start + 2);
    return end < 0 ? text.length - 1 : end + 1;
  }
  return start;
}
