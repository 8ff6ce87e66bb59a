import { addCode, addRange, addSet, anySet, complement, emptySet, escapeSet, foldCase } from './char-set';
import type { CharSet } from './char-set';

// A parser for the part of JavaScript's regular expression syntax a safety check needs: atoms
// with the characters they can match, groups with their alternatives, quantifiers with their
// counts and where they stand in the source (so they can be rewritten). It runs on a pattern that
// already compiled, so it does not re-check syntax; what it does not model it refuses, by
// throwing RefusedPattern with the reason.

export class RefusedPattern extends Error {}

export interface Quantifier {
  readonly min: number;
  readonly max: number;
  /** Source range of the quantifier itself (a lazy `?` after it is left in place). */
  readonly start: number;
  readonly end: number;
}

export type Item =
  | { readonly kind: 'set'; readonly set: CharSet; readonly char: string | undefined; readonly start: number; readonly end: number; quantifier?: Quantifier }
  | { readonly kind: 'assert'; readonly start: number; readonly end: number }
  | { readonly kind: 'group'; readonly alternatives: Item[][]; readonly name: string | undefined; readonly start: number; readonly end: number; quantifier?: Quantifier };

export interface Flags {
  readonly ignoreCase: boolean;
  readonly unicode: boolean;
  readonly dotAll: boolean;
}

export const MAX_COUNT = 1000;
const COUNTS = /\{(\d+)(,(\d*))?\}/y;

export function parseRegex(source: string, flags: Flags): Item[][] {
  const parser = new Parser(source, flags);
  const alternatives = parser.alternatives();
  if (parser.pos < source.length) throw new RefusedPattern(`unexpected "${source[parser.pos]}" at ${parser.pos}`);
  return alternatives;
}

class Parser {
  pos = 0;
  constructor(private readonly src: string, private readonly flags: Flags) {}

  alternatives(): Item[][] {
    const alternatives: Item[][] = [[]];
    while (this.pos < this.src.length && this.src[this.pos] !== ')') {
      if (this.src[this.pos] === '|') {
        this.pos += 1;
        alternatives.push([]);
        continue;
      }
      const item = this.atom();
      const quantifier = this.quantifier();
      if (quantifier !== undefined) {
        if (item.kind === 'assert') throw new RefusedPattern(`a quantifier on an assertion at ${item.start}`);
        item.quantifier = quantifier;
      }
      (alternatives[alternatives.length - 1] as Item[]).push(item);
    }
    return alternatives;
  }

  private atom(): Item {
    const start = this.pos;
    const c = this.src[this.pos] as string;
    if (c === '(') return this.group();
    if (c === '[') return this.set(start, this.charClass());
    if (c === '^' || c === '$') {
      this.pos += 1;
      return { kind: 'assert', start, end: this.pos };
    }
    if (c === '.') {
      this.pos += 1;
      const set = anySet();
      if (!this.flags.dotAll) for (const code of [10, 13]) set.ascii[code] = 0;
      return this.set(start, set);
    }
    if (c === '\\') return this.escape(start);
    const code = this.src.codePointAt(this.pos) as number;
    this.pos += this.flags.unicode && code > 0xffff ? 2 : 1;
    const set = emptySet();
    addCode(set, code);
    return this.set(start, set, code <= 0xffff ? String.fromCharCode(code) : undefined);
  }

  private set(start: number, set: CharSet, char?: string): Item {
    if (this.flags.ignoreCase) foldCase(set, this.flags.unicode);
    return { kind: 'set', set, char, start, end: this.pos };
  }

