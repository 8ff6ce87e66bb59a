// The writer reaches under sql.js's API (src/store/residence.ts swaps the connection handle of a
// Database, a sql.js 1.16 internal), so sql.js is pinned to one exact version: a `^` range would
// let `npm install` bring a release whose internals differ, and residence.ts would quietly stop
// keeping the database in memory (or worse). These checks fail when the pin, the lock file and
// the installed copy disagree.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import * as z from 'zod';

const root = join(__dirname, '..', '..');
const EXACT_VERSION = /^\d+\.\d+\.\d+$/;

const Manifest = z.object({ version: z.string().optional(), dependencies: z.record(z.string(), z.string()).optional() });
const Lock = z.object({ packages: z.record(z.string(), Manifest) });

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  return schema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

const pinned = (): string => {
  const version = readJson(join(root, 'package.json'), Manifest).dependencies?.['sql.js'];
  assert.ok(version !== undefined, 'package.json depends on sql.js');
  return version;
};

test('package.json pins sql.js to one exact version (no range)', () => {
  assert.match(pinned(), EXACT_VERSION, `sql.js is "${pinned()}" in package.json: the writer uses its internals, so it must be an exact version`);
});

test('package-lock.json asks for and resolves exactly the pinned sql.js', () => {
  const lock = readJson(join(root, 'package-lock.json'), Lock);
  assert.equal(lock.packages['']?.dependencies?.['sql.js'], pinned(), 'the lock file records the same pin as package.json (npm ci refuses otherwise)');
  assert.equal(lock.packages['node_modules/sql.js']?.version, pinned(), 'the lock file resolves sql.js to the pinned version');
});

test('the installed sql.js (the one the build bundles) is the pinned version', () => {
  // sql.js exports no ./package.json: its manifest is found from its main file (dist/sql-wasm.js).
  const manifest = join(dirname(require.resolve('sql.js', { paths: [root] })), '..', 'package.json');
  const installed = readJson(manifest, Manifest).version;
  assert.equal(installed, pinned(), `node_modules has sql.js ${String(installed)}, package.json pins ${pinned()}: run npm ci`);
});
