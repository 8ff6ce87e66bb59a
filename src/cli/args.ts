// A small, strict argument parser: unknown flags and missing values are usage errors (exit 2).
// What it echoes back is bounded and escaped: an argument can be 100 KB of anything.

import { quoteShort } from '../domain/text-quote';

export class UsageError extends Error {
  readonly code = 'USAGE';

  /** `usage: false` when the command's usage would not help (a malformed search query). */
  constructor(message: string, readonly options: { readonly usage: boolean } = { usage: true }) {
    super(message);
  }
}

export type FlagKind = 'boolean' | 'string' | 'integer';

export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, string | boolean | number>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, FlagKind>>): ParsedArgs {
  const flags = new Map<string, string | boolean | number>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown option ${optionName(name)}`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`option --${name} needs a value`);
    if (kind === 'integer') {
      if (!/^-?\d+$/.test(value)) throw new UsageError(`option --${name} needs a whole number, got ${quoteShort(value)}`);
      flags.set(name, Number(value));
    } else {
      flags.set(name, value);
    }
  }
  return { flags, positionals };
}

/** --name as typed when it is a plain name, else quoted and shortened. */
function optionName(name: string): string {
  return /^[\w-]{1,80}$/.test(name) ? `--${name}` : quoteShort(`--${name}`);
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function intFlag(args: ParsedArgs, name: string): number | undefined {
  const value = args.flags.get(name);
  return typeof value === 'number' ? value : undefined;
}

export function boolFlag(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}
