import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { applyEdits, findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Node, ParseError } from 'jsonc-parser';
import { addToArrayAt, canonical, detectLayout, errorAt, insertEntry, removeElement, removeFromArrayAt, replaceNode, tooDeepError } from './json-edit';
import type { ArrayPath } from './json-edit';
import { CONFIG_FILE_MAX_BYTES, readTextOrThrow } from './bounded-read';
import { MCP_LAUNCHER_NAME, MCP_LAUNCHER_SCRIPT } from './launcher';
import { LOGBOOK_DIR, logbookPaths } from './paths';
import { checkSettings } from './settings-json';
import { writeIfChanged } from '../store/durable-file';
import { ensureBinDir, ensureExecutable, removeUnlessOwnFile } from './bin-dir';
import { ensurePrivateDir } from './safe-fs';

// Our MCP server in the project's `.mcp.json`, next to whatever servers the team has there.
// The same rules as the hook settings: strict JSON, only our entry is touched, a second run
// changes no byte, and a file we cannot read is reported (file:line:column) and left alone.

export const MCP_CONFIG_FILE = '.mcp.json';
/** The agents see our tools as `mcp__logbook__<tool>`: the name is part of the product. */
export const MCP_SERVER_NAME = 'logbook';
/**
 * The permission rule that allows every tool of our server. Claude Code's documented forms are
 * `mcp__<server>` (any tool of that server) and, in newer releases, `mcp__<server>__*`; the plain
 * form is the one every release accepts, and a rule a release rejects can make `-p` ignore the
 * whole settings file (hooks included).
 */
export const MCP_ALLOW_RULE = `mcp__${MCP_SERVER_NAME}`;
const ALLOW: ArrayPath = ['permissions', 'allow'];

/** A stdio server entry of `.mcp.json`. */
export interface McpServerEntry {
  readonly command: string;
  readonly args: readonly string[];
}

export interface McpConfigResult {
  /** Absolute path of `.mcp.json`. */
  readonly file: string;
  readonly changed: boolean;
  readonly message: string;
  /** A server named "logbook" that is not ours is there (so its tools must not be allowed as ours). */
  readonly foreign: boolean;
}

/** What registering would write, computed (and checked) before anything is written. */
export interface McpServerPlan {
  readonly workspace: string;
  /** This machine's `logbook.js`, recorded in `.logbook/bin/cli` for the launcher. */
  readonly cliPath: string;
  readonly file: string;
  readonly before: string | undefined;
  readonly text: string;
  readonly outcome: MergeOutcome;
}

export type MergeOutcome = 'added' | 'updated' | 'unchanged' | 'foreign';

/** The name of the file, next to the MCP launcher, that holds the path of this machine's `logbook.js`. */
export const MCP_CLI_FILE_NAME = 'cli';

/**
 * The launcher's path as `.mcp.json` names it: relative to the project, so the committed file
 * is the same in every clone and on every machine. Measured with Claude Code 2.1.197 (see
 * test/e2e/mcp-portable.e2e.test.ts): a project server is spawned in the directory `claude` was
 * started from (the one whose CLAUDE_PROJECT_DIR the hooks record into), and a relative command
 * is found from there. `${CLAUDE_PROJECT_DIR}` cannot replace it: `.mcp.json` is expanded from
 * the CLI's own environment, where that variable is missing (the server is then not started)
 * or, when `claude` runs under another session, names that other project.
 */
export const MCP_LAUNCHER_COMMAND = `${LOGBOOK_DIR}/bin/${MCP_LAUNCHER_NAME}`;

/**
 * `.logbook/bin/logbook-mcp mcp`: the launcher reads where `logbook.js` is on this machine from
 * `.logbook/bin/cli` (written by the installer, git-ignored like `runtime`), and finds a runtime
 * (node, else VS Code's), so the server starts where node is not on PATH. No `--workspace`:
 * `logbook mcp` takes CLAUDE_PROJECT_DIR, which Claude Code sets to the directory it started the
 * server in, the one that holds this launcher.
 */
export function mcpServerEntry(): McpServerEntry {
  return { command: MCP_LAUNCHER_COMMAND, args: ['mcp'] };
}

/** Where the installer puts the MCP server's launcher. */
export function mcpLauncherPath(workspace: string): string {
  return join(logbookPaths(workspace).bin, MCP_LAUNCHER_NAME);
}

/** Where the installer records the path of this machine's `logbook.js` for the launcher. */
export function mcpCliFilePath(workspace: string): string {
  return join(logbookPaths(workspace).bin, MCP_CLI_FILE_NAME);
}

/**
 * True for an entry that runs `logbook mcp`: through our launcher (any path to it), or, as
 * installs before the portable entry wrote it, `<launcher or node> <path of logbook.js> mcp`.
 */
