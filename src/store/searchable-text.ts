// What the full-text index sees of an event: its type and the string values of its data
// (not the keys, which every event of a type shares), bounded so one huge tool output
// does not dominate the index.
const MAX_INDEXED_CHARS = 32_768;

export function searchableText(type: string, data: unknown): string {
  const parts: string[] = [type];
  let budget = MAX_INDEXED_CHARS;
  const visit = (value: unknown): void => {
    if (budget <= 0) return;
    if (typeof value === 'string') {
      const text = value.length > budget ? value.slice(0, budget) : value;
      parts.push(text);
      budget -= text.length;
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      parts.push(String(value));
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) visit(item);
    }
  };
  visit(data);
  return parts.join(' ');
}
