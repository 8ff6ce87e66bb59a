// Walks over parsed JSON values with an explicit stack instead of recursion: a payload is text
// someone else wrote, and one nested a few thousand levels deep would overflow the call stack
// of a recursive walk (and with it every ingest pass after it). Pure, dependency-free.

type Container = unknown[] | Record<string, unknown>;

interface Frame {
  readonly node: Container;
  readonly keys: readonly (string | number)[];
  next: number;
  /** A shallow copy, made when the first child changes. */
  copy: Container | undefined;
  readonly parent: Frame | undefined;
  readonly key: string | number | undefined;
  /** Level of `node` (the root is 1). */
  readonly depth: number;
}

/** A place in a value, as metadata and messages write it: `tool_input.edits[2].old_string`. */
export function formatJsonPath(segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) path = typeof segment === 'number' ? `${path}[${segment}]` : path === '' ? segment : `${path}.${segment}`;
  return path;
}

/**
 * `value` with every string replaced by `map(text, path)`; containers on the way to a changed
 * string are copied, everything else is shared, and the very same value comes back when nothing
 * changed. `path()` builds the string's path only when asked (most walks never ask); `key` is the
 * string's own key or index (undefined for a top-level string), for rules that look at the name.
 */
export function mapJsonStrings(value: unknown, map: (text: string, path: () => string, key: string | number | undefined) => string): unknown {
  if (typeof value === 'string') return map(value, () => '', undefined);
  return mapJsonChildren(value, (child, key, _depth, path) => {
    if (typeof child !== 'string') return undefined;
    const mapped = map(child, path, key);
    return mapped === child ? undefined : { replace: mapped };
  });
}

/** What a walk does with one value inside a container: walk on into it (undefined), or put `replace` in its place. */
export type ChildVisit = { readonly replace: unknown } | undefined;

/**
 * Walks every value inside `value` (a container), depth first, calling `visit` with the value,
 * its key or index, the level of the container holding it (the root is 1) and its path. A value
 * `visit` replaces is not walked into. Containers on the way to a replacement are copied,
 * everything else is shared, and the very same value comes back when nothing was replaced.
 */
export function mapJsonChildren(value: unknown, visit: (child: unknown, key: string | number, depth: number, path: () => string) => ChildVisit): unknown {
  if (!isContainer(value)) return value;
  let frame: Frame | undefined = open(value, undefined, undefined, 1);
  let result: unknown = value;
  while (frame !== undefined) {
    const current: Frame = frame;
    if (current.next < current.keys.length) {
      const key = current.keys[current.next] as string | number;
      current.next += 1;
      const child = (current.node as Record<string | number, unknown>)[key];
      const verdict = visit(child, key, current.depth, () => formatJsonPath(pathTo(current, key)));
      if (verdict !== undefined) set(current, key, verdict.replace);
      else if (isContainer(child)) frame = open(child, current, key, current.depth + 1);
      continue;
    }
    const done = current.copy ?? current.node;
    if (current.parent === undefined) result = done;
    else if (current.copy !== undefined) set(current.parent, current.key as string | number, current.copy);
    frame = current.parent;
  }
  return result;
}

/** Calls `visit` on every string, number and boolean of `value`, in document order, until it returns false. */
export function visitJsonLeaves(value: unknown, visit: (leaf: string | number | boolean) => boolean): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
      if (!visit(node)) return;
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i -= 1) stack.push(node[i]);
    } else if (node !== null && typeof node === 'object') {
      const values = Object.values(node);
      for (let i = values.length - 1; i >= 0; i -= 1) stack.push(values[i]);
    }
  }
}

/** JSON.stringify of a JSON value (no indentation), without recursion: the same text for any depth. */
export function stringifyJson(value: unknown): string {
  const parts: string[] = [];
  // Work items: a value to write, or a literal piece of punctuation to emit.
  const stack: ({ readonly value: unknown } | string)[] = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop() as { readonly value: unknown } | string;
    if (typeof item === 'string') {
      parts.push(item);
      continue;
    }
    const node = item.value;
    if (Array.isArray(node)) {
      stack.push(']');
      for (let i = node.length - 1; i >= 0; i -= 1) {
        const element: unknown = node[i];
        stack.push({ value: isWritable(element) ? element : null });
        if (i > 0) stack.push(',');
      }
      parts.push('[');
    } else if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node).filter(([, v]) => isWritable(v));
      stack.push('}');
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, v] = entries[i] as [string, unknown];
        stack.push({ value: v });
        stack.push(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:`);
      }
      parts.push('{');
    } else {
      parts.push(JSON.stringify(node) ?? 'null');
    }
  }
  return parts.join('');
}

/** What JSON.stringify writes at all: functions, symbols and undefined are left out. */
function isWritable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

function isContainer(value: unknown): value is Container {
  return value !== null && typeof value === 'object';
}

function open(node: Container, parent: Frame | undefined, key: string | number | undefined, depth: number): Frame {
  const keys = Array.isArray(node) ? Array.from(node.keys()) : Object.keys(node);
  return { node, keys, next: 0, copy: undefined, parent, key, depth };
}

function set(frame: Frame, key: string | number, value: unknown): void {
  if (frame.copy === undefined) frame.copy = Array.isArray(frame.node) ? frame.node.slice() : { ...frame.node };
  // defineProperty: a key named "__proto__" (JSON.parse makes it an own key) must stay a key.
  Object.defineProperty(frame.copy, key, { value, writable: true, enumerable: true, configurable: true });
}

function pathTo(frame: Frame, key: string | number): (string | number)[] {
  const segments: (string | number)[] = [key];
  for (let at: Frame | undefined = frame; at?.parent !== undefined; at = at.parent) segments.push(at.key as string | number);
  return segments.reverse();
}
