// Runs every test suite (unit, end to end, then integration: the extension inside a real VS Code)
// and ends with one line that sums them all: "N passed, N failed".
// `node scripts/test.mjs unit e2e` runs only those (names: typecheck, unit, e2e, integration).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const suites = [
  { name: 'unit', dir: 'test/unit', pattern: /\.test\.ts$/ },
  { name: 'e2e', dir: 'test/e2e', pattern: /\.e2e\.test\.ts$/ },
  { name: 'integration', dir: 'test/integration', pattern: /\.itest\.ts$/, runner: 'test/integration/run.ts' },
].filter((s) => only.length === 0 || only.includes(s.name));

const scratch = mkdtempSync(join(tmpdir(), 'logbook-test-'));
// Every suite, and every process it starts (Claude Code, its hooks, code-server's extension
// host, each with a HOME of its own), stamps and checks inbox entries with one provenance key.
const keyFile = process.env.LOGBOOK_KEY_FILE ?? join(scratch, 'provenance', 'key');
// Every install registers its workspace (src/capture/registry.ts): the tests' temp workspaces go to a registry of their own.
const stateDir = process.env.LOGBOOK_STATE_DIR ?? join(scratch, 'state');
let passed = 0;
let failed = 0;
// The integration tier's VS Code (code-server on its own Node 24) and browser driver live in
// tools/vscode/; CI starts from a clean checkout, so install them first (a no-op once done). The
// typecheck needs them too: the runner is typed against playwright-core.
if (only.length === 0 || only.includes('integration') || only.includes('typecheck')) {
  console.log('\n== VS Code tools (scripts/vscode-tools.mjs)');
  const tools = spawnSync(process.execPath, [join(root, 'scripts', 'vscode-tools.mjs')], { cwd: root, stdio: 'inherit' });
  if (tools.status !== 0) console.log('VS Code tools could not be installed: the integration tier will report it');
}
// Strict types are part of the promise: a type error is a failed check, counted like a test.
// One check per TypeScript project, as `npm run typecheck` does: the host side and the webviews.
if (only.length === 0 || only.includes('typecheck')) {
  for (const project of ['.', 'webview'].filter((p) => existsSync(join(root, p, 'tsconfig.json')))) {
    console.log(`\n== typecheck: tsc -p ${project} --noEmit`);
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, project), '--noEmit'], { cwd: root, stdio: 'inherit' });
    if (tsc.status === 0) passed += 1;
    else failed += 1;
  }
}
for (const suite of suites) {
  const dir = join(root, suite.dir);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => suite.pattern.test(f)).sort().map((f) => join(suite.dir, f)) : [];
  if (files.length === 0) continue;
  const tap = join(scratch, `${suite.name}.tap`);
  console.log(`\n== ${suite.name}: ${files.length} file(s)`);
  const args = suite.runner
    ? ['--import', 'tsx', suite.runner, tap, ...files]
    : ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files];
  const started = Date.now();
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, LOGBOOK_TEST_SCRATCH: scratch, LOGBOOK_KEY_FILE: keyFile, LOGBOOK_STATE_DIR: stateDir } });
  const counts = readCounts(tap);
  console.log(`== ${suite.name}: ${counts ? `${counts.pass} passed, ${counts.fail} failed` : 'no results'} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (counts === undefined) {
    console.log(`${suite.name}: the runner reported no results (exit ${run.status}); counted as 1 failure`);
    failed += 1;
    continue;
  }
  passed += counts.pass;
  failed += counts.fail;
  if (run.status !== 0 && counts.fail === 0) {
    console.log(`${suite.name}: runner exited ${run.status} with no failing test; counted as 1 failure`);
    failed += 1;
  }
}
rmSync(scratch, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;

function readCounts(file) {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const pass = /^# pass (\d+)$/m.exec(text);
  const fail = /^# fail (\d+)$/m.exec(text);
  if (!pass || !fail) return undefined;
  return { pass: Number(pass[1]), fail: Number(fail[1]) };
}
