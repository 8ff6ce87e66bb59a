import { spawn } from 'node:child_process';
import { msSince } from '../stats';
import { fixturePayload } from '../workload';
import type { FixtureEvent } from '../workload';

// Hook events fired into a workspace through the hook command the installer registered, as Claude
// Code runs it (`sh -c`, the payload on stdin, CLAUDE_PROJECT_DIR set), without blocking the
// bench's event loop: the control center being measured runs in this process and must keep reading
// while the hook runs.

/** The hook events the control bench fires. */
export type BenchHookEvent = 'SessionStart' | 'UserPromptSubmit' | 'PreToolUse' | 'PostToolUseFailure';

export interface FiredHook {
  /** Epoch ms just before the spawn. */
  readonly spawnAt: number;
  /** Epoch ms at which the hook command ended, stamped by the shell that ran it. */
  readonly exitAt: number;
  /** Spawn → exit as this process saw it (its event loop may see the exit late). */
  readonly wallMs: number;
}

/** Payloads of the captured fixture session, with the bench's session, workspace and tool. */
export class HookPayloads {
  private readonly templates: ReadonlyMap<BenchHookEvent, Readonly<Record<string, unknown>>>;

  constructor(fixture: readonly FixtureEvent[]) {
    this.templates = new Map<BenchHookEvent, Readonly<Record<string, unknown>>>([
      ['SessionStart', fixturePayload(fixture, 'SessionStart').payload],
      ['UserPromptSubmit', fixturePayload(fixture, 'UserPromptSubmit').payload],
      ['PreToolUse', fixturePayload(fixture, 'PreToolUse', 'Bash').payload],
      ['PostToolUseFailure', fixturePayload(fixture, 'PostToolUseFailure').payload],
    ]);
  }

  json(event: BenchHookEvent, sessionId: string, workspace: string, fields: Readonly<Record<string, unknown>> = {}): string {
    return JSON.stringify({ ...this.templates.get(event), session_id: sessionId, cwd: workspace, ...fields });
  }
}

/** The one command the installer registered for `event`. */
export function hookCommand(hooks: ReadonlyMap<string, readonly string[]>, event: BenchHookEvent): string {
  const commands = hooks.get(event) ?? [];
  const command = commands[0];
  if (command === undefined || commands.length !== 1) throw new Error(`expected one installed ${event} hook, found ${commands.length}`);
  return command;
}

/** Runs a hook command to its end; rejects when it fails (a bench of a broken hook measures nothing). */
export function fireHook(workspace: string, command: string, payload: string): Promise<FiredHook> {
  return new Promise((resolve, reject) => {
    const spawnAt = Date.now();
    const started = process.hrtime.bigint();
    // The shell stamps the end (GNU date, ns): this process may be busy reading a store just then,
    // and its 'close' would then come late and shorten the latency measured from it.
    const script = `{ ${command}\n} >/dev/null; status=$?; date +%s%N; exit $status`;
    const child = spawn('sh', ['-c', script], { cwd: workspace, env: { ...process.env, CLAUDE_PROJECT_DIR: workspace }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = msSince(started);
      if (code !== 0) {
        reject(new Error(`the hook (${command}) exited ${String(code)}: ${err.trim().slice(0, 300)}`));
        return;
      }
      const stamp = out.trim().split('\n').at(-1) ?? '';
      // Without GNU date (%N not a number) the close as seen here is the best there is.
      const exitAt = /^\d{19}$/.test(stamp) ? Number(BigInt(stamp) / 1000n) / 1000 : spawnAt + wallMs;
      resolve({ spawnAt, exitAt, wallMs });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(payload);
  });
}
