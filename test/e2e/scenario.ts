// The scripted Claude Code session the end-to-end test and `npm start` run against the mock API.
//
// Prompt 1 (main agent): Write notes.txt → Read it → Bash echo → Edit it → Read a missing file
// (fails: PostToolUseFailure) → Agent (a general-purpose subagent that runs one Bash echo) → text.
// Prompt 2: `/compact` on the resumed session (PreCompact, compaction request, PostCompact).
// One tool call per assistant turn: parallel calls would make the hook order nondeterministic.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startMockAnthropic, type MockOptions, type MockScript, type MockTurn, type MockUsage, type RecordedRequest } from './mock-anthropic';
import { describeRun, mergeWorkspaceSettings, prepareClaudeHome, runClaude, type RunClaudeResult } from './run-claude';

export const MAIN_MARKER = 'LOGBOOK-MAIN:';
/** What the scripted Bash call prints: markup that would run if a view rendered it as HTML. */
export const HOSTILE_OUTPUT = 'logbook-e2e <script>window.__logbookPwned=1</script><img src=x onerror="window.__logbookPwned=2">';
export const SUB_MARKER = 'LOGBOOK-SUB:';

export const MAIN_PROMPT = `${MAIN_MARKER} run the scripted logbook session`;
export const SUB_PROMPT = `${SUB_MARKER} print a marker from the subagent`;
export const COMPACT_PROMPT = '/compact';

export const FINAL_TEXT = 'All done: wrote, read and edited notes.txt, ran echo, and a subagent checked in.';
export const SUB_FINAL_TEXT = 'Subagent finished: marker printed.';
export const COMPACT_SUMMARY =
  '<analysis>Mock analysis.</analysis>\n<summary>Mock summary: notes.txt was written, read and edited; a subagent ran echo.</summary>';

/** Which conversation issued a tool call. */
export type Caller = 'main' | 'subagent';

export interface ExpectedToolCall {
  readonly caller: Caller;
  readonly toolName: string;
  readonly toolUseId: string;
  /** The input as scripted (the CLI echoes it in PreToolUse / PostToolUse tool_input). */
  readonly toolInput: Readonly<Record<string, unknown>>;
  /** True when the tool fails (PostToolUseFailure instead of PostToolUse). */
  readonly fails: boolean;
}

export interface Scenario {
  readonly workspace: string;
  readonly prompts: readonly string[];
  /** Tool calls in the order their PreToolUse hooks fire. */
  readonly toolCalls: readonly ExpectedToolCall[];
  readonly mock: MockOptions;
  /** Sum of the usage of every scripted answer (main, subagent, compaction); auxiliary calls excluded. */
  readonly scriptedUsage: MockUsage;
  /** Permission rules the session needs in `.claude/settings.json` (plain `-p` refuses everything else). */
  readonly allow: readonly string[];
}

/** Distinct, deterministic numbers per turn so token totals can be asserted exactly. */
function usage(input: number, output: number, cacheCreation: number, cacheRead: number): MockUsage {
  return { input_tokens: input, output_tokens: output, cache_creation_input_tokens: cacheCreation, cache_read_input_tokens: cacheRead };
}

function sumUsage(turns: readonly MockTurn[]): MockUsage {
  return turns.reduce<MockUsage>(
    (acc, t) =>
      usage(
        acc.input_tokens + t.usage.input_tokens,
        acc.output_tokens + t.usage.output_tokens,
        acc.cache_creation_input_tokens + t.usage.cache_creation_input_tokens,
        acc.cache_read_input_tokens + t.usage.cache_read_input_tokens,
      ),
    usage(0, 0, 0, 0),
  );
}

