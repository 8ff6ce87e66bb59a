import { isUtf8 } from 'node:buffer';
import type { StdinBytes } from './inbox-writer';

// Imported by the hook's tiny bundle: node built-ins only.

/**
 * Stdin as text. Bytes that are not UTF-8 become U+FFFD in the text, as before, but no longer
 * silently: the entry also keeps where the first bad byte was and the exact bytes.
 */
export function decodeStdin(input: string | Buffer): { raw: string; stdin: StdinBytes | undefined } {
  if (typeof input === 'string') return { raw: input, stdin: undefined };
  const raw = input.toString('utf8');
  if (isUtf8(input)) return { raw, stdin: undefined };
  return { raw, stdin: { invalidUtf8At: firstInvalidUtf8(input), base64: input.toString('base64') } };
}

/** Byte offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return bytes.length;
}

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates), or 0. */
function sequenceLength(bytes: Buffer, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  const continuation = (at: number, low = 0x80, high = 0xbf): boolean => {
    const b = bytes[at];
    return b !== undefined && b >= low && b <= high;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return continuation(i + 1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const low = b0 === 0xe0 ? 0xa0 : 0x80;
    const high = b0 === 0xed ? 0x9f : 0xbf;
    return continuation(i + 1, low, high) && continuation(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const low = b0 === 0xf0 ? 0x90 : 0x80;
    const high = b0 === 0xf4 ? 0x8f : 0xbf;
    return continuation(i + 1, low, high) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
  }
  return 0;
}
