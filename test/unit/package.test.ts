// The .vsix that `npm run package` builds: packaged here with the same vsce flags (from the dist/
// that `npm test` just built), then its zip directory is read. It must carry everything the
// installed extension runs (bundles, the sql.js wasm, the webview bundles) and nothing of the
// sources, the tests or the sourcemaps.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from './helpers';

const root = join(__dirname, '..', '..');
const VSCE_FLAGS = ['--no-dependencies', '--allow-missing-repository', '--skip-license'];
/** A generous bound: today's package is about 1.1 MB. */
const MAX_BYTES = 5 * 1024 * 1024;

/** The names in a zip's central directory (the .vsix format), read without any zip library. */
function zipEntries(zip: Buffer): string[] {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i -= 1) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, 'the .vsix is a zip (end of central directory found)');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n += 1) {
    assert.equal(zip.readUInt32LE(offset), 0x02014b50, `central directory entry ${n} has its signature`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

describe('the packaged extension (.vsix)', { timeout: 120_000 }, () => {
  const scratch = tempDir('logbook-vsix-');
  const vsix = join(scratch.dir, 'agent-logbook.vsix');
  let entries: string[] = [];

  before(() => {
    assert.ok(existsSync(join(root, 'dist', 'extension.js')), 'dist/ is built (npm test builds it first)');
    const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const packaged = spawnSync(process.execPath, [vsce, 'package', ...VSCE_FLAGS, '--out', vsix], { cwd: root, encoding: 'utf8', timeout: 110_000 });
    assert.equal(packaged.status, 0, `vsce package failed:\n${packaged.stderr}\n${packaged.stdout}`);
    entries = zipEntries(readFileSync(vsix)).filter((name) => name.startsWith('extension/')).map((name) => name.slice('extension/'.length));
  });
  after(() => scratch.cleanup());

  it('is small: under 5 MB', () => {
    const bytes = statSync(vsix).size;
    console.log(`# .vsix: ${(bytes / 1024 / 1024).toFixed(2)} MB, ${entries.length} files`);
    assert.ok(bytes < MAX_BYTES, `${bytes} bytes`);
  });

  it('carries the extension, ingest worker, CLI (with its code cache) and hook bundles, the sql.js wasm and the webview bundles', () => {
    for (const file of ['package.json', 'dist/extension.js', 'dist/ingest-worker.js', 'dist/sqljs-warm.js', 'dist/cli.js', 'dist/cli.js.v8cache', 'dist/logbook.js', 'dist/hook.js', 'dist/sql-wasm.wasm', 'media/logbook.svg']) {
      assert.ok(entries.includes(file), `${file} is in the .vsix (has: ${entries.join(', ')})`);
    }
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    assert.ok(entries.includes(manifest.main.replace(/^\.\//, '')), `the manifest's main (${manifest.main}) is inside`);
    assert.ok(entries.some((file) => /^dist\/webview\/.+\.js$/.test(file)), 'the webview bundles are inside');
  });

  it('leaves out sources, tests, sourcemaps, node_modules and dev-only bundles', () => {
    const unwanted = entries.filter(
      (file) => /^(src|test|scripts|bench|webview|tools|node_modules|dist-itest)\//.test(file) || file.endsWith('.map') || file.endsWith('.ts') || ['dist/start.js', 'dist/bench.js', 'dist/make-code-cache.js'].includes(file),
    );
    assert.deepEqual(unwanted, []);
  });
});
