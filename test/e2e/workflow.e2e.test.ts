// End to end, with no VS Code running: the REAL Claude Code CLI (2.1.197) against the mock API
// drives a workflow through OUR MCP server (`logbook mcp`, registered in .mcp.json by
// `logbook install-hooks`) while OUR hooks enforce it: a Write denied in planning, a transition
// refused for a missing journal entry, a review rejected then approved, a Stop blocked for a
// missing journal entry. The mock's recorded requests prove what the model was told; `logbook
// report <session> --json` must then count exactly what the script did.
// Needs `npm run build` first (dist/logbook.js). Set LOGBOOK_E2E_KEEP=1 to keep the temp dirs.
//
// Project MCP servers in -p mode (2.1.197): see the `before` hook for what this test needs.
// Runs in about 10 s (the CLI run itself about 8 s: 17 API turns, 15 tool calls, each with hooks).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMockAnthropic, type RecordedRequest } from './mock-anthropic';
import { describeRun, installWitnessHook, logbook, logbookBin, makeTempDir, mergeWorkspaceSettings, prepareClaudeHome, readWitness, runClaude, runLogbook, type RunClaudeResult } from './run-claude';
import {
  COMMITTED_TEXT,
  FINAL_TEXT,
  MCP_TOOLS,
  STOP_BLOCK_REASON_START,
  buildWorkflowScenario,
  findToolResult,
  mcpTool,
  offeredTools,
  requestText,
  sumUsage,
  writeTestWorkflow,
  type WorkflowScenario,
} from './workflow-scenario';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, what: string): JsonObject {
  assert.ok(isObject(value), `${what} is not an object: ${JSON.stringify(value)}`);
  return value;
}

