import { resolve } from 'node:path';
import { LogbookError } from '../domain/errors';
import { parseArgs, UsageError } from './args';
import type { ParsedArgs } from './args';
import { EXIT } from './context';
import type { CliIO } from './context';
import { commandHelp, commandList, unknownCommand, usageLine } from './help';
import { describeUnexpected, guardProcess } from './last-resort';
import type { CliCommand } from './options';
import { described, helpOf, readOption } from './options';
import { flagRule, optional, workspaceRule } from './option-rules';
import { ProcessOutput } from './output';
import { logbookVersion } from './version';

/** The options every command takes, after its own. */
const COMMON = {
  workspace: described(optional(workspaceRule), 'the workspace: an existing directory (default: the current directory)', 'DIR'),
  help: described(flagRule, "print this command's help"),
};
const COMMON_FLAGS = { workspace: COMMON.workspace.kind, help: COMMON.help.kind };
const COMMON_HELP = helpOf(COMMON).options.map((line) => (line.term === '--help' ? { ...line, term: '-h, --help' } : line));

// One table: each command is defined, with its options' rules and their help, in a commands-*.ts file.
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  'install-hooks': { usage: 'install-hooks [--local|--shared]', summary: 'merge the logbook hooks into .claude/settings.local.json (default) or settings.json', load: async () => (await import('./commands-hooks')).installHooksCommand },
  'uninstall-hooks': { usage: 'uninstall-hooks [--local|--shared]', summary: 'remove only the logbook hooks', load: async () => (await import('./commands-hooks')).uninstallHooksCommand },
  ingest: { usage: 'ingest [--max-field-bytes N]', summary: 'move inbox entries into the store (when no VS Code window is ingesting)', load: async () => (await import('./commands-write')).ingestCommand },
  import: { usage: 'import [--from DIR] [--json]', summary: "record the sessions that ran before the hooks were installed, from the workspace's Claude Code transcripts (~/.claude/projects/<workspace path with every non-alphanumeric character as \"-\">, subagents included; --from: another transcripts folder); a session the hooks recorded is skipped, importing again adds nothing", load: async () => (await import('./commands-import')).importCommand },
  rebuild: { usage: 'rebuild', summary: 'rebuild the store from the raw segments (the old file is kept as a backup)', load: async () => (await import('./commands-write')).rebuildCommand },
  sessions: { usage: 'sessions [--since WHEN] [--until WHEN] [--where COND] [--search WORDS] [--sort FIELD[:asc|desc]] [--limit N | --all] [--json | --html [--out FILE] [--by day|week]]', summary: 'list recorded sessions by title, with start, duration, state, cost, events and branch, the latest activity first; --html: one self-contained page with the sortable table and the trends', load: async () => (await import('./commands-sessions')).sessionsCommand },
  patterns: { usage: 'patterns --cohort COHORT [--since WHEN] [--until WHEN] [--limit N] [--json | --prompt]', summary: 'what a cohort of sessions (a preset, or a condition) shares far more than the rest: workflow steps and paths, tools used and failing, denial rules, folders, title words, model, end reason, ranked by lift; the median time per state on both sides; insight rules counted across sessions', load: async () => (await import('./commands-patterns')).patternsCommand },
  trends: { usage: 'trends [--by day|week] [--since WHEN] [--until WHEN] [--where COND] [--json | --prompt]', summary: "sessions per local day or week (from Monday): count, median and p90 duration, cost, tokens, denials, rejections, failures, iterations, workflow changes marked; the filters of sessions; --json adds each bucket's session ids", load: async () => (await import('./commands-trends')).trendsCommand },
  groups: { usage: 'groups [--json]', summary: 'sessions that work together: runs (the same LOGBOOK_RUN), a session and the sessions its tools started (claude -p from Bash), agent teams; each with its members, wall-clock span, active time, cost, tokens and failures', load: async () => (await import('./commands-groups')).groupsCommand },
  group: { usage: 'group <group> [--json | --prompt]', summary: 'one group: members and roles, every link with its evidence events (exact: a spawn, a run; inferred: a file, commit or task handed over), the critical path, bottlenecks, error chains and cost per session, subagent and role', load: async () => (await import('./commands-groups')).groupCommand },
  timeline: { usage: 'timeline <group> --html FILE', summary: "a group's unified timeline (a lane per session and subagent, states coloured as in the report, arrows for spawns and hand-offs) as one self-contained HTML page", load: async () => (await import('./commands-groups')).timelineCommand },
  report: { usage: 'report <session> --json | --html FILE', summary: 'the session report (time per state, tools, files, subagents, workflow, journal, tokens and cost) as JSON, or as one self-contained HTML page', load: async () => (await import('./commands-report')).reportCommand },
  compare: { usage: 'compare <A> <B> | <A> --cohort COND [--since WHEN] [--until WHEN] [--json | --prompt]', summary: 'two sessions side by side (every figure with its delta, state timelines on one scale, the tool-call sequences diffed, files in both or one, cost per model and agent), or a session against the median of a cohort', load: async () => (await import('./commands-compare')).compareCommand },
  status: { usage: 'status [--session S] [--json]', summary: "the session's workflow state, allowed transitions and rules", load: async () => (await import('./commands-workflow')).statusCommand },
  transition: { usage: 'transition [--session S] --to STATE --reason TEXT [--actor A] [--json]', summary: 'move the workflow (a refusal is recorded and explained)', load: async () => (await import('./commands-workflow')).transitionCommand },
  journal: { usage: 'journal [--session S] --text TEXT [--tags a,b] [--files path[:line],...] [--actor A] [--json]', summary: 'write a journal entry', load: async () => (await import('./commands-workflow')).journalCommand },
  review: { usage: 'review [--session S] --outcome approved|rejected [--notes TEXT] [--actor A] [--json]', summary: 'record a review outcome', load: async () => (await import('./commands-workflow')).reviewCommand },
  hold: { usage: 'hold <session> [--message TEXT] [--wait SECONDS] [--json]', summary: "pause a session: its next tool call waits for \"logbook resume\" (up to --wait seconds), then is denied with \"held by the user: <message>\"; the agent waits instead of giving up; recorded in the session", load: async () => (await import('./commands-control')).holdCommand },
  watch: { usage: 'watch [--once] [--json] [--exec CMD] [--here]', summary: 'the control center in a terminal: every session in progress in this workspace and every other that installed the hooks on this machine (state, time in it, what it waits for, cost, burn rate, last tool, subagents, journal), and the alerts their rules raise (logbook.alerts.*), recorded in the session, printed and given to --exec', load: async () => (await import('./commands-watch')).watchCommand },
  resume: { usage: 'resume <session> [--json]', summary: 'let a held session go on (recorded in the session)', load: async () => (await import('./commands-control')).resumeCommand },
  events: { usage: 'events [--session S] [--type T] [--from N --to M] [--search Q] [--limit N] [--json]', summary: 'list events of a session (positions are stream positions; without --session, global positions)', load: async () => (await import('./commands-read')).eventsCommand },
  mcp: { usage: 'mcp [--workspace DIR]', summary: 'serve the workflow, journal and event search tools to agents over MCP (stdio; registered in .mcp.json by install-hooks; default workspace: $CLAUDE_PROJECT_DIR, else the current directory)', load: async () => (await import('./commands-mcp')).mcpCommand },
};

