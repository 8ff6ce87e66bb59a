import { findNodeAtLocation } from 'jsonc-parser';
import type { Edit, Node } from 'jsonc-parser';
import { SettingsFileError } from './settings-error';
import { findTooDeep, MAX_JSON_DEPTH } from '../domain/json-depth';
import { lineColumn } from '../domain/text-position';

// Minimal edits of JSON files we share with the user and Claude Code (.claude/settings*.json,
// .mcp.json). Written by hand rather than with jsonc-parser's modify(), which re-formats every
// line its edit touches: these touch only the bytes of the entry they add, replace or remove, so
// an uninstall gives the file back byte for byte.

/** The user's indentation unit and line ending, followed by everything we insert. */
export interface Layout {
  readonly eol: string;
  /** One level of indentation. */
  readonly unit: string;
}

export function detectLayout(text: string): Layout {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)\S/m.exec(text)?.[1];
  if (indent?.startsWith('\t')) return { eol, unit: '\t' };
  return { eol, unit: indent ?? '  ' };
}

/** Appends `value` to an array (key undefined) or `"key": value` to an object. */
export function insertEntry(text: string, container: Node, key: string | undefined, value: unknown, layout: Layout): Edit {
  const items = container.children ?? [];
  const last = items[items.length - 1];
  const entry = (indent: string | undefined): string =>
    (key === undefined ? '' : `${JSON.stringify(key)}: `) + render(value, indent, layout);
  if (last === undefined) {
    const outer = leadingWhitespace(text, container.offset);
    const inner = outer + layout.unit;
    const content = `${layout.eol}${inner}${entry(inner)}${layout.eol}${outer}`;
    return { offset: container.offset + 1, length: container.length - 2, content };
  }
  const end = last.offset + last.length;
  const indent = ownLineIndent(text, last.offset);
  const content = indent === undefined ? `, ${entry(undefined)}` : `,${layout.eol}${indent}${entry(indent)}`;
  return { offset: end, length: 0, content };
}

/** A multi-line value is replaced in the file's layout, a one-line value stays on one line. */
export function replaceNode(text: string, node: Node, value: unknown, layout: Layout): Edit {
  const multiline = /[\r\n]/.test(text.slice(node.offset, node.offset + node.length));
  const indent = multiline ? leadingWhitespace(text, node.offset) : undefined;
  return { offset: node.offset, length: node.length, content: render(value, indent, layout) };
}

/** Cuts an array element or object property out together with its separating comma. */
export function removeElement(container: Node, index: number): Edit {
  const items = container.children ?? [];
  const item = items[index];
  if (item === undefined) throw new Error(`no element ${index} to remove`);
  if (items.length === 1) return { offset: container.offset + 1, length: container.length - 2, content: '' };
  const next = items[index + 1];
  if (next !== undefined) return { offset: item.offset, length: next.offset - item.offset, content: '' };
  const previous = items[index - 1];
  const start = previous === undefined ? item.offset : previous.offset + previous.length;
  return { offset: start, length: item.offset + item.length - start, content: '' };
}

/** Pretty JSON continuing at `indent`, or one-line JSON (`{"a": 1, "b": [2]}`) when indent is undefined. */
export function render(value: unknown, indent: string | undefined, layout: Layout): string {
  if (indent !== undefined) return JSON.stringify(value, null, layout.unit).split('\n').join(layout.eol + indent);
  if (Array.isArray(value)) return `[${value.map((item) => render(item, undefined, layout)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${render(v, undefined, layout)}`);
    return `{${entries.join(', ')}}`;
  }
  return JSON.stringify(value);
}

export function leadingWhitespace(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
}

/** The indentation of a node that starts its own line; undefined when it shares the line with others. */
export function ownLineIndent(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** Key order does not matter when comparing JSON values. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/** An error pointing at a 1-based line:column of `file`. */
export function errorAt(text: string, file: string, offset: number, reason: string): SettingsFileError {
  const { line, column } = lineColumn(text, offset);
  return new SettingsFileError(file, line, column, reason);
}

/** The error for a text nested deeper than MAX_JSON_DEPTH, or undefined; checked before any parser sees it (they recurse). */
export function tooDeepError(text: string, file: string): SettingsFileError | undefined {
  const deep = findTooDeep(text, MAX_JSON_DEPTH, { comments: true });
  if (deep === undefined) return undefined;
  const { line, column } = lineColumn(text, deep.offset);
  return new SettingsFileError(file, line, column, `nested deeper than ${deep.limit} levels`, 'SETTINGS_TOO_DEEP');
}

/** Where a list of strings lives in a settings object: two keys deep, e.g. `permissions.allow`. */
export type ArrayPath = readonly [object: string, array: string];

/**
 * The edit that adds `value` to the string array at `path`, creating the object or the array
 * when missing; undefined when the value is already there. A container of the wrong type is
 * reported at its line:column rather than replaced.
 */
export function addToArrayAt(text: string, root: Node, path: ArrayPath, value: string, layout: Layout, file: string): Edit | undefined {
  const [objectKey, arrayKey] = path;
  const object = findNodeAtLocation(root, [objectKey]);
  if (object === undefined) return insertEntry(text, root, objectKey, { [arrayKey]: [value] }, layout);
  const array = arrayIn(text, object, path, file);
  if (array === undefined) return insertEntry(text, object, arrayKey, [value], layout);
  if (indexOfString(array, value) >= 0) return undefined;
  return insertEntry(text, array, undefined, value, layout);
}

/**
 * The edit that removes one `value` from the string array at `path`, together with the largest
 * container that this removal leaves empty (never one that was empty before); undefined when the
 * value is not there. Repeat until undefined to remove duplicates.
 */
export function removeFromArrayAt(text: string, root: Node, path: ArrayPath, value: string, file: string): Edit | undefined {
  const object = findNodeAtLocation(root, [path[0]]);
  if (object === undefined) return undefined;
  const array = arrayIn(text, object, path, file);
  const index = array === undefined ? -1 : indexOfString(array, value);
  if (array === undefined || index < 0) return undefined;
  if ((array.children?.length ?? 0) > 1) return removeElement(array, index);
  if ((object.children?.length ?? 0) > 1) return removeElement(object, object.children?.indexOf(array.parent as Node) ?? -1);
  return removeElement(root, root.children?.indexOf(object.parent as Node) ?? -1);
}

function arrayIn(text: string, object: Node, [objectKey, arrayKey]: ArrayPath, file: string): Node | undefined {
  if (object.type !== 'object') throw errorAt(text, file, object.offset, `"${objectKey}" must be an object`);
  const array = findNodeAtLocation(object, [arrayKey]);
  if (array !== undefined && array.type !== 'array') throw errorAt(text, file, array.offset, `"${objectKey}.${arrayKey}" must be an array`);
  return array;
}

function indexOfString(array: Node, value: string): number {
  return array.children?.findIndex((item) => item.type === 'string' && item.value === value) ?? -1;
}
