// The command line, read by node:util's parseArgs (its tokens: --flag value, --flag=value, -h,
// and "--" before positionals that start with a dash), then checked here against the command's
// spec. Not parseArgs's own strict mode: it refuses a value that starts with a dash
// (`--to -3`, which the rules answer with their bounds) and its messages echo the argument whole;
// every message here is bounded and escaped, since an argument can be 100 KB of anything.

import { parseArgs as tokenize } from 'node:util';
import { quoteShort } from '../domain/text-quote';

export class UsageError extends Error {
  readonly code = 'USAGE';

  /** `usage: false` when the command's usage would not help (a malformed search query). */
  constructor(message: string, readonly options: { readonly usage: boolean } = { usage: true }) {
    super(message);
  }
}

/** How an option is read: a switch, or one that takes a value. */
export type FlagKind = 'boolean' | 'string';

/** What the parser must know of a command. */
export interface ArgSpec {
  readonly flags: Readonly<Record<string, FlagKind>>;
  /** One-letter aliases, e.g. h: 'help' for -h. */
  readonly short?: Readonly<Record<string, string>>;
  /** How many positional arguments the command takes. */
  readonly positionals: number;
}

export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, string | boolean | number>;
  readonly positionals: readonly string[];
}

type Token = ReturnType<typeof tokenize>['tokens'] extends (infer T)[] | undefined ? T : never;

/**
 * The flags and positionals of `argv`; a UsageError for an unknown option, a switch given a
 * value, a missing value or one positional too many. `--help` (or -h) anywhere wins: the
 * result then holds only `help: true`, so a command's help is never refused.
 */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const kinds = new Map(Object.entries(spec.flags));
  const options = Object.fromEntries([...kinds].map(([name, type]) => [name, { type, ...shortOf(spec, name) }]));
  const { tokens } = tokenize({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  if (kinds.get('help') === 'boolean' && tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { flags: new Map([['help', true]]), positionals: [] };
  const flags = new Map<string, string | boolean>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (positionals.length === spec.positionals) throw new UsageError(`unexpected argument ${quoteShort(token.value)}`);
      positionals.push(token.value);
    } else if (token.kind === 'option') {
      flags.set(token.name, valueOf(token, kinds.get(token.name)));
    }
  }
  return { flags, positionals };
}

function shortOf(spec: ArgSpec, name: string): { short?: string } {
  const letter = Object.entries(spec.short ?? {}).find(([, long]) => long === name)?.[0];
  return letter === undefined ? {} : { short: letter };
}

function valueOf(token: Extract<Token, { kind: 'option' }>, kind: FlagKind | undefined): string | boolean {
  const name = optionName(token.rawName);
  if (kind === undefined) throw new UsageError(`unknown option ${name}`);
  if (kind === 'boolean') {
    if (token.inlineValue === true) throw new UsageError(`option ${name} takes no value`);
    return true;
  }
  // `--session --json` is a forgotten value, not a session named "--json"; `--to=--x` is a value.
  if (token.value === undefined || (token.inlineValue === false && token.value.startsWith('--'))) throw new UsageError(`option ${name} needs a value`);
  return token.value;
}

/** The option as typed when it is a plain name, else quoted and shortened. */
function optionName(raw: string): string {
  return /^-{1,2}[\w-]{1,80}$/.test(raw) ? raw : quoteShort(raw);
}
