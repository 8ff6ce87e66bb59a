// Helpers for driving Claude Code's experimental agent teams (CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS=1)
// with the real CLI, offline, against the mock Anthropic API.
//
// Why tmux: with CLI 2.1.197 the session team is only initialised for an INTERACTIVE session
// (main(): `if(ll()&&!Cr()&&!a.agentId) … initializeSessionTeam()`, where Cr() = !isInteractive).
// Under `-p` there is no team context, and the Agent tool's `name` parameter then just launches an
// ordinary synchronous subagent. So the lead runs interactively inside a private, detached tmux
// server (a PTY), is driven by its initial prompt argument, and is ended by typing `/exit`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_HOOK_EVENTS, claudeBin, claudeEnv, mergeWorkspaceSettings, type HookMatcher } from './run-claude';

type JsonObject = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Team probe hook: one JSON line per hook call with the payload, the hook's CLAUDE*/TMUX* env,
// the argv of the claude process that ran it, and a snapshot of ~/.claude/tasks and
// ~/.claude/teams (file -> content) taken at that moment.

const TEAM_PROBE_SOURCE = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const chunks = [];
function snapshot(root) {
  const out = {};
  const walk = (dir) => {
    let entries = [];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else { try { out[path.relative(root, p)] = fs.readFileSync(p, 'utf8'); } catch {} }
    }
  };
  walk(root);
  return out;
}
function claudeArgv() {
  let pid = process.ppid;
  for (let i = 0; i < 6 && pid > 1; i++) {
    let argv = [];
    try { argv = fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0').filter(Boolean); } catch { return null; }
    if (argv.length > 0 && /claude(\\.exe)?$/.test(argv[0])) return { pid, argv };
    let stat = '';
    try { stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8'); } catch { return null; }
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return null;
}
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const text = Buffer.concat(chunks).toString('utf8');
  let payload;
  try { payload = JSON.parse(text); } catch { payload = { unparsable: text }; }
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (/^(CLAUDE|TMUX)/.test(k)) env[k] = v;
  const claudeDir = path.join(process.env.HOME || '', '.claude');
  const line = { payload, env, claude: claudeArgv(), tasks: snapshot(path.join(claudeDir, 'tasks')), teams: snapshot(path.join(claudeDir, 'teams')) };
  fs.appendFileSync(process.argv[2], JSON.stringify(line) + '\\n');
});
`;

export interface TeamProbeRecord {
  readonly payload: JsonObject;
  readonly env: Readonly<Record<string, string>>;
  readonly claude: { readonly pid: number; readonly argv: readonly string[] } | null;
  /** ~/.claude/tasks/<relative path> -> content, at the time of the hook call. */
  readonly tasks: Readonly<Record<string, string>>;
  /** ~/.claude/teams/<relative path> -> content, at the time of the hook call. */
  readonly teams: Readonly<Record<string, string>>;
}

export interface TeamProbe {
  readonly log: string;
  read(): TeamProbeRecord[];
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Registers the team probe for every hook event the CLI knows. */
export function installTeamProbe(workspace: string, dir: string): TeamProbe {
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'team-probe-hook.cjs');
  const log = join(dir, 'team-probe.jsonl');
  writeFileSync(script, TEAM_PROBE_SOURCE);
  writeFileSync(log, '');
  const command = `${shellQuote(process.execPath)} ${shellQuote(script)} ${shellQuote(log)}`;
  const hooks: Record<string, HookMatcher[]> = {};
  for (const event of CLI_HOOK_EVENTS) hooks[event] = [{ hooks: [{ type: 'command', command, timeout: 30 }] }];
  mergeWorkspaceSettings(workspace, { hooks });
  return {
    log,
    read: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as TeamProbeRecord),
  };
}

/** Sets `env.CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS=1` in the workspace's .claude/settings.json. */
export function enableAgentTeamsInSettings(workspace: string): void {
  const path = join(workspace, '.claude', 'settings.json');
  mkdirSync(join(workspace, '.claude'), { recursive: true });
  const settings = (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {}) as JsonObject;
  const env = typeof settings['env'] === 'object' && settings['env'] !== null ? (settings['env'] as JsonObject) : {};
  settings['env'] = { ...env, CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS: '1' };
  writeFileSync(path, `${JSON.stringify(settings, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Interactive lead inside a private tmux server.

export function tmuxAvailable(): boolean {
  const r = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return r.status === 0;
}

export interface InteractiveLeadOptions {
  readonly workspace: string;
  readonly home: string;
  readonly baseUrl: string;
  readonly prompt: string;
  /** `--teammate-mode`: "in-process" (teammates inside the lead's process) or "tmux" (own processes, own panes). */
  readonly teammateMode: 'in-process' | 'tmux';
  /** Where run.sh, stderr and the final screen are written. */
  readonly dir: string;
  /** Polled every 250 ms; when true, `/exit` is typed into the lead. */
  readonly readyToExit: () => boolean;
  /** Polled after `/exit`; when true (or after exitTimeoutMs) the tmux server is killed. */
  readonly exited: () => boolean;
  readonly timeoutMs?: number;
  readonly exitTimeoutMs?: number;
}

export interface InteractiveLeadResult {
  readonly readyInTime: boolean;
  readonly exitedInTime: boolean;
  readonly screen: string;
  readonly stderr: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runInteractiveLeadInTmux(options: InteractiveLeadOptions): Promise<InteractiveLeadResult> {
  mkdirSync(options.dir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...claudeEnv(options.home, options.baseUrl), CLAUDE_CODE_EXPERIMENTAL_AGENT_TEAMS: '1', TERM: 'xterm-256color' };
  delete env['TMUX'];
  delete env['TMUX_PANE'];
  const stderrPath = join(options.dir, 'lead-stderr.txt');
  const assignments = Object.entries(env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join(' ');
  const wrapper = join(options.dir, 'run-lead.sh');
  // env -i: the lead sees exactly claudeEnv (+ the pane's TMUX/TMUX_PANE, which the tmux backend needs).
  writeFileSync(
    wrapper,
    `#!/bin/sh\ncd ${shellQuote(options.workspace)} || exit 1\nexec env -i TMUX="$TMUX" TMUX_PANE="$TMUX_PANE" ${assignments} ${shellQuote(claudeBin())} --teammate-mode ${options.teammateMode} ${shellQuote(options.prompt)} 2>${shellQuote(stderrPath)}\n`,
  );
  const socket = `logbook-teams-${process.pid}-${Date.now()}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const killServer = (): void => {
    try {
      tmux('kill-server');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', killServer);
  let screen = '';
  let readyInTime = false;
  let exitedInTime = false;
  try {
    tmux('new-session', '-d', '-s', 'lead', '-x', '200', '-y', '50', `sh ${shellQuote(wrapper)}`);
    const deadline = Date.now() + (options.timeoutMs ?? 40_000);
    while (Date.now() < deadline && !(readyInTime = options.readyToExit())) await sleep(250);
    try {
      screen = tmux('capture-pane', '-p', '-t', 'lead');
    } catch {
      // The pane may be gone already.
    }
    try {
      tmux('send-keys', '-t', 'lead', '/exit', 'Enter');
    } catch {
      // Ditto.
    }
    const exitDeadline = Date.now() + (options.exitTimeoutMs ?? 15_000);
    while (Date.now() < exitDeadline && !(exitedInTime = options.exited())) await sleep(250);
  } finally {
    killServer();
    process.removeListener('exit', killServer);
  }
  writeFileSync(join(options.dir, 'lead-screen.txt'), screen);
  return { readyInTime, exitedInTime, screen, stderr: existsSync(stderrPath) ? readFileSync(stderrPath, 'utf8') : '' };
}
