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
  grow(delta: number): number;
  set(index: number, value: unknown): void;
}
/** A compiled WebAssembly module: one compile, shareable with other threads of the process. */
export interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: WasmImports): Promise<{ instance: WasmInstance }>;
  instantiate(module: WasmModule, imports: WasmImports): Promise<WasmInstance>;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  readonly Module: abstract new (...args: never[]) => WasmModule;
  readonly Memory: abstract new (...args: never[]) => WasmMemory;
  readonly Table: abstract new (...args: never[]) => WasmTable;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let loading: Promise<SqlJsStatic> | undefined;
let fromModule = false;
let memory: WasmMemory | undefined;
let table: WasmTable | undefined;
let loaded: SqlJsStatic | undefined;

/**
 * Loads the sql.js WASM once per process: from beside the bundle, else from node_modules; or from
 * a module another thread compiled (and warmed: the code V8 compiled lazily there is shared).
 */
export function loadSqlJs(compiled?: WasmModule): Promise<SqlJsStatic> {
  // The module is instantiated here (Emscripten's documented instantiateWasm hook) only to keep
  // its memory at hand: opening a page file (pagefile/connection.ts) reads the handle that
  // sqlite3_open writes there. Loading is otherwise what sql.js does itself.
  if (loading === undefined) fromModule = compiled !== undefined;
  loading ??= new Promise<SqlJsStatic>((resolve, reject) => {
    const instantiate = (imports: WasmImports): Promise<WasmInstance> => (compiled === undefined
      ? wasm.instantiate(readFileSync(wasmPath('sql-wasm.wasm')), imports).then(({ instance }) => instance)
      : wasm.instantiate(compiled, imports));
    const instantiateWasm = (imports: WasmImports, receive: (instance: WasmInstance) => void): object => {
      instantiate(imports).then((instance) => {
        const values = [...Object.values(instance.exports), ...Object.values(imports).flatMap((module) => Object.values(module))];
        memory = values.find((value): value is WasmMemory => value instanceof wasm.Memory);
        table = values.find((value): value is WasmTable => value instanceof wasm.Table);
        receive(instance);
      }, reject);
      return {};
    };
    initSqlJs({ locateFile: (file: string) => wasmPath(file), instantiateWasm } as Parameters<typeof initSqlJs>[0]).then((sqlJs) => {
      loaded = sqlJs;
      resolve(sqlJs);
    }, reject);
  });
  return loading;
}

/** The WASM memory of the loaded sql.js, once loadSqlJs has resolved (undefined if none was found). */
export function sqlJsMemory(): WasmMemory | undefined {
  return memory;
}

/** The sql.js of this thread, once loadSqlJs has resolved. */
export function sqlJsLoaded(): SqlJsStatic | undefined {
  return loaded;
}

/** The WASM function table of the loaded sql.js, once loadSqlJs has resolved (undefined if none was found). */
export function sqlJsTable(): WasmTable | undefined {
  return table;
}

/** Whether this thread's sql.js was instantiated from a module compiled elsewhere. */
export function sqlJsFromModule(): boolean {
  return fromModule;
}

/** Whether sql.js was loaded (or is loading) in this thread already. */
export function sqlJsLoading(): boolean {
  return loading !== undefined;
}

/** Compiles sql.js's WASM (not instantiated): the start of a warm-up in another thread. */
export function compileSqlJsModule(): Promise<WasmModule> {
  return wasm.compile(readFileSync(wasmPath('sql-wasm.wasm')));
}

/** Whether a value is a compiled WebAssembly module (e.g. one posted by another thread). */
export function isWasmModule(value: unknown): value is WasmModule {
  return value instanceof wasm.Module;
}

function wasmPath(file: string): string {
  const bundled = join(__dirname, file);
  if (existsSync(bundled)) return bundled;
  return require.resolve(`sql.js/dist/${file}`);
}
