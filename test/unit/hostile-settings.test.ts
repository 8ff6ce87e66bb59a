import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WorkspaceFileError } from '../../src/capture/bounded-read';
import { hooksInstalledIn } from '../../src/capture/installed';
import { installHooks, SettingsFileError, uninstallHooks } from '../../src/capture/installer';
import { registerMcpServer, unregisterMcpServer } from '../../src/capture/mcp-config';
import { tempDir } from './helpers';

// The JSON files we edit for Claude Code (.claude/settings*.json, .mcp.json) and .gitignore,
// each met in every hostile shape: nested too deep (just over the limit, 100,000 levels), too
// large (just over 8 MiB, 50 MB), not UTF-8, a directory. Each edit is refused with an error
// that names the file (and line:column where there is one) and nothing is written anywhere.

const MIB8 = 8 * 1024 * 1024;
const MB50 = 50 * 1024 * 1024;

interface Sandbox {
  readonly workspace: string;
  readonly hookBundle: string;
  readonly cliPath: string;
}

function sandbox(t: TestContext): Sandbox {
  const { dir, cleanup } = tempDir('logbook-hostile-settings-');
  t.after(cleanup);
  const workspace = join(dir, 'ws');
  const hookBundle = join(dir, 'dist', 'hook.js');
  const cliPath = join(dir, 'dist', 'logbook.js');
  mkdirSync(workspace);
  mkdirSync(dirname(hookBundle));
  writeFileSync(hookBundle, '// hook');
  writeFileSync(cliPath, '// cli');
  return { workspace, hookBundle, cliPath };
}

interface Hostile {
  readonly name: string;
  /** Puts the hostile content at `file`. */
  readonly plant: (file: string) => void;
  /** Checks the error and returns true (for assert.throws). */
  readonly refused: (error: unknown, label: string) => boolean;
}

function sized(size: number): (file: string) => void {
  return (file) => {
    writeFileSync(file, '{}');
    const fd = openSync(file, 'r+');
    ftruncateSync(fd, size);
    closeSync(fd);
  };
}

function tooDeep(depth: number): Hostile {
  return {
    name: `nested ${depth} levels deep`,
    plant: (file) => writeFileSync(file, `{\n  "x": ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}\n}\n`),
    refused: (error, label) => {
      assert.ok(error instanceof SettingsFileError, String(error));
      assert.equal(error.code, 'SETTINGS_TOO_DEEP');
      // The arrays start at column 8 of line 2; level 257 is the 256th `[`.
      assert.equal(error.message, `${label}:2:263: nested deeper than 256 levels (file left untouched)`);
      return true;
    },
  };
}

function refusedFile(code: string, reason: RegExp): Hostile['refused'] {
  return (error, label) => {
    assert.ok(error instanceof WorkspaceFileError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.file, label);
    assert.ok(error.message.startsWith(`${label}: `), error.message);
    assert.match(error.message, reason);
    return true;
  };
}

const HOSTILE: readonly Hostile[] = [
  tooDeep(257),
  tooDeep(100_000),
  { name: 'just over 8 MiB', plant: sized(MIB8 + 1), refused: refusedFile('FILE_TOO_LARGE', /is 8\.0 MiB \(8388609 bytes\), over the limit of 8 MiB/) },
  { name: '50 MB', plant: sized(MB50), refused: refusedFile('FILE_TOO_LARGE', /is 50 MiB \(52428800 bytes\), over the limit of 8 MiB/) },
  { name: 'not UTF-8', plant: (file) => writeFileSync(file, Buffer.from('{\n  "env": {"USER": "Jos\xe9"}\n}\n', 'latin1')), refused: refusedFile('FILE_NOT_UTF8', /byte 0xe9 at line 2, byte offset 24/) },
  { name: 'a directory', plant: (file) => mkdirSync(file), refused: refusedFile('FILE_NOT_REGULAR', /is a directory, not a file/) },
];

/** Every file of the workspace with its bytes (directories as such), to show nothing changed. */
function contents(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) {
        out.set(path, '(directory)');
        walk(path);
      } else {
        out.set(path, `${statSync(path).size}:${readFileSync(path).subarray(0, 4096).toString('hex')}`);
      }
    }
  };
  walk(dir);
  return out;
}

