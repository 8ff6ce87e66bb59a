import { resolve } from 'node:path';
import { LogbookError } from '../domain/errors';
import { quoteShort } from '../domain/text-quote';
import { parseArgs, UsageError } from './args';
import type { FlagKind, ParsedArgs } from './args';
import { EXIT } from './context';
import type { CliIO } from './context';
import { describeUnexpected, guardProcess } from './last-resort';
import type { CliAction } from './options';
import { readOption } from './options';
import { optional, workspaceRule } from './option-rules';
import { ProcessOutput } from './output';

interface CliCommand {
  readonly usage: string;
  readonly summary: string;
  /**
   * Its options' rules and its run (commands-*.ts), loaded when the command runs: a process
   * initialises only the modules its command needs (the bundle keeps them, uninitialised).
   */
  readonly load: () => Promise<CliAction>;
}

const COMMON: Record<string, FlagKind> = { workspace: 'string', help: 'boolean' };

// One table: each command is defined, with its options' rules, in a commands-*.ts file.
const COMMANDS: Readonly<Record<string, CliCommand>> = {
  'install-hooks': { usage: 'install-hooks [--local|--shared]', summary: 'merge the logbook hooks into .claude/settings.local.json (default) or settings.json', load: async () => (await import('./commands-hooks')).installHooksCommand },
  'uninstall-hooks': { usage: 'uninstall-hooks [--local|--shared]', summary: 'remove only the logbook hooks', load: async () => (await import('./commands-hooks')).uninstallHooksCommand },
  ingest: { usage: 'ingest [--max-field-bytes N]', summary: 'move inbox entries into the store (when no VS Code window is ingesting)', load: async () => (await import('./commands-write')).ingestCommand },
  import: { usage: 'import [--from DIR] [--json]', summary: "record the sessions that ran before the hooks were installed, from the workspace's Claude Code transcripts (~/.claude/projects/<workspace path with every non-alphanumeric character as \"-\">, subagents included; --from: another transcripts folder); a session the hooks recorded is skipped, importing again adds nothing", load: async () => (await import('./commands-import')).importCommand },
  rebuild: { usage: 'rebuild', summary: 'rebuild the store from the raw segments (the old file is kept as a backup)', load: async () => (await import('./commands-write')).rebuildCommand },
  sessions: { usage: 'sessions [--since WHEN] [--until WHEN] [--where COND] [--sort FIELD[:asc|desc]] [--limit N] [--json]', summary: 'list recorded sessions (title, start, duration, state, cost, events, branch), the latest activity first. WHEN: 2026-12-01, an ISO time, or 30m/12h/7d/2w back; COND: field op value joined by " and " (op: = != > >= < <= ~ for contains), e.g. --where "cost>1 and branch~feat"; fields: session title branch workflow state lifecycle status end model started last duration events prompts tools failures denials rejections refusals iterations compactions subagents files tokens cost imported tags', load: async () => (await import('./commands-sessions')).sessionsCommand },
  report: { usage: 'report <session> --json | --html FILE', summary: 'the session report (time per state, tools, files, subagents, workflow, journal, tokens and cost) as JSON, or as one self-contained HTML page', load: async () => (await import('./commands-report')).reportCommand },
  status: { usage: 'status [--session S] [--json]', summary: "the session's workflow state, allowed transitions and rules", load: async () => (await import('./commands-workflow')).statusCommand },
  transition: { usage: 'transition [--session S] --to STATE --reason TEXT [--actor A] [--json]', summary: 'move the workflow (a refusal is recorded and explained)', load: async () => (await import('./commands-workflow')).transitionCommand },
  journal: { usage: 'journal [--session S] --text TEXT [--tags a,b] [--files path[:line],...] [--actor A] [--json]', summary: 'write a journal entry', load: async () => (await import('./commands-workflow')).journalCommand },
  review: { usage: 'review [--session S] --outcome approved|rejected [--notes TEXT] [--actor A] [--json]', summary: 'record a review outcome', load: async () => (await import('./commands-workflow')).reviewCommand },
  events: { usage: 'events [--session S] [--type T] [--from N --to M] [--search Q] [--limit N] [--json]', summary: 'list events of a session (positions are stream positions; without --session, global positions)', load: async () => (await import('./commands-read')).eventsCommand },
  mcp: { usage: 'mcp [--workspace DIR]', summary: 'serve the workflow, journal and event search tools to agents over MCP (stdio; registered in .mcp.json by install-hooks)', load: async () => (await import('./commands-mcp')).mcpCommand },
};

