import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function child(mode: string): { warmed: boolean; problem?: string; fromModule: boolean; found: number } {
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'sqljs-warm-child.ts'), mode], { cwd: root, encoding: 'utf8', timeout: 60_000 })) as { warmed: boolean; problem?: string; fromModule: boolean; found: number };
}

test('a window loads sql.js from the module its warm-up thread compiled and ran the first queries with', () => {
  const result = child('normal');
  assert.deepEqual(result, { warmed: true, fromModule: true, found: 1 });
});

test('a warm-up thread that fails as it starts: sql.js is loaded the usual way, and the reason is given', () => {
  const result = child('throws');
  assert.equal(result.warmed, false);
  assert.equal(result.fromModule, false);
  assert.match(result.problem ?? '', /no warm-up here/);
  assert.equal(result.found, 1, 'the store works all the same');
});

test('a warm-up thread that never answers: the window stops waiting at its time limit and loads sql.js itself', () => {
  const result = child('silent');
  assert.deepEqual([result.warmed, result.fromModule, result.found], [false, false, 1]);
  assert.match(result.problem ?? '', /did not answer within 1500 ms/);
});
