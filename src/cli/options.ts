import type * as z from 'zod';
import { quoteShort } from '../domain/text-quote';
import { UsageError } from './args';
import type { ArgSpec, FlagKind, ParsedArgs } from './args';
import type { CliContext } from './context';

// Each command declares its options once, as a table of rules (zod schemas whose messages state
// the rule), each with its line of --help beside it, checked before the command runs. A refusal
// names the option, the value it got (shortened) and the rule; main prints it with the command's
// usage and exits 2. The rules read the parser's output as plain values (strings, numbers,
// booleans), so the parser (args.ts) feeds the table and the rules do not depend on it.

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

/** An option's line in its command's --help. */
export interface OptionHelp {
  /** What it does, in a few words. */
  readonly text: string;
  /** The placeholder of its value (`--limit N`); none for a switch or a positional. */
  readonly value?: string;
}

/** A rule with its help: what defineCommand takes, so an option cannot go undescribed. */
export type DescribedRule<T> = OptionRule<T> & { readonly help: OptionHelp };

/** The rule, described for --help: `described(optional(limitRule), 'at most N events', 'N')`. */
export function described<T>(rule: OptionRule<T>, text: string, value?: string): DescribedRule<T> {
  return { ...rule, help: value === undefined ? { text } : { text, value } };
}

type Rules = Readonly<Record<string, OptionRule<unknown>>>;
type DescribedRules = Readonly<Record<string, DescribedRule<unknown>>>;

/** The checked values of a command's options, typed by its rules. */
export type OptionValues<R extends Rules> = { readonly [K in keyof R]: R[K] extends OptionRule<infer T> ? T : never };

/** A rule between options (one of two, from before to): the refusal's text, or undefined. */
export type CrossCheck<R extends Rules> = (options: OptionValues<R>) => string | undefined;

/** One line of a command's --help: `--limit N` or `<session>`, and what it is. */
export interface HelpLine {
  readonly term: string;
  readonly text: string;
}

/** A command's --help beyond its usage line: its positionals in order, then its options as declared. */
export interface CommandHelp {
  readonly positionals: readonly HelpLine[];
  readonly options: readonly HelpLine[];
}

/** A command as main runs it: what the parser must know, its options' help, and the run that checks its options first. */
export interface CliAction {
  readonly spec: ArgSpec;
  readonly help: CommandHelp;
  run(ctx: CliContext): Promise<number>;
}

/** A command's row in main's table: what `logbook --help` shows without loading the command. */
export interface CliCommand {
  /** `events [--session S] …`: every option and positional of its rules appears in it (a test checks). */
  readonly usage: string;
  readonly summary: string;
  /**
   * Its options' rules and its run (commands-*.ts), loaded when the command runs or shows its
   * help: a process initialises only the modules its command needs (the bundle keeps them, uninitialised).
   */
  readonly load: () => Promise<CliAction>;
}

export function defineCommand<R extends DescribedRules>(rules: R, run: (ctx: CliContext, options: OptionValues<R>) => Promise<number>, check?: CrossCheck<R>): CliAction {
  const entries = Object.entries(rules);
  const flags = entries.filter(([, rule]) => rule.position === undefined);
  return {
    spec: { flags: Object.fromEntries(flags.map(([name, rule]) => [name, rule.kind])), positionals: entries.length - flags.length },
    help: helpOf(rules),
    run: (ctx) => run(ctx, readOptions(rules, ctx.args, check)),
  };
}

/** The help lines of a table of described rules. */
export function helpOf(rules: DescribedRules): CommandHelp {
  const entries = Object.entries(rules);
  const positionals = entries.filter(([, rule]) => rule.position !== undefined).sort(([, a], [, b]) => (a.position ?? 0) - (b.position ?? 0));
  const flags = entries.filter(([, rule]) => rule.position === undefined);
  return {
    positionals: positionals.map(([name, rule]) => ({ term: rule.label ?? name, text: rule.help.text })),
    options: flags.map(([name, rule]) => ({ term: rule.help.value === undefined ? `--${name}` : `--${name} ${rule.help.value}`, text: rule.help.text })),
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
