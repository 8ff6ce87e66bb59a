import { dirname, join } from 'node:path';
import { runHook } from './hook';

// Entry point of `.logbook/bin/hook.cjs`: the inbox is found next to the program itself,
// so the hook needs no environment and no absolute path baked into the settings file.
const logbookDir = dirname(__dirname);
const outcome = runHook({ inboxDir: join(logbookDir, 'inbox'), hookEvent: process.argv[2] });
if (outcome.error !== undefined) process.stderr.write(`${outcome.error}\n`);
// Claude Code reads a decision (deny a tool, block a stop) as JSON on stdout, with exit 0.
if (outcome.output !== undefined) process.stdout.write(outcome.output);
process.exitCode = 0;
// Once every write is done (stdout and stderr are synchronous for pipes and files here), exit at
// once: the teardown of a loop that ends by itself is time Claude Code waits for (as in logbook.ts).
process.once('beforeExit', () => process.exit());
