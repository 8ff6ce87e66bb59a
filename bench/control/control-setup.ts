import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fmtInt, msSince, progress } from '../stats';
import { WorkloadGenerator } from '../workload';
import type { FixtureEvent } from '../workload';
import { fireTurn, installedHooks } from '../scale/scale-bench';
import { fireHook, hookCommand } from './control-hooks';
import type { HookPayloads } from './control-hooks';

// The control bench's machine: three workspaces with the hooks the real installer puts in, each
// with a small history of ended sessions made by the installed hooks and `logbook ingest` (or, with
// --control-history, the third one a copy of a cached big history), then 20 live sessions across
// them (7/7/6), each started by SessionStart and UserPromptSubmit through the installed launcher.

export interface BenchWorkspace {
  readonly label: string;
  readonly path: string;
  /** The workspace open in VS Code: a LiveIngest writes its store; the others' entries wait in their inbox. */
  readonly open: boolean;
  /** What history it holds, as the report says it. */
  readonly history: string;
  readonly hooks: ReadonlyMap<string, readonly string[]>;
}

export interface BenchSession {
  readonly id: string;
  readonly workspace: BenchWorkspace;
}

/** Live sessions per workspace. */
export const SESSIONS_PER_WORKSPACE = [7, 7, 6] as const;
/** Ended sessions (one fixture turn of 63 events each) in a workspace's small history. */
const SEED_SESSIONS = 3;

export interface SetupInput {
  readonly root: string;
  readonly tempDir: string;
  readonly fixture: readonly FixtureEvent[];
  /** A cached workspace with a big history, copied as the third workspace. */
  readonly historyDir: string | undefined;
}

export function setUpWorkspaces(input: SetupInput): BenchWorkspace[] {
  const cli = join(input.root, 'dist', 'logbook.js');
  const workspaces: BenchWorkspace[] = [];
  for (let i = 1; i <= SESSIONS_PER_WORKSPACE.length; i += 1) {
    const path = join(input.tempDir, `control-ws${i}`);
    const big = i === SESSIONS_PER_WORKSPACE.length ? input.historyDir : undefined;
    let history = `${SEED_SESSIONS} ended sessions of ${input.fixture.length} events`;
    if (big === undefined) {
      mkdirSync(path);
    } else {
      if (!existsSync(join(big, '.logbook'))) throw new Error(`--control-history: ${big} is not a workspace with a logbook (no .logbook/ in it)`);
      progress(`control: copying ${big} (the copy is measured, the cache stays as it is)`);
      const copied = process.hrtime.bigint();
      cpSync(big, path, { recursive: true });
      // The copy's dirty pages are written back before anything is timed, as scale-bench does.
      spawnSync('sync', [], { stdio: 'ignore' });
      history = `copy of ${big}`;
      progress(`control: copied and synced in ${fmtInt(msSince(copied) / 1000)} s`);
    }
    runCli(cli, ['install-hooks', '--workspace', path], path);
    const hooks = installedHooks(path);
    if (big === undefined) seedHistory(path, input.fixture, hooks);
    // Brings the store to this build's format and empties the inbox: the measured state starts clean.
    const ingested = process.hrtime.bigint();
    runCli(cli, ['ingest', '--workspace', path], path);
    if (big !== undefined) progress(`control: \`logbook ingest\` of the copy took ${fmtInt(msSince(ingested))} ms`);
    workspaces.push({ label: `ws${i}`, path, open: i === 1, history, hooks });
  }
  return workspaces;
}

/** Starts the live sessions: SessionStart, then UserPromptSubmit, each through the installed launcher. */
export async function startSessions(workspaces: readonly BenchWorkspace[], payloads: HookPayloads): Promise<BenchSession[]> {
  const sessions: BenchSession[] = [];
  for (const [index, workspace] of workspaces.entries()) {
    for (let k = 0; k < (SESSIONS_PER_WORKSPACE[index] ?? 0); k += 1) {
      const id = randomUUID();
      for (const event of ['SessionStart', 'UserPromptSubmit'] as const) {
        await fireHook(workspace.path, hookCommand(workspace.hooks, event), payloads.json(event, id, workspace.path, event === 'UserPromptSubmit' ? { prompt_id: randomUUID() } : {}));
      }
      sessions.push({ id, workspace });
    }
  }
  return sessions;
}

function seedHistory(workspace: string, fixture: readonly FixtureEvent[], hooks: ReadonlyMap<string, readonly string[]>): void {
  const turns = new WorkloadGenerator(fixture, SEED_SESSIONS);
  for (let k = 0; k < SEED_SESSIONS; k += 1) {
    const fired = fireTurn(workspace, fixture, turns, hooks);
    if (typeof fired === 'string') throw new Error(`seeding ${workspace}: ${fired}`);
  }
}

function runCli(cli: string, args: readonly string[], workspace: string): void {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: workspace, encoding: 'utf8', timeout: 30 * 60_000 });
  if (run.status !== 0) throw new Error(`logbook ${args[0] ?? ''} failed in ${workspace} (exit ${String(run.status)}): ${(run.stderr ?? '').trim().slice(0, 400)}`);
}
