// Runs the real Claude Code CLI offline, in an isolated HOME, against the mock Anthropic API.
//
// Pinned CLI: @anthropic-ai/claude-code 2.1.197 (exact, package.json devDependencies; native
// linux-x64 binary at node_modules/.bin/claude).
// What it needs to run headless and offline:
//   - a fresh HOME with $HOME/.claude.json = {hasCompletedOnboarding, projects[<workspace>].hasTrustDialogAccepted,
//     customApiKeyResponses.approved[<last 20 chars of the key>]}: without the trust entry `-p`
//     ignores the project's permissions.allow;
//   - env: ANTHROPIC_BASE_URL=<mock>, ANTHROPIC_API_KEY=sk-ant-api03-…, DISABLE_TELEMETRY,
//     DISABLE_AUTOUPDATER, DISABLE_ERROR_REPORTING, DISABLE_BUG_COMMAND,
//     CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, CLAUDE_CODE_DISABLE_TERMINAL_TITLE,
//     CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY, DISABLE_GROWTHBOOK,
//     CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL (all =1); every CLAUDE*/ANTHROPIC*
//     variable of the parent is dropped so a surrounding Claude Code session cannot leak in;
//   - `claude -p <prompt> --output-format stream-json --verbose --session-id <uuid>`, later prompts
//     with `--resume <uuid>` (same session_id; SessionStart source "resume"); stdin is /dev/null so
//     `-p` never waits for piped input;
//   - permissions: `permissions.allow` in the workspace's .claude/settings.json (Write, Edit, Read,
//     Bash(echo:*)). bypassPermissions is not an option: the CLI refuses it when run as root;
//   - compaction: `claude -p "/compact" --resume <uuid>` works headless and fires SessionStart(resume),
//     PreCompact(manual), SubagentStop (agent_type ""), SessionStart(compact), PostCompact, SessionEnd;
//     no UserPromptSubmit for the slash command.
// The process runs in its own process group and the whole group is killed on timeout.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const PINNED_CLAUDE_VERSION = '2.1.197';
/** Any well-formed key: the mock accepts everything, the CLI only checks the shape and the approval list. */
export const MOCK_API_KEY = 'sk-ant-api03-logbook-e2e-mock-key-0123456789abcdefghij';

/** Finds the repository root from here, both under tsx (test/e2e) and bundled (dist/start.js). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (parsed.name === 'agent-logbook') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`run-claude: no agent-logbook package.json above ${__dirname}`);
    dir = parent;
  }
}

export function claudeBin(): string {
  return join(repoRoot(), 'node_modules', '.bin', 'claude');
}

export function makeTempDir(prefix: string): string {
  // realpath: the CLI keys trust and transcripts by the real path of the workspace.
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

/** Creates an isolated HOME whose .claude.json skips onboarding, trusts the workspace and approves the key. */
export function prepareClaudeHome(workspace: string, apiKey: string = MOCK_API_KEY): string {
  const home = makeTempDir('logbook-e2e-home-');
  const config = {
    hasCompletedOnboarding: true,
    projects: { [workspace]: { hasTrustDialogAccepted: true } },
    customApiKeyResponses: { approved: [apiKey.slice(-20)], rejected: [] as string[] },
  };
  writeFileSync(join(home, '.claude.json'), JSON.stringify(config, null, 2));
  return home;
}

export interface HookHandler {
  readonly type: 'command';
  readonly command: string;
  readonly timeout?: number;
}

export interface HookMatcher {
  readonly matcher?: string;
  readonly hooks: readonly HookHandler[];
}

export interface SettingsPatch {
  /** Added to permissions.allow (deduplicated). */
  readonly allow?: readonly string[];
  /** Matchers appended per event to what the file already has. */
  readonly hooks?: Readonly<Record<string, readonly HookMatcher[]>>;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges into the workspace's .claude/<file>, keeping whatever is there (e.g. our installer's hooks).
 * Writes only keys the CLI knows: a settings file failing validation is silently ignored in -p mode.
 */
