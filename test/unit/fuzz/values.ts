import type { Random } from '../session-stream-gen';

// Hostile values and texts shared by the fuzz generators: keys that reach the prototype or look
// like internal streams, values of the wrong type, huge strings, structures nested thousands
// deep, and byte-level damage to a text (truncation, random bytes, invalid UTF-8).

/** A key a payload may carry that a careless fold would trip on. */
export function hostileKey(r: Random): string {
  return r.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$quarantine', '$x', '', ' ', '0', '1e3', 'tool#1', 'permission#1', '→', '\u0000', 'é', '🙂', 'a'.repeat(300)]);
}

/** A JSON value of some type a field was not meant to hold. */
export function wrongValue(r: Random): unknown {
  return r.pick<() => unknown>([
    () => null, () => true, () => 0, () => -1, () => 1e308, () => -0.5, () => '', () => 'x', () => [], () => [1, 'a', null],
    () => ({}), () => ({ nested: { a: [1] } }), () => JSON.parse('{"__proto__":"x"}') as unknown, () => Number.MAX_SAFE_INTEGER + 2, () => '2026-13-45T99:99:99Z',
  ])();
}

/** 64 KB to 128 KB of text (past the default field cap), sometimes with control characters and surrogates. */
export function hugeString(r: Random): string {
  const unit = r.pick(['a', 'é', '🙂', '\u0000\u001f', '\ud800', 'line\n']);
  return unit.repeat(Math.ceil((65_536 + r.int(65_536)) / unit.length));
}

/** Arrays or objects nested `depth` levels deep, built without recursion. */
export function deepValue(r: Random, depth: number): unknown {
  const asObject = r.chance(0.5);
  let value: unknown = r.pick<unknown>(['leaf', 1, null]);
  for (let i = 0; i < depth; i += 1) value = asObject ? { k: value } : [value];
  return value;
}

/** The JSON text of a structure nested `depth` levels deep (for inputs read as text). */
export function deepJsonText(r: Random, depth: number): string {
  return r.chance(0.5) ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"k":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Random bytes, often invalid UTF-8. */
export function randomBytes(r: Random, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) bytes[i] = r.int(256);
  return bytes;
}

/** A text damaged at the byte level: truncated, spliced with junk, or with invalid UTF-8. */
export function damageText(r: Random, text: string): { readonly bytes: Buffer; readonly how: string } {
  const bytes = Buffer.from(text, 'utf8');
  const at = r.int(bytes.length + 1);
  switch (r.int(6)) {
    case 0: return { bytes: bytes.subarray(0, at), how: 'truncated' };
    case 1: return { bytes: Buffer.concat([bytes.subarray(0, at), randomBytes(r, 1 + r.int(40)), bytes.subarray(at)]), how: 'random bytes inserted' };
    case 2: return { bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), bytes.subarray(at)]), how: 'invalid UTF-8' };
    case 3: return { bytes: Buffer.from(text.replace(/[{}[\]",:]/, () => r.pick(['', '}', '[', ',', '"']))), how: 'one JSON token changed' };
    case 4: return { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]), how: 'byte-order mark' };
    default: return { bytes: Buffer.alloc(0), how: 'empty' };
  }
}
