// The globs of the workflow's tool rules: `*` matches any run of characters (none, spaces,
// slashes, newlines), every other character matches itself, and the whole text must match.
//
// A glob comes from the workspace and the text from the agent, on every tool call, so matching
// must stay linear whatever either holds. A RegExp compiled from the glob backtracked:
// `*a*a*a*a*a*a*a*a*a*a*a*a*b` took seconds on forty a's. Here the glob is cut at its stars into
// literal pieces: the first must start the text, the last must end it, and each piece between
// is searched for left to right, from where the previous one ended. Taking the leftmost match
// of each piece is never wrong when `*` is the only wildcard (a match further right only leaves
// less room for the pieces after it), so no choice is ever undone. Each search is a
// Knuth–Morris–Pratt scan, which never steps back in the text either: the whole match reads
// each character of the text a bounded number of times, and counts its steps to prove it.

/** A glob cut at its stars, with the search table of each middle piece. */
interface CompiledGlob {
  readonly pieces: readonly string[];
  /** `borders[k][i]`: the longest proper border of `pieces[k].slice(0, i + 1)`. */
  readonly borders: readonly Int32Array[];
}

/** The outcome of one match and the work it took (characters compared, fallbacks included). */
export interface GlobMatchCost {
  readonly matched: boolean;
  readonly steps: number;
}

const compiled = new Map<string, CompiledGlob>();
// The extension may see many definitions over a long session: the cache must not grow forever.
const COMPILED_KEPT = 4096;

/** Whole-string match where `*` matches any run of characters (spaces and slashes included). */
export function globMatches(glob: string, text: string): boolean {
  return globMatchCost(glob, text).matched;
}

/** Matches like globMatches and says how many steps it took: never more than 3 × the text's length. */
export function globMatchCost(glob: string, text: string): GlobMatchCost {
  const { pieces, borders } = compile(glob);
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return { matched: text === first, steps: Math.min(text.length, first.length) };
  const last = pieces[pieces.length - 1] ?? '';
  const end = text.length - last.length;
  if (end < first.length) return { matched: false, steps: 0 };
  let steps = first.length + last.length;
  if (!text.startsWith(first) || !text.endsWith(last)) return { matched: false, steps };
  let at = first.length;
  for (let k = 1; k < pieces.length - 1; k += 1) {
    const found = findPiece(text, at, end, pieces[k] ?? '', borders[k] ?? new Int32Array(0));
    steps += found.steps;
    if (found.end < 0) return { matched: false, steps };
    at = found.end;
  }
  return { matched: true, steps };
}

function compile(glob: string): CompiledGlob {
  let g = compiled.get(glob);
  if (g === undefined) {
    const pieces = glob.split('*');
    g = { pieces, borders: pieces.map((piece, k) => (k === 0 || k === pieces.length - 1 ? new Int32Array(0) : bordersOf(piece))) };
    if (compiled.size >= COMPILED_KEPT) compiled.clear();
    compiled.set(glob, g);
  }
  return g;
}

/** The Knuth–Morris–Pratt table of `piece`. */
function bordersOf(piece: string): Int32Array {
  const borders = new Int32Array(piece.length);
  let k = 0;
  for (let i = 1; i < piece.length; i += 1) {
    const c = piece.charCodeAt(i);
    while (k > 0 && piece.charCodeAt(k) !== c) k = borders[k - 1] ?? 0;
    if (piece.charCodeAt(k) === c) k += 1;
    borders[i] = k;
  }
  return borders;
}

/**
 * The end of the leftmost `piece` in `text[from, limit)`, or -1. Every step either reads the
 * next character of the text or falls back in the piece, and there are never more fallbacks
 * than characters read: steps ≤ 2·(characters read).
 */
function findPiece(text: string, from: number, limit: number, piece: string, borders: Int32Array): { end: number; steps: number } {
  if (piece === '') return { end: from, steps: 0 };
  let steps = 0;
  let k = 0;
  for (let i = from; i < limit; i += 1) {
    const c = text.charCodeAt(i);
    steps += 1;
    while (k > 0 && piece.charCodeAt(k) !== c) {
      k = borders[k - 1] ?? 0;
      steps += 1;
    }
    if (piece.charCodeAt(k) === c) k += 1;
    if (k === piece.length) return { end: i + 1, steps };
  }
  return { end: -1, steps };
}
