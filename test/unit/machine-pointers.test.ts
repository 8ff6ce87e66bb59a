import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repointMachinePaths } from '../../src/capture/machine-pointers';
import { mcpCliFilePath } from '../../src/capture/mcp-config';
import { logbookPaths } from '../../src/capture/paths';
import { tempDir } from './helpers';

function setUp(dir: string): { ws: string; oldCli: string; newCli: string; oldRuntime: string; newRuntime: string } {
  const ws = join(dir, 'ws');
  mkdirSync(logbookPaths(ws).bin, { recursive: true, mode: 0o700 });
  const files = { oldCli: join(dir, 'ext-1.0', 'logbook.js'), newCli: join(dir, 'ext-1.1', 'logbook.js'), oldRuntime: join(dir, 'code-1', 'node'), newRuntime: join(dir, 'code-2', 'node') };
  for (const file of Object.values(files)) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '');
  }
  writeFileSync(mcpCliFilePath(ws), `${files.oldCli}\n`, { mode: 0o644 });
  writeFileSync(logbookPaths(ws).hookRuntime, `${files.oldRuntime}\n`, { mode: 0o644 });
  return { ws, ...files };
}

test('after an update deleted the programs .logbook/bin/ names, a window points cli and runtime at its own', () => {
  const { dir, cleanup } = tempDir();
  try {
    const s = setUp(dir);
    assert.deepEqual(repointMachinePaths(s.ws, { cliPath: s.newCli, runtime: s.newRuntime }), [], 'the recorded files still exist: left as they are');
    rmSync(join(s.oldCli, '..'), { recursive: true });
    rmSync(join(s.oldRuntime, '..'), { recursive: true });
    const moved = repointMachinePaths(s.ws, { cliPath: s.newCli, runtime: s.newRuntime });
    assert.deepEqual(moved.map((m) => [m.was, m.now]), [[s.oldCli, s.newCli], [s.oldRuntime, s.newRuntime]]);
    assert.equal(readFileSync(mcpCliFilePath(s.ws), 'utf8'), `${s.newCli}\n`);
    assert.equal(readFileSync(logbookPaths(s.ws).hookRuntime, 'utf8'), `${s.newRuntime}\n`);
    assert.deepEqual(repointMachinePaths(s.ws, { cliPath: s.newCli, runtime: s.newRuntime }), [], 'once');
  } finally {
    cleanup();
  }
});

test('nothing is created where hooks were not installed, and a planted link in place of bin/cli is not written through', () => {
  const { dir, cleanup } = tempDir();
  try {
    const s = setUp(dir);
    rmSync(mcpCliFilePath(s.ws));
    rmSync(logbookPaths(s.ws).hookRuntime);
    assert.deepEqual(repointMachinePaths(s.ws, { cliPath: s.newCli, runtime: s.newRuntime }), []);
    const target = join(dir, 'victim');
    writeFileSync(target, '/gone/logbook.js\n');
    symlinkSync(target, mcpCliFilePath(s.ws));
    assert.deepEqual(repointMachinePaths(s.ws, { cliPath: s.newCli, runtime: s.newRuntime }), []);
    assert.equal(readFileSync(target, 'utf8'), '/gone/logbook.js\n', 'the link target is untouched');
  } finally {
    cleanup();
  }
});