const NOTES = [
  'every command takes --workspace DIR (an existing directory; default: the current directory)',
  'arguments are checked before anything runs (bounds, formats, files); a refusal names the option, the value and the rule',
  '',
  'exit codes:',
  '  0    done',
  '  1    failed (the message on stderr says why), or the output could not be written (e.g. a full disk)',
  '  2    bad arguments, or a malformed --search query',
  '  141  the reader closed the output early (a broken pipe, e.g. "| head"): the command stopped',
  'a command that failed keeps its own code; an output that breaks turns a success into 141 or 1',
];

export function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  logbook ${c.usage}\n      ${c.summary}`);
  return ['usage:', '  logbook hook [EventName]        (used by Claude Code: reads a hook payload on stdin)', ...lines, '', ...NOTES].join('\n');
}

const plainProcessIO: CliIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Runs one CLI invocation; returns the exit code (0 ok, 1 failed, 2 bad arguments; see NOTES). */
export async function main(argv: readonly string[], io: CliIO = plainProcessIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`logbook: unknown command ${quoteShort(name)}\n${usage()}`);
    return EXIT.usage;
  }
  const refused = (error: UsageError): number => {
    io.err(`logbook ${name}: ${error.message}${error.options.usage ? `\nusage: logbook ${command.usage}` : ''}`);
    return EXIT.usage;
  };
  const action = await command.load();
  let args: ParsedArgs;
  let workspace: string;
  try {
    args = parseArgs(rest, { ...COMMON, ...action.flags });
    if (args.flags.get('help') === true) {
      io.out(`usage: logbook ${command.usage}\n  ${command.summary}`);
      return EXIT.ok;
    }
    const extra = args.positionals[action.positionals];
    if (extra !== undefined) throw new UsageError(`unexpected argument ${quoteShort(extra)}`);
    workspace = resolve(readOption('workspace', optional(workspaceRule), args.flags.get('workspace')) ?? process.cwd());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return refused(error);
  }
  try {
    return await action.run({ workspace, args, io });
  } catch (error) {
    if (error instanceof UsageError) return refused(error);
    if (error instanceof LogbookError) {
      io.err(`logbook ${name}: ${error.message}`);
      return EXIT.failed;
    }
    if (error instanceof Error) {
      io.err(`logbook ${name}: ${process.env['LOGBOOK_DEBUG'] === '1' ? describeUnexpected(error) : error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
}

/** Initialises every command's modules: the build runs it before it writes V8's code cache, so the cache holds their code too. */
export async function loadEveryCommand(): Promise<void> {
  for (const command of Object.values(COMMANDS)) await command.load();
}

/**
 * The `logbook` process (dist/logbook.js calls it): stdout and stderr that survive a closed pipe
 * or a full disk, exit codes that say so, and no stack trace for anything unforeseen.
 */
export async function runAsProcess(argv: readonly string[]): Promise<void> {
  const output = new ProcessOutput(process.stdout, process.stderr);
  const name = argv[0];
  output.command = name !== undefined && COMMANDS[name] !== undefined ? `logbook ${name}` : 'logbook';
  guardProcess(output);
  const code = await main(argv, output);
  process.exitCode = code !== EXIT.ok ? code : output.exitCode ?? code;
}