const TARGETS: readonly { label: string; attempts: (s: Sandbox) => (() => unknown)[] }[] = [
  {
    label: '.claude/settings.local.json',
    attempts: (s) => [() => installHooks({ ...s, scope: 'local' }), () => uninstallHooks({ workspace: s.workspace, scope: 'local' })],
  },
  {
    label: '.claude/settings.json',
    attempts: (s) => [() => installHooks({ ...s, scope: 'shared' }), () => uninstallHooks({ workspace: s.workspace, scope: 'shared' })],
  },
  {
    label: '.mcp.json',
    attempts: (s) => [() => installHooks({ ...s, scope: 'local' }), () => registerMcpServer(s.workspace, s.cliPath), () => unregisterMcpServer(s.workspace)],
  },
];

for (const target of TARGETS) {
  for (const hostile of HOSTILE) {
    test(`${target.label} ${hostile.name}: every edit is refused naming the file, and nothing is written`, (t) => {
      const s = sandbox(t);
      const file = join(s.workspace, target.label);
      mkdirSync(dirname(file), { recursive: true });
      hostile.plant(file);
      const before = contents(s.workspace);
      for (const attempt of target.attempts(s)) assert.throws(attempt, (error: unknown) => hostile.refused(error, target.label));
      assert.deepEqual(contents(s.workspace), before);
    });
  }
}

test('settings nested 255 and 256 levels deep are still edited, the deep value kept as it was', (t) => {
  for (const depth of [255, 256]) {
    const s = sandbox(t);
    const deep = `${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}`;
    const file = join(s.workspace, '.claude', 'settings.local.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `{\n  "x": ${deep}\n}\n`);
    writeFileSync(join(s.workspace, '.mcp.json'), `{\n  "x": ${deep}\n}\n`);
    installHooks({ ...s, scope: 'local' });
    for (const edited of [file, join(s.workspace, '.mcp.json')]) {
      const text = readFileSync(edited, 'utf8');
      assert.ok(text.includes(`"x": ${deep}`), edited);
      assert.ok(text.includes('logbook'), edited);
    }
  }
});

test('a .gitignore too large, not UTF-8 or a directory is left as it is, with a message; the install goes on', (t) => {
  const cases: { name: string; plant: (file: string) => void; reason: RegExp }[] = [
    { name: 'too large', plant: sized(MIB8 + 1), reason: /^\.gitignore is 8\.0 MiB \(8388609 bytes\), over the limit of 8 MiB .*left as it is/ },
    { name: 'not UTF-8', plant: (file) => writeFileSync(file, Buffer.from('# caf\xe9\nnode_modules/\n', 'latin1')), reason: /^\.gitignore is not UTF-8 text \(byte 0xe9 at line 1, byte offset 5\); left as it is/ },
    { name: 'a directory', plant: (file) => mkdirSync(file), reason: /^\.gitignore is a directory, not a file; left as it is/ },
  ];
  for (const c of cases) {
    const s = sandbox(t);
    const gitignore = join(s.workspace, '.gitignore');
    c.plant(gitignore);
    const before = contents(s.workspace).get(gitignore);
    const result = installHooks({ ...s, scope: 'local' });
    assert.ok(result.messages.some((m) => c.reason.test(m)), `${c.name}: ${result.messages.join('\n')}`);
    assert.equal(result.gitignoreChanged, false);
    assert.equal(contents(s.workspace).get(gitignore), before, c.name);
    assert.equal(hooksInstalledIn(s.workspace), true, `${c.name}: the hooks are installed all the same`);
  }
});

test('hooksInstalledIn answers false for every hostile settings file, never throws, and still sees hooks in the other file', (t) => {
  for (const hostile of [...HOSTILE, { name: 'empty', plant: (file: string) => writeFileSync(file, '') }]) {
    const s = sandbox(t);
    const local = join(s.workspace, '.claude', 'settings.local.json');
    mkdirSync(dirname(local), { recursive: true });
    hostile.plant(local);
    assert.equal(hooksInstalledIn(s.workspace), false, hostile.name);
    rmSync(local, { recursive: true });
    installHooks({ ...s, scope: 'shared' });
    hostile.plant(local);
    assert.equal(hooksInstalledIn(s.workspace), true, `${hostile.name}, with hooks in .claude/settings.json`);
  }
});
