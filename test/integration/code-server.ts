// Starts and stops a throwaway code-server (VS Code 1.139 served to a browser, with a real Node
// extension host) for the integration runner and `npm start`. See /work/shared/VSCODE-TESTING.md.
//
// It listens on 127.0.0.1 only, on a port the OS picks, with password authentication (a random
// password passed through $PASSWORD, never on the command line); every directory it writes (config,
// user data, extensions, HOME, XDG) is under one folder of the caller's. It runs in its own process
// group, and stop() kills the whole group: its children outlive it by seconds otherwise.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { repoRoot } from '../e2e/run-claude';

/** What scripts/vscode-tools.mjs exports (it is plain ESM, loaded at run time so bundles keep their paths). */
export interface VscodeTools {
  readonly NODE24_VERSION: string;
  readonly APT_HINT: string;
  ensureVscodeTools(options?: { log?: (line: string) => void }): void;
  vscodeToolsReady(): boolean;
  node24Path(): string;
  codeServerEntry(): string;
  playwrightCoreEntry(): string;
  chromiumPath(): string;
  requireChromium(): string;
}

export async function loadVscodeTools(): Promise<VscodeTools> {
  const url = pathToFileURL(join(repoRoot(), 'scripts', 'vscode-tools.mjs')).href;
  return (await import(url)) as VscodeTools;
}

/** Packages dist/ (built already) into a .vsix at `out` with @vscode/vsce, as `npm run package` does; returns `out`. */
export function packageVsix(out: string): string {
  const root = repoRoot();
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const packaged = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out], { cwd: root, encoding: 'utf8' });
  if (packaged.status !== 0) throw new Error(`vsce package failed (exit ${String(packaged.status)}):\n${packaged.stderr}${packaged.stdout}`);
  return out;
}

export interface CodeServerOptions {
  /** Every file code-server writes goes under here (created when missing). */
  readonly dir: string;
  /** Lets a page URL carry extensionDevelopmentPath / extensionTestsPath (the test payload). */
  readonly smokeTestDriver?: boolean;
  /** Extensions to install first (.vsix paths), into the throwaway extensions folder. */
  readonly installExtensions?: readonly string[];
  /** Extra variables for code-server and its extension host. */
  readonly env?: NodeJS.ProcessEnv;
  readonly startTimeoutMs?: number;
  /** Receives code-server's output lines (also kept in `<dir>/code-server.log`). */
  readonly onLine?: (line: string) => void;
}

export interface CodeServer {
  /** http://127.0.0.1:<port> (no trailing slash). */
  readonly url: string;
  /** `127.0.0.1:<port>`: the authority of vscode-remote:// URIs. */
  readonly authority: string;
  readonly password: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process exits on its own (or is stopped). */
  readonly exited: Promise<number | null>;
  /** Kills the whole process group (SIGTERM, then SIGKILL). Safe to call twice. */
  stop(): Promise<void>;
}

/** A quiet, fast workbench: no welcome page, no AI chat panel, no update or gallery checks. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
};

const LISTENING = /HTTP server listening on (http:\/\/[^\s/]+)/;

/** Environment for code-server: throwaway HOME and XDG dirs, nothing leaking from a surrounding VS Code or Claude Code. */
function serverEnv(dir: string, password: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_|CLAUDE|ANTHROPIC|NODE_OPTIONS$|npm_)/i.test(key)) continue;
    env[key] = value;
  }
  const xdg = (name: string): string => {
    const path = join(dir, 'xdg', name);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  };
  return {
    ...env,
    HOME: join(dir, 'home'),
    XDG_CONFIG_HOME: xdg('config'),
    XDG_DATA_HOME: xdg('data'),
    XDG_CACHE_HOME: xdg('cache'),
    XDG_STATE_HOME: xdg('state'),
    XDG_RUNTIME_DIR: xdg('runtime'),
    PASSWORD: password,
    ...extra,
  };
}

function baseArgs(dir: string): string[] {
  return [
    '--config', join(dir, 'config.yaml'),
    '--user-data-dir', join(dir, 'user-data'),
    '--extensions-dir', join(dir, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
  ];
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Starts code-server; resolves once it listens. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const tools = await loadVscodeTools();
  const { dir } = options;
  mkdirSync(join(dir, 'home'), { recursive: true, mode: 0o700 });
  // An empty config file: code-server otherwise writes one with its own password into HOME.
  writeFileSync(join(dir, 'config.yaml'), '', { mode: 0o600 });
  mkdirSync(join(dir, 'user-data', 'User'), { recursive: true });
  writeFileSync(join(dir, 'user-data', 'User', 'settings.json'), `${JSON.stringify(USER_SETTINGS, null, 2)}\n`);
  const password = randomBytes(18).toString('base64url');
  const env = serverEnv(dir, password, options.env ?? {});
  const logFile = join(dir, 'code-server.log');

  for (const vsix of options.installExtensions ?? []) {
    const installed = spawnSync(tools.node24Path(), [tools.codeServerEntry(), ...baseArgs(dir), '--force', '--install-extension', vsix], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
      killSignal: 'SIGKILL',
    });
    if (installed.status !== 0) throw new Error(`code-server --install-extension ${vsix} exited ${String(installed.status)}: ${installed.stderr}${installed.stdout}`);
  }

  const args = [
    tools.codeServerEntry(),
    ...baseArgs(dir),
    '--auth', 'password',
    '--bind-addr', '127.0.0.1:0',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(options.smokeTestDriver === true ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  const logFd = openSync(logFile, 'a', 0o600);
  const child = spawn(tools.node24Path(), args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stopOnExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', stopOnExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stopOnExit);
    killGroup(child, 'SIGTERM');
    const grace = new Promise<void>((resolve) => setTimeout(resolve, 3000).unref());
    await Promise.race([exited, grace]);
    // Its children (extension host, file watcher, pty host) may still be in the group.
    killGroup(child, 'SIGKILL');
    try {
      closeSync(logFd);
    } catch {
      // Closed already.
    }
  };

  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    let found = false;
    const timer = setTimeout(() => fail(new Error(`code-server did not listen within ${options.startTimeoutMs ?? 60_000} ms; see ${logFile}`)), options.startTimeoutMs ?? 60_000);
    timer.unref();
    function fail(error: Error): void {
      clearTimeout(timer);
      void stop().then(() => reject(error));
    }
    const onData = (chunk: Buffer): void => {
      writeSafely(logFd, chunk);
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        options.onLine?.(line);
        const match = LISTENING.exec(line);
        if (match?.[1] !== undefined && !found) {
          found = true;
          clearTimeout(timer);
          resolve(match[1]);
        }
        newline = buffered.indexOf('\n');
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => fail(error));
    void exited.then((code) => {
      if (!found) fail(new Error(`code-server exited ${String(code)} before listening; see ${logFile}`));
    });
  });
  if (child.pid === undefined) throw new Error('code-server has no pid');
  return { url, authority: new URL(url).host, password, pid: child.pid, logFile, exited, stop };
}

function writeSafely(fd: number, chunk: Buffer): void {
  try {
    writeFileSync(fd, chunk);
  } catch {
    // The log is a convenience; a closed file must not break the run.
  }
}

/** Logs a browser page in to code-server with its one-time password. */
export async function login(page: Page, server: CodeServer): Promise<void> {
  await page.goto(`${server.url}/login`);
  await page.locator('input[type=password]').fill(server.password);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/login'), { timeout: 30_000 }), page.keyboard.press('Enter')]);
}
