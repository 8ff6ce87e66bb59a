// `npm start` (dist/start.js) with desktop VS Code's `code` on PATH: it records a session with the
// real Claude Code CLI, then opens that workspace with `code --extensionDevelopmentPath=<repo>`.
// No desktop VS Code can be installed here (its download is not reachable), so `code` is a stand-in
// script that writes down the arguments it was given: this checks what npm start asks of it, not
// desktop VS Code itself (the code-server branch is what the integration tier exercises).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTempDir, repoRoot } from './run-claude';

async function waitForFile(path: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  while (!existsSync(path) || readFileSync(path, 'utf8') === '') {
    if (Date.now() > deadline) throw new Error(`${path} never appeared`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return readFileSync(path, 'utf8');
}

describe('npm start with desktop VS Code on PATH', () => {
  const dir = makeTempDir('logbook-start-');
  after(() => {
    if (process.env['LOGBOOK_E2E_KEEP'] !== '1') rmSync(dir, { recursive: true, force: true });
  });

  it('records a session, then opens its workspace in `code` with the repository as the extension under development', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const argsFile = join(dir, 'code-args.txt');
    writeFileSync(join(bin, 'code'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n`);
    chmodSync(join(bin, 'code'), 0o755);
    const run = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'start.js')], {
      cwd: repoRoot(),
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, LOGBOOK_START_NO_VSCODE: '' },
    });
    assert.equal(run.status, 0, `npm start failed:\n${run.stderr}\n${run.stdout.slice(-2000)}`);
    const workspace = /^ {2}workspace: (.+)$/m.exec(run.stdout)?.[1];
    assert.ok(workspace !== undefined, `npm start names its workspace:\n${run.stdout.slice(0, 600)}`);
    try {
      const session = /session ([0-9a-f-]{36}): \d+ API requests/.exec(run.stdout)?.[1];
      assert.ok(session !== undefined, 'it names the session Claude Code ran');
      // The table's row: the id's first 8 characters, start, duration, state, cost, then the events.
      const listed = new RegExp(`\\n4\\. logbook sessions\\n[^\\n]*\\n\\s+${session.slice(0, 8)}\\s+.*?\\$[\\d.]+\\s+(\\d+)\\s`).exec(run.stdout);
      assert.ok(listed !== null && Number(listed[1]) > 20, `logbook sessions lists it with its events:\n${run.stdout.slice(0, 3000)}`);
      assert.match(run.stdout, new RegExp(`6\\. VS Code: ${join(bin, 'code').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), 'it says which `code` it runs');
      const args = (await waitForFile(argsFile, 10_000)).trim().split('\n');
      assert.deepEqual(args, ['--new-window', `--extensionDevelopmentPath=${repoRoot()}`, workspace]);
      assert.ok(existsSync(join(workspace, '.logbook', 'logbook.sqlite')), 'the workspace it opens holds the store');
    } finally {
      // npm start keeps its scratch workspace and Claude Code HOME for the user; the test does not.
      const home = /^ {2}HOME for Claude Code: (.+)$/m.exec(run.stdout)?.[1];
      if (process.env['LOGBOOK_E2E_KEEP'] !== '1') for (const path of [workspace, home]) if (path !== undefined) rmSync(path, { recursive: true, force: true });
    }
  });
});