export function mergeWorkspaceSettings(workspace: string, patch: SettingsPatch, file: 'settings.json' | 'settings.local.json' = 'settings.json'): string {
  const path = join(workspace, '.claude', file);
  mkdirSync(dirname(path), { recursive: true });
  const parsed: unknown = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  const settings: JsonObject = isObject(parsed) ? parsed : {};
  if (patch.allow !== undefined) {
    const permissions = isObject(settings['permissions']) ? settings['permissions'] : {};
    const current = Array.isArray(permissions['allow']) ? permissions['allow'].filter((x): x is string => typeof x === 'string') : [];
    permissions['allow'] = [...new Set([...current, ...patch.allow])];
    settings['permissions'] = permissions;
  }
  if (patch.hooks !== undefined) {
    const hooks = isObject(settings['hooks']) ? settings['hooks'] : {};
    for (const [event, matchers] of Object.entries(patch.hooks)) {
      const current = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
      hooks[event] = [...current, ...matchers];
    }
    settings['hooks'] = hooks;
  }
  writeFileSync(path, `${JSON.stringify(settings, null, 2)}\n`);
  return path;
}

/** The environment of one CLI run: the parent's, minus anything Claude/Anthropic, plus the offline switches. */
export function claudeEnv(home: string, baseUrl: string, apiKey: string = MOCK_API_KEY, unset: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(CLAUDE|ANTHROPIC)/i.test(key) || unset.includes(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    USERPROFILE: home,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: apiKey,
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_BUG_COMMAND: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
    DISABLE_GROWTHBOOK: '1',
    CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
  };
}

export interface RunClaudeOptions {
  readonly workspace: string;
  readonly home: string;
  readonly baseUrl: string;
  readonly prompt: string;
  /** Starts this session (`--session-id`), or continues it with `resume: true` (`--resume`). */
  readonly sessionId?: string;
  readonly resume?: boolean;
  readonly timeoutMs?: number;
  readonly extraArgs?: readonly string[];
  /** Variables of this process the CLI (and so its hooks) does not get. */
  readonly unsetEnv?: readonly string[];
  /** Variables the CLI gets on top (e.g. an orchestrator's LOGBOOK_RUN). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

export interface RunClaudeResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly sessionId: string;
  readonly home: string;
  readonly durationMs: number;
  /** The stream-json lines of stdout that parsed. */
  readonly messages: readonly JsonObject[];
}

export const DEFAULT_CLAUDE_TIMEOUT_MS = 120_000;

export function runClaude(options: RunClaudeOptions): Promise<RunClaudeResult> {
  const sessionId = options.sessionId ?? randomUUID();
  const args = [
    '-p',
    options.prompt,
    '--output-format',
    'stream-json',
    '--verbose',
    ...(options.resume === true ? ['--resume', sessionId] : ['--session-id', sessionId]),
    ...(options.extraArgs ?? []),
  ];
  const started = Date.now();
  const child = spawn(claudeBin(), args, {
    cwd: options.workspace,
    env: { ...claudeEnv(options.home, options.baseUrl, MOCK_API_KEY, options.unsetEnv), ...options.extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group, so a timeout kills the CLI and every hook process it started.
    detached: true,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));

  return new Promise<RunClaudeResult>((resolve, reject) => {
    let timedOut = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs ?? DEFAULT_CLAUDE_TIMEOUT_MS);
    // If the test process itself dies, do not leave the CLI behind.
    process.once('exit', killGroup);
    child.once('error', (error) => {
      clearTimeout(timer);
      process.removeListener('exit', killGroup);
      reject(error);
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', killGroup);
      const stdout = Buffer.concat(out).toString('utf8');
      const messages: JsonObject[] = [];
      for (const line of stdout.split('\n')) {
        if (line.trim() === '') continue;
        try {
          const parsed: unknown = JSON.parse(line);
          if (isObject(parsed)) messages.push(parsed);
        } catch {
          // Not every line has to be JSON (e.g. a crash message); keep it in stdout only.
        }
      }
      resolve({
        exitCode,
        signal,
        timedOut,
        stdout,
        stderr: Buffer.concat(err).toString('utf8'),
        sessionId,
        home: options.home,
        durationMs: Date.now() - started,
        messages,
      });
    });
  });
}

/** One-line explanation of a failed run, for assertion and error messages. */
export function describeRun(result: RunClaudeResult): string {
  const tail = (s: string): string => s.slice(-2000);
  return `claude exit=${String(result.exitCode)} signal=${String(result.signal)} timedOut=${String(result.timedOut)} after ${result.durationMs} ms\nstderr: ${tail(result.stderr)}\nstdout: ${tail(result.stdout)}`;
}

