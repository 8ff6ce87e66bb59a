import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CURRENT_SCHEMA_VERSION } from '../../src/store/schema';
import type { Browser, Page } from 'playwright-core';
import { loadVscodeTools, login, startCodeServer } from '../../test/integration/code-server';
import type { CodeServer } from '../../test/integration/code-server';
import { TIMINGS_ENV } from '../../src/views/timings/host-timings';
import { fmtInt, progress } from '../stats';
import { CONTEXT_ENV, PROGRESS_PREFIX } from './protocol';
import type { RealContext, RealResult } from './protocol';

// The VS Code side inside a real VS Code: code-server started as the integration tier starts it
// (test/integration/code-server.ts), a chromium page logged in, the window opened on a copy of a
// cached history with extensionDevelopmentPath = the repository (dist/ built) and
// extensionTestsPath = suite.ts bundled. The extension's recorder is switched on by
// $LOGBOOK_BENCH_TIMINGS=1 in code-server's environment; entries are stamped with a key of the
// run's own ($LOGBOOK_KEY_FILE, the same for the suite and the extension's writer).

type Playwright = typeof import('playwright-core');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
/** From page load to the suite's result: a 1M-event window activates in seconds, 30 runs take ~15 s. */
const RUN_TIMEOUT_MS = 10 * 60_000;

export interface VscodeRealInput {
  readonly root: string;
  readonly tempDir: string;
  readonly scaleDir: string;
  readonly sizes: readonly number[];
  readonly runs: number;
}

export interface VscodeRealPoint {
  readonly events: number;
  readonly result?: RealResult;
  readonly failed?: string;
}

