// The scripted agent of the workflow end-to-end test: one `claude -p` run in which the main agent
// drives a small team loop through our MCP tools (mcp__logbook__*) while our hooks enforce it.
//
// Workflow (written to .logbook/workflow.json, see TEST_WORKFLOW):
//   planning (no Write/Edit) → developing → reviewing (no Write/Edit) → committing,
//   journal guards on planning→developing and developing→reviewing, a rejected review goes back
//   to developing, every entry into developing starts an iteration, and stopping needs
//   journal.minEntriesPerIteration entries in the current iteration.
//
// The script, one tool call per assistant turn (parallel calls would make hook order racy):
//    0 workflow_status                  → planning
//    1 Write PLAN.md                    → DENIED by our PreToolUse hook (planning denies Write)
//    2 journal_write (the plan)
//    3 workflow_transition developing   → iteration 1
//    4 Write src/feature.txt            → allowed now
//    5 workflow_transition reviewing    → REFUSED (no journal entry since entering developing)
//    6 journal_write (the change)
//    7 workflow_transition reviewing
//    8 review_record rejected           → back to developing, iteration 2
//    9 Edit src/feature.txt
//   10 journal_write (the fix)
//   11 workflow_transition reviewing
//   12 review_record approved
//   13 workflow_transition committing
//   14 end of turn                      → our Stop hook BLOCKS (iteration 2 has 1 of 2 entries)
//   15 journal_write (the wrap-up)      ← answered to the request carrying the block reason
//   16 end of turn                      → Stop passes
//
// Why minEntriesPerIteration is 2 and not 1: the guard on developing→reviewing already forces one
// entry per iteration before the review, so with 1 the Stop at committing could never be blocked.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MockBlock, MockOptions, MockScript, MockTurn, MockUsage, RecordedRequest } from './mock-anthropic';

export const WORKFLOW_MARKER = 'LOGBOOK-WORKFLOW:';
export const WORKFLOW_PROMPT = `${WORKFLOW_MARKER} run the scripted team loop through the logbook MCP tools`;

/** The name `logbook install-hooks` registers in .mcp.json: tools are mcp__logbook__<tool>. */
export const MCP_SERVER = 'logbook';
export const MCP_TOOLS = ['workflow_status', 'workflow_transition', 'journal_write', 'journal_read', 'review_record', 'events_search'] as const;
export type McpToolName = (typeof MCP_TOOLS)[number];
export const mcpTool = (name: McpToolName): string => `mcp__${MCP_SERVER}__${name}`;

/** Start of the Stop hook's block reason (src/domain/workflow/decider.ts decideStop). */
export const STOP_BLOCK_REASON_START = 'Before stopping, write a journal entry';

export const COMMITTED_TEXT = 'Committed the reviewed change.';
export const FINAL_TEXT = 'Journal written; the iteration is complete.';

export const MIN_ENTRIES_PER_ITERATION = 2;

