// End to end, with the REAL Claude Code CLI against the mock API: three sessions with different
// outcomes recorded by our hooks in one workspace, then the views across sessions checked against
// what the scripts did.
//   - a clean run ("say ok": one prompt, no tool);
//   - the capture scenario (scenario.ts): a Read of a missing file fails, a subagent, a compaction;
//   - the workflow scenario (workflow-scenario.ts), with the workflow in force from then on: a
//     Write denied by our PreToolUse hook, a review rejected.
// Checked: the titles `logbook sessions` shows, the totals of `logbook trends`, the top finding of
// `logbook patterns` for a cohort, and the deltas of `logbook compare`.
// Needs `npm run build` first. Set LOGBOOK_E2E_KEEP=1 to keep the temp dirs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startMockAnthropic } from './mock-anthropic';
import { describeRun, logbook, makeTempDir, mergeWorkspaceSettings, prepareClaudeHome, runClaude } from './run-claude';
import { buildScenario, MAIN_PROMPT, runScenario } from './scenario';
import { buildWorkflowScenario, WORKFLOW_PROMPT, writeTestWorkflow } from './workflow-scenario';

interface Listed { sessionId: string; title: string | null; toolFailures: number; denials: number; rejections: number; events: number; workflow: string | null }

const CLEAN_PROMPT = 'say ok';

describe('across sessions: titles, trends, patterns and compare from three recorded sessions', { timeout: 240_000 }, () => {
  const dirs: string[] = [];
  let ws = '';
  const clean = randomUUID();
  let capture = '';
  const workflow = randomUUID();
  let listed: Listed[] = [];
  const json = (args: string[]): unknown => JSON.parse(logbook([...args, '--workspace', ws], ws));

  before(async () => {
    ws = makeTempDir('logbook-e2e-cross-');
    dirs.push(ws);
    logbook(['install-hooks', '--workspace', ws], ws);
    const home = prepareClaudeHome(ws);
    dirs.push(home);

    // 1. The clean run.
    const ok = { blocks: [{ type: 'text' as const, text: 'ok' }], usage: { input_tokens: 5, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } };
    const mock = await startMockAnthropic({ scripts: [], compaction: ok, fallback: ok });
    try {
      const run = await runClaude({ workspace: ws, home, baseUrl: mock.url, prompt: CLEAN_PROMPT, sessionId: clean, timeoutMs: 45_000 });
      if (run.exitCode !== 0 || run.timedOut) throw new Error(`the clean run failed: ${describeRun(run)}`);
    } finally {
      await mock.close();
    }
    // 2. The capture scenario (its own session id, two prompts).
    capture = (await runScenario(buildScenario(ws), { home, timeoutMs: 60_000 })).sessionId;
    // 3. The workflow in force, and its scenario.
    writeTestWorkflow(ws);
    logbook(['install-hooks', '--workspace', ws], ws);
    const scenario = buildWorkflowScenario(ws, workflow);
    mergeWorkspaceSettings(ws, { allow: scenario.allow });
    const wfMock = await startMockAnthropic(scenario.mock);
    try {
      const run = await runClaude({ workspace: ws, home, baseUrl: wfMock.url, prompt: scenario.prompt, sessionId: workflow, timeoutMs: 60_000 });
      if (run.exitCode !== 0 || run.timedOut) throw new Error(`the workflow run failed: ${describeRun(run)}`);
    } finally {
      await wfMock.close();
    }
    logbook(['ingest', '--workspace', ws], ws);
    listed = json(['sessions', '--json']) as Listed[];
  });

  after(() => {
    if (process.env['LOGBOOK_E2E_KEEP'] === '1') {
      process.stderr.write(`kept: ${dirs.join(' ')}\n`);
      return;
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const session = (id: string): Listed => {
    const found = listed.find((s) => s.sessionId === id);
    assert.ok(found !== undefined, `session ${id} is listed: ${JSON.stringify(listed.map((s) => s.sessionId))}`);
    return found;
  };

  it('logbook sessions names each session by its first prompt, with what its script did', () => {
    assert.equal(listed.length, 3, JSON.stringify(listed.map((s) => [s.sessionId, s.title])));
    assert.equal(session(clean).title, CLEAN_PROMPT);
    assert.equal(session(capture).title, MAIN_PROMPT);
    assert.equal(session(workflow).title, WORKFLOW_PROMPT);
    assert.deepEqual([session(clean).toolFailures, session(clean).denials, session(clean).rejections], [0, 0, 0], 'the clean run');
    assert.equal(session(capture).toolFailures, 1, 'the Read of a missing file');
    assert.equal(session(workflow).rejections, 1, 'the rejected review');
    assert.equal(session(workflow).denials, 1, 'the Write denied in planning');
    assert.equal(session(workflow).workflow, 'e2e-team-loop');
    // The first line of the table is the latest session: the workflow run.
    const table = logbook(['sessions', '--workspace', ws], ws).split('\n');
    assert.ok(table[1]?.includes(WORKFLOW_PROMPT.slice(0, 40)), table.slice(0, 4).join('\n'));
  });

  it('logbook trends counts the three sessions and sums what they did, with their ids', () => {
    const trends = json(['trends', '--json']) as { totals: { sessions: number; sessionIds: string[]; toolFailures: number; denials: number; rejections: number } };
    assert.equal(trends.totals.sessions, 3);
    assert.deepEqual([...trends.totals.sessionIds].sort(), [clean, capture, workflow].sort());
    assert.equal(trends.totals.rejections, 1);
    assert.equal(trends.totals.denials, session(workflow).denials);
    assert.equal(trends.totals.toolFailures, listed.reduce((sum, s) => sum + s.toolFailures, 0));
  });

  it('logbook patterns: the scripted sessions share tools the clean run never used, ranked first', () => {
    const result = json(['patterns', '--cohort', 'tools>0', '--json']) as { cohort: { sessions: string[] }; findings: { kind: string; value: string; cohortCount: number; restCount: number; lift: number; examples: string[] }[] };
    assert.deepEqual([...result.cohort.sessions].sort(), [capture, workflow].sort());
    const top = result.findings[0];
    assert.ok(top !== undefined, 'a finding');
    assert.equal(top.cohortCount, 2, JSON.stringify(top));
    assert.equal(top.restCount, 0, 'absent from the clean run');
    const write = result.findings.find((f) => f.kind === 'tool' && f.value === 'Write');
    assert.ok(write !== undefined && write.lift === top.lift, `both scripts Write (${JSON.stringify(result.findings.slice(0, 6))})`);
    assert.deepEqual([...write.examples].sort(), [capture, workflow].sort());
  });

  it('logbook compare: the deltas are what the two scripts did differently', () => {
    const compared = json(['compare', capture, workflow, '--json']) as { figures: { key: string; a: number | null; b: number | null; delta: number | null }[] };
    const figure = (key: string): { a: number | null; b: number | null; delta: number | null } => {
      const found = compared.figures.find((f) => f.key === key);
      assert.ok(found !== undefined, `figure ${key} in ${JSON.stringify(compared.figures.map((f) => f.key))}`);
      return found;
    };
    assert.deepEqual(figure('rejections'), { ...figure('rejections'), a: 0, b: 1, delta: 1 });
    assert.equal(figure('denials').delta, session(workflow).denials - session(capture).denials);
    assert.equal(figure('events').delta, session(workflow).events - session(capture).events);
    assert.equal(figure('toolFailures').a, 1);
  });
});