export function buildScenario(workspace: string): Scenario {
  const notes = join(workspace, 'notes.txt');
  const missing = join(workspace, 'missing.txt');

  const calls: ExpectedToolCall[] = [
    { caller: 'main', toolName: 'Write', toolUseId: 'toolu_e2e000001', toolInput: { file_path: notes, content: 'hello\nsecond line\n' }, fails: false },
    { caller: 'main', toolName: 'Read', toolUseId: 'toolu_e2e000002', toolInput: { file_path: notes }, fails: false },
    // The output is hostile markup on purpose: the views must show it as text and run nothing.
    { caller: 'main', toolName: 'Bash', toolUseId: 'toolu_e2e000003', toolInput: { command: `echo '${HOSTILE_OUTPUT}'`, description: 'Print a marker' }, fails: false },
    {
      caller: 'main',
      toolName: 'Edit',
      toolUseId: 'toolu_e2e000004',
      // replace_all is spelled out because the CLI adds its default to tool_input anyway.
      toolInput: { file_path: notes, old_string: 'hello', new_string: 'hello world', replace_all: false },
      fails: false,
    },
    { caller: 'main', toolName: 'Read', toolUseId: 'toolu_e2e000005', toolInput: { file_path: missing }, fails: true },
    {
      caller: 'main',
      toolName: 'Agent',
      toolUseId: 'toolu_e2e000006',
      toolInput: { description: 'Logbook subagent', prompt: SUB_PROMPT, subagent_type: 'general-purpose' },
      fails: false,
    },
    { caller: 'subagent', toolName: 'Bash', toolUseId: 'toolu_e2e000007', toolInput: { command: 'echo from-subagent', description: 'Subagent marker' }, fails: false },
  ];
  const call = (index: number): ExpectedToolCall => {
    const c = calls[index];
    if (c === undefined) throw new Error(`scenario: no tool call ${index}`);
    return c;
  };
  const toolUse = (index: number): MockTurn['blocks'][number] => {
    const c = call(index);
    return { type: 'tool_use', id: c.toolUseId, name: c.toolName, input: c.toolInput };
  };

  const mainTurns: MockTurn[] = [
    { blocks: [{ type: 'text', text: "I'll create a notes file." }, toolUse(0)], usage: usage(2101, 41, 1501, 0) },
    { blocks: [toolUse(1)], usage: usage(2202, 32, 0, 1601) },
    { blocks: [toolUse(2)], usage: usage(2303, 33, 0, 1702) },
    { blocks: [toolUse(3)], usage: usage(2404, 44, 0, 1803) },
    { blocks: [{ type: 'text', text: 'Reading a file that does not exist.' }, toolUse(4)], usage: usage(2505, 55, 0, 1904) },
    { blocks: [toolUse(5)], usage: usage(2606, 66, 0, 2005) },
    { blocks: [{ type: 'text', text: FINAL_TEXT }], usage: usage(2707, 77, 0, 2106) },
  ];
  const subTurns: MockTurn[] = [
    { blocks: [toolUse(6)], usage: usage(1111, 21, 901, 0) },
    { blocks: [{ type: 'text', text: SUB_FINAL_TEXT }], usage: usage(1212, 22, 0, 1002) },
  ];
  const compaction: MockTurn = { blocks: [{ type: 'text', text: COMPACT_SUMMARY }], usage: usage(3303, 99, 0, 0) };
  const fallback: MockTurn = { blocks: [{ type: 'text', text: 'OK.' }], usage: usage(7, 2, 0, 0) };

  const scripts: MockScript[] = [
    { name: 'subagent', marker: SUB_MARKER, turns: subTurns },
    { name: 'main', marker: MAIN_MARKER, turns: mainTurns },
  ];

  return {
    workspace,
    prompts: [MAIN_PROMPT, COMPACT_PROMPT],
    toolCalls: calls,
    mock: { scripts, compaction, fallback },
    scriptedUsage: sumUsage([...mainTurns, ...subTurns, compaction]),
    allow: ['Write', 'Edit', 'Read', 'Bash(echo:*)'],
  };
}

export interface ScenarioRun {
  readonly sessionId: string;
  readonly home: string;
  /** One CLI run per prompt, in order. */
  readonly runs: readonly RunClaudeResult[];
  /** Every request the mock API received. */
  readonly requests: readonly RecordedRequest[];
  readonly durationMs: number;
}

export interface RunScenarioOptions {
  /** Isolated HOME to use; a fresh one is made (and returned) when omitted. */
  readonly home?: string;
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
  /** Variables of this process the CLI does not get (see RunClaudeOptions). */
  readonly unsetEnv?: readonly string[];
}

/**
 * Runs the whole scripted session with the real CLI: adds the permission rules to the workspace's
 * .claude/settings.json, starts the mock, runs each prompt (the first with --session-id, the rest
 * with --resume), and always stops the mock. Throws when a run fails or times out.
 */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const started = Date.now();
  const home = options.home ?? prepareClaudeHome(scenario.workspace);
  mergeWorkspaceSettings(scenario.workspace, { allow: scenario.allow });
  const sessionId = randomUUID();
  const mock = await startMockAnthropic(scenario.mock);
  const runs: RunClaudeResult[] = [];
  try {
    for (const [index, prompt] of scenario.prompts.entries()) {
      options.log?.(`claude -p ${JSON.stringify(prompt)} ${index === 0 ? '--session-id' : '--resume'} ${sessionId}`);
      const run = await runClaude({
        workspace: scenario.workspace,
        home,
        baseUrl: mock.url,
        prompt,
        sessionId,
        resume: index > 0,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.unsetEnv === undefined ? {} : { unsetEnv: options.unsetEnv }),
      });
      runs.push(run);
      if (run.exitCode !== 0 || run.timedOut) throw new Error(`prompt ${index + 1} failed: ${describeRun(run)}`);
    }
  } finally {
    await mock.close();
  }
  return { sessionId, home, runs, requests: [...mock.requests], durationMs: Date.now() - started };
}
