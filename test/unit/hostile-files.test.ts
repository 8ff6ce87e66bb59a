import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBoundedText, readTextOrThrow, WorkspaceFileError } from '../../src/capture/bounded-read';
import { logbookPaths } from '../../src/capture/paths';
import { readWorkspaceSettings } from '../../src/cli/workspace-settings';
import { main } from '../../src/cli/main';
import { LogbookError } from '../../src/domain/errors';
import { WORKFLOW_FILE_MAX_BYTES } from '../../src/domain/workflow/limits';
import { loadWorkflow, readWorkflow } from '../../src/workflow/definition-file';
import { tempDir } from './helpers';

// Files a workspace can hold that we parse: the workflow and .vscode/settings.json here (Claude
// settings, .mcp.json and .gitignore in hostile-settings, the hook's state files in
// hostile-hook-state). Each class of hostile file gets several variants: too large (just over
// the limit, and 50 MB), nested too deep (at, just over, and far over the limit), not UTF-8, a
// directory, a FIFO, empty.

const MB50 = 50 * 1024 * 1024;

function workspace(t: TestContext): string {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  return dir;
}

/** A file of `size` bytes without writing them (sparse): a 50 MB file costs nothing to make. */
function sizedFile(file: string, size: number, start = ''): void {
  writeFileSync(file, start);
  const fd = openSync(file, 'r+');
  ftruncateSync(fd, size);
  closeSync(fd);
}

/** Arrays nested `depth - 1` deep: inside an object, `depth` levels in all. */
function nested(depth: number): string {
  return `${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}`;
}

// ---------- the bounded reader ----------

test('a file over the limit is refused by its size (named in the reason), from just over to 50 MB; one at the limit is read', (t) => {
  const dir = workspace(t);
  const file = join(dir, 'f.json');
  for (const size of [1025, 4096, MB50]) {
    sizedFile(file, size);
    const read = readBoundedText(file, 1024);
    assert.equal(read.kind, 'refused');
    assert.ok(read.kind === 'refused' && read.code === 'FILE_TOO_LARGE');
    assert.match(read.reason, new RegExp(`\\(${size} bytes\\), over the limit of 1 KiB \\(1024 bytes\\): not read`));
  }
  sizedFile(file, 1024, '{}');
  const atLimit = readBoundedText(file, 1024);
  assert.equal(atLimit.kind === 'text' && atLimit.text.length, 1024);
});

test('a directory, a FIFO and a missing file are told apart, and a FIFO does not block the read', { skip: process.platform === 'win32' }, (t) => {
  const dir = workspace(t);
  mkdirSync(join(dir, 'folder.json'));
  execFileSync('mkfifo', [join(dir, 'pipe.json')]);
  assert.deepEqual(readBoundedText(join(dir, 'folder.json'), 1024), { kind: 'refused', code: 'FILE_NOT_REGULAR', reason: 'is a directory, not a file' });
  assert.deepEqual(readBoundedText(join(dir, 'pipe.json'), 1024), { kind: 'refused', code: 'FILE_NOT_REGULAR', reason: 'is not a regular file' });
  assert.deepEqual(readBoundedText(join(dir, 'none.json'), 1024), { kind: 'missing' });
  assert.deepEqual(readBoundedText(join(dir, 'folder.json', 'x', 'none.json'), 1024), { kind: 'missing' });
  sizedFile(join(dir, 'file'), 0);
  assert.deepEqual(readBoundedText(join(dir, 'file', 'under-a-file.json'), 1024), { kind: 'missing' });
  assert.deepEqual(readBoundedText(join(dir, `${'x'.repeat(100_000)}.json`), 1024), { kind: 'missing' });
});

test('text that is not UTF-8 is refused with the line and byte offset of the first bad byte', (t) => {
  const dir = workspace(t);
  const file = join(dir, 'f.json');
  const cases: { name: string; bytes: Buffer; line: number; offset: number; byte: string }[] = [
    { name: 'Latin-1 é', bytes: Buffer.from('{\n  "a": "caf\xe9"\n}\n', 'latin1'), line: 2, offset: 13, byte: 'e9' },
    { name: 'a lone continuation byte first', bytes: Buffer.from([0x80, 0x7b, 0x7d]), line: 1, offset: 0, byte: '80' },
    { name: 'after a real replacement character', bytes: Buffer.concat([Buffer.from('"\uFFFD"\n"x'), Buffer.from([0xff]), Buffer.from('"')]), line: 2, offset: 8, byte: 'ff' },
    { name: 'a truncated sequence at the end', bytes: Buffer.concat([Buffer.from('[1,\n2,\n3]'), Buffer.from([0xe2, 0x82])]), line: 3, offset: 9, byte: 'e2' },
    { name: 'an encoded surrogate', bytes: Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), line: 1, offset: 1, byte: 'ed' },
  ];
  for (const c of cases) {
    writeFileSync(file, c.bytes);
    assert.deepEqual(readBoundedText(file, 1024), {
      kind: 'refused', code: 'FILE_NOT_UTF8', reason: `is not UTF-8 text (byte 0x${c.byte} at line ${c.line}, byte offset ${c.offset})`,
    }, c.name);
  }
  writeFileSync(file, '"\uFFFD and a BOM \uFEFF are UTF-8"');
  assert.equal(readBoundedText(file, 1024).kind, 'text');
});

