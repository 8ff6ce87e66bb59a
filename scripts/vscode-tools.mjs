// The tools that run a real VS Code here: code-server (VS Code served to a browser, with a real Node
// extension host) and playwright-core driving Debian's chromium. See /work/shared/VSCODE-TESTING.md.
//
// code-server 4.139 refuses Node 20, so it gets its own Node 24 (the npm package node-linux-<arch>,
// pinned, unpacked into the gitignored .tools/node24) and its own folder with a committed lockfile
// (tools/vscode/), installed by `npm ci` with that Node first on PATH and npm_config_nodedir pointing
// at its headers, so native modules compile for the Node that loads them.
//
// Idempotent and fast once done: a stamp records the lockfile hash and the Node version it was
// installed with. `node scripts/vscode-tools.mjs` installs (when needed) and prints the paths.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Pinned: the integration tier and `npm start` run on exactly this Node. */
export const NODE24_VERSION = '24.21.0';
export const toolsDir = join(root, '.tools');
export const node24Dir = join(toolsDir, 'node24');
export const vscodeToolsDir = join(root, 'tools', 'vscode');
/** The apt packages the tools need: chromium to drive, libkrb5-dev and a compiler for code-server's native modules. */
export const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'build-essential', 'python3', 'pkg-config'];
export const APT_HINT = 'apt-get install -y chromium libkrb5-dev';

const STAMP = join(vscodeToolsDir, 'node_modules', '.logbook-tools.json');

/** The Node 24 binary that runs code-server. */
export function node24Path() {
  return join(node24Dir, 'bin', 'node');
}

/** code-server's entry script (run it with node24Path()). */
export function codeServerEntry() {
  return join(vscodeToolsDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** playwright-core, resolved from the tools folder (import() it: `(await import(url)).chromium`). */
export function playwrightCoreEntry() {
  return join(vscodeToolsDir, 'node_modules', 'playwright-core', 'index.mjs');
}

/** Debian's chromium (override with LOGBOOK_CHROMIUM). */
export function chromiumPath() {
  return process.env.LOGBOOK_CHROMIUM || '/usr/bin/chromium';
}

/** Throws, naming the apt command, when chromium is not installed. */
export function requireChromium() {
  const path = chromiumPath();
  if (!existsSync(path)) throw new Error(`${path} is missing: install it with \`${APT_HINT}\` (as root, or with sudo)`);
  return path;
}

function lockHash() {
  return createHash('sha256').update(readFileSync(join(vscodeToolsDir, 'package-lock.json'))).digest('hex');
}

function readNode24Version() {
  const manifest = join(node24Dir, 'package.json');
  if (!existsSync(manifest) || !existsSync(node24Path())) return undefined;
  try {
    return JSON.parse(readFileSync(manifest, 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** True when node24 and tools/vscode are installed as the lockfile says (no work to do). */
export function vscodeToolsReady() {
  if (readNode24Version() !== NODE24_VERSION || !existsSync(codeServerEntry()) || !existsSync(STAMP)) return false;
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    return stamp.lock === lockHash() && stamp.node === NODE24_VERSION;
  } catch {
    return false;
  }
}

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}`);
}

function npmEnv(extra = {}) {
  // Run from `npm start` or `npm test`, the environment carries the outer npm's identity: the inner
  // npm would take its user agent (node/v20) from npm_config_user_agent, and code-server's install
  // script, which checks that agent for Node 24, would refuse. The inner npm sets its own.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_config_user_agent|npm_node_execpath|npm_execpath|npm_lifecycle_.*|NODE)$/.test(key)));
  return { ...inherited, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

/** Unpacks node-linux-<arch>@NODE24_VERSION (fetched by `npm pack`, integrity checked by npm) into .tools/node24. */
function installNode24(log) {
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw new Error(`no Node 24 package for ${process.platform}-${process.arch}: install Node 24 and code-server yourself`);
  }
  const spec = `node-linux-${process.arch}@${NODE24_VERSION}`;
  log(`installing Node ${NODE24_VERSION} (${spec}) into ${node24Dir}`);
  mkdirSync(toolsDir, { recursive: true });
  const work = mkdtempSync(join(toolsDir, '.node24-'));
  try {
    const packed = spawnSync('npm', ['pack', spec, '--json', '--pack-destination', work], { cwd: work, encoding: 'utf8', env: npmEnv() });
    if (packed.status !== 0) throw new Error(`npm pack ${spec} failed: ${packed.stderr}`);
    const [info] = JSON.parse(packed.stdout);
    run('tar', ['xzf', join(work, info.filename), '-C', work]);
    rmSync(node24Dir, { recursive: true, force: true });
    renameSync(join(work, 'package'), node24Dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Installs whatever is missing or stale; returns quickly when everything is in place. */
export function ensureVscodeTools({ log = (line) => console.log(line) } = {}) {
  if (vscodeToolsReady()) return;
  const started = Date.now();
  if (readNode24Version() !== NODE24_VERSION) installNode24(log);
  log(`installing code-server and playwright-core in ${vscodeToolsDir} with Node ${NODE24_VERSION} (a cold install takes a few minutes)`);
  rmSync(STAMP, { force: true });
  const env = npmEnv({ PATH: `${join(node24Dir, 'bin')}:${process.env.PATH ?? ''}`, npm_config_nodedir: node24Dir });
  // npm's own launcher is `#!/usr/bin/env node`: with node24 first on PATH, npm and every install
  // script (node-gyp included) run on Node 24.
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: vscodeToolsDir, env });
  if (!existsSync(codeServerEntry())) throw new Error(`npm ci finished but ${codeServerEntry()} is missing`);
  writeFileSync(STAMP, `${JSON.stringify({ lock: lockHash(), node: NODE24_VERSION }, null, 2)}\n`);
  log(`VS Code tools installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureVscodeTools();
    console.log(`node24:      ${node24Path()}`);
    console.log(`code-server: ${codeServerEntry()}`);
    console.log(`chromium:    ${existsSync(chromiumPath()) ? chromiumPath() : `missing: ${APT_HINT}`}`);
  } catch (error) {
    console.error(`vscode-tools: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