export function isLogbookServer(entry: unknown): boolean {
  if (entry === null || typeof entry !== 'object' || !('args' in entry) || !Array.isArray(entry.args)) return false;
  const args = entry.args.filter((a): a is string => typeof a === 'string');
  if (!args.includes('mcp')) return false;
  const command = 'command' in entry && typeof entry.command === 'string' ? entry.command.replace(/\\/g, '/') : '';
  return command === MCP_LAUNCHER_COMMAND || command.endsWith(`/${MCP_LAUNCHER_COMMAND}`)
    || args.some((a) => ['logbook.js', 'logbook.cjs'].includes(basename(a.replace(/\\/g, '/'))));
}

// Claude Code reads `.mcp.json` as strict JSON: comments or trailing commas are reported, not fixed.
const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** Adds or updates our server; an entry of that name that is not ours is left as it is ('foreign'). */
export function mergeMcpServer(text: string, file: string, entry: McpServerEntry): { text: string; outcome: MergeOutcome } {
  if (text.trim() === '') return { text: `${JSON.stringify({ mcpServers: { [MCP_SERVER_NAME]: entry } }, null, 2)}\n`, outcome: 'added' };
  const root = checkMcpConfig(text, file);
  const existing = findNodeAtLocation(root, ['mcpServers', MCP_SERVER_NAME]);
  let wanted: object = entry;
  if (existing !== undefined) {
    const value: unknown = getNodeValue(existing);
    if (!isLogbookServer(value)) return { text, outcome: 'foreign' };
    // Keys the user added to our entry (env, a timeout) survive an update of the program path.
    wanted = { ...(value as object), ...entry };
    if (JSON.stringify(canonical(value)) === JSON.stringify(canonical(wanted))) return { text, outcome: 'unchanged' };
  }
  const layout = detectLayout(text);
  const servers = findNodeAtLocation(root, ['mcpServers']);
  const edit = existing !== undefined ? replaceNode(text, existing, wanted, layout)
    : servers === undefined ? insertEntry(text, root, 'mcpServers', { [MCP_SERVER_NAME]: entry }, layout)
    : insertEntry(text, servers, MCP_SERVER_NAME, entry, layout);
  return { text: applyEdits(text, [edit]), outcome: existing === undefined ? 'added' : 'updated' };
}

/** Removes our server, and `mcpServers` when that leaves it empty; other servers and keys stay. */
export function removeMcpServer(text: string, file: string): { text: string; removed: boolean } {
  if (text.trim() === '') return { text, removed: false };
  const root = checkMcpConfig(text, file);
  const servers = findNodeAtLocation(root, ['mcpServers']);
  const ours = findNodeAtLocation(root, ['mcpServers', MCP_SERVER_NAME]);
  if (servers === undefined || ours === undefined || !isLogbookServer(getNodeValue(ours))) return { text, removed: false };
  // The largest container this removal leaves empty goes too; the user's other keys stay as they were.
  const edit = (servers.children?.length ?? 0) > 1
    ? removeElement(servers, servers.children?.indexOf(ours.parent as Node) ?? -1)
    : removeElement(root, root.children?.indexOf(servers.parent as Node) ?? -1);
  return { text: applyEdits(text, [edit]), removed: true };
}

/** Reads and merges `.mcp.json` without writing: throws (file:line:column) when it cannot be edited. */
export function planMcpServer(workspace: string, cliPath: string): McpServerPlan {
  const file = join(workspace, MCP_CONFIG_FILE);
  // Checked before anything is written: a server entry must never point at a missing program.
  if (!existsSync(cliPath)) throw new Error(`logbook CLI not found at ${cliPath} (build it first)`);
  const before = readIfExists(file);
  const merged = mergeMcpServer(before ?? '', MCP_CONFIG_FILE, mcpServerEntry());
  return { workspace, cliPath, file, before, text: merged.text, outcome: merged.outcome };
}

/** Writes a plan: the launcher and its `cli` file first (the entry never names a missing program), then `.mcp.json`. */
export function commitMcpServer(plan: McpServerPlan): McpConfigResult {
  const { file, outcome } = plan;
  if (outcome === 'foreign') {
    return { file, changed: false, foreign: true, message: `${MCP_CONFIG_FILE} already has a server named "${MCP_SERVER_NAME}" that is not Agent Logbook's: left as it is, so the logbook MCP tools are not registered.` };
  }
  writeMcpLauncher(plan.workspace, plan.cliPath);
  const changed = plan.text !== plan.before && writeIfChanged(file, plan.text, 0o644);
  return {
    file,
    changed,
    foreign: false,
    message: changed
      ? `MCP server "${MCP_SERVER_NAME}" ${outcome === 'added' ? 'added to' : 'updated in'} ${MCP_CONFIG_FILE} (the agents' workflow and journal tools; Claude Code asks once to approve it).`
      : `MCP server "${MCP_SERVER_NAME}" in ${MCP_CONFIG_FILE} is already up to date.`,
  };
}

/** Registers `logbook mcp` in the workspace's `.mcp.json` (created if missing), with its launcher. */
export function registerMcpServer(workspace: string, cliPath: string): McpConfigResult {
  return commitMcpServer(planMcpServer(workspace, cliPath));
}