test('readTextOrThrow names the file in a WorkspaceFileError with a stable code', (t) => {
  const dir = workspace(t);
  sizedFile(join(dir, 'big'), 2048);
  assert.throws(() => readTextOrThrow(join(dir, 'big'), 'some/big.json', 1024), (error: unknown) =>
    error instanceof WorkspaceFileError && error instanceof LogbookError && error.code === 'FILE_TOO_LARGE' && error.file === 'some/big.json'
    && error.message.startsWith('some/big.json: is 2 KiB (2048 bytes), over the limit of 1 KiB (1024 bytes)'));
  assert.equal(readTextOrThrow(join(dir, 'none'), 'none', 1024), undefined);
});

// ---------- .logbook/workflow.json ----------

const WORKFLOW = { version: 1, name: 'w', initial: 'a', states: { a: {}, b: { final: true } }, transitions: [{ from: 'a', to: 'b' }], iteration: { startsAt: 'a' } };

function problemsOf(dir: string): readonly string[] {
  const loaded = loadWorkflow(logbookPaths(dir));
  assert.equal(loaded.status, 'invalid');
  return loaded.status === 'invalid' ? loaded.problems : [];
}

test('a workflow file over 256 KiB is refused by its size, before it is read; one at the limit is read', async (t) => {
  const dir = workspace(t);
  const paths = logbookPaths(dir);
  mkdirSync(paths.dir, { recursive: true });
  const cases: [number, string][] = [[WORKFLOW_FILE_MAX_BYTES + 1, '256.0 KiB (262145 bytes)'], [MB50, '50 MiB (52428800 bytes)']];
  for (const [size, shown] of cases) {
    // Valid JSON at the start: only the size can be what is refused.
    sizedFile(paths.workflow, size, JSON.stringify(WORKFLOW));
    assert.deepEqual(problemsOf(dir), [`.logbook/workflow.json: is ${shown}, over the limit of 256 KiB (262144 bytes): not read`]);
  }
  const text = JSON.stringify(WORKFLOW);
  writeFileSync(paths.workflow, text + ' '.repeat(WORKFLOW_FILE_MAX_BYTES - text.length));
  assert.equal(readWorkflow(paths).status, 'ok');
  // The CLI says the same, and exits with an error.
  sizedFile(paths.workflow, MB50, text);
  let err = '';
  const code = await main(['status', '--session', 's', '--workspace', dir], { out: () => undefined, err: (line) => { err += line; } });
  assert.equal(code, 1);
  assert.match(err, /\.logbook\/workflow\.json: is 50 MiB \(52428800 bytes\), over the limit of 256 KiB/);
});

test('a workflow nested too deep is named at its line:column, from just over the limit to 100,000 levels; at the limit the schema speaks', (t) => {
  const dir = workspace(t);
  const paths = logbookPaths(dir);
  mkdirSync(paths.dir, { recursive: true });
  const withDescription = (depth: number): string => `{\n  "version": 1,\n  "description": ${nested(depth)}\n}\n`;
  for (const depth of [255, 256]) {
    writeFileSync(paths.workflow, withDescription(depth));
    const problems = problemsOf(dir);
    assert.ok(problems.some((p) => p.startsWith('.logbook/workflow.json: description: ')), problems.join('\n'));
    assert.ok(!problems.some((p) => p.includes('nested deeper')));
  }
  for (const depth of [257, 258, 100_000]) {
    writeFileSync(paths.workflow, withDescription(depth));
    // Level 257 is the 256th `[`: the arrays start at column 18 of line 3.
    assert.deepEqual(problemsOf(dir), ['.logbook/workflow.json:3:273: nested deeper than 256 levels'], `depth ${depth}`);
  }
});

