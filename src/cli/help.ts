import { quoteShort } from '../domain/text-quote';
import type { CliCommand, CommandHelp, HelpLine } from './options';

// What `logbook --help`, `logbook <command> --help` and a refusal print. The list and the usage
// lines come from main's table alone; a command's option lines from its rules (commands-*.ts),
// which only its --help or its run loads.

type CommandTable = Readonly<Record<string, CliCommand>>;

const NOTES = [
  'every command takes --workspace DIR (an existing directory; default: the current directory)',
  'arguments are checked before anything runs (bounds, formats, files); a refusal names the option, the value and the rule',
  '"logbook <command> --help" describes each of its options; "logbook --version" prints the version',
  '',
  'exit codes:',
  '  0    done',
  '  1    failed (the message on stderr says why), or the output could not be written (e.g. a full disk)',
  '  2    bad arguments, or a malformed --search query',
  '  141  the reader closed the output early (a broken pipe, e.g. "| head"): the command stopped',
  'a command that failed keeps its own code; an output that breaks turns a success into 141 or 1',
];

/** `logbook --help`: every command's usage and summary, then the notes every command shares. */
export function commandList(commands: CommandTable): string {
  const lines = Object.values(commands).map((c) => `  logbook ${c.usage}\n      ${c.summary}`);
  return ['usage:', '  logbook hook [EventName]        (used by Claude Code: reads a hook payload on stdin)', ...lines, '', ...NOTES].join('\n');
}

/** The one line a refusal ends with. */
export function usageLine(command: CliCommand): string {
  return `usage: logbook ${command.usage}`;
}

/** `logbook <command> --help`: its usage, its summary, a line per argument and option (the common ones last). */
export function commandHelp(command: CliCommand, own: CommandHelp, common: readonly HelpLine[]): string {
  const options = [...own.options, ...common];
  const width = Math.min(Math.max(...[...own.positionals, ...options].map((line) => line.term.length)), 28);
  const section = (title: string, lines: readonly HelpLine[]): string[] => (lines.length === 0 ? [] : ['', `${title}:`, ...lines.map((line) => `  ${line.term.padEnd(width)}  ${line.text}`)]);
  return [usageLine(command), `  ${command.summary}`, ...section('arguments', own.positionals), ...section('options', options)].join('\n');
}

/** An unknown command: the names there are, and where their usage is. */
export function unknownCommand(name: string, commands: CommandTable): string {
  const what = name.startsWith('-') ? `unknown option ${quoteShort(name)} (the command comes first)` : `unknown command ${quoteShort(name)}`;
  return [`logbook: ${what}`, `commands: ${Object.keys(commands).join(', ')}`, 'see "logbook --help" for their usage, or "logbook <command> --help" for one'].join('\n');
}
