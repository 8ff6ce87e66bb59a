// The command line that gave an answer, written back for a prompt (so Claude can run it again,
// with --json), each value quoted for a POSIX shell. Output switches are left out.

const LEFT_OUT = new Set(['json', 'prompt', 'workspace', 'a', 'b']);

export function commandText(command: string, options: Readonly<Record<string, unknown>>): string {
  const parts = ['logbook', command];
  for (const key of ['a', 'b']) {
    const value = options[key];
    if (typeof value === 'string') parts.push(shellQuote(value));
  }
  for (const [key, value] of Object.entries(options)) {
    if (LEFT_OUT.has(key) || value === undefined || value === false) continue;
    parts.push(value === true ? `--${key}` : `--${key} ${shellQuote(String(value))}`);
  }
  return parts.join(' ');
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