export async function benchVscodeReal(input: VscodeRealInput): Promise<VscodeRealPoint[]> {
  const points: VscodeRealPoint[] = [];
  const tools = await loadVscodeTools();
  if (!tools.vscodeToolsReady()) return input.sizes.map((events) => ({ events, failed: 'the VS Code tools are not installed: run `node scripts/vscode-tools.mjs` (the integration tier installs them too)' }));
  let bundle: string;
  try {
    bundle = bundleSuite(input.root, input.tempDir);
  } catch (error) {
    return input.sizes.map((events) => ({ events, failed: error instanceof Error ? error.message : String(error) }));
  }
  for (const events of input.sizes) {
    const source = cachedWorkspace(input.scaleDir, events);
    if (source === undefined) {
      points.push({ events, failed: `no cached ${fmtInt(events)}-event history in ${input.scaleDir}: build one with \`npm run bench -- --only scale --scale-sizes ${events}\`` });
      continue;
    }
    const scratch = realpathSync(mkdtempSync(join(input.tempDir, `vscode-real-${events}-`)));
    try {
      progress(`vscode-real: ${fmtInt(events)} events: copying ${source}`);
      const copied = spawnSync('cp', ['-a', source, join(scratch, 'ws')], { encoding: 'utf8' });
      if (copied.status !== 0) throw new Error(`cp -a ${source} failed: ${copied.stderr}`);
      // The copy leaves gigabytes of dirty pages: their writeback would stall the window for a while.
      spawnSync('sync');
      await sleep(3000);
      points.push({ events, result: await runWindow(input, bundle, scratch, events) });
    } catch (error) {
      points.push({ events, failed: error instanceof Error ? error.message : String(error) });
      progress(`vscode-real: ${fmtInt(events)} events: failed: ${points[points.length - 1]?.failed ?? ''}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return points;
}

/** The cache of this store schema first (h1-<n>-s<schema>/ws: no migration in the window), else any cached build of that size, the newest schema first. */
function cachedWorkspace(scaleDir: string, events: number): string | undefined {
  const preferred = join(scaleDir, `h1-${events}-s${CURRENT_SCHEMA_VERSION}`, 'ws');
  if (existsSync(join(preferred, '.logbook', 'logbook.sqlite'))) return preferred;
  if (!existsSync(scaleDir)) return undefined;
  const sameSize = new RegExp(`^h\\d+-${events}-[0-9a-z]+$`);
  for (const name of readdirSync(scaleDir).filter((n) => sameSize.test(n)).sort().reverse()) {
    const ws = join(scaleDir, name, 'ws');
    if (existsSync(join(ws, '.logbook', 'logbook.sqlite'))) return ws;
  }
  return undefined;
}

/** esbuild's CLI (a native binary) in a process of its own: its JS API does not survive being bundled into dist/bench.js. */
function bundleSuite(root: string, tempDir: string): string {
  const outfile = join(tempDir, 'vscode-real-suite', 'suite.js');
  const built = spawnSync(join(root, 'node_modules', 'esbuild', 'bin', 'esbuild'), [
    join(root, 'bench', 'vscode-real', 'suite.ts'),
    `--outfile=${outfile}`, '--bundle', '--platform=node', '--target=node20', '--format=cjs', '--main-fields=module,main', '--external:vscode', '--log-level=warning',
  ], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`bundling the in-host bench failed (exit ${String(built.status)}): ${built.stderr}`);
  return outfile;
}

async function runWindow(input: VscodeRealInput, bundle: string, scratch: string, events: number): Promise<RealResult> {
  const tools = await loadVscodeTools();
  const chromium = tools.requireChromium();
  const workspace = join(scratch, 'ws');
  const resultFile = join(scratch, 'result.json');
  const contextFile = join(scratch, 'context.json');
  const keyDir = join(scratch, 'key');
  mkdirSync(keyDir, { mode: 0o700 });
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer({
      dir: join(scratch, 'code-server'), smokeTestDriver: true,
      env: { [TIMINGS_ENV]: '1', [CONTEXT_ENV]: contextFile, LOGBOOK_KEY_FILE: join(keyDir, 'key') },
    });
    const playwright = (await import(pathToFileURL(tools.playwrightCoreEntry()).href)) as Playwright;
    browser = await playwright.chromium.launch({ executablePath: chromium, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    let exited: (code: number) => void = () => undefined;
    await page.exposeFunction('codeAutomationLog', (_level: unknown, args: unknown) => {
      for (const part of Array.isArray(args) ? args : [args]) {
        if (typeof part === 'string' && part.startsWith(PROGRESS_PREFIX)) progress(`vscode-real: ${fmtInt(events)} events: ${part.slice(PROGRESS_PREFIX.length)}`);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown) => exited(typeof code === 'number' ? code : 1));
    await login(page, server);
    const remote = (path: string): string => `vscode-remote://${server?.authority ?? ''}${path}`;
    const payload = JSON.stringify([['extensionDevelopmentPath', remote(input.root)], ['extensionTestsPath', remote(bundle)]]);
    const windowUrl = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`;
    const open = async (opened: Page): Promise<number> => {
      const context: RealContext = { workspace, repoRoot: input.root, resultFile, runs: input.runs };
      writeFileSync(contextFile, JSON.stringify(context));
      const exit = new Promise<number>((resolve) => { exited = resolve; });
      progress(`vscode-real: ${fmtInt(events)} events: opening the window`);
      await opened.goto(windowUrl);
      // The Agent Logbook side bar opened as soon as the workbench shows it, as a user who keeps it
      // open finds it: VS Code reads a tree only while its view is visible. (A view restored from
      // the last session would do the same, but a window running extension tests keeps its state in memory.)
      await opened.locator('.part.activitybar [aria-label^="Agent Logbook"]').first().click({ timeout: 60_000 })
        .catch((error: unknown) => progress(`vscode-real: the Agent Logbook side bar could not be opened: ${String(error)}`));
      return withTimeout(exit, RUN_TIMEOUT_MS, 'the in-host bench');
    };
    const code = await open(page);
    if (!existsSync(resultFile)) throw new Error(`the in-host bench exited ${code} without a result; see ${server.logFile}`);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as RealResult;
    // The raw spans, for a person looking into a figure.
    const keep = process.env['LOGBOOK_VSCODE_REAL_KEEP'];
    if (keep !== undefined && keep !== '') writeFileSync(join(keep, `vscode-real-${events}.json`), JSON.stringify(result));
    if (result.error !== undefined) throw new Error(`in the extension host: ${result.error}`);
    return result;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
