// `npm start`: the whole capture path, live: a scratch workspace, our hooks installed by
// `logbook install-hooks`, a scripted session of the real Claude Code CLI against a local mock of
// the Anthropic API, then `logbook ingest` (no VS Code running) and what the store now holds; then
// a real VS Code showing that workspace with the extension: desktop `code` when it is on PATH
// (with --extensionDevelopmentPath), otherwise code-server on 127.0.0.1 with the packaged .vsix
// installed, up until Ctrl-C. `npm start -- --no-vscode` (or LOGBOOK_START_NO_VSCODE=1) stops
// after the recording. Bundled by esbuild to dist/start.js; the scratch workspace is kept.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PINNED_CLAUDE_VERSION, logbook, logbookBin, makeTempDir, prepareClaudeHome, repoRoot } from '../test/e2e/run-claude';
import { buildScenario, runScenario } from '../test/e2e/scenario';
import { loadVscodeTools, packageVsix, startCodeServer } from '../test/integration/code-server';
import { keyFilePath } from '../src/capture/provenance';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function inboxCount(workspace: string): number {
  const inbox = join(workspace, '.logbook', 'inbox');
  return existsSync(inbox) ? readdirSync(inbox).filter((name) => !name.startsWith('.')).length : 0;
}

/** Desktop VS Code's `code` command, when it is on PATH. */
function findCode(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'code');
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function wantsVscode(): boolean {
  return !process.argv.includes('--no-vscode') && process.env['LOGBOOK_START_NO_VSCODE'] !== '1';
}

function openDesktop(code: string, workspace: string): void {
  say(`\n6. VS Code: ${code} --extensionDevelopmentPath=${repoRoot()} ${workspace}`);
  const child = spawn(code, ['--new-window', `--extensionDevelopmentPath=${repoRoot()}`, workspace], { stdio: 'ignore', detached: true });
  child.unref();
  say('    a new VS Code window opens on the workspace, with this extension loaded from the repository.');
}

async function openCodeServer(workspace: string): Promise<void> {
  say('\n6. VS Code (code-server: no `code` on PATH)');
  const tools = await loadVscodeTools();
  if (!tools.vscodeToolsReady()) say('    installing code-server and Node 24 into tools/vscode and .tools (once; a few minutes)');
  tools.ensureVscodeTools({ log: (line) => say(`    ${line}`) });
  const vsix = packageVsix(join(repoRoot(), 'dist', 'agent-logbook.vsix'));
  say(`    packaged ${vsix}`);
  const dir = makeTempDir('logbook-code-server-');
  const server = await startCodeServer({ dir, installExtensions: [vsix] });
  // Ctrl-C reaches only us: code-server runs in its own process group, which stop() kills.
  let stopping: Promise<void> | undefined;
  const stop = (): void => {
    stopping ??= server.stop().then(() => rmSync(dir, { recursive: true, force: true }));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  say(`    open  ${server.url}/?folder=${encodeURIComponent(workspace)}`);
  say(`    password (this run only): ${server.password}`);
  say('    code-server listens on 127.0.0.1 only (from another machine: ssh -L <port>:127.0.0.1:<port>).');
  say('    The Agent Logbook icon in the activity bar shows the recorded session. Ctrl-C stops code-server.');
  const code = await server.exited;
  if (stopping === undefined) throw new Error(`code-server exited (${String(code)}); see ${server.logFile}`);
  await stopping;
  say('\ncode-server stopped; the workspace is kept.');
}

async function main(): Promise<void> {
  if (!existsSync(logbookBin())) throw new Error(`${logbookBin()} is missing: run \`npm run build\``);
  // Claude Code runs with a HOME of its own here (and code-server with another): its hooks must
  // stamp entries with the key of the user who ingests and views them, found through their HOME.
  process.env['LOGBOOK_KEY_FILE'] ??= keyFilePath();
  const workspace = makeTempDir('logbook-demo-');
  const home = prepareClaudeHome(workspace);
  say(`Agent Logbook demo (Claude Code ${PINNED_CLAUDE_VERSION}, mock Anthropic API, no network)`);
  say(`  workspace: ${workspace}`);
  say(`  HOME for Claude Code: ${home}`);

  say('\n1. logbook install-hooks');
  const installed = logbook(['install-hooks', '--workspace', workspace], workspace);
  if (installed.trim() !== '') say(indent(installed));

  say('\n2. scripted Claude Code session (Write, Read, Bash, Edit, a failing Read, a subagent, /compact)');
  const scenario = buildScenario(workspace);
  const run = await runScenario(scenario, { home, log: (line) => say(`    $ ${line}`) });
  say(`    session ${run.sessionId}: ${run.requests.length} API requests, ${run.durationMs} ms`);
  say(`    inbox now holds ${inboxCount(workspace)} entries (nothing ingests while VS Code is closed)`);

  say('\n3. logbook ingest');
  const ingested = logbook(['ingest', '--workspace', workspace], workspace);
  if (ingested.trim() !== '') say(indent(ingested));
  say(`    inbox now holds ${inboxCount(workspace)} entries`);

  say('\n4. logbook sessions');
  say(indent(logbook(['sessions', '--workspace', workspace], workspace)));

  say(`\n5. logbook events --session ${run.sessionId}`);
  say(indent(logbook(['events', '--session', run.sessionId, '--workspace', workspace], workspace)));

  say(`\nExplore further with: node ${logbookBin()} events --session ${run.sessionId} --workspace ${workspace} --json`);
  if (!wantsVscode()) return;
  const code = findCode();
  if (code !== undefined) openDesktop(code, workspace);
  else await openCodeServer(workspace);
}

main().catch((error: unknown) => {
  process.stderr.write(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
