// Bounds the nesting depth of a parsed JSON value. A payload is text someone else wrote; one
// nested thousands of levels deep would overflow every recursive walk after it (JSON.stringify,
// the views' folds). Each subtree that starts deeper than the limit is replaced by its JSON text,
// a string, so nothing is lost and the rest of the value keeps its shape. Pure, iterative.

import { MAX_JSON_DEPTH } from './json-depth';
import { formatJsonPath, stringifyJson } from './json-walk';

/** A subtree nested too deep, kept as its JSON text: where it was, and how deep the value went there. */
export interface DepthCut {
  /** Path of the replaced subtree, as metadata writes paths (`tool_input.x[0][0]`). */
  readonly path: string;
  /** The deepest nesting inside it, counted from the value's root (the root object is level 1). */
  readonly depth: number;
}

type Container = unknown[] | Record<string, unknown>;

interface Frame {
  readonly node: Container;
  readonly keys: readonly (string | number)[];
  next: number;
  copy: Container | undefined;
  readonly parent: Frame | undefined;
  readonly key: string | number | undefined;
  /** Level of `node` (the root is 1). */
  readonly depth: number;
}

/**
 * `value` with every array or object that sits deeper than `limit` levels replaced by its JSON
 * text (so the result nests at most `limit` deep), and where each cut was made. Containers on the
 * way to a cut are copied; everything else is shared; the same value comes back when nothing is cut.
 */
export function cutTooDeep(value: unknown, limit = MAX_JSON_DEPTH): { value: unknown; cuts: DepthCut[] } {
  const cuts: DepthCut[] = [];
  if (!isContainer(value)) return { value, cuts };
  if (limit < 1) {
    cuts.push({ path: '', depth: deepestLevel(value) });
    return { value: stringifyJson(value), cuts };
  }
  let frame: Frame | undefined = open(value, undefined, undefined, 1);
  let result: unknown = value;
  while (frame !== undefined) {
    const current: Frame = frame;
    if (current.next < current.keys.length) {
      const key = current.keys[current.next] as string | number;
      current.next += 1;
      const child = (current.node as Record<string | number, unknown>)[key];
      if (!isContainer(child)) continue;
      if (current.depth < limit) {
        frame = open(child, current, key, current.depth + 1);
      } else {
        cuts.push({ path: formatJsonPath(pathTo(current, key)), depth: current.depth + deepestLevel(child) });
        set(current, key, stringifyJson(child));
      }
      continue;
    }
    const done = current.copy ?? current.node;
    if (current.parent === undefined) result = done;
    else if (current.copy !== undefined) set(current.parent, current.key as string | number, current.copy);
    frame = current.parent;
  }
  return { value: result, cuts };
}

/** How many levels of arrays and objects `value` holds (a container with no container inside is 1). */
function deepestLevel(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, level] = stack.pop() as [unknown, number];
    if (!isContainer(node)) continue;
    if (level > deepest) deepest = level;
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (isContainer(child)) stack.push([child, level + 1]);
  }
  return deepest;
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
