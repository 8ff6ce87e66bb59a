// Builds every bundle with esbuild. The hook entry point is its own tiny bundle: no vscode, zod or sql.js.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// mainFields: jsonc-parser's UMD build hides its requires from esbuild; its ESM build bundles.
const common = { mainFields: ['module', 'main'], bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root };

mkdirSync(join(root, 'dist'), { recursive: true });
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), join(root, 'dist', 'sql-wasm.wasm'));

const entries = [
  // `logbook` bin: the hook path is inline; every other subcommand loads cli.js lazily.
  build({ ...common, entryPoints: ['src/cli/logbook.ts'], outfile: 'dist/logbook.js', external: ['./cli.js'], banner: { js: '#!/usr/bin/env node' }, sourcemap: false, minify: true }),
  build({ ...common, entryPoints: ['src/capture/hook-main.ts'], outfile: 'dist/hook.js', sourcemap: false, minify: true }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' }),
  build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['scripts/start.ts'], outfile: 'dist/start.js' }),
  build({ ...common, entryPoints: ['bench/main.ts'], outfile: 'dist/bench.js' }),
];
await Promise.all(entries);
