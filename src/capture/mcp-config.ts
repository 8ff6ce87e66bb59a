import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { applyEdits, findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Edit, Node, ParseError } from 'jsonc-parser';
import { SettingsFileError } from './settings-json';
import { writeIfChanged } from '../store/durable-file';

// Our MCP server in the project's `.mcp.json`, next to whatever servers the team has there.
// The same rules as the hook settings: strict JSON, only our entry is touched, a second run
// changes no byte, and a file we cannot read is reported (file:line:column) and left alone.

export const MCP_CONFIG_FILE = '.mcp.json';
/** The agents see our tools as `mcp__logbook__<tool>`: the name is part of the product. */
export const MCP_SERVER_NAME = 'logbook';

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
}

export type MergeOutcome = 'added' | 'updated' | 'unchanged' | 'foreign';

/**
 * No `--workspace`: Claude Code starts a project server in the directory it was launched from
 * and (2.1.141 and later) sets CLAUDE_PROJECT_DIR in its environment, the same directory the
 * hooks record into; `logbook mcp` uses that variable, else its working directory. `cliPath`
 * is absolute because `.mcp.json` has no variable for the extension's install directory.
 */
export function mcpServerEntry(cliPath: string): McpServerEntry {
  return { command: 'node', args: [cliPath, 'mcp'] };
}

/** True for an entry that runs `logbook.js mcp` (ours, whichever install path it names). */
export function isLogbookServer(entry: unknown): boolean {
  if (entry === null || typeof entry !== 'object' || !('args' in entry) || !Array.isArray(entry.args)) return false;
  const args = entry.args.filter((a): a is string => typeof a === 'string');
  return args.includes('mcp') && args.some((a) => ['logbook.js', 'logbook.cjs'].includes(basename(a.replace(/\\/g, '/'))));
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
  const layout = layoutOf(text);
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
    ? removeProperty(servers, servers.children?.indexOf(ours.parent as Node) ?? -1)
    : removeProperty(root, root.children?.indexOf(servers.parent as Node) ?? -1);
  return { text: applyEdits(text, [edit]), removed: true };
}

/** Registers `logbook mcp` in the workspace's `.mcp.json` (created if missing). */
export function registerMcpServer(workspace: string, cliPath: string): McpConfigResult {
  const file = join(workspace, MCP_CONFIG_FILE);
  // Checked before anything is written: a server entry must never point at a missing program.
  if (!existsSync(cliPath)) throw new Error(`logbook CLI not found at ${cliPath} (build it first)`);
  const before = readIfExists(file);
  const merged = mergeMcpServer(before ?? '', MCP_CONFIG_FILE, mcpServerEntry(cliPath));
  if (merged.outcome === 'foreign') {
    return { file, changed: false, message: `${MCP_CONFIG_FILE} already has a server named "${MCP_SERVER_NAME}" that is not Agent Logbook's: left as it is, so the logbook MCP tools are not registered.` };
  }
  const changed = merged.text !== before && writeIfChanged(file, merged.text, 0o644);
  return {
    file,
    changed,
    message: changed
      ? `MCP server "${MCP_SERVER_NAME}" ${merged.outcome === 'added' ? 'added to' : 'updated in'} ${MCP_CONFIG_FILE} (the agents' workflow and journal tools; Claude Code asks once to approve it).`
      : `MCP server "${MCP_SERVER_NAME}" in ${MCP_CONFIG_FILE} is already up to date.`,
  };
}

/** Removes only our server from `.mcp.json`; a missing file is not an error. */
export function unregisterMcpServer(workspace: string): McpConfigResult {
  const file = join(workspace, MCP_CONFIG_FILE);
  const before = readIfExists(file);
  if (before === undefined) return { file, changed: false, message: `No ${MCP_CONFIG_FILE}: no MCP server to remove.` };
  const { text, removed } = removeMcpServer(before, MCP_CONFIG_FILE);
  const changed = removed && writeIfChanged(file, text, 0o644);
  return { file, changed, message: removed ? `Removed the "${MCP_SERVER_NAME}" MCP server from ${MCP_CONFIG_FILE}.` : `No Agent Logbook MCP server in ${MCP_CONFIG_FILE}.` };
}