test('a workflow file that is not UTF-8, a directory, or empty: a problem naming the file and where', (t) => {
  const dir = workspace(t);
  const paths = logbookPaths(dir);
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(paths.workflow, Buffer.from('{\n  "version": 1,\n  "name": "caf\xe9"\n}\n', 'latin1'));
  assert.deepEqual(problemsOf(dir), ['.logbook/workflow.json: is not UTF-8 text (byte 0xe9 at line 3, byte offset 32)']);
  writeFileSync(paths.workflow, '');
  assert.deepEqual(problemsOf(dir), ['.logbook/workflow.json:1:1: invalid JSON (ValueExpected)']);
  writeFileSync(paths.workflow, '\n\n  \n');
  assert.deepEqual(problemsOf(dir), ['.logbook/workflow.json:4:1: invalid JSON (ValueExpected)']);
  rmSync(paths.workflow);
  mkdirSync(paths.workflow);
  assert.deepEqual(problemsOf(dir), ['.logbook/workflow.json: is a folder, not a regular file']);
});

test('a glob list longer than 256 is a problem at its JSON path', (t) => {
  const dir = workspace(t);
  const paths = logbookPaths(dir);
  mkdirSync(paths.dir, { recursive: true });
  const globs = Array.from({ length: 257 }, (_, i) => `cmd${i} *`);
  writeFileSync(paths.workflow, JSON.stringify({ ...WORKFLOW, states: { a: { tools: { bash: { deny: globs } } }, b: { final: true } } }));
  const problems = problemsOf(dir);
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /^\.logbook\/workflow\.json: states\.a\.tools\.bash\.deny: .*256/);
  writeFileSync(paths.workflow, JSON.stringify({ ...WORKFLOW, states: { a: { tools: { bash: { deny: globs.slice(1) } } }, b: { final: true } } }));
  assert.equal(readWorkflow(paths).status, 'ok');
});

// ---------- .vscode/settings.json ----------

function writeVscodeSettings(dir: string, content: string | Buffer): string {
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  const file = join(dir, '.vscode', 'settings.json');
  writeFileSync(file, content);
  return file;
}

function settingsError(dir: string): LogbookError {
  try {
    readWorkspaceSettings(dir);
  } catch (error) {
    assert.ok(error instanceof LogbookError, String(error));
    return error;
  }
  assert.fail('the settings were accepted');
}

test('.vscode/settings.json nested too deep: SETTINGS_TOO_DEEP at its line:column; brackets in comments do not count', (t) => {
  const dir = workspace(t);
  // A comment full of brackets first: a scan that counted them would point at line 1.
  const withDepth = (depth: number): string => `// ${'['.repeat(1_000)}\n{\n  /* ]]] [[[ */ "x": ${nested(depth)}\n}\n`;
  for (const depth of [255, 256]) {
    writeVscodeSettings(dir, withDepth(depth));
    assert.ok('x' in readWorkspaceSettings(dir), `depth ${depth}`);
  }
  for (const depth of [257, 100_000]) {
    writeVscodeSettings(dir, withDepth(depth));
    const error = settingsError(dir);
    assert.equal(error.code, 'SETTINGS_TOO_DEEP');
    // The arrays start at column 22 of line 3; level 257 is the 256th `[`.
    assert.equal(error.message, '.vscode/settings.json:3:277: nested deeper than 256 levels');
  }
});

test('.vscode/settings.json too large, not UTF-8 or a directory: an error naming the file; empty: no settings', (t) => {
  const dir = workspace(t);
  const file = writeVscodeSettings(dir, '');
  assert.deepEqual(readWorkspaceSettings(dir), {});
  writeFileSync(file, '// nothing but a comment\n');
  assert.deepEqual(readWorkspaceSettings(dir), {});
  for (const size of [8 * 1024 * 1024 + 1, MB50]) {
    sizedFile(file, size, '{}');
    const error = settingsError(dir);
    assert.equal(error.code, 'FILE_TOO_LARGE');
    assert.match(error.message, new RegExp(`^\\.vscode/settings\\.json: is .*\\(${size} bytes\\), over the limit of 8 MiB`));
  }
  writeFileSync(file, Buffer.from('{ "logbook.capture.maxFieldBytes": 2048 } // caf\xe9', 'latin1'));
  assert.equal(settingsError(dir).message, '.vscode/settings.json: is not UTF-8 text (byte 0xe9 at line 1, byte offset 48)');
  rmSync(file);
  mkdirSync(file);
  assert.equal(settingsError(dir).message, '.vscode/settings.json: is a directory, not a file');
});