// ---------------------------------------------------------------------------------------------
// Witness hook: an independent recorder, configured next to ours, that appends every payload it
// receives as one JSON line. It tells the test which events really fired and in what order.

const WITNESS_SOURCE = `'use strict';
const fs = require('node:fs');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const text = Buffer.concat(chunks).toString('utf8');
  let line;
  try { line = JSON.stringify(JSON.parse(text)); } catch { line = JSON.stringify({ unparsable: text }); }
  fs.appendFileSync(process.argv[2], line + '\\n');
});
`;

/** Hook events that fired in the fixture capture with CLI 2.1.197 (all known to its settings schema). */
export const FIXTURE_HOOK_EVENTS: readonly string[] = [
  'SessionStart',
  'UserPromptSubmit',
  'MessageDisplay',
  'PreToolUse',
  'PermissionRequest',
  'PostToolUse',
  'PostToolUseFailure',
  'PostToolBatch',
  'SubagentStart',
  'SubagentStop',
  'TaskCreated',
  'TaskCompleted',
  'Stop',
  'PreCompact',
  'PostCompact',
  'SessionEnd',
];

export interface Witness {
  readonly script: string;
  readonly log: string;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Writes the witness script into `dir` and registers it for `events` in the workspace's .claude/settings.json. */
export function installWitnessHook(workspace: string, dir: string, events: readonly string[] = FIXTURE_HOOK_EVENTS): Witness {
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'witness-hook.cjs');
  const log = join(dir, 'witness.jsonl');
  writeFileSync(script, WITNESS_SOURCE);
  writeFileSync(log, '');
  const command = `${shellQuote(process.execPath)} ${shellQuote(script)} ${shellQuote(log)}`;
  const hooks: Record<string, HookMatcher[]> = {};
  for (const event of events) hooks[event] = [{ hooks: [{ type: 'command', command, timeout: 30 }] }];
  mergeWorkspaceSettings(workspace, { hooks });
  return { script, log };
}

export function readWitness(witness: Witness): JsonObject[] {
  return readFileSync(witness.log, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JsonObject);
}

/**
 * Every hook event name CLI 2.1.197 knows (its event enum, read from the binary). DirectoryAdded
 * is documented but NOT here. Measured with 2.1.197 in -p mode: an unknown event name (or unknown
 * top-level key) is tolerated and simply never fires, whereas an invalid handler (e.g.
 * `"type":"bogus"`) makes the CLI ignore the whole settings file, its permissions included.
 */
export const CLI_HOOK_EVENTS: readonly string[] = [
  'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PostToolBatch', 'Notification', 'UserPromptSubmit',
  'UserPromptExpansion', 'SessionStart', 'SessionEnd', 'Stop', 'StopFailure', 'SubagentStart', 'SubagentStop',
  'PreCompact', 'PostCompact', 'PermissionRequest', 'PermissionDenied', 'Setup', 'TeammateIdle', 'TaskCreated',
  'TaskCompleted', 'Elicitation', 'ElicitationResult', 'ConfigChange', 'WorktreeCreate', 'WorktreeRemove',
  'InstructionsLoaded', 'CwdChanged', 'FileChanged', 'MessageDisplay',
];

// ---------------------------------------------------------------------------------------------
// The logbook CLI (dist/logbook.js, built by `npm run build`).

export interface LogbookResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function logbookBin(): string {
  return join(repoRoot(), 'dist', 'logbook.js');
}

export const LOGBOOK_TIMEOUT_MS = 60_000;

/** Runs `node dist/logbook.js <args>`; killed after a timeout so a stuck command cannot hang a test. */
export function runLogbook(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): LogbookResult {
  const result = spawnSync(process.execPath, [logbookBin(), ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: LOGBOOK_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error !== undefined) throw result.error;
  return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Like runLogbook, but throws with the command's output when it fails. */
export function logbook(args: readonly string[], cwd: string): string {
  const result = runLogbook(args, cwd);
  if (result.exitCode !== 0) {
    throw new Error(`logbook ${args.join(' ')} exited ${String(result.exitCode)}\nstderr: ${result.stderr}\nstdout: ${result.stdout}`);
  }
  return result.stdout;
}
