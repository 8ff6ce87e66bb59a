import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findTooDeep } from '../../src/domain/json-depth';
import { formatJsonPath, mapJsonStrings, stringifyJson, visitJsonLeaves } from '../../src/domain/json-walk';

const DEEP = 20_000;
const deepArray = (n: number): string => `${'['.repeat(n)}"x"${']'.repeat(n)}`;
const deepObject = (n: number): string => `${'{"a":'.repeat(n)}"x"${'}'.repeat(n)}`;

test('findTooDeep finds the first bracket past the limit, in arrays, objects and mixed nesting', () => {
  assert.deepEqual(findTooDeep(deepArray(300), 256), { offset: 256, limit: 256 });
  assert.deepEqual(findTooDeep(deepObject(300), 256), { offset: 256 * 5, limit: 256 });
  const mixed = `${'[{"k":'.repeat(200)}1${'}]'.repeat(200)}`;
  assert.equal(findTooDeep(mixed, 256)?.offset, 6 * 128);
  assert.equal(findTooDeep(deepArray(256), 256), undefined);
  assert.equal(findTooDeep(deepArray(DEEP), 256)?.offset, 256);
});

test('findTooDeep does not count brackets inside strings (escaped quotes included) or JSONC comments', () => {
  const inString = JSON.stringify({ text: '['.repeat(5000), quoted: `"${'{'.repeat(5000)}\\"` });
  assert.equal(findTooDeep(inString, 10), undefined);
  const commented = `{\n// ${'['.repeat(5000)}\n/* ${'{'.repeat(5000)} */ "a": [1]\n}`;
  assert.equal(findTooDeep(commented, 10, { comments: true }), undefined);
  // Without comment support the same brackets count: callers choose what the format allows.
  assert.notEqual(findTooDeep(commented, 10), undefined);
  // A string that never closes, or a comment that never ends, stops the scan instead of throwing.
  assert.equal(findTooDeep(`"${'['.repeat(5000)}`, 10), undefined);
  assert.equal(findTooDeep(`/* ${'['.repeat(5000)}`, 10, { comments: true }), undefined);
});

test('findTooDeep takes malformed text (stray closers, garbage) without throwing', () => {
  assert.equal(findTooDeep(']]]]}}}}'.repeat(1000), 5), undefined);
  assert.equal(findTooDeep(`${']'.repeat(50)}${'['.repeat(6)}`, 5)?.offset, 55);
  assert.equal(findTooDeep('\u0000\uffff\ud800[[[', 2)?.offset, 5);
});

test('mapJsonStrings walks values nested 20,000 levels deep without recursion and keeps paths', () => {
  const value: unknown = JSON.parse(deepArray(DEEP));
  const paths: string[] = [];
  const mapped = mapJsonStrings(value, (text, path) => {
    paths.push(path());
    return text.toUpperCase();
  });
  assert.equal(paths.length, 1);
  assert.equal(paths[0], '[0]'.repeat(DEEP));
  let node: unknown = mapped;
  for (let i = 0; i < DEEP; i += 1) node = (node as unknown[])[0];
  assert.equal(node, 'X');
  assert.equal((value as unknown[]).length, 1, 'the input is not changed');
  assert.equal(stringifyJson(mapped).length, deepArray(DEEP).length);
});

test('mapJsonStrings returns the very same value when nothing changes, and copies only the changed path', () => {
  const value = { a: { b: ['keep', 'change'], c: { d: 'keep' } }, n: 1, t: true, z: null };
  assert.equal(mapJsonStrings(value, (text) => text), value);
  const mapped = mapJsonStrings(value, (text, path) => (text === 'change' ? `cut at ${path()}` : text)) as typeof value;
  assert.deepEqual(mapped.a.b, ['keep', 'cut at a.b[1]']);
  assert.equal(mapped.a.c, value.a.c, 'an unchanged branch is shared');
  assert.deepEqual(value.a.b, ['keep', 'change']);
  assert.equal(mapJsonStrings('top', (text, path) => `${text}:${path()}`), 'top:');
  assert.equal(mapJsonStrings(42, () => 'never'), 42);
});

test('mapJsonStrings keeps a "__proto__" key a key when it replaces its value', () => {
  const value = JSON.parse('{"__proto__": "secret", "x": 1}') as Record<string, unknown>;
  const mapped = mapJsonStrings(value, () => '[redacted]') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(mapped), Object.prototype);
  assert.deepEqual(Object.keys(mapped), ['__proto__', 'x']);
  assert.equal(JSON.stringify(mapped), '{"__proto__":"[redacted]","x":1}');
});

test('stringifyJson writes what JSON.stringify writes, at any depth', () => {
  const samples: unknown[] = [
    null, 0, -1.5, 'a"b\\c\n\u2028', true, [], {}, [1, [2, [3]]], { a: { b: [] }, 'k"y': 'v' },
    { skip: undefined, keep: 1 }, [undefined, 1], { n: Number.NaN, i: Number.POSITIVE_INFINITY }, ['😀', '\ud800'],
  ];
  for (const sample of samples) assert.equal(stringifyJson(sample), JSON.stringify(sample), JSON.stringify(sample));
  const deep: unknown = JSON.parse(deepObject(DEEP));
  assert.equal(stringifyJson(deep), deepObject(DEEP));
});

test('visitJsonLeaves visits leaves in document order at any depth and stops when asked', () => {
  const seen: (string | number | boolean)[] = [];
  visitJsonLeaves({ a: ['x', 1, { b: true }], c: 'y' }, (leaf) => {
    seen.push(leaf);
    return true;
  });
  assert.deepEqual(seen, ['x', 1, true, 'y']);
  let count = 0;
  visitJsonLeaves(JSON.parse(deepArray(DEEP)), () => {
    count += 1;
    return false;
  });
  assert.equal(count, 1);
});

test('formatJsonPath writes the paths field cuts have always used', () => {
  assert.equal(formatJsonPath(['tool_input', 'edits', 2, 'old_string']), 'tool_input.edits[2].old_string');
  assert.equal(formatJsonPath([0, 'a']), '[0].a');
  assert.equal(formatJsonPath([]), '');
});
