import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { pendingEntries } from '../../src/ingest/pending-entries';
import { startMockAnthropic } from '../../test/e2e/mock-anthropic';
import { describeRun, logbook, mergeWorkspaceSettings, prepareClaudeHome, runClaude } from '../../test/e2e/run-claude';
import { buildScenario, runScenario } from '../../test/e2e/scenario';
import { buildWorkflowScenario, writeTestWorkflow } from '../../test/e2e/workflow-scenario';
import { fmtMs, fmtRatio, median, progress, textTable } from '../stats';

// What the hooks cost the agent: the end-to-end tests' scripted sessions of the real Claude Code
// CLI (devDependency, offline against the mock API, which answers at once), timed with our hooks
// installed by the project's installer and without, the two taking turns in the same run (the
// order alternates every run). Two sessions: the capture scenario (two prompts, a subagent and a
// compaction, about 61 hook events) with no workflow, and the workflow scenario with a workflow
// in force (its hooks decide: a Write denied, a Stop blocked). Without hooks the workflow
// workspace keeps the MCP server and its permission (the same tools, the same script): only the
// hooks are taken out, so the denial and the block do not happen and the agent has one turn fewer.

export type SessionKind = 'plain' | 'workflow';

export interface SessionTimes {
  readonly none: readonly number[];
  readonly hooks: readonly number[];
  /** The same session with `cat >/dev/null` as the command of every hook ours has: the floor of any command hook (plain only). */
  readonly floor: readonly number[];
  /** Hook entries the hooked runs left in the inbox (proof the hooks ran), per run. */
  readonly entries: readonly number[];
  readonly failure?: string;
}

export type ClaudeSessionResult = Readonly<Record<SessionKind, SessionTimes>>;

/** Goals of issue 13: hooks vs none. */
export const CLAUDE_GOALS: Readonly<Record<SessionKind, number>> = { plain: 1.05, workflow: 1.1 };

const TIMEOUT_MS = 120_000;

export async function benchClaudeSessions(input: { readonly tempDir: string; readonly runs: number }): Promise<ClaudeSessionResult> {
  const result: Record<SessionKind, { none: number[]; hooks: number[]; floor: number[]; entries: number[]; failure?: string }> = {
    plain: { none: [], hooks: [], floor: [], entries: [] },
    workflow: { none: [], hooks: [], floor: [], entries: [] },
  };
  for (let run = 0; run < input.runs; run += 1) {
    for (const kind of ['plain', 'workflow'] as const) {
      const times = result[kind];
      if (times.failure !== undefined) continue;
      const variants: readonly Hooks[] = kind === 'plain' ? ['none', 'ours', 'floor'] : ['none', 'ours'];
      // The order rotates every run: drift hits every variant alike.
      const order = variants.map((_, i) => variants[(i + run) % variants.length] as Hooks);
      for (const hooks of order) {
        const hooked = hooks !== 'none';
        try {
          const { ms, entries } = await timedSession(input.tempDir, kind, hooks);
          (hooks === 'ours' ? times.hooks : hooks === 'floor' ? times.floor : times.none).push(ms);
          if (hooks === 'ours') times.entries.push(entries);
          progress(`claude: ${kind} session ${hooks === 'ours' ? 'with hooks' : hooks === 'floor' ? 'with cat hooks (floor)' : 'without hooks'}, run ${run + 1}/${input.runs}: ${fmtMs(ms)}`);
        } catch (error) {
          times.failure = `${hooked ? 'with' : 'without'} hooks: ${error instanceof Error ? error.message.split('\n').slice(0, 3).join(' / ') : String(error)}`;
          progress(`claude: ${kind} session failed: ${times.failure}`);
          break;
        }
      }
    }
  }
  return result;
}

/** No hooks, ours, or `cat >/dev/null` in place of every command of ours (the floor of any command hook). */
type Hooks = 'none' | 'ours' | 'floor';

