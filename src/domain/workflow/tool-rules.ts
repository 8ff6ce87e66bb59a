import type { StateDefinition } from './types';

// Per-state tool rules, checked by the PreToolUse hook. Pure and zod-free: the hook bundle
// loads this on every tool call. The rules are a guard rail for a cooperative agent, not a
// sandbox: a shell command can always hide work from a glob (eval, scripts, substitutions).

/** Tools of our own MCP server: always allowed, so the agent can always move the workflow. */
export const OWN_MCP_TOOL_GLOB = 'mcp__logbook__*';

const compiled = new Map<string, RegExp>();

/** Whole-string match where `*` matches any run of characters (spaces and slashes included). */
export function globMatches(glob: string, text: string): boolean {
  let re = compiled.get(glob);
  if (re === undefined) {
    const body = glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*');
    re = new RegExp(`^${body}$`);
    compiled.set(glob, re);
  }
  return re.test(text);
}

/** `states.reviewing.tools.deny[0]`, quoting keys that are not identifiers. */
export function jsonPath(segments: readonly (string | number | symbol)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string' && /^[A-Za-z_$][\w$]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out;
}

/** The verdict on one tool call; `subject` and `rule` name what was refused and why. */
export type ToolVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly subject: string; readonly rule: string };

const ALLOWED: ToolVerdict = { allowed: true };

/**
 * Checks a tool call against the rules of state `stateName`. A deny glob wins over any allow;
 * an allow list, when present, lets through only what matches it. For Bash, the command is
 * split into its simple commands (`&&`, `||`, `;`, `|`, newlines): each must be allowed, and
 * a deny glob matching any of them (or the whole command) denies.
 */
export function checkToolRules(stateName: string, state: StateDefinition | undefined, toolName: string, toolInput: unknown): ToolVerdict {
  if (globMatches(OWN_MCP_TOOL_GLOB, toolName)) return ALLOWED;
  const tools = state?.tools;
  if (tools === undefined) return ALLOWED;
  const at = jsonPath(['states', stateName, 'tools']);
  const subject = `Tool ${toolName}`;
  const denied = tools.deny?.find((g) => globMatches(g, toolName));
  if (denied !== undefined) return { allowed: false, subject, rule: `${at}.deny ${JSON.stringify(denied)}` };
  if (tools.allow !== undefined && !tools.allow.some((g) => globMatches(g, toolName))) {
    return { allowed: false, subject, rule: `${at}.allow (${toolName} matches none of ${listGlobs(tools.allow)})` };
  }
  if (toolName !== 'Bash' || tools.bash === undefined) return ALLOWED;
  return checkBash(`${at}.bash`, tools.bash.allow, tools.bash.deny, bashCommandOf(toolInput));
}

function checkBash(at: string, allow: readonly string[] | undefined, deny: readonly string[] | undefined, command: string): ToolVerdict {
  const whole = command.trim();
  const parts = splitShellCommand(command);
  for (const glob of deny ?? []) {
    const hit = globMatches(glob, whole) ? whole : parts.find((p) => globMatches(glob, p));
    if (hit !== undefined) return { allowed: false, subject: `Bash command ${quoteCommand(hit)}`, rule: `${at}.deny ${JSON.stringify(glob)}` };
  }
  if (allow === undefined) return ALLOWED;
  const stray = parts.find((p) => !allow.some((g) => globMatches(g, p)));
  if (stray === undefined) return ALLOWED;
  return { allowed: false, subject: `Bash command ${quoteCommand(stray)}`, rule: `${at}.allow (matches none of ${listGlobs(allow)})` };
}

function bashCommandOf(toolInput: unknown): string {
  if (typeof toolInput !== 'object' || toolInput === null) return '';
  const command: unknown = (toolInput as Record<string, unknown>)['command'];
  return typeof command === 'string' ? command : '';
}

function listGlobs(globs: readonly string[]): string {
  return globs.length === 0 ? '(an empty list)' : globs.map((g) => JSON.stringify(g)).join(', ');
}

function quoteCommand(command: string): string {
  // The reason is shown to the model: a whole heredoc would drown the rule it must read.
  return JSON.stringify(command.length > 200 ? `${command.slice(0, 200)}…` : command);
}

/**
 * The simple commands of a shell command line, trimmed, empty ones dropped. Quotes, `$( … )`,
 * backticks and heredoc bodies are kept inside their command; `2>&1` is not a separator.
 */
export function splitShellCommand(command: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | null = null;
  let depth = 0;
  let backtick = false;
  const heredocs: { word: string; strip: boolean }[] = [];
  const push = (): void => {
    if (current.trim() !== '') parts.push(current.trim());
    current = '';
  };
  for (let i = 0; i < command.length; i += 1) {
    const c = command.charAt(i);
    const next = command.charAt(i + 1);
    if (quote === "'") {
      current += c;
      if (c === "'") quote = null;
    } else if (c === '\\') {
      current += c + next;
      i += 1;
    } else if (c === '$' && next === '(') {
      depth += 1;
      current += '$(';
      i += 1;
    } else if (c === ')' && depth > 0) {
      depth -= 1;
      current += c;
    } else if (quote === '"') {
      current += c;
      if (c === '"') quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      current += c;
    } else if (c === '`') {
      backtick = !backtick;
      current += c;
    } else if (depth > 0 || backtick) {
      current += c;
    } else if (c === '<' && next === '<' && command.charAt(i + 2) !== '<') {
      const end = readHeredocStart(command, i + 2, heredocs);
      current += command.slice(i, end);
      i = end - 1;
    } else if (c === '\n') {
      push();
      i = skipHeredocBodies(command, i + 1, heredocs) - 1;
    } else if (c === ';' || c === '|' || c === '(' || c === ')' || (c === '&' && !isRedirection(current, next))) {
      push();
    } else {
      current += c;
    }
  }
  push();
  return parts;
}

function isRedirection(before: string, next: string): boolean {
  return before.endsWith('>') || before.endsWith('<') || next === '>';
}

/** Reads `<<[-]WORD` from `start` (just after `<<`), remembers WORD, returns the index after it. */
function readHeredocStart(command: string, start: number, heredocs: { word: string; strip: boolean }[]): number {
  let i = start;
  const strip = command.charAt(i) === '-';
  if (strip) i += 1;
  while (command.charAt(i) === ' ' || command.charAt(i) === '\t') i += 1;
  const open = command.charAt(i);
  if (open === "'" || open === '"') {
    const close = command.indexOf(open, i + 1);
    if (close < 0) return command.length;
    heredocs.push({ word: command.slice(i + 1, close), strip });
    return close + 1;
  }
  const word = /^[^\s;&|<>()]+/.exec(command.slice(i))?.[0] ?? '';
  if (word !== '') heredocs.push({ word, strip });
  return i + word.length;
}

/** Skips the bodies of pending heredocs starting at line `start`; returns where commands resume. */
function skipHeredocBodies(command: string, start: number, heredocs: { word: string; strip: boolean }[]): number {
  let i = start;
  while (heredocs.length > 0 && i < command.length) {
    const { word, strip } = heredocs[0] ?? { word: '', strip: false };
    const eol = command.indexOf('\n', i);
    const lineEnd = eol < 0 ? command.length : eol;
    const line = command.slice(i, lineEnd);
    if ((strip ? line.replace(/^\t+/, '') : line).trimEnd() === word) heredocs.shift();
    i = lineEnd + 1;
  }
  heredocs.length = 0;
  return Math.min(i, command.length);
}
