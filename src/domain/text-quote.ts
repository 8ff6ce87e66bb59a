// A value a user or an agent gave, quoted inside a message: bounded, so a 100 KB argument never
// floods a terminal or a tool result, and escaped, so it cannot move the cursor or recolour it.

import { groupDigits } from './group-digits';

/** How many characters of a quoted value a message shows. */
export const QUOTE_MAX_CHARS = 80;

/** `"value"`, or `"first 80 characters"… (N characters)` when it is longer. */
export function quoteShort(value: string, max = QUOTE_MAX_CHARS): string {
  if (value.length <= max) return escapeForMessage(JSON.stringify(value));
  let head = value.slice(0, max);
  // Never leave half of a surrogate pair at the cut.
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${escapeForMessage(JSON.stringify(head))}… (${groupDigits(value.length)} characters)`;
}

/** JSON.stringify escapes C0 controls; C1 controls, line separators and bidi overrides too. */
function escapeForMessage(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