function arr(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what} is not an array: ${JSON.stringify(value)}`);
  return value;
}

/** Hard limit of the one CLI run: the whole script takes a few seconds. */
const CLAUDE_TIMEOUT_MS = 45_000;

describe('workflow end to end: real Claude Code CLI → our MCP tools and hooks → inbox → logbook report', { timeout: 90_000 }, () => {
  const dirs: string[] = [];
  let scenario: WorkflowScenario;
  let run: RunClaudeResult;
  let requests: RecordedRequest[] = [];
  let witnessed: JsonObject[] = [];
  let report: JsonObject = {};

  const scriptRequests = (): RecordedRequest[] => requests.filter((r) => r.route.kind === 'script');
  const dump = (): string => `\nroutes: ${requests.map((r) => `${r.n}:${r.route.kind}${r.route.turn === undefined ? '' : `#${r.route.turn}`}`).join(' ')}\n${describeRun(run)}`;

  before(async () => {
    assert.ok(existsSync(logbookBin()), `${logbookBin()} is missing: run \`npm run build\` first`);
    const ws = makeTempDir('logbook-e2e-wf-ws-');
    dirs.push(ws);
    const sessionId = randomUUID();
    scenario = buildWorkflowScenario(ws, sessionId);
    const home = prepareClaudeHome(ws);
    dirs.push(home);
    const witnessDir = makeTempDir('logbook-e2e-wf-witness-');
    dirs.push(witnessDir);

    // 1. The workflow, our installer (hooks + .mcp.json), the witness, the permissions.
    writeTestWorkflow(ws);
    logbook(['install-hooks', '--workspace', ws], ws);
    // The installer compiles the workflow for the hook (.logbook/state/workflow.json), so the very
    // first SessionStart already tells the agent its session id and workflow.
    assert.ok(existsSync(join(ws, '.logbook', 'state', 'workflow.json')), 'install-hooks compiled the workflow');
    const witness = installWitnessHook(ws, witnessDir, ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'Stop', 'SessionEnd']);
    // Measured with 2.1.197 in -p mode, workspace trusted in ~/.claude.json: the .mcp.json server
    // starts without any approval setting (enableAllProjectMcpServers, enabledMcpjsonServers and
    // --mcp-config/--strict-mcp-config change nothing), but each call is refused ("you haven't
    // granted it yet") unless permissions.allow covers it: "mcp__logbook", "mcp__logbook__*" or
    // the tool names. The installer adds "mcp__logbook" itself; the scenario allows only Claude's own tools.
    const installed = JSON.parse(readFileSync(join(ws, '.claude', 'settings.local.json'), 'utf8')) as { permissions?: { allow?: unknown } };
    assert.deepEqual(installed.permissions?.allow, ['mcp__logbook'], 'install-hooks allowed the logbook MCP tools');
    mergeWorkspaceSettings(ws, { allow: scenario.allow });

    // 2. One CLI run of the script against the mock.
    const mock = await startMockAnthropic(scenario.mock);
    try {
      run = await runClaude({ workspace: ws, home, baseUrl: mock.url, prompt: scenario.prompt, sessionId, timeoutMs: CLAUDE_TIMEOUT_MS });
    } finally {
      await mock.close();
      requests = [...mock.requests];
    }
    // Nothing below means anything after a failed run: say why it failed instead.
    if (run.timedOut || run.exitCode !== 0) throw new Error(`the CLI run failed${dump()}`);
    witnessed = readWitness(witness);

    // 3. Ingest, then the report.
    logbook(['ingest', '--workspace', ws], ws);
    report = obj(JSON.parse(logbook(['report', sessionId, '--json', '--workspace', ws], ws)), 'report --json');
  });

  after(() => {
    if (process.env['LOGBOOK_E2E_KEEP'] === '1') {
      process.stderr.write(`kept: ${dirs.join(' ')}\n`);
      return;
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('ran the whole script, each main turn answered once, and ended with the final text', () => {
    assert.equal(run.timedOut, false, dump());
    assert.equal(run.exitCode, 0, dump());
    assert.deepEqual(requests.filter((r) => r.route.kind === 'unknown'), [], 'the CLI called an endpoint the mock does not serve');
    const served = scriptRequests().map((r) => r.route.turn);
    assert.deepEqual(served, scenario.turns.map((_, n) => n), `main turns served${dump()}`);
    const result = run.messages.find((m) => m['type'] === 'result');
    assert.equal(result?.['result'], FINAL_TEXT, dump());
  });

  it('offered the model our MCP tools as mcp__logbook__*', () => {
    const first = scriptRequests()[0];
    assert.ok(first, 'no scripted request');
    const offered = offeredTools(first);
    for (const tool of MCP_TOOLS) assert.ok(offered.includes(mcpTool(tool)), `${mcpTool(tool)} not offered; tools: ${offered.join(', ')}`);
  });

  it('told the agent its session id at session start (SessionStart additionalContext)', () => {
    const first = scriptRequests()[0];
    assert.ok(first, 'no scripted request');
    assert.match(requestText(first), new RegExp(`session id ${scenario.sessionId}`));
  });

  it('sent back each tool result as scripted: the hook denial and the refused transition with their reasons', () => {
    for (const call of scenario.calls) {
      const seen = findToolResult(requests, call.toolUseId);
      assert.ok(seen, `the mock never received a tool_result for ${call.toolName} ${call.toolUseId}${dump()}`);
      const label = `${call.toolName} ${call.toolUseId} → ${JSON.stringify(seen.text)}`;
      assert.equal(seen.isError, call.outcome.kind !== 'ok', `is_error of ${label}`);
      for (const fragment of call.outcome.resultIncludes ?? []) assert.ok(seen.text.includes(fragment), `${label} lacks ${JSON.stringify(fragment)}`);
      if (call.outcome.kind === 'ok') {
        for (const fragment of call.outcome.resultExcludes ?? []) assert.ok(!seen.text.includes(fragment), `${label} has ${JSON.stringify(fragment)}`);
      }
    }
  });

  it('left the files as the allowed tools wrote them, and nothing from the denied Write', () => {
    assert.equal(existsSync(join(scenario.workspace, 'PLAN.md')), false, 'the denied Write created its file');
    assert.equal(readFileSync(join(scenario.workspace, 'src', 'feature.txt'), 'utf8'), 'hello world\n');
  });

  it('blocked the first Stop with our reason, and Claude continued with it; the second Stop passed', () => {
    const stops = witnessed.filter((p) => p['hook_event_name'] === 'Stop');
    assert.deepEqual(stops.map((p) => p['stop_hook_active']), [false, true], 'Stop payloads (stop_hook_active)');
    assert.equal(stops[0]?.['last_assistant_message'], COMMITTED_TEXT);
    const continued = scriptRequests().find((r) => r.route.turn === scenario.turns.findIndex((t) => t.whenLastUserIncludes !== undefined));
    assert.ok(continued, `no request answered with the after-block turn${dump()}`);
    const text = requestText(continued);
    assert.ok(text.includes(STOP_BLOCK_REASON_START) && text.includes('iteration 2 has 1 of the 2 required (state "committing")'), `the continued request lacks the block reason:\n${text.slice(-1500)}`);
  });

  it('report: workflow state, iterations, transitions, refusals, reviews, denials, stop blocks, journal', () => {
    const { expected } = scenario;
    const wf = obj(report['workflow'], 'report.workflow');
    assert.equal(wf['state'], expected.finalState);
    assert.equal(wf['iteration'], expected.iteration);
    const transitions = arr(wf['transitions'], 'workflow.transitions').map((t) => `${String(obj(t, 'transition')['from'])}→${String(obj(t, 'transition')['to'])}`);
    assert.deepEqual(transitions, expected.transitions);
    assert.equal(arr(wf['refused'], 'workflow.refused').length, expected.refused);
    const reviews = obj(wf['reviews'], 'workflow.reviews');
    assert.equal(reviews['approved'], expected.reviewsApproved);
    assert.equal(reviews['rejected'], expected.reviewsRejected);
    const denials = arr(wf['hookDenials'], 'workflow.hookDenials').map((d) => obj(d, 'hookDenial'));
    assert.equal(denials.length, expected.hookDenials);
    assert.equal(denials[0]?.['tool'], 'Write');
    assert.equal(denials[0]?.['toolUseId'], scenario.calls.find((c) => c.outcome.kind === 'hookDenied')?.toolUseId);
    assert.equal(denials[0]?.['state'], 'planning');
    assert.equal(arr(wf['stopBlocks'], 'workflow.stopBlocks').length, expected.stopBlocks);
    const counts = obj(report['counts'], 'report.counts');
    assert.equal(counts['journalEntries'], expected.journalEntries);
    assert.equal(arr(report['journal'], 'report.journal').length, expected.journalEntries);
  });

  it('report: tool calls per tool, the MCP tools included, the denied Write counted as denied', () => {
    const byTool = obj(obj(report['tools'], 'report.tools')['byTool'], 'tools.byTool');
    const calls = Object.fromEntries(Object.entries(byTool).map(([name, stats]) => [name, obj(stats, name)['calls']]));
    assert.deepEqual(calls, scenario.expected.toolCalls);
    assert.equal(obj(byTool['Write'], 'Write')['denied'], scenario.expected.hookDenials);
    // The refused transition is an MCP error result: Claude Code fires PostToolUseFailure for it.
    assert.equal(obj(byTool[mcpTool('workflow_transition')], 'workflow_transition')['failures'], scenario.expected.refused);
    const totals = obj(obj(report['tools'], 'report.tools')['totals'], 'tools.totals');
    assert.equal(totals['calls'], scenario.calls.length);
    assert.equal(totals['denied'], scenario.expected.hookDenials);
    assert.equal(totals['failures'], scenario.expected.refused);
  });

  it('report: input and output tokens equal the usage the mock scripted for the main agent', () => {
    const usage = obj(report['usage'], 'report.usage');
    const totals = obj(usage['totals'], 'usage.totals');
    const served = sumUsage(scriptRequests().map((r) => {
      const turn = scenario.turns[r.route.turn ?? -1];
      assert.ok(turn, `request ${r.n} has no scripted turn`);
      return turn.usage;
    }));
    // Each turn served once (checked above), so this is also the sum over the script.
    assert.deepEqual(served, sumUsage(scenario.turns.map((t) => t.usage)));
    assert.equal(totals['inputTokens'], served.input_tokens);
    assert.equal(totals['outputTokens'], served.output_tokens);
    assert.equal(totals['cacheCreationInputTokens'], served.cache_creation_input_tokens);
    assert.equal(totals['cacheReadInputTokens'], served.cache_read_input_tokens);
    assert.equal(usage['messagesCounted'], scenario.turns.length);
  });

  // Last: it records one more journal entry, after the report was read.
  it('the CLI alternative the Stop block reason names runs as written', () => {
    const blocked = obj(arr(obj(report['workflow'], 'report.workflow')['stopBlocks'], 'stopBlocks')[0], 'stopBlocks[0]');
    const command = /`logbook (journal[^`]*)`/.exec(String(blocked['reason']))?.[1];
    assert.ok(command !== undefined, `no CLI command in ${String(blocked['reason'])}`);
    // The suggested words, <text> filled in; the session as the SessionStart context gives it.
    const args = (command.match(/"[^"]*"|\S+/g) ?? []).map((w) => (w.startsWith('"') ? w.slice(1, -1) : w)).map((w) => (w === '<text>' ? 'wrap-up through the CLI' : w));
    const result = runLogbook([...args, '--session', scenario.sessionId, '--workspace', scenario.workspace], scenario.workspace);
    assert.equal(result.exitCode, 0, `logbook ${args.join(' ')}: ${result.stderr}`);
  });
});
