import { existsSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/** Loads the sql.js WASM once per process: from beside the bundle, else from node_modules. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= initSqlJs({ locateFile: (file: string) => wasmPath(file) });
  return loading;
}

function wasmPath(file: string): string {
  const bundled = join(__dirname, file);
  if (existsSync(bundled)) return bundled;
  return require.resolve(`sql.js/dist/${file}`);
}
