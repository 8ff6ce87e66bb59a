// A conservative picture of the characters an atom of a regular expression can match: exact for
// ASCII, and one flag for "some character outside ASCII". Two sets overlap when they share an
// ASCII character or both reach outside ASCII; unknown means "everything" (never wrongly disjoint).

export interface CharSet {
  readonly ascii: Uint8Array;
  other: boolean;
}

export function emptySet(): CharSet {
  return { ascii: new Uint8Array(128), other: false };
}

export function anySet(): CharSet {
  return { ascii: new Uint8Array(128).fill(1), other: true };
}

export function addCode(set: CharSet, code: number): void {
  if (code < 128) set.ascii[code] = 1;
  else set.other = true;
}

export function addRange(set: CharSet, from: number, to: number): void {
  for (let code = from; code <= Math.min(to, 127); code += 1) set.ascii[code] = 1;
  if (to >= 128) set.other = true;
}

export function addSet(set: CharSet, more: CharSet): void {
  for (let code = 0; code < 128; code += 1) if (more.ascii[code] === 1) set.ascii[code] = 1;
  if (more.other) set.other = true;
}

/** The complement: outside ASCII it can only say "something". */
export function complement(set: CharSet): CharSet {
  const result = emptySet();
  for (let code = 0; code < 128; code += 1) result.ascii[code] = set.ascii[code] === 1 ? 0 : 1;
  result.other = true;
  return result;
}

export function overlaps(a: CharSet, b: CharSet): boolean {
  if (a.other && b.other) return true;
  for (let code = 0; code < 128; code += 1) if (a.ascii[code] === 1 && b.ascii[code] === 1) return true;
  return false;
}

/** Case-insensitive matching: both cases of each letter; with `u`, ſ and K (Kelvin) fold to s and k. */
export function foldCase(set: CharSet, unicode: boolean): void {
  for (let code = 65; code <= 90; code += 1) {
    if (set.ascii[code] === 1 || set.ascii[code + 32] === 1) {
      set.ascii[code] = 1;
      set.ascii[code + 32] = 1;
    }
  }
  if (unicode && (set.ascii[115] === 1 || set.ascii[107] === 1)) set.other = true;
  if (unicode && set.other) for (const code of [75, 83, 107, 115]) set.ascii[code] = 1;
}

/** The sets of the class escapes \d \w \s (and their negations by the caller). */
export function escapeSet(letter: 'd' | 'w' | 's'): CharSet {
  const set = emptySet();
  if (letter === 'd') addRange(set, 48, 57);
  if (letter === 'w') {
    addRange(set, 48, 57);
    addRange(set, 65, 90);
    addRange(set, 97, 122);
    addCode(set, 95);
  }
  if (letter === 's') {
    for (const code of [9, 10, 11, 12, 13, 32]) addCode(set, code);
    set.other = true;
  }
  return set;
}
