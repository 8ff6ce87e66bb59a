import { accessSync, constants, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { CONFIG_FILE_MAX_BYTES, readBoundedText, readTextOrThrow } from './bounded-read';
import { ensureGitignoreBlock } from './gitignore';
import { provenanceKey } from './provenance';
import { HOOK_WARNED_MARKER, LAUNCHER_SCRIPT, MCP_LAUNCHER_NAME, MCP_LAUNCHER_SCRIPT } from './launcher';
import { allowMcpTools, commitMcpServer, disallowMcpTools, MCP_ALLOW_RULE, MCP_CLI_FILE_NAME, planMcpServer, unregisterMcpServer } from './mcp-config';
import { HOOK_LAUNCHER_NAME, LOGBOOK_DIR, logbookPaths } from './paths';
import type { LogbookPaths } from './paths';
import { removeHooks, upsertHooks } from './settings-json';
import { writeIfChanged } from '../store/durable-file';
import { writeRunVariable } from './run-variable';
import type { HookSpec } from './settings-json';
import { ensureBinDir, ensureExecutable, removeForeign } from './bin-dir';
import { ensurePrivateDirs, readSafe } from './safe-fs';
import { registerForInstall } from './registry';

// Callers catch it from here, next to the functions that throw it.
export { SettingsFileError } from './settings-json';

/** Which Claude Code project settings file holds the hooks. */
export type SettingsScope = 'local' | 'shared'; // local = .claude/settings.local.json (default), shared = .claude/settings.json

export interface InstallOptions {
  workspace: string;
  scope: SettingsScope;
  /** Absolute path of the built hook program (dist/hook.js), copied to `.logbook/bin/hook.cjs`. */
  hookBundle: string;
  /** Absolute path of a JS runtime for machines without node (e.g. VS Code's executable), written to `.logbook/bin/runtime`. */
  runtime?: string;
  /**
   * Absolute path of the CLI bundle (dist/logbook.js); when given, `logbook mcp` is registered in
   * `.mcp.json` (through `.logbook/bin/logbook-mcp`) and its tools are allowed in the settings file.
   */
  cliPath?: string;
  /** `logbook.groups.runVariable`: the environment variable whose value names a session's run (default LOGBOOK_RUN). */
  runVariable?: string;
}

export interface InstallResult {
  /** Absolute path of the settings file that holds the hooks. */
  settingsFile: string;
  settingsChanged: boolean;
  /** Every event that now has our handler (all of HOOK_EVENTS). */
  eventsInstalled: string[];
  /** The events whose handler this run added or updated; empty when the hooks were already current. */
  eventsChanged: string[];
  gitignoreChanged: boolean;
  /** hook.cjs, the launcher or the runtime file was written (or the launcher made executable again). */
  programChanged: boolean;
  messages: string[];
}

export interface UninstallResult {
  settingsFile: string;
  settingsChanged: boolean;
  removedHandlers: number;
  messages: string[];
}

/** An installer failure that is not about the settings file; `code` is stable. */
export class InstallerError extends Error {
  constructor(
    readonly code: 'HOOK_BUNDLE_MISSING',
    message: string,
  ) {
    super(message);
    this.name = 'InstallerError';
  }
}

/**
 * Every hook event we install. Never WorktreeCreate: a hook there replaces worktree creation.
 * Claude Code silently ignores a settings file that fails validation in `-p` mode, so an event
 * name the CLI does not know must be removed here rather than written.
 */
export const HOOK_EVENTS: readonly string[] = [
  'SessionStart',
  'Setup',
  'InstructionsLoaded',
  'UserPromptSubmit',
  'UserPromptExpansion',
  'PreToolUse',
  'PermissionRequest',
  'PermissionDenied',
  'PostToolUse',
  'PostToolUseFailure',
  'PostToolBatch',
  'MessageDisplay',
  'Notification',
  'SubagentStart',
  'SubagentStop',
  'TaskCreated',
  'TaskCompleted',
  'Stop',
  'StopFailure',
  'PreCompact',
  'PostCompact',
  'CwdChanged',
  'FileChanged',
  'ConfigChange',
  'SessionEnd',
  'TeammateIdle',
  'Elicitation',
  'ElicitationResult',
  'WorktreeRemove',
];

/** Events whose matcher selects tools; ours match every tool. */
export const TOOL_EVENTS: ReadonlySet<string> = new Set([
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'PermissionRequest',
  'PermissionDenied',
]);

export const HOOK_TIMEOUT_SECONDS = 30;
/**
 * PreToolUse's own: a held session's call waits in the hook for a resume (holds.ts, at most
 * HOLD_WAIT_MAX_MS), and Claude Code lets the call run when a hook times out, so the wait must end
 * well inside it.
 */
export const PRE_TOOL_USE_TIMEOUT_SECONDS = 600;
const LAUNCHER_IN_COMMAND = `/${LOGBOOK_DIR}/bin/logbook-hook`;

/** The shell command of our handler for one event; relative to the project so it works on any machine. */
export function hookCommand(event: string): string {
  return `"$CLAUDE_PROJECT_DIR"${LAUNCHER_IN_COMMAND} ${event}`;
}

/** True for a handler that runs our launcher, whatever its event argument, timeout or age. */
export function isLogbookHandler(handler: unknown): boolean {
  if (handler === null || typeof handler !== 'object' || !('command' in handler)) return false;
  const command = handler.command;
  return typeof command === 'string' && (command.includes(LAUNCHER_IN_COMMAND) || command.includes('\\.logbook\\bin\\logbook-hook'));
}

export function settingsFilePath(workspace: string, scope: SettingsScope): string {
  return join(workspace, '.claude', scope === 'shared' ? 'settings.json' : 'settings.local.json');
}

function hookSpecs(): HookSpec[] {
  return HOOK_EVENTS.map((event) => {
    const handler = { type: 'command', command: hookCommand(event), timeout: event === 'PreToolUse' ? PRE_TOOL_USE_TIMEOUT_SECONDS : HOOK_TIMEOUT_SECONDS };
    return TOOL_EVENTS.has(event) ? { event, matcher: '*', handler } : { event, handler };
  });
}

/** Installs (or brings up to date) our handler for every HOOK_EVENTS event, the hook program and the .gitignore block. */
export function installHooks(opts: InstallOptions): InstallResult {
  const paths = logbookPaths(opts.workspace);
  const settingsFile = settingsFilePath(opts.workspace, opts.scope);
  const shown = shownPath(opts.workspace, settingsFile);
  // Everything that can reject the input runs before the first write, so a failure leaves no trace.
  const before = readTextOrThrow(settingsFile, shown, CONFIG_FILE_MAX_BYTES);
  const merged = upsertHooks(before ?? '', shown, hookSpecs(), isLogbookHandler);
  const bundle = readIfExists(opts.hookBundle);
  if (bundle === undefined) {
    throw new InstallerError('HOOK_BUNDLE_MISSING', `hook program not found at ${opts.hookBundle} (build it first)`);
  }
  const mcp = opts.cliPath === undefined ? undefined : planMcpServer(opts.workspace, opts.cliPath);
  // Our tools only append journal, transition and review events through the inbox; `claude -p`
  // refuses any tool without an allow rule. Never for a "logbook" server that is not ours.
  const allowed = mcp === undefined || mcp.outcome === 'foreign' ? { text: merged.text, changed: false } : allowMcpTools(merged.text, shown);
  const messages: string[] = [];

  // The programs are in place before the settings and `.mcp.json` point at them.
  const keepMcpLauncher = (mcp !== undefined && mcp.outcome !== 'foreign') || isOurMcpLauncher(join(paths.bin, MCP_LAUNCHER_NAME));
  const programChanged = writeProgram(paths, bundle, opts.runtime, keepMcpLauncher, messages);
  if (mcp !== undefined) messages.push(commitMcpServer(mcp).message);
  const gitignoreChanged = writeGitignore(opts.workspace, messages);
  if (writeRunVariable(paths.dir, opts.runVariable) && opts.runVariable !== undefined) messages.push(`Sessions started with ${opts.runVariable} set form a run (logbook.groups.runVariable).`);
  // The hooks stamp every entry with this user's key (provenance.ts): made now, so that even the
  // sh launcher's fallback, which cannot make one, finds it from the first event on.
  const key = provenanceKey();
  if (key.problem !== undefined) messages.push(`${key.problem}; until it can be made, recorded events are kept aside in the $quarantine stream instead of stored as events.`);
  mkdirSync(dirname(settingsFile), { recursive: true });
  const settingsChanged =
    allowed.text !== before && writeIfChanged(settingsFile, allowed.text, opts.scope === 'local' ? 0o600 : 0o644);
  if (allowed.changed) messages.push(`The logbook MCP tools are allowed in ${shown} ("${MCP_ALLOW_RULE}" in permissions.allow).`);
  // The control center lists every workspace that installed the hooks (registry.ts); never fails the install.
  messages.push(...registerForInstall(opts.workspace));

  messages.unshift(
    merged.changedEvents.length > 0
      ? `Hooks for ${merged.changedEvents.length} of ${HOOK_EVENTS.length} events added or updated in ${shown}.`
      : `Hooks in ${shown} are already up to date.`,
  );
  if (opts.scope === 'shared') {
    messages.push(`Commit ${shown} and ${LOGBOOK_DIR}/bin/ so the hooks record on your teammates' machines too.`);
  }
  return {
    settingsFile,
    settingsChanged,
    eventsInstalled: [...HOOK_EVENTS],
    eventsChanged: merged.changedEvents,
    gitignoreChanged,
    programChanged,
    messages,
  };
}

/** Removes only our handlers (and containers left empty by that); the recorded data in .logbook stays. */
export function uninstallHooks(opts: { workspace: string; scope: SettingsScope }): UninstallResult {
  const settingsFile = settingsFilePath(opts.workspace, opts.scope);
  const shown = shownPath(opts.workspace, settingsFile);
  const before = readTextOrThrow(settingsFile, shown, CONFIG_FILE_MAX_BYTES);
  if (before === undefined) {
    return { settingsFile, settingsChanged: false, removedHandlers: 0, messages: [`${shown} does not exist: no hooks to remove.`] };
  }
  const { text, removed } = removeHooks(before, shown, isLogbookHandler);
  const withoutRule = disallowMcpTools(text, shown);
  // After the settings were checked and before they are written, so a malformed file stops both.
  const mcp = unregisterMcpServer(opts.workspace);
  // The allow rule names only our server; it stays while a foreign "logbook" server owns the name.
  const after = mcp.foreign ? text : withoutRule.text;
  const settingsChanged = after !== before && writeIfChanged(settingsFile, after, 0o600);
  const messages = [
    removed === 0
      ? `No Agent Logbook hooks in ${shown}.`
      : `Removed ${removed} Agent Logbook hook handler${removed === 1 ? '' : 's'} from ${shown}; recorded data in ${LOGBOOK_DIR}/ is kept.`,
    ...(mcp.changed ? [mcp.message] : []),
    ...(after !== text ? [`Removed the "${MCP_ALLOW_RULE}" permission rule from ${shown}.`] : []),
  ];
  return { settingsFile, settingsChanged, removedHandlers: removed, messages };
}

/**
 * Writes the hook program into `.logbook/bin/`, which then holds only what the installer wrote:
 * anything else there (a committed `runtime`, a link, a stray file) is removed first, so nothing
 * is written through a link and the launcher runs nothing the installer did not put there.
 */
function writeProgram(paths: LogbookPaths, bundle: Buffer, runtime: string | undefined, keepMcpLauncher: boolean, messages: string[]): boolean {
  // `.logbook/` holds prompts and tool output: only the user may read it (a planted link is refused).
  ensurePrivateDirs([paths.dir, paths.inbox, paths.inboxTmp]);
  const keep = new Set([basename(paths.hookScript), HOOK_LAUNCHER_NAME]);
  if (runtime !== undefined) keep.add(basename(paths.hookRuntime));
  if (keepMcpLauncher) {
    keep.add(MCP_LAUNCHER_NAME);
    keep.add(MCP_CLI_FILE_NAME);
  }
  const removed = [...ensureBinDir(paths.bin), ...removeForeign(paths.bin, keep)];
  if (removed.length > 0) messages.push(`Removed from ${LOGBOOK_DIR}/bin/ what the installer did not write: ${removed.join(', ')}.`);
  let changed = removed.length > 0;
  changed = writeIfChanged(paths.hookScript, bundle, 0o644) || changed;
  changed = writeIfChanged(paths.hookLauncher, LAUNCHER_SCRIPT, 0o755) || changed;
  changed = ensureExecutable(paths.hookLauncher) || changed;
  if (runtime !== undefined) {
    changed = writeIfChanged(paths.hookRuntime, `${runtime}\n`, 0o644) || changed;
    if (!isExecutable(runtime)) messages.push(`The runtime ${runtime} is not an executable file: hooks need node on PATH.`);
  }
  if (changed) {
    // A fresh program deserves a fresh chance: let the launcher explain a failure again.
    rmSync(join(paths.dir, HOOK_WARNED_MARKER), { force: true });
    messages.push(`Hook program written to ${LOGBOOK_DIR}/bin/.`);
  }
  return changed;
}

function writeGitignore(workspace: string, messages: string[]): boolean {
  const file = join(workspace, '.gitignore');
  const read = readBoundedText(file, CONFIG_FILE_MAX_BYTES);
  if (read.kind === 'refused') {
    // Not worth failing an install over (the hooks already work); worth saying, and not worth a rewrite that loses bytes.
    messages.push(`.gitignore ${read.reason}; left as it is, so ${LOGBOOK_DIR}/ is not ignored by git: add the lines yourself.`);
    return false;
  }
  const update = ensureGitignoreBlock(read.kind === 'text' ? read.text : undefined);
  messages.push(...update.warnings);
  if (!update.changed) return false;
  writeIfChanged(file, update.text, 0o644);
  messages.push(`.gitignore now ignores the recorded data in ${LOGBOOK_DIR}/ and keeps ${LOGBOOK_DIR}/bin/.`);
  return true;
}

/** A launcher an earlier install with the CLI path wrote (`.mcp.json` may still run it). */
function isOurMcpLauncher(file: string): boolean {
  try {
    return readSafe(file).equals(Buffer.from(MCP_LAUNCHER_SCRIPT, 'utf8'));
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function readIfExists(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

function shownPath(workspace: string, file: string): string {
  return relative(workspace, file).split(sep).join('/');
}
