import { join, resolve } from 'node:path';
import { runHook } from '../capture/hook';

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
  if (outcome.error !== undefined) process.stderr.write(`${outcome.error}\n`);
  if (outcome.output !== undefined) process.stdout.write(outcome.output);
  process.exitCode = 0;
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cli = require('./cli.js') as { main(argv: string[]): Promise<number> };
  cli.main(args).then((code) => { process.exitCode = code; }, (error: unknown) => {
    process.stderr.write(`logbook: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