  private group(): Item {
    const start = this.pos;
    const rest = this.src.slice(this.pos, this.pos + 4);
    let name: string | undefined;
    if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) throw new RefusedPattern('lookbehind is refused (it can rescan the text at every position)');
    if (rest.startsWith('(?=') || rest.startsWith('(?!')) throw new RefusedPattern('lookahead is refused (it can rescan the text at every position)');
    if (rest.startsWith('(?:')) this.pos += 3;
    else if (rest.startsWith('(?<')) {
      const close = this.src.indexOf('>', this.pos);
      name = this.src.slice(this.pos + 3, close);
      this.pos = close + 1;
    } else if (rest.startsWith('(?')) throw new RefusedPattern(`unsupported group syntax "${rest}" at ${start}`);
    else this.pos += 1;
    const alternatives = this.alternatives();
    this.pos += 1; // ')'
    return { kind: 'group', alternatives, name, start, end: this.pos };
  }

  private escape(start: number): Item {
    const c = this.src[this.pos + 1] ?? '';
    this.pos += 2;
    if (c === 'b' || c === 'B') return { kind: 'assert', start, end: this.pos };
    if (/[1-9]/.test(c)) throw new RefusedPattern(`backreference \\${c} is refused (matching it can take exponential time)`);
    if (c === 'k' && this.src[this.pos] === '<') throw new RefusedPattern('named backreference \\k<…> is refused (matching it can take exponential time)');
    const set = this.escapeSet(c);
    if (set !== undefined) return this.set(start, set);
    const code = this.escapeCode(c);
    if (code === undefined) return this.set(start, anySet());
    const single = emptySet();
    addCode(single, code);
    return this.set(start, single, String.fromCharCode(code));
  }

  /** \d \D \w \W \s \S \p{…} \P{…}, or undefined for a single-character escape. */
  private escapeSet(c: string): CharSet | undefined {
    const lower = c.toLowerCase();
    if (lower === 'd' || lower === 'w' || lower === 's') {
      const set = escapeSet(lower);
      return c === lower ? set : complement(set);
    }
    if ((c === 'p' || c === 'P') && this.flags.unicode) {
      this.pos = this.src.indexOf('}', this.pos) + 1;
      return anySet();
    }
    return undefined;
  }

  /** The code of a single-character escape (after the letter); undefined = not modelled (any). */
  private escapeCode(c: string): number | undefined {
    const simple: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13 };
    if (c in simple) return simple[c];
    if (c === '0') return /[0-9]/.test(this.src[this.pos] ?? '') ? undefined : 0;
    if (c === 'c') {
      const letter = this.src[this.pos] ?? '';
      if (!/[A-Za-z]/.test(letter)) return undefined;
      this.pos += 1;
      return letter.charCodeAt(0) % 32;
    }
    if (c === 'x' && /^[0-9a-fA-F]{2}$/.test(this.src.slice(this.pos, this.pos + 2))) {
      this.pos += 2;
      return parseInt(this.src.slice(this.pos - 2, this.pos), 16);
    }
    if (c === 'u') {
      if (/^[0-9a-fA-F]{4}$/.test(this.src.slice(this.pos, this.pos + 4))) {
        this.pos += 4;
        return parseInt(this.src.slice(this.pos - 4, this.pos), 16);
      }
      if (this.flags.unicode && this.src[this.pos] === '{') {
        const close = this.src.indexOf('}', this.pos);
        const code = parseInt(this.src.slice(this.pos + 1, close), 16);
        this.pos = close + 1;
        return code > 0xffff ? undefined : code;
      }
    }
    return c.charCodeAt(0);
  }

  private charClass(): CharSet {
    this.pos += 1;
    const negated = this.src[this.pos] === '^';
    if (negated) this.pos += 1;
    const set = emptySet();
    while (this.pos < this.src.length && this.src[this.pos] !== ']') {
      const from = this.classAtom();
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && typeof from === 'number') {
        this.pos += 1;
        const to = this.classAtom();
        if (typeof to === 'number') addRange(set, from, to);
        else {
          addCode(set, from);
          addCode(set, 45);
          addSet(set, to);
        }
      } else if (typeof from === 'number') addCode(set, from);
      else addSet(set, from);
    }
    this.pos += 1; // ']'
    return negated ? complement(set) : set;
  }

  private classAtom(): number | CharSet {
    if (this.src[this.pos] !== '\\') {
      const code = this.src.codePointAt(this.pos) as number;
      this.pos += this.flags.unicode && code > 0xffff ? 2 : 1;
      return code;
    }
    const c = this.src[this.pos + 1] ?? '';
    this.pos += 2;
    if (c === 'b') return 8;
    if (c === '-') return 45;
    const set = this.escapeSet(c);
    if (set !== undefined) return set;
    if (/[1-9]/.test(c)) return anySet(); // a legacy octal escape inside a class
    return this.escapeCode(c) ?? anySet();
  }

  private quantifier(): Quantifier | undefined {
    const start = this.pos;
    const c = this.src[this.pos];
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.pos += 1;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      COUNTS.lastIndex = this.pos;
      const counts = COUNTS.exec(this.src);
      if (counts === null) return undefined; // a literal "{" (outside unicode mode)
      this.pos += counts[0].length;
      min = Number(counts[1]);
      max = counts[2] === undefined ? min : counts[3] === '' ? Infinity : Number(counts[3]);
    } else {
      return undefined;
    }
    const end = this.pos;
    if (this.src[this.pos] === '?') this.pos += 1;
    if (min > MAX_COUNT || (max !== Infinity && max > MAX_COUNT)) throw new RefusedPattern(`the repetition count in "${this.src.slice(start, end)}" is above ${MAX_COUNT}`);
    return { min, max, start, end };
  }
}
