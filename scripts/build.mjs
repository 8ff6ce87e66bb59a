// Builds every bundle with esbuild. The hook entry point is its own tiny bundle: no vscode, zod or sql.js.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// `logbook --version` (src/cli/version.ts): package.json's version, written into the CLI bundle.
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
// mainFields: jsonc-parser's UMD build hides its requires from esbuild; its ESM build bundles.
const common = { mainFields: ['module', 'main'], bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root };

mkdirSync(join(root, 'dist'), { recursive: true });
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), join(root, 'dist', 'sql-wasm.wasm'));

const entries = [
  // `logbook` bin: the hook path is inline; every other subcommand loads cli.js lazily.
  build({ ...common, entryPoints: ['src/cli/logbook.ts'], outfile: 'dist/logbook.js', external: ['./cli.js'], banner: { js: '#!/usr/bin/env node' }, sourcemap: false, minify: true }),
  build({ ...common, entryPoints: ['src/capture/hook-main.ts'], outfile: 'dist/hook.js', sourcemap: false, minify: true }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', minify: true, define: { LOGBOOK_VERSION: JSON.stringify(version) } }),
  build({ ...common, entryPoints: ['scripts/make-code-cache.ts'], outfile: 'dist/make-code-cache.js', sourcemap: false }),
  build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  // The extension's writer runs in a worker thread, from its own bundle beside extension.js.
  build({ ...common, entryPoints: ['src/ingest/worker/ingest-worker.ts'], outfile: 'dist/ingest-worker.js' }),
  build({ ...common, entryPoints: ['src/store/sqljs-warm/warm-worker.ts'], outfile: 'dist/sqljs-warm.js' }),
  build({ ...common, entryPoints: ['scripts/start.ts'], outfile: 'dist/start.js' }),
  build({ ...common, entryPoints: ['bench/main.ts'], outfile: 'dist/bench.js' }),
];

// Webviews: one browser bundle per webview/<view>/main.ts, plus codicons and the shared stylesheet.
const webviewOut = join(root, 'dist', 'webview');
mkdirSync(webviewOut, { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(join(root, 'node_modules', '@vscode', 'codicons', 'dist', file), join(webviewOut, file));
copyFileSync(join(root, 'media', 'webview', 'webview.css'), join(webviewOut, 'webview.css'));
const views = readdirSync(join(root, 'webview'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'webview', entry.name, 'main.ts')))
  .map((entry) => entry.name);
for (const view of views) {
  entries.push(build({ entryPoints: [`webview/${view}/main.ts`], outfile: `dist/webview/${view}.js`, bundle: true, platform: 'browser', target: 'chrome120', format: 'iife', minify: true, sourcemap: false, logLevel: 'warning', absWorkingDir: root }));
}
await Promise.all(entries);
// V8's code cache for the CLI bundle, made by this Node under the flags `logbook` runs commands with.
execFileSync(process.execPath, [join(root, 'dist', 'make-code-cache.js'), join(root, 'dist', 'cli.js')], { stdio: 'inherit' });
// A view's CSS is whatever its main.ts imports (esbuild writes <view>.css); every page links one.
for (const view of views) if (!existsSync(join(webviewOut, `${view}.css`))) writeFileSync(join(webviewOut, `${view}.css`), '');
