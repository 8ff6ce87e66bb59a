// File globs for `logbook.redaction.paths`: `*` and `?` within one path segment, `**` across
// segments, a leading `!` to exempt. A glob matches at any depth (as if it began with `**/`)
// unless it begins with `/`; a trailing `/**` also matches the directory itself (a Grep over it).
// Matching ignores case and treats `\` as `/` (a secret file is as secret on Windows or macOS).
// No regular expressions: the greedy two-pointer wildcard match, which only ever backs up to the
// last star, costs at most (text length × glob length) steps, and globs are at most 256 long.

export const MAX_GLOB_LENGTH = 256;

export interface Glob {
  readonly source: string;
  readonly negated: boolean;
  /** Lower-case segments; `**` is a segment of its own. */
  readonly segments: readonly string[];
  /** The longest literal piece of a segment (for mayMatch), or '' when there is none. */
  readonly literal: string;
}

export function compileGlob(source: string): Glob | string {
  const trimmed = source.trim();
  if (trimmed === '' || trimmed === '!') return 'empty glob';
  if (trimmed.length > MAX_GLOB_LENGTH) return `glob is ${trimmed.length} characters long (at most ${MAX_GLOB_LENGTH})`;
  if (/[[\]{}]/.test(trimmed)) return 'character classes and braces ([…], {…}) are not supported: use one glob per alternative';
  const negated = trimmed.startsWith('!');
  let body = (negated ? trimmed.slice(1) : trimmed).replace(/\\/g, '/').toLowerCase();
  const anchored = body.startsWith('/');
  if (body.endsWith('/')) body += '**';
  let segments = body.split('/').filter((segment) => segment !== '' && segment !== '.');
  // `**` twice in a row means the same as once.
  segments = segments.filter((segment, i) => !(segment === '**' && segments[i - 1] === '**'));
  if (!anchored && segments[0] !== '**') segments.unshift('**');
  // ASCII only: JSON may escape other characters, and their case folding differs between
  // toLowerCase (used here) and a case-insensitive RegExp (used by mayMatch).
  const pieces = segments.flatMap((segment) => segment.split(/[*?"\u0000-\u001f\u007f-\uffff]+/));
  const longest = pieces.reduce((best, piece) => (piece.length > best.length ? piece : best), '');
  // A dot-name (.kube, .aws) is rarer in other text than a plain word (config, credentials).
  const dotted = pieces.filter((piece) => piece.startsWith('.') && piece.length >= 3).sort((a, b) => b.length - a.length)[0];
  const literal = dotted ?? longest;
  return { source: trimmed, negated, segments, literal };
}

/** Path segments as globs see them: lower case, `/` separators, no empty or `.` segments. */
export function pathSegments(path: string): string[] {
  return path.replace(/\\/g, '/').toLowerCase().split('/').filter((segment) => segment !== '' && segment !== '.');
}

export function matchGlob(glob: Glob, segments: readonly string[]): boolean {
  return wildcard(glob.segments, segments, (pattern) => pattern === '**', (pattern, segment) => matchSegment(pattern, segment));
}

function matchSegment(pattern: string, text: string): boolean {
  return wildcard(pattern, text, (c) => c === '*', (c, t) => c === '?' || c === t);
}

/**
 * The classic greedy wildcard match over sequences: a star matches any run (backing up only to
 * the most recent star on a mismatch), `one` matches one element.
 */
function wildcard<P, T>(pattern: ArrayLike<P>, text: ArrayLike<T>, isStar: (p: P) => boolean, one: (p: P, t: T) => boolean): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && isStar(pattern[p] as P)) {
      star = p;
      p += 1;
      resume = t;
    } else if (p < pattern.length && one(pattern[p] as P, text[t] as T)) {
      p += 1;
      t += 1;
    } else if (star >= 0) {
      p = star + 1;
      resume += 1;
      t = resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && isStar(pattern[p] as P)) p += 1;
  return p === pattern.length;
}
