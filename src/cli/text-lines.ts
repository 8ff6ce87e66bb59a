// How read commands lay out an answer: a line at a time, so a long answer stops when its reader does.

/** JSON.stringify(items, null, 2), an item at a time, so a long answer can stop when its reader does. */
export function* jsonArrayLines(items: readonly unknown[]): Generator<string> {
  if (items.length === 0) {
    yield '[]';
    return;
  }
  yield '[';
  for (let i = 0; i < items.length; i += 1) {
    // JSON strings hold no raw line break, so indenting every line nests the item exactly.
    yield `  ${JSON.stringify(items[i], null, 2).replace(/\n/g, '\n  ')}${i < items.length - 1 ? ',' : ''}`;
  }
  yield ']';
}

export function* tableLines(header: string[], rows: string[][]): Generator<string> {
  // A loop, not Math.max(...rows): a spread of a few hundred thousand rows overflows the stack.
  const widths = header.map((h) => h.length);
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  yield line(header);
  for (const row of rows) yield line(row);
}
