// The integration tier: the extension inside a real VS Code (code-server 1.139, a real Node extension
// host, Debian's chromium driven by playwright-core; see /work/shared/VSCODE-TESTING.md).
//
//   node --import tsx test/integration/run.ts <tap-file> [test/integration/x.itest.ts ...]
//
// 1. installs the tools when missing (scripts/vscode-tools.mjs) and bundles the suites with the
//    harness (scripts/build-itests.mjs → dist-itest/suite.js); dist/ must be built already;
// 2. records a session with the real Claude Code CLI against the mock Anthropic API in a scratch
//    workspace (our installer, then `logbook ingest`), like the e2e tier;
// 3. starts code-server on 127.0.0.1 (random port, random password, throwaway dirs, smoke-test
//    driver), logs the browser in and opens /?folder=<workspace>&payload=… with
//    extensionDevelopmentPath = the repository and extensionTestsPath = the bundle;
// 4. reads the harness's "@@itest" lines from codeAutomationLog, answers its requests (screenshots,
//    page steps, the page-only tests of page-tests.ts) and ends at codeAutomationExit;
// 5. the reload phase (restore.ts): a second code-server with the packaged .vsix, a plain window on
//    the same workspace; panels are arranged, the window reloaded, and each panel must come back;
// 6. prints TAP and writes it to <tap-file>, ending with "# pass N" / "# fail N".
// Artifacts: test-results/screenshots/*.png, test-results/integration/ (workbench and VS Code logs).
// LOGBOOK_ITEST_KEEP=1 keeps the scratch folder (workspace, code-server dirs).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { logbook, logbookBin, prepareClaudeHome, repoRoot } from '../e2e/run-claude';
import { buildScenario, runScenario } from '../e2e/scenario';
import { loadVscodeTools, login, startCodeServer, type CodeServer } from './code-server';
import { CONTEXT_ENV, MESSAGE_PREFIX, type HarnessMessage, type ItestContext, type RunnerReply } from './harness';
import { steps, tests as pageTests, type PageContext } from './page-tests';
import { runRestorePhase } from './restore';
// Every dashboard in these tests paints a first page of two sessions and then asks for the rest.
import { DASHBOARD_FIRST_PAGE_ENV } from '../../src/views/dashboard/first-page';

type Playwright = typeof import('playwright-core');

const ROOT = repoRoot();
const RESULTS = join(ROOT, 'test-results');
const ARTIFACTS = join(RESULTS, 'integration');
const SCREENSHOTS = join(RESULTS, 'screenshots');
/** The whole in-host run, from page load to codeAutomationExit. */
const SUITE_TIMEOUT_MS = 10 * 60_000;
/** From page load to the harness's plan: the workbench and the extension host start in ~10 s. */
const START_TIMEOUT_MS = 120_000;
const PAGE_TEST_TIMEOUT_MS = 60_000;
/** The reload phase: packaging, a second code-server with the .vsix, three panels, a reload. */
const RESTORE_TIMEOUT_MS = 5 * 60_000;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

interface TapResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
}

class Tap {
  readonly results: TapResult[] = [];

