import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addFunctionsToTable, moduleBytes } from '../../src/store/pagefile/wasm-functions';
import type { GrowableTable } from '../../src/store/pagefile/wasm-functions';

interface TestTable extends GrowableTable {
  readonly length: number;
  get(index: number): ((...args: (number | bigint)[]) => number) | null;
}
const wasm = (globalThis as unknown as { WebAssembly: { Table: new (d: { element: string; initial: number }) => TestTable; validate(bytes: Uint8Array): boolean } }).WebAssembly;

test('JS functions go into new slots of a WASM table in one module, each callable there with its own signature (i64 as bigint)', () => {
  const table = new wasm.Table({ element: 'anyfunc', initial: 3 });
  const seen: unknown[][] = [];
  const indices = addFunctionsToTable(table, [
    [(a, b) => { seen.push([a, b]); return Number(a) + Number(b); }, 'iij'],
    [(a) => { seen.push([a]); return Number(a) * 2; }, 'ii'],
    [() => 7, 'i'],
    [(a, b, c, d, e) => Number(a) + Number(b) + Number(c) + Number(d) + Number(e), 'iiiiii'],
  ]);
  assert.deepEqual(indices, [3, 4, 5, 6], 'slots after the existing ones');
  assert.equal(table.length, 7);
  assert.equal(table.get(0), null, 'existing slots untouched');
  assert.equal(table.get(3)?.(2, 40n), 42);
  assert.equal(table.get(4)?.(21), 42);
  assert.equal(table.get(5)?.(), 7);
  assert.equal(table.get(6)?.(1, 2, 3, 4, 5), 15);
  assert.deepEqual(seen, [[2, 40n], [21]], 'i64 arguments arrive as bigint');
});

test('the module is valid WebAssembly for any mix of signatures, even past 127 imports (multi-byte lengths); an unknown letter is refused', () => {
  const signatures = Array.from({ length: 200 }, (_, i) => ['ii', 'iiiij', 'vi', 'jj', 'dfi'][i % 5] as string);
  assert.equal(wasm.validate(moduleBytes(signatures)), true);
  assert.equal(wasm.validate(moduleBytes(['v'])), true);
  assert.throws(() => moduleBytes(['ix']), /unknown WASM signature letter "x"/);
});
