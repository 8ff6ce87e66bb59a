// Provenance with the real Claude Code CLI: the hooks find this user's key through the HOME that
// Claude Code runs them with (no LOGBOOK_KEY_FILE anywhere in the CLI's environment), stamp every
// entry, and `logbook ingest` run as the same user stores them all as events. The same inbox read
// with another key (another user, another machine, a repository's planted files) stores none.
import assert from 'node:assert/strict';
import { cpSync, existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildScenario, runScenario, type ScenarioRun } from './scenario';
import { logbook, logbookBin, makeTempDir, prepareClaudeHome, runLogbook } from './run-claude';

interface Stored {
  readonly streamId: string;
  readonly type: string;
}

function events(workspace: string, env: NodeJS.ProcessEnv): Stored[] {
  const result = runLogbook(['events', '--json', '--workspace', workspace], workspace, env);
  assert.equal(result.exitCode, 0, result.stderr);
  return JSON.parse(result.stdout) as Stored[];
}

describe('provenance end to end: hooks run by Claude Code stamp with the key under its HOME', { timeout: 90_000 }, () => {
  const dirs: string[] = [];
  let workspace: string;
  let other: string;
  let home: string;
  let run: ScenarioRun;

  before(async () => {
    assert.ok(existsSync(logbookBin()), `${logbookBin()} is missing: run "npm run build" first`);
    workspace = makeTempDir('logbook-e2e-provenance-');
    home = prepareClaudeHome(workspace);
    dirs.push(workspace, home);
    logbook(['install-hooks', '--workspace', workspace], workspace);
    run = await runScenario(buildScenario(workspace), { home, unsetEnv: ['LOGBOOK_KEY_FILE'] });
    other = makeTempDir('logbook-e2e-provenance-copy-');
    dirs.push(other);
    cpSync(workspace, other, { recursive: true });
  });

  after(() => {
    if (process.env['LOGBOOK_E2E_KEEP'] === '1') return;
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('the hooks made the key under the HOME Claude Code gave them, private to the user', () => {
    const key = join(home, '.config', 'agent-logbook', 'key');
    assert.ok(existsSync(key), `${key} exists: Claude Code ran the hooks with its own HOME`);
    assert.equal(statSync(key).mode & 0o777, 0o600);
  });

  it('logbook ingest as the same user stores every entry as an event, none kept aside', () => {
    const env = { ...process.env, HOME: home, LOGBOOK_KEY_FILE: '' };
    logbook(['ingest', '--workspace', workspace], workspace);
    const fromOtherKey = events(workspace, env);
    assert.ok(fromOtherKey.length > 20 && fromOtherKey.every((e) => e.streamId === '$quarantine'), 'ingested with another key (the test run\'s), nothing is genuine and nothing is lost');
    // The same inbox, ingested by the user whose HOME holds the key.
    const result = runLogbook(['ingest', '--workspace', other], other, env);
    assert.equal(result.exitCode, 0, result.stderr);
    const stored = events(other, env);
    assert.ok(stored.length > 20, `${stored.length} events`);
    assert.deepEqual(stored.filter((e) => e.streamId === '$quarantine'), []);
    assert.ok(stored.every((e) => e.streamId === run.sessionId));
    assert.ok(stored.some((e) => e.type === 'SessionEnd'), 'the last event, fired as the CLI exits, is stamped too');
  });
});
