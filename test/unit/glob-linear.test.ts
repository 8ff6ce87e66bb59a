import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seeded } from './seeded';
import { globMatchCost, globMatches } from '../../src/domain/workflow/glob';
import { checkToolRules } from '../../src/domain/workflow/tool-rules';

// The tool rules' globs come from the workspace and the text they are matched against from the
// agent. These tests hold the matcher to the RegExp it replaced (same answers) and count its
// steps on texts and globs built to make a backtracking matcher explode.

/** The matcher as it was: a RegExp compiled from the glob (it backtracks). */
function regexpMatches(glob: string, text: string): boolean {
  const body = glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*');
  return new RegExp(`^${body}$`).test(text);
}


// Few letters (so pieces recur and near-misses abound), every RegExp metacharacter, line breaks,
// a space, a slash, and a character outside the BMP (two UTF-16 units).
const ALPHABET = ['a', 'a', 'b', '*', '.', '+', '?', '^', '$', '{', '}', '(', ')', '|', '[', ']', '\\', '\n', '\r', ' ', '/', '😀'];
// Globs get more stars: two or more is where a wrong matcher would go astray.
const GLOB_ALPHABET = [...ALPHABET, '*', '*', '*', '*', '*', 'a', 'b'];

function word(next: () => number, max: number, alphabet: readonly string[]): string {
  let out = '';
  const length = Math.floor(next() * (max + 1));
  for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(next() * alphabet.length)] ?? '';
  return out;
}

/** A text the glob should match: each star replaced by a random run. */
function instanceOf(glob: string, next: () => number, alphabet: readonly string[]): string {
  return glob.split('*').map((piece, i) => (i === 0 ? piece : word(next, 3, alphabet) + piece)).join('');
}

/** Compares both matchers on `count` random cases; returns how many matched and how many globs had two stars or more. */
function compareOnRandomCases(seed: number, count: number, globAlphabet: readonly string[], textAlphabet: readonly string[]): { matched: number; refused: number; manyStars: number } {
  const next = seeded(seed);
  const tally = { matched: 0, refused: 0, manyStars: 0 };
  for (let i = 0; i < count; i += 1) {
    const glob = word(next, 10, globAlphabet);
    if (glob.split('*').length >= 3) tally.manyStars += 1;
    // Half the texts are built to match, half are arbitrary (and mostly do not).
    const text = next() < 0.5 ? instanceOf(glob, next, textAlphabet) : word(next, 10, textAlphabet);
    const expected = regexpMatches(glob, text);
    assert.equal(globMatches(glob, text), expected, `seed ${seed}, case ${i}: ${JSON.stringify(glob)} against ${JSON.stringify(text)}`);
    if (expected) tally.matched += 1;
    else tally.refused += 1;
  }
  return tally;
}

test('the matcher answers exactly as the RegExp it replaced, on 20,000 random globs and texts', () => {
  for (const seed of [1, 2, 3, 4]) {
    const { matched, refused, manyStars } = compareOnRandomCases(seed, 5_000, GLOB_ALPHABET, ALPHABET);
    // Both answers are well represented, so the comparison says something about each.
    assert.ok(matched > 1_000 && refused > 1_000, `seed ${seed}: ${matched} matches, ${refused} refusals`);
    assert.ok(manyStars > 1_000, `seed ${seed}: only ${manyStars} globs with two stars or more`);
  }
});

test('the same over two letters, where pieces overlap each other and the text\'s ends all the time', () => {
  for (const seed of [5, 6, 7, 8]) {
    const { matched, refused } = compareOnRandomCases(seed, 5_000, ['a', 'b', '*', '*'], ['a', 'b']);
    assert.ok(matched > 1_000 && refused > 1_000, `seed ${seed}: ${matched} matches, ${refused} refusals`);
  }
});

test('the edge cases of the RegExp carry over: empty glob, lone stars, line breaks, anchoring', () => {
  const cases: [string, string][] = [
    ['', ''], ['', 'a'], ['*', ''], ['*', '\n'], ['**', 'x'], ['a*', 'a\n'], ['*a', '\na'], ['a', 'a\n'],
    ['a*a', 'a'], ['a*a', 'aa'], ['*ab*b', 'ab'], ['a*ab*b', 'aab'], ['*aa*a', 'aa'], ['*aa*a', 'aaa'], ['ab*ba', 'aba'], ['*ab*ab*', 'abab'], ['*ab*ab*', 'aba'], ['$*^', '$x^'],
    ['git *', 'git'], ['git *', 'git '], ['rm -rf *', 'rm -rf /\nrm -rf ~'], ['😀*', '😀'], ['*\ud83d', '😀'],
  ];
  for (const [glob, text] of cases) assert.equal(globMatches(glob, text), regexpMatches(glob, text), `${JSON.stringify(glob)} against ${JSON.stringify(text)}`);
});

/** Globs and texts that make a backtracking matcher (or a naive substring search) do n² or worse work. */
function adversarial(n: number): { name: string; glob: string; text: string; matches: boolean }[] {
  const as = 'a'.repeat(n);
  const near = `${'a'.repeat(999)}b`;
  return [
    { name: 'the issue\'s *a*a*…*b on a run of a', glob: '*a*a*a*a*a*a*a*a*a*a*a*a*b', text: as, matches: false },
    { name: '*a*a*… with 200 stars on a run of a, then b', glob: `${'*a'.repeat(200)}*c`, text: `${as}b`, matches: false },
    { name: 'a*a*a*…b (literal start) on a run of a', glob: `${'a*'.repeat(100)}b`, text: as, matches: false },
    { name: 'a*a*a*…a matching', glob: `${'a*'.repeat(100)}a`, text: as, matches: true },
    { name: 'a long piece that misses by its last character, everywhere', glob: `*${near}*`, text: as, matches: false },
    { name: 'several long near-miss pieces', glob: `*${'a'.repeat(50)}*${near}*${near}*`, text: as, matches: false },
    { name: 'a periodic piece that almost recurs', glob: `*${'ab'.repeat(300)}c*`, text: 'ab'.repeat(n / 2), matches: false },
    { name: 'many stars in a row', glob: `${'*'.repeat(1_000)}b${'*'.repeat(1_000)}`, text: as, matches: false },
    { name: 'many one-character pieces that all match', glob: `*${'a*'.repeat(n / 2)}`, text: as, matches: true },
  ];
}

test('matching is linear on adversarial globs: at most 3 steps per character of the text, at any length', () => {
  for (const n of [1_000, 10_000, 100_000]) {
    for (const { name, glob, text, matches } of adversarial(n)) {
      const { matched, steps } = globMatchCost(glob, text);
      assert.equal(matched, matches, `${name} (${n})`);
      assert.ok(steps <= 3 * text.length, `${name}: ${steps} steps for ${text.length} characters`);
      // Far below what the brief allowed (text length × number of pieces).
      assert.ok(steps <= 3 * text.length * glob.split('*').length, name);
    }
  }
});

test('the issue\'s deny glob on a Bash command of 40 a\'s, and of a million, lets the command run', () => {
  const state = { tools: { bash: { deny: ['*a*a*a*a*a*a*a*a*a*a*a*a*b'] } } };
  for (const n of [30, 34, 40, 1_000_000]) {
    const verdict = checkToolRules('working', state, 'Bash', { command: `echo ${'a'.repeat(n)}` });
    assert.deepEqual(verdict, { allowed: true }, `${n} a's`);
  }
  const denied = checkToolRules('working', state, 'Bash', { command: `echo ${'a'.repeat(100_000)}b` });
  assert.equal(denied.allowed, false);
});
