import { createHash } from 'node:crypto';
import { mapJsonStrings } from '../domain/json-walk';

/** A string field cut to the size cap: where, how big it was, and a hash of the whole value. */
export interface FieldCut {
  readonly path: string;
  readonly originalBytes: number;
  readonly keptBytes: number;
  readonly sha256: string;
}

/**
 * Caps every string in `value` at `maxBytes` UTF-8 bytes and records each cut, so a huge
 * tool_response is bounded in the store without being silently truncated. The walk is
 * iterative (json-walk.ts): a payload nested thousands of levels deep cannot overflow it.
 */
export function capFields(value: unknown, maxBytes: number): { value: unknown; cuts: FieldCut[] } {
  const cuts: FieldCut[] = [];
  const capped = mapJsonStrings(value, (text, path) => {
    // A string of n UTF-16 units is at most 3n UTF-8 bytes: most strings skip the count.
    if (text.length * 3 <= maxBytes) return text;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= maxBytes) return text;
    const kept = cutUtf8(text, maxBytes);
    cuts.push({ path: path(), originalBytes: bytes, keptBytes: Buffer.byteLength(kept, 'utf8'), sha256: createHash('sha256').update(text, 'utf8').digest('hex') });
    return kept;
  });
  return { value: capped, cuts };
}

/** The longest prefix of `text` within `maxBytes`, never splitting a character. */
function cutUtf8(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text, 'utf8');
  let end = maxBytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so the cut lands on a character start.
  while (end > 0 && ((buffer[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return buffer.subarray(0, end).toString('utf8');
}
