// Bounds the nesting depth of a parsed JSON value. A payload is text someone else wrote; one
// nested thousands of levels deep would overflow every recursive walk after it (JSON.stringify,
// the views' folds). Each subtree that starts deeper than the limit is replaced by its JSON text,
// a string, so nothing is lost and the rest of the value keeps its shape. Pure, iterative.

import { MAX_JSON_DEPTH } from './json-depth';
import { mapJsonChildren, stringifyJson } from './json-walk';

/** A subtree nested too deep, kept as its JSON text: where it was, and how deep the value went there. */
export interface DepthCut {
  /** Path of the replaced subtree, as metadata writes paths (`tool_input.x[0][0]`). */
  readonly path: string;
  /** The deepest nesting inside it, counted from the value's root (the root object is level 1). */
  readonly depth: number;
}

type Container = unknown[] | Record<string, unknown>;

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
  const result = mapJsonChildren(value, (child, _key, depth, path) => {
    if (!isContainer(child) || depth < limit) return undefined;
    cuts.push({ path: path(), depth: depth + deepestLevel(child) });
    return { replace: stringifyJson(child) };
  });
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
