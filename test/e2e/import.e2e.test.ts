// End to end: the scripted session is run by the real Claude Code CLI (2.1.197, mock API) with our
// hooks into workspace A; then `logbook import`, run with the same HOME in a second workspace B
// (no hooks), reads that session's transcripts from where the CLI wrote them and records it. The
// two stores must hold the same prompts, tool calls (names, ids, order), subagents and usage.
// The workspace's name has "_" and "." in it: the CLI's folder name for it is checked too.
// Needs `npm run build` first (dist/logbook.js). Set LOGBOOK_E2E_KEEP=1 to keep the temp dirs.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeProjectDir } from '../../src/ingest/import/claude-projects';
import { buildScenario, runScenario } from './scenario';
import type { ScenarioRun } from './scenario';
import { logbook, logbookBin, makeTempDir, prepareClaudeHome, runLogbook } from './run-claude';

type JsonObject = Record<string, unknown>;

interface Stored {
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

function readSession(workspace: string, sessionId: string): Stored[] {
  const parsed: unknown = JSON.parse(logbook(['events', '--session', sessionId, '--json', '--workspace', workspace], workspace));
  assert.ok(Array.isArray(parsed), 'events --json prints an array');
  return parsed as Stored[];
}

const field = (e: Stored, key: string): string => (typeof e.data[key] === 'string' ? e.data[key] : '-');
const ofType = (events: readonly Stored[], type: string): Stored[] => events.filter((e) => e.type === type);
/** JSON with keys sorted: the hooks' tool_input may list the CLI's defaults in another place than the transcript. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  return `{${Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

describe('import end to end: a real CLI session recorded by hooks, and the same session imported from its transcripts', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  let run: ScenarioRun;
  let hooked: Stored[] = [];
  let imported: Stored[] = [];
  let importOutput = '';
  let home = '';
  let hookedWs = '';
  let importedWs = '';

  before(async () => {
    assert.ok(existsSync(logbookBin()), `${logbookBin()} is missing: run \`npm run build\` first`);
    hookedWs = makeTempDir('logbook_e2e.import-');
    importedWs = makeTempDir('logbook-e2e-imported-');
    dirs.push(hookedWs, importedWs);
    const scenario = buildScenario(hookedWs);
    home = prepareClaudeHome(hookedWs);
    dirs.push(home);
    logbook(['install-hooks', '--workspace', hookedWs], hookedWs);
    run = await runScenario(scenario, { home, timeoutMs: 60_000 });
    logbook(['ingest', '--workspace', hookedWs], hookedWs);
    hooked = readSession(hookedWs, run.sessionId);

    // B: the CLI's HOME, so the default location (~/.claude/projects/<encoded A>) is used.
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env['CLAUDE_CONFIG_DIR'];
    const result = runLogbook(['import', '--workspace', importedWs], hookedWs, env);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /no Claude Code transcripts for this workspace/, 'B itself has no transcripts: nothing imported from A by accident');
    const from = join(home, '.claude', 'projects', encodeProjectDir(hookedWs));
    const imports = runLogbook(['import', '--workspace', importedWs, '--from', from], importedWs, env);
    assert.equal(imports.exitCode, 0, imports.stderr);
    importOutput = imports.stdout;
    imported = readSession(importedWs, run.sessionId);
  });

  after(() => {
    if (process.env['LOGBOOK_E2E_KEEP'] === '1') {
      process.stderr.write(`kept: ${dirs.join(' ')}\n`);
      return;
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('the CLI keeps the transcripts under the folder name we compute for the workspace ("/", "_" and "." as "-")', () => {
    const folder = join(home, '.claude', 'projects', encodeProjectDir(hookedWs));
    assert.ok(existsSync(join(folder, `${run.sessionId}.jsonl`)), `no transcript in ${folder}: ${readdirSync(join(home, '.claude', 'projects')).join(', ')}`);
    assert.ok(existsSync(join(folder, run.sessionId, 'subagents')), 'the subagent transcripts sit under <session>/subagents');
  });

  it('imported the session, with its subagent and compaction, and a second import adds nothing', () => {
    assert.match(importOutput, new RegExp(`imported ${run.sessionId}: 1 prompt\\(s\\), 7 tool call\\(s\\), 1 subagent\\(s\\), 1 compaction\\(s\\)`));
    const from = join(home, '.claude', 'projects', encodeProjectDir(hookedWs));
    const again = logbook(['import', '--workspace', importedWs, '--from', from], importedWs);
    assert.match(again, new RegExp(`already imported ${run.sessionId}: nothing new`));
    assert.equal(readSession(importedWs, run.sessionId).length, imported.length);
  });

  it('import in the hooked workspace finds its transcripts where the CLI keeps them (no --from) and skips the session the hooks recorded', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env['CLAUDE_CONFIG_DIR'];
    const before = readSession(hookedWs, run.sessionId).length;
    const result = runLogbook(['import', '--workspace', hookedWs], hookedWs, env);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`skipped ${run.sessionId}: recorded by hooks`));
    assert.equal(readSession(hookedWs, run.sessionId).length, before);
  });

  it('the same prompts', () => {
    const prompts = (events: readonly Stored[]): string[] => ofType(events, 'UserPromptSubmit').map((e) => field(e, 'prompt'));
    assert.ok(prompts(hooked).length > 0);
    assert.deepEqual(prompts(imported), prompts(hooked));
  });

  it('the same tool calls: names, ids, agents, inputs, outcomes, in the same order', () => {
    const calls = (events: readonly Stored[]): string[] => ofType(events, 'PreToolUse').map((e) => `${field(e, 'tool_use_id')} ${field(e, 'tool_name')} ${field(e, 'agent_id')} ${canonical(e.data['tool_input'])}`);
    assert.equal(calls(hooked).length, 7);
    assert.deepEqual(calls(imported), calls(hooked));
    const outcomes = (events: readonly Stored[]): string[] => events.filter((e) => e.type === 'PostToolUse' || e.type === 'PostToolUseFailure').map((e) => `${e.type} ${field(e, 'tool_use_id')}`);
    assert.deepEqual(outcomes(imported), outcomes(hooked));
  });

  it('the same subagents', () => {
    const starts = (events: readonly Stored[]): string[] => ofType(events, 'SubagentStart').map((e) => `${field(e, 'agent_id')} ${field(e, 'agent_type')}`);
    assert.equal(starts(hooked).length, 1);
    assert.deepEqual(starts(imported), starts(hooked));
    const stops = (events: readonly Stored[]): string[] => ofType(events, 'SubagentStop').filter((e) => e.data['agent_type'] !== '').map((e) => field(e, 'agent_id'));
    assert.deepEqual(stops(imported), stops(hooked), 'the subagent stops (the compaction\'s own SubagentStop has no type and no transcript)');
  });

  it('the same usage, read by the writer from the transcript_path the imported events carry', () => {
    const usage = (events: readonly Stored[]): string[] => ofType(events, 'UsageRecorded').map((e) => JSON.stringify(e.data)).sort();
    assert.ok(usage(hooked).length > 0, 'the hooked store has usage');
    assert.deepEqual(usage(imported), usage(hooked));
  });

  it('marks every imported event as imported, and the compaction as PreCompact / PostCompact with its summary', () => {
    for (const e of imported.filter((x) => x.type !== 'UsageRecorded')) assert.equal(e.metadata['imported'], true, `${e.type} is marked imported`);
    assert.equal(ofType(imported, 'PreCompact').length, 1);
    assert.match(field(ofType(imported, 'PostCompact')[0] as Stored, 'compact_summary'), /Mock summary/);
  });
});
