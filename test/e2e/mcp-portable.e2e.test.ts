// End to end, with the REAL Claude Code CLI (2.1.197) against the mock API: `.mcp.json` is
// portable. A workspace with the logbook installed (shared scope) is committed and cloned into
// another directory. In the clone:
//   - the committed `.mcp.json` names no path of the first workspace or of this machine's CLI;
//   - before the installer runs there, the logbook server does not start (it runs the clone's
//     own launcher, which has no `.logbook/bin/cli` yet: it never reaches the first workspace);
//   - the installer run in the clone changes no committed file (git status stays clean) and
//     records this machine's logbook.js in the git-ignored `.logbook/bin/cli`;
//   - then the CLI connects the server, the model's journal_write call succeeds, and the entry
//     lands in the clone's store, none in the first workspace.
// What Claude Code does with `.mcp.json` (measured with 2.1.197, see src/capture/mcp-config.ts):
// a project stdio server is spawned in the directory `claude` was started from, with
// CLAUDE_PROJECT_DIR set to that directory in the server's environment; a relative command is
// found from there; `${VAR}` / `${VAR:-default}` are expanded from the CLI's own environment,
// where CLAUDE_PROJECT_DIR is not set (an entry using `${CLAUDE_PROJECT_DIR}` is reported as
// "Missing environment variables" and not started; one inherited from a parent process would
// name that process's project).
// Needs `npm run build` first (dist/logbook.js). Set LOGBOOK_E2E_KEEP=1 to keep the temp dirs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMockAnthropic, type MockOptions, type MockUsage } from './mock-anthropic';
import { describeRun, logbook, logbookBin, makeTempDir, prepareClaudeHome, repoRoot, runClaude, type RunClaudeResult } from './run-claude';

type JsonObject = Record<string, unknown>;

const MARKER = 'LOGBOOK-MCP-CLONE:';
const JOURNAL_TEXT = 'Written through the clone\'s own MCP server.';
const TOOL_USE_ID = 'toolu_clone000001';
const FINAL_TEXT = 'Journaled from the clone.';
const CLAUDE_TIMEOUT_MS = 45_000;
const usage: MockUsage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

