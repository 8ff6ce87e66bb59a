import { globMatches } from './glob';
import { splitShellCommand } from './shell-split';
import type { StateDefinition } from './types';

// Per-state tool rules, checked by the PreToolUse hook. Pure and zod-free: the hook bundle
// loads this on every tool call. The rules are a guard rail for a cooperative agent, not a
// sandbox: a shell command can always hide work from a glob (eval, scripts, substitutions).

/** Tools of our own MCP server: always allowed, so the agent can always move the workflow. */
export const OWN_MCP_TOOL_GLOB = 'mcp__logbook__*';

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
  if (denied !== undefined) return { allowed: false, subject, rule: `${at}.deny ${quoteGlob(denied)}` };
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
    if (hit !== undefined) return { allowed: false, subject: `Bash command ${quoteCommand(hit)}`, rule: `${at}.deny ${quoteGlob(glob)}` };
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

// The reason is shown to the model and recorded with the denial: a list of thousands would drown it.
const GLOBS_LISTED = 20;

function listGlobs(globs: readonly string[]): string {
  if (globs.length === 0) return '(an empty list)';
  const listed = globs.slice(0, GLOBS_LISTED).map(quoteGlob).join(', ');
  return globs.length > GLOBS_LISTED ? `${listed} and ${globs.length - GLOBS_LISTED} more` : listed;
}

function quoteGlob(glob: string): string {
  return JSON.stringify(glob.length > 200 ? `${glob.slice(0, 200)}…` : glob);
}

function quoteCommand(command: string): string {
  // The reason is shown to the model: a whole heredoc would drown the rule it must read.
  return JSON.stringify(command.length > 200 ? `${command.slice(0, 200)}…` : command);
}
