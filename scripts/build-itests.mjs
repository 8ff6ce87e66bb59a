// Bundles the in-host integration suites (test/integration/*.itest.ts) with their harness into
// dist-itest/suite.js, the module VS Code loads as extensionTestsPath (it exports run()).
// `vscode` stays external (the extension host provides it); the sql.js wasm is copied beside the
// bundle so suites can open the store with the project's own code.
// Usage: node scripts/build-itests.mjs [test/integration/x.itest.ts ...]  (default: all of them)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
export const outDir = join(root, 'dist-itest');
export const suiteBundle = join(outDir, 'suite.js');

export async function buildItests(files) {
  const suites = files.length > 0
    ? files.map((file) => resolve(root, file))
    : readdirSync(join(root, 'test', 'integration')).filter((f) => f.endsWith('.itest.ts')).sort().map((f) => join(root, 'test', 'integration', f));
  const imports = suites.map((file) => `import ${JSON.stringify(`./${relative(root, file).split('\\').join('/')}`)};`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), join(outDir, 'sql-wasm.wasm'));
  await build({
    stdin: {
      // The harness first: suites register into it as their modules load, in file order.
      contents: [`export { run } from './test/integration/harness';`, ...imports].join('\n'),
      resolveDir: root,
      sourcefile: 'itest-entry.ts',
      loader: 'ts',
    },
    outfile: suiteBundle,
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return { bundle: suiteBundle, suites };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { bundle, suites } = await buildItests(process.argv.slice(2));
  console.log(`built ${relative(root, bundle)} from ${suites.length} suite(s)`);
}