function git(args: readonly string[], cwd: string): string {
  const run = spawnSync('git', ['-c', 'user.email=e2e@example.invalid', '-c', 'user.name=e2e', ...args], { cwd, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')} in ${cwd}: ${run.stderr}`);
  return run.stdout;
}

function mockFor(sessionId: string): MockOptions {
  const done = { blocks: [{ type: 'text' as const, text: FINAL_TEXT }], usage };
  return {
    scripts: [{
      name: 'main',
      marker: MARKER,
      turns: [
        { blocks: [{ type: 'tool_use', id: TOOL_USE_ID, name: 'mcp__logbook__journal_write', input: { text: JOURNAL_TEXT, tags: ['clone'], session: sessionId } }], usage },
        done,
      ],
    }],
    compaction: done,
    fallback: { blocks: [{ type: 'text', text: 'ok' }], usage },
  };
}

/** The status Claude Code reported for our server in the run's init message. */
function logbookServerStatus(run: RunClaudeResult): unknown {
  const init = run.messages.find((m) => m['type'] === 'system' && m['subtype'] === 'init');
  const servers = Array.isArray(init?.['mcp_servers']) ? (init['mcp_servers'] as JsonObject[]) : [];
  return servers.find((s) => s['name'] === 'logbook')?.['status'];
}

/** The tool_result block the CLI sent back to the model for our call. */
function toolResult(run: RunClaudeResult): JsonObject | undefined {
  for (const message of run.messages) {
    const content = (message['message'] as JsonObject | undefined)?.['content'];
    if (!Array.isArray(content)) continue;
    const block = (content as JsonObject[]).find((b) => b['type'] === 'tool_result' && b['tool_use_id'] === TOOL_USE_ID);
    if (block !== undefined) return block;
  }
  return undefined;
}

/** The text of every journal entry in a workspace's store, after ingesting its inbox. */
function journalTexts(workspace: string): string[] {
  logbook(['ingest', '--workspace', workspace], workspace);
  const listed = JSON.parse(logbook(['events', '--type', 'JournalEntryWritten', '--json', '--workspace', workspace], workspace)) as unknown;
  assert.ok(Array.isArray(listed), `events --json is a list: ${JSON.stringify(listed)}`);
  return (listed as JsonObject[]).map((e) => String((e['data'] as JsonObject | undefined)?.['text']));
}

describe('portable .mcp.json: a second clone of a workspace starts its own logbook MCP server', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  let first = '';
  let clone = '';
  let committedMcp = '';
  let beforeInstall: RunClaudeResult;
  let run: RunClaudeResult;
  const sessionId = randomUUID();

  before(async () => {
    assert.ok(existsSync(logbookBin()), `${logbookBin()} is missing: run \`npm run build\` first`);
    first = makeTempDir('logbook-e2e-mcp-first-');
    dirs.push(first);
    git(['init', '-q'], first);
    // The journal tools need a workflow; the team commits it with the rest (.gitignore keeps it).
    logbook(['install-hooks', '--shared', '--workspace', first], first);
    copyFileSync(join(repoRoot(), 'templates', 'workflow.minimal.json'), join(first, '.logbook', 'workflow.json'));
    git(['add', '-A'], first);
    git(['commit', '-q', '-m', 'logbook installed'], first);
    committedMcp = git(['show', 'HEAD:.mcp.json'], first);

    const parent = makeTempDir('logbook-e2e-mcp-clone-');
    dirs.push(parent);
    clone = join(parent, 'clone');
    git(['clone', '-q', first, clone], parent);

    const mock = await startMockAnthropic(mockFor(sessionId));
    try {
      // A fresh clone: the committed launcher, no .logbook/bin/cli of this clone yet.
      const home = prepareClaudeHome(clone);
      dirs.push(home);
      beforeInstall = await runClaude({ workspace: clone, home, baseUrl: mock.url, prompt: 'say ok', timeoutMs: CLAUDE_TIMEOUT_MS });
      logbook(['install-hooks', '--shared', '--workspace', clone], clone);
      run = await runClaude({ workspace: clone, home, baseUrl: mock.url, prompt: `${MARKER} journal through the logbook MCP tools`, sessionId, timeoutMs: CLAUDE_TIMEOUT_MS });
    } finally {
      await mock.close();
    }
  });

  after(() => {
    if (process.env['LOGBOOK_E2E_KEEP'] === '1') {
      process.stderr.write(`kept: ${dirs.join(' ')}\n`);
      return;
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('commits a .mcp.json whose logbook server names no path of the workspace or of the CLI', () => {
    const entry = ((JSON.parse(committedMcp) as JsonObject)['mcpServers'] as JsonObject)['logbook'] as { command: string; args: string[] };
    assert.deepEqual(entry, { command: '.logbook/bin/logbook-mcp', args: ['mcp'] });
    for (const part of [entry.command, ...entry.args]) assert.equal(isAbsolute(part), false, part);
    assert.ok(!committedMcp.includes(first) && !committedMcp.includes(logbookBin()), committedMcp);
    const tracked = git(['ls-files', '.logbook/bin'], first).split('\n').filter((l) => l !== '').sort();
    assert.deepEqual(tracked, ['.logbook/bin/hook.cjs', '.logbook/bin/logbook-hook', '.logbook/bin/logbook-mcp'], 'the launchers are committed; runtime and cli (paths of this machine) are not');
  });

  it('in the clone before its installer ran, the server does not start (it never reaches the first workspace)', () => {
    assert.equal(beforeInstall.exitCode, 0, describeRun(beforeInstall));
    assert.equal(logbookServerStatus(beforeInstall), 'failed', describeRun(beforeInstall));
  });

  it('the installer run in the clone changes no committed file and records this machine\'s CLI in .logbook/bin/cli', () => {
    assert.equal(git(['status', '--porcelain'], clone), '', 'git status of the clone after install-hooks');
    assert.equal(readFileSync(join(clone, '.mcp.json'), 'utf8'), committedMcp);
    assert.equal(readFileSync(join(clone, '.logbook', 'bin', 'cli'), 'utf8'), `${logbookBin()}\n`);
  });

  it('then Claude Code connects the clone\'s server and the model\'s journal_write succeeds', () => {
    assert.equal(run.exitCode, 0, describeRun(run));
    assert.equal(logbookServerStatus(run), 'connected', describeRun(run));
    const result = toolResult(run);
    assert.ok(result !== undefined, `no tool_result for ${TOOL_USE_ID}\n${describeRun(run)}`);
    assert.notEqual(result['is_error'], true, JSON.stringify(result));
    assert.match(JSON.stringify(result['content']), new RegExp(`Journal entry written \\(session ${sessionId}`));
    assert.equal(run.messages.find((m) => m['type'] === 'result')?.['result'], FINAL_TEXT, describeRun(run));
  });

  it('the journal entry is in the clone\'s store, and none in the first workspace', () => {
    assert.deepEqual(journalTexts(clone), [JOURNAL_TEXT]);
    assert.deepEqual(journalTexts(first), []);
  });
});
