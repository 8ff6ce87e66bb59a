// A session's title: its first prompt, shortened. Sessions are otherwise named by a UUID, which
// nobody recognises. The prompt is untrusted text: views render the title as text, and what
// could still mislead a reader there (controls, bidi overrides that reorder what follows, runs of
// whitespace that push the rest off a row) is taken out here.

/** Characters a title keeps (after whitespace is collapsed). */
export const TITLE_LENGTH = 120;

// C0/C1 controls (tab and newlines become spaces first), bidi embeddings, overrides and
// isolates, zero-width and BOM characters.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** The title for a prompt, or null when nothing readable is left. */
export function sessionTitle(prompt: string): string | null {
  // Only the start of a 100 KB prompt matters: bounded work whatever the input.
  const head = prompt.slice(0, TITLE_LENGTH * 8).replace(/\s+/g, ' ').replace(INVISIBLE, '').trim();
  if (head === '') return null;
  const chars = Array.from(head);
  if (chars.length <= TITLE_LENGTH) return head;
  return `${chars.slice(0, TITLE_LENGTH - 1).join('').trimEnd()}…`;
}
