import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

/** The little of the WebAssembly JS API used here (the project's lib, ES2022, does not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
type WasmImports = Record<string, Record<string, unknown>>;
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
/** The module's function table: page-file I/O (pagefile/vfs.ts) calls SQLite's own VFS through it. */
export interface WasmTable {
  get(index: number): ((...args: (number | bigint)[]) => number) | null;
}
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: WasmImports): Promise<{ instance: WasmInstance }>;
  readonly Memory: abstract new (...args: never[]) => WasmMemory;
  readonly Table: abstract new (...args: never[]) => WasmTable;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let loading: Promise<SqlJsStatic> | undefined;
let memory: WasmMemory | undefined;
let table: WasmTable | undefined;

/** Loads the sql.js WASM once per process: from beside the bundle, else from node_modules. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  // The module is instantiated here (Emscripten's documented instantiateWasm hook) only to keep
  // its memory at hand: opening a page file (pagefile/connection.ts) reads the handle that
  // sqlite3_open writes there. Loading is otherwise what sql.js does itself.
  loading ??= new Promise<SqlJsStatic>((resolve, reject) => {
    const instantiateWasm = (imports: WasmImports, receive: (instance: WasmInstance) => void): object => {
      wasm.instantiate(readFileSync(wasmPath('sql-wasm.wasm')), imports).then(({ instance }) => {
        const values = [...Object.values(instance.exports), ...Object.values(imports).flatMap((module) => Object.values(module))];
        memory = values.find((value): value is WasmMemory => value instanceof wasm.Memory);
        table = values.find((value): value is WasmTable => value instanceof wasm.Table);
        receive(instance);
      }, reject);
      return {};
    };
    initSqlJs({ locateFile: (file: string) => wasmPath(file), instantiateWasm } as Parameters<typeof initSqlJs>[0]).then(resolve, reject);
  });
  return loading;
}

/** The WASM memory of the loaded sql.js, once loadSqlJs has resolved (undefined if none was found). */
export function sqlJsMemory(): WasmMemory | undefined {
  return memory;
}

/** The WASM function table of the loaded sql.js, once loadSqlJs has resolved (undefined if none was found). */
export function sqlJsTable(): WasmTable | undefined {
  return table;
}

function wasmPath(file: string): string {
  const bundled = join(__dirname, file);
  if (existsSync(bundled)) return bundled;
  return require.resolve(`sql.js/dist/${file}`);
}