/** A small team loop; states and guards as in templates/workflow.team-loop.json, without respawning. */
export const TEST_WORKFLOW = {
  version: 1,
  name: 'e2e-team-loop',
  description: 'Plan, develop, review, commit: the end-to-end test of the workflow tools and hooks.',
  initial: 'planning',
  states: {
    planning: {
      description: 'Choose the work.',
      instructions: 'Write the plan as a journal entry, then transition to developing. No file edits.',
      tools: { deny: ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'] },
    },
    developing: { description: 'Implement the plan.', instructions: 'Implement, journal the change, then transition to reviewing.' },
    reviewing: {
      description: 'Review without editing.',
      instructions: 'Record the review: approved moves on to committing, rejected goes back to developing.',
      tools: { deny: ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'] },
    },
    committing: { description: 'Commit the reviewed change.', instructions: 'Commit, journal the wrap-up, then stop.' },
  },
  transitions: [
    { from: 'planning', to: 'developing', guards: ['journalSinceEntered'] },
    { from: 'developing', to: 'reviewing', guards: ['journalSinceEntered'] },
    { from: 'reviewing', to: 'developing' },
    { from: 'reviewing', to: 'committing', guards: ['reviewApproved'] },
  ],
  iteration: { startsAt: 'developing' },
  journal: { minEntriesPerIteration: MIN_ENTRIES_PER_ITERATION, enforceOnStop: true },
  review: { state: 'reviewing', onRejected: 'developing' },
} as const;

/** What a scripted tool call is expected to come back as. */
export type CallOutcome =
  /** Ran; the result is not an error. */
  | { readonly kind: 'ok'; readonly resultIncludes?: readonly string[]; readonly resultExcludes?: readonly string[] }
  /** Our PreToolUse hook denied it: error result carrying the denial reason. */
  | { readonly kind: 'hookDenied'; readonly resultIncludes: readonly string[] }
  /** The MCP tool answered isError: error result carrying the refusal. */
  | { readonly kind: 'toolError'; readonly resultIncludes: readonly string[] };

export interface ScriptedCall {
  readonly toolUseId: string;
  readonly toolName: string;
  readonly toolInput: Readonly<Record<string, unknown>>;
  readonly outcome: CallOutcome;
}

export interface WorkflowScenario {
  readonly workspace: string;
  readonly sessionId: string;
  readonly prompt: string;
  readonly calls: readonly ScriptedCall[];
  /** The main agent's turns, in script order (index = mock turn number). */
  readonly turns: readonly MockTurn[];
  readonly mock: MockOptions;
  /** Rules for `permissions.allow`: plain `-p` refuses any tool not allowed here. */
  readonly allow: readonly string[];
  readonly expected: ExpectedReport;
}

/** The numbers the report must show, derived from the script above. */
export interface ExpectedReport {
  readonly finalState: string;
  readonly iteration: number;
  readonly transitions: readonly string[];
  readonly refused: number;
  readonly reviewsApproved: number;
  readonly reviewsRejected: number;
  readonly hookDenials: number;
  readonly stopBlocks: number;
  readonly journalEntries: number;
  /** Calls per tool name, denied ones included. */
  readonly toolCalls: Readonly<Record<string, number>>;
}

function usage(input: number, output: number, cacheCreation: number, cacheRead: number): MockUsage {
  return { input_tokens: input, output_tokens: output, cache_creation_input_tokens: cacheCreation, cache_read_input_tokens: cacheRead };
}

export function sumUsage(usages: readonly MockUsage[]): MockUsage {
  return usages.reduce<MockUsage>(
    (a, u) => usage(a.input_tokens + u.input_tokens, a.output_tokens + u.output_tokens, a.cache_creation_input_tokens + u.cache_creation_input_tokens, a.cache_read_input_tokens + u.cache_read_input_tokens),
    usage(0, 0, 0, 0),
  );
}

export function buildWorkflowScenario(workspace: string, sessionId: string): WorkflowScenario {
  const plan = join(workspace, 'PLAN.md');
  const feature = join(workspace, 'src', 'feature.txt');
  // The agent passes its session id, as the SessionStart context tells it to (no guessing by the server).
  const session = { session: sessionId };
  let next = 0;
  const id = (): string => `toolu_wf${String(++next).padStart(6, '0')}`;
  const call = (toolName: string, toolInput: Record<string, unknown>, outcome: CallOutcome = { kind: 'ok' }): ScriptedCall => ({ toolUseId: id(), toolName, toolInput, outcome });

  const deniedWrite = call('Write', { file_path: plan, content: '# plan\n' }, {
    kind: 'hookDenied',
    resultIncludes: ['Tool Write is not allowed in state "planning"', 'rule: states.planning.tools.deny "Write"'],
  });
  const calls: ScriptedCall[] = [
    call(mcpTool('workflow_status'), { ...session }, { kind: 'ok', resultIncludes: [`session: ${sessionId}`, 'state: planning'] }),
    deniedWrite,
    call(mcpTool('journal_write'), { text: 'Plan: add src/feature.txt with a greeting.', tags: ['plan'], ...session }),
    call(mcpTool('workflow_transition'), { to: 'developing', reason: 'The plan is journaled.', ...session }, { kind: 'ok', resultIncludes: ['Moved to "developing"', 'iteration 1'] }),
    call('Write', { file_path: feature, content: 'hello\n' }),
    call(mcpTool('workflow_transition'), { to: 'reviewing', reason: 'Feature written.', ...session }, {
      kind: 'toolError',
      resultIncludes: ['Cannot move from "developing" to "reviewing"', 'journalSinceEntered: write a journal entry in state "developing" first'],
    }),
    call(mcpTool('journal_write'), { text: 'Wrote src/feature.txt.', tags: ['change'], files: ['src/feature.txt:1'], ...session }),
    call(mcpTool('workflow_transition'), { to: 'reviewing', reason: 'The change is journaled.', ...session }, { kind: 'ok', resultIncludes: ['Moved to "reviewing"'] }),
    call(mcpTool('review_record'), { outcome: 'rejected', notes: 'Greeting must name the world.', ...session }, { kind: 'ok', resultIncludes: ['Review rejected', 'iteration 2'] }),
    // replace_all spelled out: the CLI adds its default to tool_input anyway.
    call('Edit', { file_path: feature, old_string: 'hello', new_string: 'hello world', replace_all: false }),
    call(mcpTool('journal_write'), { text: 'Greeting now names the world.', tags: ['change'], ...session }, { kind: 'ok', resultIncludes: ['iteration 2', 'Entries still needed before stopping: 1'] }),
    call(mcpTool('workflow_transition'), { to: 'reviewing', reason: 'The fix is journaled.', ...session }, { kind: 'ok', resultIncludes: ['Moved to "reviewing"'] }),
    call(mcpTool('review_record'), { outcome: 'approved', notes: 'Looks right.', ...session }, { kind: 'ok', resultIncludes: ['Review approved'] }),
    call(mcpTool('workflow_transition'), { to: 'committing', reason: 'Review approved.', ...session }, { kind: 'ok', resultIncludes: ['Moved to "committing"'] }),
  ];
  // After the Stop block: the entry that makes the iteration complete (no "still needed" any more).
  const wrapUp = call(mcpTool('journal_write'), { text: 'Wrap-up: feature committed after one rejected review.', tags: ['handover'], ...session }, {
    kind: 'ok',
    resultIncludes: ['Journal entry written', 'iteration 2'],
    // journal_write names the entries still needed before stopping only while some are.
    resultExcludes: ['still needed'],
  });

  const toolUse = (c: ScriptedCall): MockBlock => ({ type: 'tool_use', id: c.toolUseId, name: c.toolName, input: c.toolInput });
  // Distinct, deterministic usage per turn so the token totals can be asserted exactly.
  const turnUsage = (n: number): MockUsage => usage(3000 + 101 * n, 40 + n, n === 0 ? 1500 : 0, n === 0 ? 0 : 2000 + 10 * n);
  const turns: MockTurn[] = [
    ...calls.map((c, n): MockTurn => ({ blocks: n === 0 ? [{ type: 'text', text: 'Checking the workflow first.' }, toolUse(c)] : [toolUse(c)], usage: turnUsage(n) })),
    { blocks: [{ type: 'text', text: COMMITTED_TEXT }], usage: turnUsage(calls.length) },
    { blocks: [toolUse(wrapUp)], usage: turnUsage(calls.length + 1), whenLastUserIncludes: STOP_BLOCK_REASON_START },
    { blocks: [{ type: 'text', text: FINAL_TEXT }], usage: turnUsage(calls.length + 2) },
  ];
  const allCalls = [...calls, wrapUp];

  const scripts: MockScript[] = [{ name: 'main', marker: WORKFLOW_MARKER, turns }];
  const toolCalls: Record<string, number> = {};
  for (const c of allCalls) toolCalls[c.toolName] = (toolCalls[c.toolName] ?? 0) + 1;

  return {
    workspace,
    sessionId,
    prompt: WORKFLOW_PROMPT,
    calls: allCalls,
    turns,
    mock: { scripts, compaction: { blocks: [{ type: 'text', text: 'No compaction expected.' }], usage: usage(1, 1, 0, 0) }, fallback: { blocks: [{ type: 'text', text: 'OK.' }], usage: usage(7, 2, 0, 0) } },
    // Our MCP tools are not listed: the installer's own rule (mcp__logbook) must let them run.
    allow: ['Write', 'Edit', 'Read'],
    expected: {
      finalState: 'committing',
      iteration: 2,
      // The rejection's way back is a transition too (decided with the ReviewRejected).
      transitions: ['planning→developing', 'developing→reviewing', 'reviewing→developing', 'developing→reviewing', 'reviewing→committing'],
      refused: allCalls.filter((c) => c.outcome.kind === 'toolError').length,
      reviewsApproved: allCalls.filter((c) => c.toolName === mcpTool('review_record') && c.toolInput['outcome'] === 'approved').length,
      reviewsRejected: allCalls.filter((c) => c.toolName === mcpTool('review_record') && c.toolInput['outcome'] === 'rejected').length,
      hookDenials: allCalls.filter((c) => c.outcome.kind === 'hookDenied').length,
      stopBlocks: 1,
      journalEntries: allCalls.filter((c) => c.toolName === mcpTool('journal_write')).length,
      toolCalls,
    },
  };
}

/** Writes TEST_WORKFLOW to `.logbook/workflow.json`. */
export function writeTestWorkflow(workspace: string): string {
  const file = join(workspace, '.logbook', 'workflow.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(TEST_WORKFLOW, null, 2)}\n`);
  return file;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Reading the mock's recorded requests.

export function messagesOfRequest(request: RecordedRequest): unknown[] {
  const body = request.body;
  return isObject(body) && Array.isArray(body['messages']) ? body['messages'] : [];
}

/** The text of a tool_result's content (a string or a list of text blocks). */
function toolResultText(block: JsonObject): string {
  const content = block['content'];
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isObject(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('\n');
}

export interface SeenToolResult {
  readonly text: string;
  readonly isError: boolean;
  /** Number of the first request that carried it. */
  readonly requestN: number;
}

/** The tool_result the CLI sent for `toolUseId`, as first seen in the requests. */
export function findToolResult(requests: readonly RecordedRequest[], toolUseId: string): SeenToolResult | undefined {
  for (const request of requests) {
    for (const message of messagesOfRequest(request)) {
      if (!isObject(message) || !Array.isArray(message['content'])) continue;
      for (const block of message['content']) {
        if (isObject(block) && block['type'] === 'tool_result' && block['tool_use_id'] === toolUseId) {
          return { text: toolResultText(block), isError: block['is_error'] === true, requestN: request.n };
        }
      }
    }
  }
  return undefined;
}

/** Every text of a request's messages (user and assistant, tool results and system reminders included). */
export function requestText(request: RecordedRequest): string {
  const parts: string[] = [];
  for (const message of messagesOfRequest(request)) {
    if (!isObject(message)) continue;
    const content = message['content'];
    if (typeof content === 'string') {
      parts.push(content);
      continue;
    }
    if (!Array.isArray(content)) continue;
    for (const block of content) {
      if (!isObject(block)) continue;
      if (typeof block['text'] === 'string') parts.push(block['text']);
      if (block['type'] === 'tool_result') parts.push(toolResultText(block));
    }
  }
  return parts.join('\n');
}

/** Names of the tools a request offered the model. */
export function offeredTools(request: RecordedRequest): string[] {
  const body = request.body;
  if (!isObject(body) || !Array.isArray(body['tools'])) return [];
  return body['tools'].map((t) => (isObject(t) && typeof t['name'] === 'string' ? t['name'] : '')).filter((n) => n !== '');
}