/** Parses strictly and checks the shape we edit; throws SettingsFileError at the first problem. */
export function checkMcpConfig(text: string, file: string): Node {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, STRICT);
  const first = errors[0];
  if (first !== undefined) throw errorAt(text, file, ...describeParseError(text, first));
  if (root === undefined || root.type !== 'object') throw errorAt(text, file, root?.offset ?? 0, `${file} must hold a JSON object`);
  const servers = findNodeAtLocation(root, ['mcpServers']);
  if (servers !== undefined && servers.type !== 'object') throw errorAt(text, file, servers.offset, '"mcpServers" must be an object');
  return root;
}

/** The user's indentation unit and line ending, followed by everything we insert. */
interface Layout {
  readonly eol: string;
  readonly unit: string;
}

function layoutOf(text: string): Layout {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)\S/m.exec(text)?.[1];
  return { eol, unit: indent?.startsWith('\t') === true ? '\t' : indent ?? '  ' };
}

// Hand-made edits rather than jsonc-parser's modify(), which re-formats the neighbouring lines:
// these touch only the bytes of the entry they add, replace or remove, so uninstall gives the
// file back byte for byte.

/** Appends `"key": value` to an object, on its own line when the last member has one. */
function insertEntry(text: string, container: Node, key: string, value: unknown, layout: Layout): Edit {
  const last = container.children?.at(-1);
  const entry = (indent: string | undefined): string => `${JSON.stringify(key)}: ${render(value, indent, layout)}`;
  if (last === undefined) {
    const outer = leadingWhitespace(text, container.offset);
    const inner = outer + layout.unit;
    return { offset: container.offset + 1, length: container.length - 2, content: `${layout.eol}${inner}${entry(inner)}${layout.eol}${outer}` };
  }
  const indent = ownLineIndent(text, last.offset);
  const content = indent === undefined ? `, ${entry(undefined)}` : `,${layout.eol}${indent}${entry(indent)}`;
  return { offset: last.offset + last.length, length: 0, content };
}

/** A multi-line value is replaced in the file's layout, a one-line value stays on one line. */
function replaceNode(text: string, node: Node, value: unknown, layout: Layout): Edit {
  const multiline = /[\r\n]/.test(text.slice(node.offset, node.offset + node.length));
  return { offset: node.offset, length: node.length, content: render(value, multiline ? leadingWhitespace(text, node.offset) : undefined, layout) };
}

/** Cuts an object member out together with its separating comma. */
function removeProperty(container: Node, index: number): Edit {
  const items = container.children ?? [];
  const item = items[index];
  if (item === undefined) throw new Error(`no member ${index} to remove`);
  if (items.length === 1) return { offset: container.offset + 1, length: container.length - 2, content: '' };
  const next = items[index + 1];
  if (next !== undefined) return { offset: item.offset, length: next.offset - item.offset, content: '' };
  const previous = items[index - 1] as Node;
  const start = previous.offset + previous.length;
  return { offset: start, length: item.offset + item.length - start, content: '' };
}

/** Pretty JSON continuing at `indent`, or one-line JSON (`{"a": 1, "b": [2]}`) when indent is undefined. */
function render(value: unknown, indent: string | undefined, layout: Layout): string {
  if (indent !== undefined) return JSON.stringify(value, null, layout.unit).split('\n').join(layout.eol + indent);
  if (Array.isArray(value)) return `[${value.map((item) => render(item, undefined, layout)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${render(v, undefined, layout)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

function leadingWhitespace(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
}

/** The indentation of a node that starts its own line; undefined when it shares the line with others. */
function ownLineIndent(text: string, offset: number): string | undefined {
  const before = text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
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

function errorAt(text: string, file: string, offset: number, reason: string): SettingsFileError {
  const before = text.slice(0, offset);
  return new SettingsFileError(file, before.split('\n').length, offset - (before.lastIndexOf('\n') + 1) + 1, reason);
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

