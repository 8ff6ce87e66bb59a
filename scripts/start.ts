// `npm start`: the whole capture path, live, with no VS Code: a scratch workspace, our hooks
// installed by `logbook install-hooks`, a scripted session of the real Claude Code CLI against a
// local mock of the Anthropic API, then `logbook ingest` and what the store now holds.
// Bundled by esbuild to dist/start.js; the scratch workspace is kept so it can be inspected.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PINNED_CLAUDE_VERSION, logbook, logbookBin, makeTempDir, prepareClaudeHome } from '../test/e2e/run-claude';
import { buildScenario, runScenario } from '../test/e2e/scenario';

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

async function main(): Promise<void> {
  if (!existsSync(logbookBin())) throw new Error(`${logbookBin()} is missing: run \`npm run build\``);
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

  say(`\nDone. Explore further with: node ${logbookBin()} events --session ${run.sessionId} --workspace ${workspace} --json`);
}

main().catch((error: unknown) => {
  process.stderr.write(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
