import { join, resolve } from 'node:path';
import { runHook } from '../capture/hook';
import { COMMAND_V8_FLAGS, runsWithCommandFlags } from './command-flags';
import { loadWithCodeCache } from './load-cli';

// The `logbook` bin. `logbook hook` stays on the lean path (node built-ins only);
// every other subcommand loads the full CLI bundle, with zod and sql.js, on demand.
const args = process.argv.slice(2);
if (args[0] === 'hook') {
  const dirFlag = args.indexOf('--logbook-dir');
  const dir = dirFlag >= 0 && args[dirFlag + 1] !== undefined
    ? resolve(args[dirFlag + 1] as string)
    : join(process.env['CLAUDE_PROJECT_DIR'] ?? process.cwd(), '.logbook');
  const eventName = args.slice(1).find((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--logbook-dir');
  const outcome = runHook({ inboxDir: join(dir, 'inbox'), hookEvent: eventName });
  // Claude Code gone (a closed pipe) must not turn the hook into a crash with a stack trace.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  if (outcome.error !== undefined) process.stderr.write(`${outcome.error}\n`);
  if (outcome.output !== undefined) process.stdout.write(outcome.output);
  process.exitCode = 0;
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (runsWithCommandFlags(args[0])) for (const flag of COMMAND_V8_FLAGS) (require('node:v8') as typeof import('node:v8')).setFlagsFromString(flag);
  let cli: { runAsProcess(argv: string[]): Promise<void> } | undefined;
  try {
    cli = loadWithCodeCache<{ runAsProcess(argv: string[]): Promise<void> }>(join(__dirname, 'cli.js')).exports;
  } catch (error) {
    process.stderr.on('error', () => undefined);
    process.stderr.write(`logbook: cannot load ${join(__dirname, 'cli.js')}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    process.exitCode = 1;
  }
  // runAsProcess reports every failure itself (one line, an exit code); it never rejects.
  void cli?.runAsProcess(args);
}

// Once nothing is left to run (every write done: stdout and stderr are synchronous for files and
// pipes here), exit at once: the teardown a process does when its loop ends by itself (the V8
// heap, SQLite's WASM memory) took 10 ms more, paid by every command and every hook.
process.once('beforeExit', () => process.exit());
