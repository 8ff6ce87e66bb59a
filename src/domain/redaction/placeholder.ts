import { createHmac } from 'node:crypto';

// What a secret becomes: `[REDACTED:<rule>:<8 hex>]`. It names the rule and carries the start of
// the keyed hash, so a reader sees what was there and which occurrences were the same value. No
// detector may match it, and a finding that overlaps one is dropped (redactor.ts), so redacting a
// redacted text changes nothing: a rebuild from redacted raw copies gives the same store.

/** The rule name as the placeholder writes it: no brackets or spaces, at most 100 characters. */
function placeholderRule(rule: string): string {
  return rule.replace(/[[\]\s]/g, '_').slice(0, 100);
}

export function placeholder(rule: string, hash: string): string {
  return `[REDACTED:${placeholderRule(rule)}:${hash.slice(0, 8)}]`;
}

// Bounded repetition: at most 120 steps back per "[REDACTED:" found.
const PLACEHOLDER = /\[REDACTED:[^[\]\s]{1,120}:[0-9a-f]{8}\]/g;
const WHOLE_PLACEHOLDER = /^\[REDACTED:[^[\]\s]{1,120}:[0-9a-f]{8}\]$/;

/** [start, end) of every placeholder in `text`, in order. */
export function placeholderSpans(text: string): [number, number][] {
  if (!text.includes('[REDACTED:')) return [];
  const spans: [number, number][] = [];
  PLACEHOLDER.lastIndex = 0;
  for (let m = PLACEHOLDER.exec(text); m !== null; m = PLACEHOLDER.exec(text)) spans.push([m.index, m.index + m[0].length]);
  return spans;
}

export function isPlaceholder(text: string): boolean {
  return text.length <= 160 && WHOLE_PLACEHOLDER.test(text);
}

/**
 * HMAC-SHA256 of `secret` under `key`, first 16 hex digits: the same secret gives the same hash
 * in every event, but a short password cannot be brute-forced from the store without the key.
 */
export function keyedHash(key: Uint8Array, secret: string): string {
  return createHmac('sha256', key).update(secret, 'utf8').digest('hex').slice(0, 16);
}
