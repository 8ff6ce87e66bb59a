import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_V8_FLAGS } from '../../src/cli/command-flags';
import { codeCachePath } from '../../src/cli/load-cli';
import { tempDir } from './helpers';

const root = join(__dirname, '..', '..');
const child = join(__dirname, 'code-cache-child.ts');

// A real Node process each time: whether V8 takes a cache depends on the process's flags.
function load(bundle: string, flags: readonly string[] = COMMAND_V8_FLAGS): { cacheUsed: boolean; answer: string } {
  return JSON.parse(execFileSync(process.execPath, [...flags, '--import', 'tsx', child, bundle], { cwd: root, encoding: 'utf8' })) as { cacheUsed: boolean; answer: string };
}

function makeCache(bundle: string): void {
  // It sets the commands' flags itself, as the build runs it.
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'make-code-cache.ts'), bundle], { cwd: root });
}

const bundleText = (word: string): string => `'use strict';\nconst parts = ['${word}'];\nexports.answer = () => parts.join('') + require('node:path').sep + __filename.endsWith('.js');\n`;

test('the CLI bundle loads with the code cache the build made for it, and behaves as required', () => {
  const { dir, cleanup } = tempDir();
  try {
    const bundle = join(dir, 'cli.js');
    writeFileSync(bundle, bundleText('alpha'));
    assert.deepEqual(load(bundle), { cacheUsed: false, answer: 'alpha/true' }, 'no cache yet: compiled as usual');
    makeCache(bundle);
    assert.deepEqual(load(bundle), { cacheUsed: true, answer: 'alpha/true' });
    assert.equal(load(bundle, []).cacheUsed, false, 'V8 refuses a cache made under other flags; the bundle still runs');
  } finally {
    cleanup();
  }
});

test('a cache that belongs to another bundle of the same length is never handed to V8', () => {
  const { dir, cleanup } = tempDir();
  try {
    const bundle = join(dir, 'cli.js');
    writeFileSync(bundle, bundleText('alpha'));
    makeCache(bundle);
    // V8 checks only the source length: the same length, other code, must not run the old code.
    writeFileSync(bundle, bundleText('omega'));
    assert.deepEqual(load(bundle), { cacheUsed: false, answer: 'omega/true' });
    writeFileSync(codeCachePath(bundle), readFileSync(codeCachePath(bundle)).subarray(0, 20));
    assert.deepEqual(load(bundle), { cacheUsed: false, answer: 'omega/true' }, 'a cut cache is ignored');
  } finally {
    cleanup();
  }
});

test('the built CLI bundle takes the cache the build made for it under the flags the bin sets at run time', () => {
  // A flag added to the bin but not to the build (or the reverse) would make V8 refuse the cache
  // silently: every command would compile the whole bundle again (about 30 ms).
  const bundle = join(root, 'dist', 'cli.js');
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'code-cache-bin-child.ts'), bundle], { cwd: root, encoding: 'utf8' })) as { cacheUsed: boolean; hasMain: boolean };
  assert.deepEqual(out, { cacheUsed: true, hasMain: true });
});
