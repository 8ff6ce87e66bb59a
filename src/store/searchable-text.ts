import { visitJsonLeaves } from '../domain/json-walk';

// What the full-text index sees of an event: its type and the string values of its data
// (not the keys, which every event of a type shares), bounded so one huge tool output
// does not dominate the index. The walk is iterative: a row stored by an earlier version may
// nest deeper than any recursive walk survives.
const MAX_INDEXED_CHARS = 32_768;

export function searchableText(type: string, data: unknown): string {
  const parts: string[] = [type];
  let budget = MAX_INDEXED_CHARS;
  visitJsonLeaves(data, (leaf) => {
    if (typeof leaf !== 'string') {
      parts.push(String(leaf));
      return true;
    }
    const text = leaf.length > budget ? leaf.slice(0, budget) : leaf;
    parts.push(text);
    budget -= text.length;
    return budget > 0;
  });
  return parts.join(' ');
}
