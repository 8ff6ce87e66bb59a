// A Bash command line cut into its simple commands, for the tool rules. The command comes from
// the agent and may be huge (a heredoc of a whole file): one pass, each character looked at a
// bounded number of times. The command being read is kept as where it starts, not as a string
// grown character by character: asking the grown string whether it ended in `>` copied it each
// time, and `a>&>&>&…` took over a minute at 200 KB.

interface Heredoc {
  readonly word: string;
  readonly strip: boolean;
}

/**
 * The simple commands of a shell command line, trimmed, empty ones dropped. Quotes, `$( … )`,
 * backticks and heredoc bodies are kept inside their command; `2>&1` is not a separator.
 */
export function splitShellCommand(command: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quote: string | null = null;
  let depth = 0;
  let backtick = false;
  const heredocs: Heredoc[] = [];
  const push = (end: number): void => {
    const part = command.slice(start, end).trim();
    if (part !== '') parts.push(part);
  };
  for (let i = 0; i < command.length; i += 1) {
    const c = command.charAt(i);
    const next = command.charAt(i + 1);
    if (quote === "'") {
      if (c === "'") quote = null;
    } else if (c === '\\') {
      i += 1;
    } else if (c === '$' && next === '(') {
      depth += 1;
      i += 1;
    } else if (c === ')' && depth > 0) {
      depth -= 1;
    } else if (quote === '"') {
      if (c === '"') quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '`') {
      backtick = !backtick;
    } else if (depth > 0 || backtick) {
      // Inside a substitution: part of the command.
    } else if (c === '<' && next === '<' && command.charAt(i + 2) === '<') {
      // A here-string (`<<<word`) has no body: its last two `<` must not open a heredoc.
      i += 2;
    } else if (c === '<' && next === '<') {
      i = readHeredocStart(command, i + 2, heredocs) - 1;
    } else if (c === '\n') {
      push(i);
      i = skipHeredocBodies(command, i + 1, heredocs) - 1;
      start = i + 1;
    } else if (c === ';' || c === '|' || c === '(' || c === ')' || (c === '&' && !isRedirection(command, start, i))) {
      push(i);
      start = i + 1;
    }
  }
  push(command.length);
  return parts;
}

/** Whether the `&` at `i` belongs to a redirection (`>&`, `<&`, `&>`) of the command starting at `start`. */
function isRedirection(command: string, start: number, i: number): boolean {
  const before = i > start ? command.charAt(i - 1) : '';
  return before === '>' || before === '<' || command.charAt(i + 1) === '>';
}

// Sticky: matched where the word starts, never on a copy of the rest of the command.
const WORD = /[^\s;&|<>()]+/y;

/** Reads `<<[-]WORD` from `start` (just after `<<`), remembers WORD, returns the index after it. */
function readHeredocStart(command: string, start: number, heredocs: Heredoc[]): number {
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
  WORD.lastIndex = i;
  const word = WORD.exec(command)?.[0] ?? '';
  if (word !== '') heredocs.push({ word, strip });
  return i + word.length;
}

/** Skips the bodies of pending heredocs starting at line `start`; returns where commands resume. */
function skipHeredocBodies(command: string, start: number, heredocs: Heredoc[]): number {
  let i = start;
  let waiting = 0;
  while (waiting < heredocs.length && i < command.length) {
    const { word, strip } = heredocs[waiting] ?? { word: '', strip: false };
    const eol = command.indexOf('\n', i);
    const lineEnd = eol < 0 ? command.length : eol;
    const line = command.slice(i, lineEnd);
    if ((strip ? line.replace(/^\t+/, '') : line).trimEnd() === word) waiting += 1;
    i = lineEnd + 1;
  }
  heredocs.length = 0;
  return Math.min(i, command.length);
}