async function timedSession(tempDir: string, kind: SessionKind, hooks: Hooks): Promise<{ ms: number; entries: number }> {
  // realpath: the CLI keys trust and transcripts by the real path of the workspace.
  const workspace = realpathSync(mkdtempSync(join(tempDir, `claude-${kind}-`)));
  const home = prepareClaudeHome(workspace);
  const hooked = hooks === 'ours';
  try {
    const ms = kind === 'plain' ? await plainSession(workspace, home, hooks) : await workflowSession(workspace, home, hooked);
    const entries = hooked ? pendingEntries(logbookPaths(workspace).inbox).length : 0;
    if (hooked && entries === 0) throw new Error('the hooked session left no entry in the inbox: the hooks did not run');
    return { ms, entries };
  } finally {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

/** The capture scenario: the sum of its CLI runs (the mock's start and stop are not the agent's time). */
async function plainSession(workspace: string, home: string, hooks: Hooks): Promise<number> {
  if (hooks !== 'none') logbook(['install-hooks', '--workspace', workspace], workspace);
  if (hooks === 'floor') replaceHookCommands(join(workspace, '.claude', 'settings.local.json'), 'cat >/dev/null');
  const run = await runScenario(buildScenario(workspace), { home, timeoutMs: TIMEOUT_MS });
  return run.runs.reduce((sum, r) => sum + r.durationMs, 0);
}

async function workflowSession(workspace: string, home: string, hooked: boolean): Promise<number> {
  const sessionId = randomUUID();
  const scenario = buildWorkflowScenario(workspace, sessionId);
  writeTestWorkflow(workspace);
  logbook(['install-hooks', '--workspace', workspace], workspace);
  if (!hooked) removeHooks(join(workspace, '.claude', 'settings.local.json'));
  mergeWorkspaceSettings(workspace, { allow: scenario.allow });
  const mock = await startMockAnthropic(scenario.mock);
  try {
    const run = await runClaude({ workspace, home, baseUrl: mock.url, prompt: scenario.prompt, sessionId, timeoutMs: TIMEOUT_MS });
    if (run.timedOut || run.exitCode !== 0) throw new Error(describeRun(run));
    return run.durationMs;
  } finally {
    await mock.close();
  }
}

/** Every hook command of the installer's settings replaced by `command` (same events, same matchers). */
function replaceHookCommands(settingsFile: string, command: string): void {
  const text = readFileSync(settingsFile, 'utf8');
  const replaced = text.replace(/"command": "[^"\\]*(?:\\.[^"\\]*)*"/g, `"command": ${JSON.stringify(command)}`);
  if (replaced === text) throw new Error(`no hook command found in ${settingsFile}`);
  writeFileSync(settingsFile, replaced);
}

/** The installer's settings without its hooks: the MCP server's permission stays. */
function removeHooks(settingsFile: string): void {
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
  delete settings['hooks'];
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
}

export function printClaudeSessions(result: ClaudeSessionResult): void {
  console.log('\n## Scripted real Claude Code CLI session, with our hooks and without, taking turns (median)\n');
  const rows = (['plain', 'workflow'] as const).map((kind) => {
    const t = result[kind];
    const ratio = median(t.hooks) / median(t.none);
    return [
      kind === 'plain' ? 'capture scenario, no workflow' : 'workflow scenario, workflow in force',
      fmtMs(median(t.none)), fmtMs(median(t.hooks)), fmtRatio(ratio),
      `${t.hooks.length}+${t.none.length}`, t.entries.join('/'),
      t.failure === undefined ? '' : `FAILED: ${t.failure}`,
    ];
  });
  console.log(textTable(['session', 'no hooks', 'hooks', 'ratio', 'runs', 'inbox entries (hooked)', 'note'], rows, new Set([1, 2, 3])));
  if (result.plain.floor.length > 0) console.log(`capture scenario with \`cat >/dev/null\` as every hook command: ${fmtMs(median(result.plain.floor))} (median of ${result.plain.floor.length})`);
}

export function claudeSummaryRows(result: ClaudeSessionResult): string[][] {
  const rows = (['plain', 'workflow'] as const).map((kind) => {
    const t = result[kind];
    const label = kind === 'plain' ? 'Scripted real-CLI session, hooks vs none, no workflow' : 'Scripted real-CLI session, hooks vs none, workflow in force';
    if (t.failure !== undefined && t.hooks.length === 0) return [label, 'failed', '', '', t.failure];
    const ratio = median(t.hooks) / median(t.none);
    const goal = CLAUDE_GOALS[kind];
    return [`${label} (median of ${t.hooks.length} alternating runs)`, fmtMs(median(t.hooks)), `${fmtMs(median(t.none))} without hooks`, fmtRatio(ratio), `≤ ${goal}× ${ratio <= goal ? '✓' : '✗'}`];
  });
  const plain = result.plain;
  if (plain.floor.length > 0 && plain.hooks.length > 0) {
    rows.push([
      'The same session, our hooks vs a `cat >/dev/null` hook on the same events (the floor of any command hook)',
      fmtMs(median(plain.hooks)), `${fmtMs(median(plain.floor))} with cat hooks; ${fmtMs(median(plain.none))} without hooks`,
      fmtRatio(median(plain.hooks) / median(plain.floor)), 'informational',
    ]);
  }
  return rows;
}
