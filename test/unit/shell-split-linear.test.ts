import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seeded } from './seeded';
import { splitShellCommand } from '../../src/domain/workflow/shell-split';

// The Bash command comes from the agent, on every tool call under a workflow with Bash rules.
// The splitter was rewritten to be linear; these tests hold it to the one it replaced (kept
// below, verbatim) and feed it megabyte commands shaped to make a careless pass quadratic
// (the old one took over a minute on 200 KB of `>&`).


// Every character the splitter treats specially, words that may end a heredoc, and filler.
const TOKENS = ['a', 'E', ' ', '\t', '\n', ';', '&', '&&', '|', '||', '(', ')', '$(', '`', "'", '"', '\\', '<', '<<', '<<-', '<<<', '>', '>&', '2>&1', '&>', '<<E', '<<\'E\'', '\nE\n', '\n\tE\n'];

function randomCommand(next: () => number): string {
  let out = '';
  const length = Math.floor(next() * 16);
  for (let i = 0; i < length; i += 1) out += TOKENS[Math.floor(next() * TOKENS.length)] ?? '';
  return out;
}

test('the linear splitter cuts 40,000 random command lines exactly as the one it replaced', () => {
  let multi = 0;
  for (const seed of [1, 2, 3, 4]) {
    const next = seeded(seed);
    for (let i = 0; i < 10_000; i += 1) {
      const command = randomCommand(next);
      const expected = oldSplitShellCommand(command);
      assert.deepEqual(splitShellCommand(command), expected, `seed ${seed}, case ${i}: ${JSON.stringify(command)}`);
      if (expected.length > 1) multi += 1;
    }
  }
  // Most lines hold several commands: the cuts, not only the trimming, are compared.
  assert.ok(multi > 10_000, `only ${multi} lines with two commands or more`);
});

const MB = 1_000_000;

test('a here-string opens no heredoc: the lines after it are commands the rules see', () => {
  assert.deepEqual(splitShellCommand('cat <<<x\nrm -rf /\necho hi'), ['cat <<<x', 'rm -rf /', 'echo hi']);
  assert.deepEqual(splitShellCommand('cat <<< "$v"; rm a'), ['cat <<< "$v"', 'rm a']);
  // Bash reads `<<<<E` as a here-string then `<E`: no heredoc either.
  assert.deepEqual(splitShellCommand('cat <<<<E\nrm a\nE'), ['cat <<<<E', 'rm a', 'E']);
  assert.deepEqual(splitShellCommand('cat <<E <<<x\nbody\nE\nrm a'), ['cat <<E <<<x', 'rm a']);
});

test('megabyte commands shaped against a quadratic pass are split, and split right', () => {
  const cases: { name: string; command: string; parts: number; first?: string }[] = [
    { name: 'redirections >& in one command', command: `a${'>&'.repeat(MB / 2)}`, parts: 1 },
    { name: 'redirections &> in one command', command: `a${' &>b'.repeat(MB / 4)}`, parts: 1 },
    { name: 'heredocs opened on one line, bodies after', command: `cat ${'<<E '.repeat(MB / 8)}\n${'E\n'.repeat(MB / 8)}echo done`, parts: 2, first: 'cat <<E' },
    { name: 'heredocs, each with its body', command: 'cat <<E\nbody\nE\n'.repeat(MB / 16), parts: MB / 16 },
    { name: 'nested $( never closed', command: `echo ${'$('.repeat(MB / 2)}`, parts: 1 },
    { name: '$( ) opened and closed', command: `echo ${'$(a)'.repeat(MB / 4)}; b`, parts: 2 },
    { name: 'a double quote never closed', command: `echo "${'a;'.repeat(MB / 2)}`, parts: 1 },
    { name: 'a single quote never closed', command: `echo '${'a|'.repeat(MB / 2)}`, parts: 1 },
    { name: 'backticks', command: `echo ${'`a;`'.repeat(MB / 4)}`, parts: 1 },
    { name: 'escapes', command: `echo ${'\\;'.repeat(MB / 2)}`, parts: 1 },
    { name: 'separators only', command: ';'.repeat(MB), parts: 0 },
    { name: 'one-letter commands', command: 'a;'.repeat(MB / 2), parts: MB / 2 },
    { name: 'a word a megabyte long after <<', command: `cat <<${'w'.repeat(MB)}\nx`, parts: 1 },
  ];
  for (const { name, command, parts, first } of cases) {
    const split = splitShellCommand(command);
    assert.equal(split.length, parts, name);
    if (first !== undefined) assert.ok(split[0]?.startsWith(first), name);
  }
});

/**
 * The splitter as it was before it was made linear (quadratic on `>&`), as the reference; one
 * change: a here-string `<<<` is skipped whole (it opened a heredoc at its second `<`, which hid
 * the lines after it from the rules).
 */
/**
 * The simple commands of a shell command line, trimmed, empty ones dropped. Quotes, `$( … )`,
 * backticks and heredoc bodies are kept inside their command; `2>&1` is not a separator.
 */
function oldSplitShellCommand(command: string): string[] {
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
    } else if (c === '<' && next === '<' && command.charAt(i + 2) === '<') {
      current += '<<<';
      i += 2;
    } else if (c === '<' && next === '<') {
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