  add(name: string, ok: boolean, error?: string, ms?: number): void {
    const result: TapResult = { name, ok, ...(error === undefined ? {} : { error }) };
    this.results.push(result);
    process.stdout.write(`${this.line(result, this.results.length)}${ms === undefined ? '' : ` # ${ms} ms`}\n`);
    if (error !== undefined) process.stdout.write(`${this.diagnostic(error)}\n`);
  }

  has(name: string): boolean {
    return this.results.some((r) => r.name === name);
  }

  get failed(): number {
    return this.results.filter((r) => !r.ok).length;
  }

  private line(result: TapResult, index: number): string {
    return `${result.ok ? 'ok' : 'not ok'} ${index} - ${result.name.replace(/#/g, '\\#')}`;
  }

  private diagnostic(error: string): string {
    return ['  ---', '  error: |-', ...error.split('\n').map((l) => `    ${l}`), '  ...'].join('\n');
  }

  text(): string {
    const pass = this.results.length - this.failed;
    const lines = ['TAP version 13'];
    this.results.forEach((r, i) => {
      lines.push(this.line(r, i + 1));
      if (r.error !== undefined) lines.push(this.diagnostic(r.error));
    });
    lines.push(`1..${this.results.length}`, `# tests ${this.results.length}`, `# pass ${pass}`, `# fail ${this.failed}`);
    return `${lines.join('\n')}\n`;
  }
}

function say(line: string): void {
  process.stdout.write(`# ${line}\n`);
}

function message(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/** A session of the real Claude Code CLI in `workspace`, ingested into its store; returns its id. */
async function recordSession(workspace: string, scratch: string): Promise<string> {
  logbook(['install-hooks', '--workspace', workspace], workspace);
  const home = prepareClaudeHome(workspace);
  try {
    const run = await runScenario(buildScenario(workspace), { home });
    logbook(['ingest', '--workspace', workspace], workspace);
    say(`recorded session ${run.sessionId} with Claude Code (${run.requests.length} API requests, ${run.durationMs} ms)`);
    return run.sessionId;
  } finally {
    if (process.env['LOGBOOK_ITEST_KEEP'] === '1') say(`Claude Code HOME kept: ${home} (scratch ${scratch})`);
    else rmSync(home, { recursive: true, force: true });
  }
}

function buildSuites(files: readonly string[]): string {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-itests.mjs'), ...files], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build-itests failed (exit ${String(built.status)}):\n${built.stderr}${built.stdout}`);
  return join(ROOT, 'dist-itest', 'suite.js');
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Drives one in-host run: answers the harness's requests, records its results, resolves at exit. */
class HostSession {
  private plan: readonly string[] | undefined;
  private done: { pass: number; fail: number } | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly workbenchLog: string[] = [];
  private exitCode: ((code: number) => void) | undefined;
  private planned: (() => void) | undefined;
  readonly exited = new Promise<number>((resolve) => (this.exitCode = resolve));
  readonly started = new Promise<void>((resolve) => (this.planned = resolve));

  constructor(private readonly page: Page, private readonly context: PageContext, private readonly tap: Tap) {}

  async expose(): Promise<void> {
    await this.page.exposeFunction('codeAutomationLog', (level: unknown, args: unknown) => this.onLog(String(level), args));
    await this.page.exposeFunction('codeAutomationExit', (code: unknown, logs: unknown) => {
      saveVscodeLogs(logs);
      this.exitCode?.(typeof code === 'number' ? code : 1);
    });
  }

  private onLog(level: string, args: unknown): void {
    const parts = Array.isArray(args) ? args : [args];
    for (const part of parts) {
      if (typeof part === 'string' && part.startsWith(MESSAGE_PREFIX)) {
        this.onMessage(JSON.parse(part.slice(MESSAGE_PREFIX.length)) as HarnessMessage);
        return;
      }
    }
    this.workbenchLog.push(`[${level}] ${parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ')}`);
  }

  private onMessage(msg: HarnessMessage): void {
    switch (msg.kind) {
      case 'plan':
        this.plan = msg.names;
        say(`in-host suites: ${msg.names.length} test(s)`);
        this.planned?.();
        return;
      case 'result':
        this.tap.add(msg.name, msg.ok, msg.error, msg.ms);
        return;
      case 'request':
        this.queue = this.queue.then(() => this.answer(msg.id, () => this.serve(msg.op, msg.name, msg.arg)));
        return;
      case 'done':
        this.done = { pass: msg.pass, fail: msg.fail };
        return;
      default: {
        const unknown: never = msg;
        this.workbenchLog.push(`[harness] unknown message ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async serve(op: string, name: string, arg: unknown): Promise<unknown> {
    if (op === 'screenshot') return this.context.screenshot(name);
    if (op === 'pageStep') {
      const step = steps[name];
      if (step === undefined) throw new Error(`no page step "${name}" in page-tests.ts (have: ${Object.keys(steps).join(', ')})`);
      return step(this.page, arg, this.context);
    }
    if (op === 'pageTests') return this.runPageTests();
    throw new Error(`unknown request ${op}`);
  }

  private async answer(id: string, work: () => Promise<unknown>): Promise<void> {
    let reply: RunnerReply;
    try {
      reply = { ok: true, result: await work() };
    } catch (error) {
      reply = { ok: false, error: message(error) };
    }
    writeAtomically(join(this.context.requestDir, `${id}.json`), JSON.stringify(reply));
  }

  private async runPageTests(): Promise<number> {
    for (const pageTest of pageTests) {
      const started = Date.now();
      try {
        await withTimeout(pageTest.run(this.page, this.context), pageTest.timeoutMs ?? PAGE_TEST_TIMEOUT_MS, `page test "${pageTest.name}"`);
        this.tap.add(`page › ${pageTest.name}`, true, undefined, Date.now() - started);
      } catch (error) {
        await this.context.screenshot(`failed-page-test-${this.tap.results.length + 1}`).catch(() => undefined);
        this.tap.add(`page › ${pageTest.name}`, false, message(error), Date.now() - started);
      }
    }
    return pageTests.length;
  }

  /** After exit: every planned test must have reported, and a failing exit must show as a failure. */
  settle(code: number | undefined): void {
    for (const name of this.plan ?? []) if (!this.tap.has(name)) this.tap.add(name, false, 'the test never reported a result (the extension host stopped or hung)');
    if (this.plan === undefined) this.tap.add('in-host suites start', false, `the harness never started (exit ${String(code)}); see ${join(ARTIFACTS, 'workbench.log')}`);
    else if (code !== 0 && this.tap.failed === 0) this.tap.add('extension test host exit', false, `exited ${String(code)} with no failing test; see ${ARTIFACTS}`);
    else if (code === undefined) this.tap.add('extension test host exit', false, 'no exit reported');
    if (this.done === undefined && this.plan !== undefined) say('the harness did not finish (no "done" message)');
  }

  saveWorkbenchLog(): void {
    writeFileSync(join(ARTIFACTS, 'workbench.log'), `${this.workbenchLog.join('\n')}\n`);
  }
}

function saveVscodeLogs(logs: unknown): void {
  if (!Array.isArray(logs)) return;
  for (const entry of logs as { relativePath?: unknown; contents?: unknown }[]) {
    if (typeof entry.relativePath !== 'string' || typeof entry.contents !== 'string' || entry.relativePath.includes('..')) continue;
    const target = join(ARTIFACTS, 'vscode-logs', entry.relativePath);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, entry.contents);
  }
}

async function runInVscode(tap: Tap, files: readonly string[], scratch: string): Promise<void> {
  const tools = await loadVscodeTools();
  tools.ensureVscodeTools({ log: say });
  const chromium = tools.requireChromium();
  if (!existsSync(logbookBin())) throw new Error(`${logbookBin()} is missing: run \`npm run build\` first`);
  const bundle = buildSuites(files);

  const workspace = join(scratch, 'workspace');
  mkdirSync(workspace);
  const sessionId = await recordSession(realpathSync(workspace), scratch);
  const requestDir = join(scratch, 'requests');
  mkdirSync(requestDir);
  const context: ItestContext = { workspace: realpathSync(workspace), sessionId, repoRoot: ROOT, requestDir, screenshotDir: SCREENSHOTS };
  const contextFile = join(scratch, 'itest-context.json');
  writeFileSync(contextFile, JSON.stringify(context, null, 2));

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let session: HostSession | undefined;
  const started = Date.now();
  try {
    server = await startCodeServer({ dir: join(scratch, 'code-server'), smokeTestDriver: true, env: { [CONTEXT_ENV]: contextFile, [DASHBOARD_FIRST_PAGE_ENV]: '2' } });
    say(`code-server listening on ${server.url} (${Date.now() - started} ms)`);
    const playwright = (await import(pathToFileURL(tools.playwrightCoreEntry()).href)) as Playwright;
    browser = await playwright.chromium.launch({ executablePath: chromium, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const pageContext: PageContext = {
      ...context,
      screenshot: async (name) => {
        const path = join(SCREENSHOTS, `${name}.png`);
        await page.screenshot({ path });
        return path;
      },
    };
    session = new HostSession(page, pageContext, tap);
    await session.expose();
    await login(page, server);
    say(`logged in (${Date.now() - started} ms)`);
    const remote = (path: string): string => `vscode-remote://${server?.authority ?? ''}${path}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(ROOT)],
      ['extensionTestsPath', remote(bundle)],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(context.workspace)}&payload=${encodeURIComponent(payload)}`);
    await withTimeout(Promise.race([session.started, session.exited]), START_TIMEOUT_MS, 'waiting for the in-host suites to start');
    say(`workbench up, suites started (${Date.now() - started} ms)`);
    const code = await withTimeout(session.exited, SUITE_TIMEOUT_MS, 'the in-host suites');
    session.settle(code);
    // The reload phase needs a plain window (see restore.ts): the test window and its server go
    // first, so that nothing of theirs (a reconnecting page, a writer) runs beside it.
    await page.close().catch(() => undefined);
    await server.stop();
    await withTimeout(runRestorePhase({
      browser, scratch, workspace: context.workspace, sessionId, screenshotDir: SCREENSHOTS, artifactsDir: ARTIFACTS,
      add: (name, ok, error, ms) => tap.add(name, ok, error, ms),
      log: say,
    }), RESTORE_TIMEOUT_MS, 'the reload phase');
  } catch (error) {
    session?.settle(undefined);
    tap.add('integration run', false, message(error));
  } finally {
    session?.saveWorkbenchLog();
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (server !== undefined) cpSync(server.logFile, join(ARTIFACTS, 'code-server.log'));
    say(`VS Code part took ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

async function main(): Promise<void> {
  const [tapFile, ...files] = process.argv.slice(2);
  if (tapFile === undefined) throw new Error('usage: run.ts <tap-file> [suite.itest.ts ...]');
  const tap = new Tap();
  const began = Date.now();
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const scratch = realpathSync(mkdtempSync(join(process.env['LOGBOOK_TEST_SCRATCH'] ?? tmpdir(), 'logbook-itest-')));
  const stopOnSignal = (): void => {
    // code-server.ts kills its process group on exit; playwright closes its browser.
    process.exit(130);
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    await runInVscode(tap, files, scratch);
  } catch (error) {
    tap.add('integration setup', false, message(error));
  } finally {
    if (process.env['LOGBOOK_ITEST_KEEP'] === '1') say(`scratch kept: ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  writeFileSync(tapFile, tap.text());
  say(`integration: ${tap.results.length - tap.failed} passed, ${tap.failed} failed in ${Math.round((Date.now() - began) / 1000)} s; artifacts in ${ARTIFACTS}`);
  process.exitCode = tap.failed === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`integration runner: ${message(error)}\n`);
  process.exit(1);
});
