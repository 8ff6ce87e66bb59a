// `n.toLocaleString('en-US')` loads ICU's locale data on its first call: about 18 ms, which the CLI
// paid at start-up just to word its option rules. Counts only need thousands separators.

/** An integer with thousands separators, as `toLocaleString('en-US')` writes it: 1234567 → "1,234,567". */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = digits.slice(Math.max(0, end - 3), end) + (out === '' ? '' : `,${out}`);
  return n < 0 ? `-${out}` : out;
}
