import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { logbookPaths } from '../src/capture/paths';
import { entryFileName, entryText, uuidV7, writeInboxEntry } from '../src/capture/inbox-writer';
import { COMMAND_V8_FLAGS } from '../src/cli/command-flags';
import { codeCachePath, loadWithCodeCache, sourceHash } from '../src/cli/load-cli';

// Run by the build. It sets the flags `logbook` runs its commands with (command-flags.ts) before it
// loads the bundle: V8 rejects a cache made under other flags. Loading the bundle first compiles what its start-up runs, so the
// cache holds those functions too, not only the top level; so does every command's initialiser.
// Then the everyday commands run once, in this process, on a small workspace of their own: V8
// compiles a function the first time it runs, and the cache made after that holds the bytecode of
// ingest, sessions, trends, report and search too (each command saves that compile every time).

type Main = (argv: readonly string[], io: { out(text: string): void; err(text: string): void }) => Promise<number>;

for (const flag of COMMAND_V8_FLAGS) setFlagsFromString(flag);
const file = process.argv[2];
if (file === undefined) throw new Error('usage: make-code-cache <bundle.js>');
writeFileSync(codeCachePath(file), Buffer.alloc(0));
void (async () => {
  const { script, exports } = loadWithCodeCache<{ loadEveryCommand?: () => Promise<void>; main?: Main }>(file);
  // The commands' modules are initialised when a command runs: run every initialiser once here.
  await exports.loadEveryCommand?.();
  if (exports.main !== undefined) await runEverydayCommands(exports.main);
  writeFileSync(codeCachePath(file), Buffer.concat([sourceHash(readFileSync(file)), script.createCachedData()]), { mode: 0o644 });
})();

async function runEverydayCommands(main: Main): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-code-cache-'));
  const previousKey = process.env['LOGBOOK_KEY_FILE'];
  try {
    // A key of its own: the build never touches the user's.
    mkdirSync(join(dir, 'key'), { mode: 0o700 });
    process.env['LOGBOOK_KEY_FILE'] = join(dir, 'key', 'key');
    const workspace = join(dir, 'ws');
    mkdirSync(workspace);
    const inbox = logbookPaths(workspace).inbox;
    mkdirSync(inbox, { recursive: true, mode: 0o700 });
    recordSession(inbox, 'code-cache-session-1', Date.UTC(2026, 0, 5, 12));
    recordSession(inbox, 'code-cache-session-2', Date.UTC(2026, 0, 6, 12));
    const silent = { out: (): void => undefined, err: (): void => undefined };
    for (const argv of [
      ['ingest'], ['sessions'], ['sessions', '--json'], ['trends', '--json'], ['trends'],
      ['report', 'code-cache-session-1', '--json'], ['events', '--search', 'tests', '--limit', '20'],
    ]) await main([...argv, '--workspace', workspace], silent);
  } finally {
    if (previousKey === undefined) delete process.env['LOGBOOK_KEY_FILE'];
    else process.env['LOGBOOK_KEY_FILE'] = previousKey;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A short session as the hook writes it: a prompt, a tool call that succeeds, one that fails, an end. */
function recordSession(inbox: string, sessionId: string, start: number): void {
  const payloads: Record<string, unknown>[] = [
    { hook_event_name: 'SessionStart', source: 'startup', model: 'claude-sonnet-4-5' },
    { hook_event_name: 'UserPromptSubmit', prompt: 'Run the tests and fix what fails' },
    { hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'npm test' }, tool_use_id: 't1' },
    { hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'npm test' }, tool_use_id: 't1', tool_response: { stdout: 'ok' } },
    { hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: 'src/a.ts' }, tool_use_id: 't2' },
    { hook_event_name: 'PostToolUseFailure', tool_name: 'Read', tool_input: { file_path: 'src/a.ts' }, tool_use_id: 't2', error: 'not found' },
    { hook_event_name: 'Stop' },
    { hook_event_name: 'SessionEnd', reason: 'exit' },
  ];
  payloads.forEach((payload, i) => {
    const ms = start + i * 1000;
    const stamp = { id: uuidV7(ms), receivedAt: new Date(ms).toISOString(), receivedUs: ms * 1000 + i };
    const full = { session_id: sessionId, cwd: '/', transcript_path: '/none.jsonl', ...payload };
    writeInboxEntry(inbox, entryFileName(stamp), entryText(stamp, 'hook', String(payload['hook_event_name']), JSON.stringify(full)));
  });
}
