// JS functions SQLite calls through the WASM function table (the page-file VFS's methods). A JS
// function must be wrapped in a WASM function to go into the table; sql.js's addFunction makes a
// module per function, and its first call first walks the whole table (about 7 ms of every store
// opened, with the VFS's 17 methods). Here one small module imports them all and exports them
// back as WASM functions: one compile for all of them.

/** A JS function SQLite calls; i64 arguments arrive as bigint. */
export type TableFn = (...args: (number | bigint)[]) => number;

/** What is used of the WASM function table: growing it and setting a slot. */
export interface GrowableTable {
  grow(delta: number): number;
  set(index: number, value: unknown): void;
}

interface SyncWasm {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (module: unknown, imports: Record<string, Record<string, TableFn>>) => { readonly exports: Record<string, unknown> };
}

// Emscripten's signature letters (the first is the result): i32, i64, f32, f64, v (no result).
const VALUE_TYPES: Readonly<Record<string, number>> = { i: 0x7f, j: 0x7e, f: 0x7d, d: 0x7c };

/**
 * Puts `functions` (each with its Emscripten signature, e.g. 'iiiij') into `table`, in new slots;
 * returns their indices, in order.
 */
export function addFunctionsToTable(table: GrowableTable, functions: readonly (readonly [TableFn, string])[]): number[] {
  if (functions.length === 0) return [];
  const wasm = (globalThis as unknown as { WebAssembly: SyncWasm }).WebAssembly;
  const instance = new wasm.Instance(new wasm.Module(moduleBytes(functions.map(([, signature]) => signature))), { e: Object.fromEntries(functions.map(([fn], i) => [`f${i}`, fn])) });
  const first = table.grow(functions.length);
  return functions.map((_, i) => {
    table.set(first + i, instance.exports[`f${i}`]);
    return first + i;
  });
}

/** A module importing one function per signature (`e`.`f<i>`) and exporting each as `f<i>`. */
export function moduleBytes(signatures: readonly string[]): Uint8Array {
  const types = [...new Set(signatures)];
  const typeSection = vector(types.map((signature) => [0x60, ...vector([...signature.slice(1)].map((c) => [valueType(c, signature)])), ...resultTypes(signature)]));
  const importSection = vector(signatures.map((signature, i) => [...name('e'), ...name(`f${i}`), 0x00, ...uleb(types.indexOf(signature))]));
  const exportSection = vector(signatures.map((_, i) => [...name(`f${i}`), 0x00, ...uleb(i)]));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...section(1, typeSection), ...section(2, importSection), ...section(7, exportSection)]);
}

function resultTypes(signature: string): number[] {
  const result = signature[0] ?? 'v';
  return result === 'v' ? [0x00] : [0x01, valueType(result, signature)];
}

function valueType(letter: string, signature: string): number {
  const type = VALUE_TYPES[letter];
  if (type === undefined) throw new Error(`unknown WASM signature letter ${JSON.stringify(letter)} in ${JSON.stringify(signature)}`);
  return type;
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vector(items: readonly number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

function uleb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    out.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return out;
}
