// End to end, with the REAL Claude Code CLI (2.1.197) against the mock API: what a session's
// transcript tells that its hook payloads do not. A session run in a git repository on a named
// branch: every line of its transcript that carries `gitBranch` names that branch, and no hook
// payload carries a branch at all. The cross-session views take a session's branch from here:
// with the logbook's hooks installed, `logbook sessions` names the session by its prompt and shows
// the branch its transcript named.
// Needs `npm run build` first. Set LOGBOOK_E2E_KEEP=1 to keep the temp dirs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectTranscriptsDir } from '../../src/ingest/import/claude-projects';
import { startMockAnthropic } from './mock-anthropic';
import { describeRun, installWitnessHook, logbook, makeTempDir, prepareClaudeHome, readWitness, runClaude, type RunClaudeResult, type Witness } from './run-claude';

const BRANCH = 'feature/logbook-branch-e2e';

function git(args: readonly string[], cwd: string): void {
  const run = spawnSync('git', ['-c', 'user.email=e2e@example.invalid', '-c', 'user.name=e2e', ...args], { cwd, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')} in ${cwd}: ${run.stderr}`);
}

describe('a session transcript names the git branch; hook payloads do not', () => {
  const sessionId = randomUUID();
  let workspace = '';
  let home = '';
  let run: RunClaudeResult | undefined;
  let witness: Witness | undefined;

  before(async () => {
    workspace = makeTempDir('logbook-e2e-branch-');
    git(['init', '-q'], workspace);
    git(['checkout', '-q', '-b', BRANCH], workspace);
    writeFileSync(join(workspace, 'notes.txt'), 'x\n');
    git(['add', '.'], workspace);
    git(['commit', '-q', '-m', 'start'], workspace);
    witness = installWitnessHook(workspace, makeTempDir('logbook-e2e-witness-'));
    logbook(['install-hooks', '--workspace', workspace], workspace);
    home = prepareClaudeHome(workspace);
    const ok = { blocks: [{ type: 'text' as const, text: 'ok' }], usage: { input_tokens: 5, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } };
    const mock = await startMockAnthropic({ scripts: [], compaction: ok, fallback: ok });
    try {
      run = await runClaude({ workspace, home, baseUrl: mock.url, prompt: 'say   ok\nplease', sessionId, timeoutMs: 45_000 });
    } finally {
      await mock.close();
    }
  });

  after(() => {
    if (process.env['LOGBOOK_E2E_KEEP'] === '1') return;
    for (const dir of [workspace, home]) if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('every transcript line with a gitBranch names the branch the session ran on', () => {
    assert.ok(run !== undefined && run.exitCode === 0, run === undefined ? 'no run' : describeRun(run));
    const transcript = join(projectTranscriptsDir(workspace, { ...process.env, CLAUDE_CONFIG_DIR: join(home, '.claude') }), `${sessionId}.jsonl`);
    const lines = readFileSync(transcript, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const branches = lines.filter((line) => 'gitBranch' in line).map((line) => line['gitBranch']);
    assert.ok(branches.length > 0, `some line carries gitBranch (line types: ${[...new Set(lines.map((l) => String(l['type'])))].join(', ')})`);
    assert.deepEqual([...new Set(branches)], [BRANCH]);
  });

  it('no hook payload carries a branch', () => {
    const payloads = readWitness(witness as Witness);
    assert.ok(payloads.length > 0, 'the witness hook saw the session');
    for (const payload of payloads) {
      assert.ok(!JSON.stringify(payload).includes(BRANCH), `${String(payload['hook_event_name'])} has no branch: ${Object.keys(payload).join(', ')}`);
    }
  });

  it('logbook sessions names the session by its first prompt and shows the branch its transcript named', () => {
    logbook(['ingest', '--workspace', workspace], workspace);
    const listed = JSON.parse(logbook(['sessions', '--json', '--workspace', workspace], workspace)) as { sessionId: string; title: string | null; branch: string | null; tokens: number }[];
    const row = listed.find((s) => s.sessionId === sessionId);
    assert.ok(row !== undefined, `the session is listed: ${JSON.stringify(listed)}`);
    assert.equal(row.title, 'say ok please', 'the prompt on one line');
    assert.equal(row.branch, BRANCH);
    assert.ok(row.tokens > 0, 'with the usage the writer read from the transcript');
    const report = JSON.parse(logbook(['report', sessionId, '--json', '--workspace', workspace], workspace)) as { title: string | null; branch: string | null };
    assert.deepEqual([report.title, report.branch], ['say ok please', BRANCH], 'the report names it the same way');
  });
});
