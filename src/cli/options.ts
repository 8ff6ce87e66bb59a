import type * as z from 'zod';
import { quoteShort } from '../domain/text-quote';
import { UsageError } from './args';
import type { FlagKind, ParsedArgs } from './args';
import type { CliContext } from './context';

// Each command declares its options once, as a table of rules (zod schemas whose messages state
// the rule), checked before the command runs. A refusal names the option, the value it got
// (shortened) and the rule; main prints it with the command's usage and exits 2. The rules read
// the parser's output as plain values (strings, numbers, booleans), so replacing args.ts with
// another parser changes how the table is fed, not the rules.

/** One option: how the parser reads it, and the rule its value must meet. */
export interface OptionRule<T> {
  readonly kind: FlagKind;
  readonly schema: z.ZodType<T>;
  /** Read from this positional argument instead of a --flag. */
  readonly position?: number;
  /** How messages name it (default: --name). */
  readonly label?: string;
  /** The message when it is missing, instead of "<label> is required". */
  readonly missing?: string;
}

type Rules = Readonly<Record<string, OptionRule<unknown>>>;

/** The checked values of a command's options, typed by its rules. */
export type OptionValues<R extends Rules> = { readonly [K in keyof R]: R[K] extends OptionRule<infer T> ? T : never };

/** A rule between options (one of two, from before to): the refusal's text, or undefined. */
export type CrossCheck<R extends Rules> = (options: OptionValues<R>) => string | undefined;

/** A command as main runs it: what the parser must know, and the run that checks its options first. */
export interface CliAction {
  readonly flags: Readonly<Record<string, FlagKind>>;
  /** How many positional arguments it takes. */
  readonly positionals: number;
  run(ctx: CliContext): Promise<number>;
}

export function defineCommand<R extends Rules>(rules: R, run: (ctx: CliContext, options: OptionValues<R>) => Promise<number>, check?: CrossCheck<R>): CliAction {
  const entries = Object.entries(rules);
  return {
    flags: Object.fromEntries(entries.filter(([, rule]) => rule.position === undefined).map(([name, rule]) => [name, rule.kind])),
    positionals: entries.filter(([, rule]) => rule.position !== undefined).length,
    run: (ctx) => run(ctx, readOptions(rules, ctx.args, check)),
  };
}

/** The options' values, each checked against its rule, then against each other; a UsageError names the first problem. */
export function readOptions<R extends Rules>(rules: R, args: ParsedArgs, check?: CrossCheck<R>): OptionValues<R> {
  const values: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(rules)) {
    values[name] = readOption(name, rule, rule.position === undefined ? args.flags.get(name) : args.positionals[rule.position]);
  }
  // Each value met the rule of its own key, so the record has the rules' output types.
  const options = values as OptionValues<R>;
  const problem = check?.(options);
  if (problem !== undefined) throw new UsageError(problem);
  return options;
}

/** One value checked against its rule (also the global --workspace); a UsageError when it fails. */
export function readOption<T>(name: string, rule: OptionRule<T>, raw: unknown): T {
  const checked = rule.schema.safeParse(raw);
  if (checked.success) return checked.data;
  const label = rule.label ?? `--${name}`;
  const why = checked.error.issues[0]?.message ?? 'is not valid';
  if (raw === undefined) throw new UsageError(rule.missing ?? `${label} ${why}`);
  if (typeof raw === 'boolean') throw new UsageError(`${label} ${why}`);
  throw new UsageError(`${label} ${why}, got ${quoteShort(String(raw))}`);
}