/** `logbook --help`: every command's usage and the notes they share. */
export function usage(): string {
  return commandList(COMMANDS);
}

/** The table's row for a name (never one of Object's own properties). */
function commandNamed(name: string): CliCommand | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

const plainProcessIO: CliIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Runs one CLI invocation; returns the exit code (0 ok, 1 failed, 2 bad arguments; see NOTES in help.ts). */
export async function main(argv: readonly string[], io: CliIO = plainProcessIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.out(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.out(logbookVersion());
    return EXIT.ok;
  }
  // `logbook help <command>` is `logbook <command> --help`.
  if (name === 'help') return rest[0] === undefined ? main(['--help'], io) : main([rest[0], '--help'], io);
  const command = commandNamed(name);
  if (command === undefined) {
    io.err(unknownCommand(name, COMMANDS));
    return EXIT.usage;
  }
  return runCommand(name, command, rest, io);
}

async function runCommand(name: string, command: CliCommand, rest: readonly string[], io: CliIO): Promise<number> {
  const refused = (error: UsageError): number => {
    io.err(`logbook ${name}: ${error.message}${error.options.usage ? `\n${usageLine(command)}` : ''}`);
    return EXIT.usage;
  };
  const action = await command.load();
  let args: ParsedArgs;
  let workspace: string;
  try {
    args = parseArgs(rest, { ...action.spec, flags: { ...COMMON_FLAGS, ...action.spec.flags }, short: { h: 'help' } });
    if (args.flags.get('help') === true) {
      io.out(commandHelp(command, action.help, COMMON_HELP));
      return EXIT.ok;
    }
    workspace = resolve(readOption('workspace', COMMON.workspace, args.flags.get('workspace')) ?? process.cwd());
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
  output.command = name !== undefined && commandNamed(name) !== undefined ? `logbook ${name}` : 'logbook';
  guardProcess(output);
  const code = await main(argv, output);
  process.exitCode = code !== EXIT.ok ? code : output.exitCode ?? code;
}