/** Removes only our server from `.mcp.json`; a missing file is not an error. */
export function unregisterMcpServer(workspace: string): McpConfigResult {
  const file = join(workspace, MCP_CONFIG_FILE);
  const before = readIfExists(file);
  if (before === undefined) return { file, changed: false, foreign: false, message: `No ${MCP_CONFIG_FILE}: no MCP server to remove.` };
  const { text, removed } = removeMcpServer(before, MCP_CONFIG_FILE);
  const foreign = !removed && hasForeignServer(before);
  const changed = removed && writeIfChanged(file, text, 0o644);
  return { file, changed, foreign, message: removed ? `Removed the "${MCP_SERVER_NAME}" MCP server from ${MCP_CONFIG_FILE}.` : `No Agent Logbook MCP server in ${MCP_CONFIG_FILE}.` };
}

/**
 * Adds MCP_ALLOW_RULE to `permissions.allow` of a settings text, byte for byte otherwise: in
 * `claude -p` a tool without an allow rule is refused, and ours only append journal, transition
 * and review events through the inbox.
 */
export function allowMcpTools(text: string, file: string): { text: string; changed: boolean } {
  const layout = detectLayout(text);
  const current = text.trim() === '' ? `{}${layout.eol}` : text;
  const edit = addToArrayAt(current, checkSettings(current, file), ALLOW, MCP_ALLOW_RULE, layout, file);
  return edit === undefined ? { text, changed: false } : { text: applyEdits(current, [edit]), changed: true };
}

/** Removes MCP_ALLOW_RULE (every copy) and the containers that leaves empty; checks the shape even when there is nothing to remove. */
export function disallowMcpTools(text: string, file: string): { text: string; removed: boolean } {
  if (text.trim() === '') return { text, removed: false };
  let current = text;
  for (;;) {
    const edit = removeFromArrayAt(current, checkSettings(current, file), ALLOW, MCP_ALLOW_RULE, file);
    if (edit === undefined) return { text: current, removed: current !== text };
    current = applyEdits(current, [edit]);
  }
}

function writeMcpLauncher(workspace: string, cliPath: string): void {
  const paths = logbookPaths(workspace);
  // `.logbook/` holds prompts and tool output: private, whoever creates it first (never a link).
  ensurePrivateDir(paths.dir);
  ensureBinDir(paths.bin);
  const launcher = mcpLauncherPath(workspace);
  const cliFile = mcpCliFilePath(workspace);
  // A link (or anything but a plain file of ours) in their place goes: both are written afresh, never through it.
  removeUnlessOwnFile(launcher);
  removeUnlessOwnFile(cliFile);
  // This machine's path, read by the launcher: git-ignored (gitignore.ts), so each clone records its own.
  writeIfChanged(cliFile, `${cliPath}\n`, 0o644);
  writeIfChanged(launcher, MCP_LAUNCHER_SCRIPT, 0o755);
  ensureExecutable(launcher);
}

function hasForeignServer(text: string): boolean {
  const ours = findNodeAtLocation(checkMcpConfig(text, MCP_CONFIG_FILE), ['mcpServers', MCP_SERVER_NAME]);
  return ours !== undefined && !isLogbookServer(getNodeValue(ours));
}

/** Parses strictly and checks the shape we edit; throws SettingsFileError at the first problem. */
export function checkMcpConfig(text: string, file: string): Node {
  const deep = tooDeepError(text, file);
  if (deep !== undefined) throw deep;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, STRICT);
  const first = errors[0];
  if (first !== undefined) throw errorAt(text, file, ...describeParseError(text, first));
  if (root === undefined || root.type !== 'object') throw errorAt(text, file, root?.offset ?? 0, `${file} must hold a JSON object`);
  const servers = findNodeAtLocation(root, ['mcpServers']);
  if (servers !== undefined && servers.type !== 'object') throw errorAt(text, file, servers.offset, '"mcpServers" must be an object');
  return root;
}

function describeParseError(text: string, error: ParseError): [number, string] {
  const code = printParseErrorCode(error.error);
  const at = text.charAt(error.offset);
  if ((at === '}' || at === ']') && (code === 'PropertyNameExpected' || code === 'ValueExpected')) {
    const beforeClose = text.slice(0, error.offset).trimEnd();
    if (beforeClose.endsWith(',')) return [beforeClose.length - 1, 'trailing comma (.mcp.json must be strict JSON)'];
  }
  if (code === 'InvalidCommentToken') return [error.offset, 'comments are not allowed (.mcp.json must be strict JSON)'];
  if (code === 'CommaExpected' || code === 'CloseBraceExpected' || code === 'CloseBracketExpected') return [error.offset, "expected ',' or a closing bracket"];
  if (code === 'EndOfFileExpected') return [error.offset, 'unexpected content after the end of the JSON object'];
  return [error.offset, `invalid JSON (${code})`];
}

function readIfExists(file: string): string | undefined {
  return readTextOrThrow(file, MCP_CONFIG_FILE, CONFIG_FILE_MAX_BYTES);
}

