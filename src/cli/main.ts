import { resolve } from 'node:path';
import { LogbookError } from '../domain/errors';
import { parseArgs, UsageError } from './args';
import type { FlagKind, ParsedArgs } from './args';
import { ingestCommand, rebuildCommand } from './commands-write';
import { eventsCommand, sessionsCommand } from './commands-read';
import { installHooksCommand, uninstallHooksCommand } from './commands-hooks';
import { mcpCommand } from './commands-mcp';
import { reportCommand } from './commands-report';
import { journalCommand, reviewCommand, statusCommand, transitionCommand } from './commands-workflow';

/** What a command prints to; tests pass their own. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export interface CliContext {
  readonly workspace: string;
  readonly args: ParsedArgs;
  readonly io: CliIO;
}

interface CliCommand {
  readonly usage: string;
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagKind>>;
  readonly run: (ctx: CliContext) => Promise<number>;
  /** Takes positional arguments (checked by the command itself). */
  readonly positionals?: boolean;
}

const COMMON: Record<string, FlagKind> = { workspace: 'string', help: 'boolean' };

// One table: each command is a small function in a commands-*.ts file.
const COMMANDS: Readonly<Record<string, CliCommand>> = {
  'install-hooks': { usage: 'install-hooks [--local|--shared]', summary: 'merge the logbook hooks into .claude/settings.local.json (default) or settings.json', flags: { local: 'boolean', shared: 'boolean' }, run: installHooksCommand },
  'uninstall-hooks': { usage: 'uninstall-hooks [--local|--shared]', summary: 'remove only the logbook hooks', flags: { local: 'boolean', shared: 'boolean' }, run: uninstallHooksCommand },
  ingest: { usage: 'ingest [--max-field-bytes N]', summary: 'move inbox entries into the store (when no VS Code window is ingesting)', flags: { 'max-field-bytes': 'integer' }, run: ingestCommand },
  rebuild: { usage: 'rebuild', summary: 'rebuild the store from the raw segments (the old file is kept as a backup)', flags: {}, run: rebuildCommand },
  sessions: { usage: 'sessions [--json]', summary: 'list recorded sessions', flags: { json: 'boolean' }, run: sessionsCommand },
  report: { usage: 'report <session> --json | --html FILE', summary: 'the session report (time per state, tools, files, subagents, workflow, journal, tokens and cost) as JSON, or as one self-contained HTML page', flags: { json: 'boolean', html: 'string' }, positionals: true, run: reportCommand },
  status: { usage: 'status [--session S] [--json]', summary: "the session's workflow state, allowed transitions and rules", flags: { session: 'string', json: 'boolean' }, run: statusCommand },
  transition: { usage: 'transition [--session S] --to STATE --reason TEXT [--actor A] [--json]', summary: 'move the workflow (a refusal is recorded and explained)', flags: { session: 'string', to: 'string', reason: 'string', actor: 'string', json: 'boolean' }, run: transitionCommand },
  journal: { usage: 'journal [--session S] --text TEXT [--tags a,b] [--files path[:line],...] [--actor A] [--json]', summary: 'write a journal entry', flags: { session: 'string', text: 'string', tags: 'string', files: 'string', actor: 'string', json: 'boolean' }, run: journalCommand },
  review: { usage: 'review [--session S] --outcome approved|rejected [--notes TEXT] [--actor A] [--json]', summary: 'record a review outcome', flags: { session: 'string', outcome: 'string', notes: 'string', actor: 'string', json: 'boolean' }, run: reviewCommand },
  events: { usage: 'events --session S [--type T] [--from N --to M] [--search Q] [--limit N] [--json]', summary: 'list events of a session (positions are stream positions; without --session, global positions)', flags: { session: 'string', type: 'string', from: 'integer', to: 'integer', search: 'string', limit: 'integer', json: 'boolean' }, run: eventsCommand },
  mcp: { usage: 'mcp [--workspace DIR]', summary: 'serve the workflow, journal and event search tools to agents over MCP (stdio; registered in .mcp.json by install-hooks)', flags: {}, run: mcpCommand },
};

export function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  logbook ${c.usage}\n      ${c.summary}`);
  return ['usage:', '  logbook hook [EventName]        (used by Claude Code: reads a hook payload on stdin)', ...lines, '', 'every command takes --workspace DIR (default: the current directory)'].join('\n');
}

const processIO: CliIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Runs one CLI invocation; returns the exit code (0 ok, 1 failed, 2 bad arguments). */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`logbook: unknown command ${JSON.stringify(name)}\n${usage()}`);
    return 2;
  }
  let args: ParsedArgs;
  try {
    args = parseArgs(rest, { ...COMMON, ...command.flags });
    if (args.flags.get('help') === true) {
      io.out(`usage: logbook ${command.usage}\n  ${command.summary}`);
      return 0;
    }
    if (command.positionals !== true && args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`logbook ${name}: ${error.message}\nusage: logbook ${command.usage}`);
    return 2;
  }
  const workspaceFlag = args.flags.get('workspace');
  const workspace = resolve(typeof workspaceFlag === 'string' ? workspaceFlag : process.cwd());
  try {
    return await command.run({ workspace, args, io });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`logbook ${name}: ${error.message}\nusage: logbook ${command.usage}`);
      return 2;
    }
    if (error instanceof LogbookError || error instanceof Error) {
      io.err(`logbook ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
