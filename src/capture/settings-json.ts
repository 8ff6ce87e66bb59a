import { applyEdits, findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Edit, Node, ParseError } from 'jsonc-parser';

/** A Claude Code settings file we refuse to edit; nothing was written. */
export class SettingsFileError extends Error {
  readonly code = 'SETTINGS_MALFORMED';
  constructor(
    /** The file, relative to the workspace (as the user sees it in the explorer). */
    readonly file: string,
    /** 1-based. */
    readonly line: number,
    /** 1-based, in UTF-16 code units. */
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason} (file left untouched)`);
    this.name = 'SettingsFileError';
  }
}

/** One handler we want present for one hook event, in its own matcher group. */
export interface HookSpec {
  readonly event: string;
  /** Omitted for events that take no matcher. */
  readonly matcher?: string;
  readonly handler: Readonly<Record<string, unknown>>;
}

export type HandlerPredicate = (handler: unknown) => boolean;

/** The user's layout, followed by everything we insert. */
interface Layout {
  readonly eol: string;
  /** One level of indentation. */
  readonly unit: string;
}

/** A parsed, checked settings text. */
interface Doc {
  readonly text: string;
  readonly root: Node;
  readonly layout: Layout;
}

interface PendingEdit {
  readonly events: readonly string[];
  readonly edit: Edit;
}

// Claude Code reads settings with a strict JSON parser: comments or trailing commas make it
// ignore the whole file, so we report them rather than "fix" them silently.
const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };
const MAX_STEPS = 10_000;

/** Adds or updates one handler per spec, leaving everything else in the text as it was. */
export function upsertHooks(
  text: string,
  file: string,
  specs: readonly HookSpec[],
  isOurs: HandlerPredicate,
): { text: string; changedEvents: string[] } {
  const layout = detectLayout(text);
  let current = text.trim() === '' ? `{}${layout.eol}` : text;
  const changed = new Set<string>();
  // One small edit at a time, re-parsing in between, so every edit is planned on exact offsets.
  for (let step = 0; step < MAX_STEPS; step++) {
    const doc = { text: current, root: checkSettings(current, file), layout };
    const next = nextUpsertEdit(doc, specs, isOurs);
    if (next === undefined) {
      return { text: changed.size === 0 ? text : current, changedEvents: [...changed] };
    }
    for (const event of next.events) changed.add(event);
    current = applyEdits(current, [next.edit]);
  }
  throw new Error(`upsertHooks did not converge on ${file}`);
}

/** Removes every handler `isOurs` recognises, and the containers that become empty because of it. */
export function removeHooks(text: string, file: string, isOurs: HandlerPredicate): { text: string; removed: number } {
  if (text.trim() === '') return { text, removed: 0 };
  const layout = detectLayout(text);
  let current = text;
  for (let removed = 0; removed < MAX_STEPS; removed++) {
    const doc = { text: current, root: checkSettings(current, file), layout };
    const next = nextRemoveEdit(doc, isOurs);
    if (next === undefined) return { text: current, removed };
    current = applyEdits(current, [next.edit]);
  }
  throw new Error(`removeHooks did not converge on ${file}`);
}

/** Parses strictly and checks the shape of `hooks`; throws SettingsFileError pointing at the first problem. */
export function checkSettings(text: string, file: string): Node {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, STRICT);
  const first = errors[0];
  if (first !== undefined) {
    const { offset, reason } = describeParseError(text, first);
    throw errorAt(text, file, offset, reason);
  }
  if (root === undefined || root.type !== 'object') {
    throw errorAt(text, file, root?.offset ?? 0, 'the settings must be a JSON object');
  }
  const hooks = findNodeAtLocation(root, ['hooks']);
  if (hooks === undefined) return root;
  if (hooks.type !== 'object') throw errorAt(text, file, hooks.offset, '"hooks" must be an object');
  for (const property of hooks.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key === undefined || value === undefined) continue;
    const event = String(key.value);
    if (value.type !== 'array') throw errorAt(text, file, value.offset, `"hooks.${event}" must be an array`);
    value.children?.forEach((group, index) => {
      const where = `"hooks.${event}[${index}]"`;
      if (group.type !== 'object') throw errorAt(text, file, group.offset, `${where} must be an object`);
      const handlers = findNodeAtLocation(group, ['hooks']);
      if (handlers !== undefined && handlers.type !== 'array') {
        throw errorAt(text, file, handlers.offset, `${where}.hooks must be an array`);
      }
    });
  }
  return root;
}

function nextUpsertEdit(doc: Doc, specs: readonly HookSpec[], isOurs: HandlerPredicate): PendingEdit | undefined {
  const hooks = findNodeAtLocation(doc.root, ['hooks']);
  if (hooks === undefined) {
    // A fresh `hooks` object goes in as one edit, so a new file reads as if written by hand.
    const all = Object.fromEntries(specs.map((spec) => [spec.event, [groupFor(spec)]]));
    return { events: specs.map((spec) => spec.event), edit: insertEntry(doc, doc.root, 'hooks', all) };
  }
  for (const spec of specs) {
    const groups = findNodeAtLocation(hooks, [spec.event]);
    const edit = groups === undefined ? insertEntry(doc, hooks, spec.event, [groupFor(spec)]) : planEvent(doc, groups, spec, isOurs);
    if (edit !== undefined) return { events: [spec.event], edit };
  }
  return undefined;
}

interface Location {
  readonly group: Node;
  readonly groupIndex: number;
  readonly handlers: Node;
  readonly handlerIndex: number;
  readonly handler: Node;
}

function planEvent(doc: Doc, groups: Node, spec: HookSpec, isOurs: HandlerPredicate): Edit | undefined {
  const ours = findOurs(groups, isOurs);
  const keeper = ours.find((loc) => coversEverything(loc.group));
  if (keeper === undefined) {
    // Our handler sits in a group with a narrower matcher (an older install or a hand edit): widen it
    // when the group is ours alone, otherwise the handler is moved to a group of its own below.
    const alone = ours.find((loc) => loc.handlers.children?.every((h) => isOurs(getNodeValue(h))));
    const matcher = alone === undefined ? undefined : findNodeAtLocation(alone.group, ['matcher']);
    if (alone !== undefined && matcher?.parent !== undefined) {
      if (spec.matcher !== undefined) return replaceNode(doc, matcher, spec.matcher);
      return removeElement(alone.group, alone.group.children?.indexOf(matcher.parent) ?? -1);
    }
  }
  const extra = ours.find((loc) => loc !== keeper);
  if (extra !== undefined) return removeHandler(groups, extra);
  if (keeper === undefined) return insertEntry(doc, groups, undefined, groupFor(spec));
  if (sameJson(getNodeValue(keeper.handler), spec.handler)) return undefined;
  return replaceNode(doc, keeper.handler, spec.handler);
}

function nextRemoveEdit(doc: Doc, isOurs: HandlerPredicate): PendingEdit | undefined {
  const hooks = findNodeAtLocation(doc.root, ['hooks']);
  const properties = hooks?.children ?? [];
  for (const [index, property] of properties.entries()) {
    const [key, groups] = property.children ?? [];
    if (key === undefined || groups === undefined || hooks?.parent === undefined) continue;
    const event = String(key.value);
    const loc = findOurs(groups, isOurs)[0];
    if (loc === undefined) continue;
    // Remove the largest container that this removal leaves empty, never one that was empty before.
    if ((loc.handlers.children?.length ?? 0) > 1 || (groups.children?.length ?? 0) > 1) {
      return { events: [event], edit: removeHandler(groups, loc) };
    }
    if (properties.length > 1) return { events: [event], edit: removeElement(hooks, index) };
    return { events: [event], edit: removeElement(doc.root, doc.root.children?.indexOf(hooks.parent) ?? -1) };
  }
  return undefined;
}

function findOurs(groups: Node, isOurs: HandlerPredicate): Location[] {
  const found: Location[] = [];
  groups.children?.forEach((group, groupIndex) => {
    const handlers = findNodeAtLocation(group, ['hooks']);
    handlers?.children?.forEach((handler, handlerIndex) => {
      if (isOurs(getNodeValue(handler))) found.push({ group, groupIndex, handlers, handlerIndex, handler });
    });
  });
  return found;
}

/** A handler alone in its group goes with the group, so no empty group is left behind. */
function removeHandler(groups: Node, loc: Location): Edit {
  return (loc.handlers.children?.length ?? 0) > 1
    ? removeElement(loc.handlers, loc.handlerIndex)
    : removeElement(groups, loc.groupIndex);
}

function coversEverything(group: Node): boolean {
  const node = findNodeAtLocation(group, ['matcher']);
  const matcher: unknown = node === undefined ? undefined : getNodeValue(node);
  return matcher === undefined || matcher === null || matcher === '' || matcher === '*';
}

function groupFor(spec: HookSpec): Record<string, unknown> {
  return spec.matcher === undefined ? { hooks: [spec.handler] } : { matcher: spec.matcher, hooks: [spec.handler] };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/** Keeps the user's indentation and line endings for everything we insert. */
function detectLayout(text: string): Layout {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)\S/m.exec(text)?.[1];
  if (indent?.startsWith('\t')) return { eol, unit: '\t' };
  return { eol, unit: indent ?? '  ' };
}

// The edits below are written by hand rather than with jsonc-parser's modify(): modify re-formats
// every line its edit touches, so appending after a one-line group would re-flow the user's group.
// Ours touch only the bytes of the entry they add, replace or remove.

/** Appends `value` to an array (key undefined) or `"key": value` to an object. */
function insertEntry(doc: Doc, container: Node, key: string | undefined, value: unknown): Edit {
  const items = container.children ?? [];
  const last = items[items.length - 1];
  const entry = (indent: string | undefined): string =>
    (key === undefined ? '' : `${JSON.stringify(key)}: `) + render(value, indent, doc.layout);
  if (last === undefined) {
    const outer = leadingWhitespace(doc.text, container.offset);
    const inner = outer + doc.layout.unit;
    const content = `${doc.layout.eol}${inner}${entry(inner)}${doc.layout.eol}${outer}`;
    return { offset: container.offset + 1, length: container.length - 2, content };
  }
  const end = last.offset + last.length;
  const indent = ownLineIndent(doc.text, last.offset);
  const content = indent === undefined ? `, ${entry(undefined)}` : `,${doc.layout.eol}${indent}${entry(indent)}`;
  return { offset: end, length: 0, content };
}

/** A multi-line value is replaced in the file's layout, a one-line value stays on one line. */
function replaceNode(doc: Doc, node: Node, value: unknown): Edit {
  const multiline = /[\r\n]/.test(doc.text.slice(node.offset, node.offset + node.length));
  const indent = multiline ? leadingWhitespace(doc.text, node.offset) : undefined;
  return { offset: node.offset, length: node.length, content: render(value, indent, doc.layout) };
}

/** Cuts an array element or object property out together with its separating comma. */
function removeElement(container: Node, index: number): Edit {
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
function render(value: unknown, indent: string | undefined, layout: Layout): string {
  if (indent !== undefined) return JSON.stringify(value, null, layout.unit).split('\n').join(layout.eol + indent);
  if (Array.isArray(value)) return `[${value.map((item) => render(item, undefined, layout)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${render(v, undefined, layout)}`);
    return `{${entries.join(', ')}}`;
  }
  return JSON.stringify(value);
}

function leadingWhitespace(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
}

/** The indentation of a node that starts its own line; undefined when it shares the line with others. */
function ownLineIndent(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

function describeParseError(text: string, error: ParseError): { offset: number; reason: string } {
  const code = printParseErrorCode(error.error);
  const at = text.charAt(error.offset);
  if ((at === '}' || at === ']') && (code === 'PropertyNameExpected' || code === 'ValueExpected')) {
    const beforeClose = text.slice(0, error.offset).trimEnd();
    if (beforeClose.endsWith(',')) {
      return { offset: beforeClose.length - 1, reason: 'trailing comma (settings must be strict JSON)' };
    }
  }
  return { offset: error.offset, reason: PARSE_REASONS[code] ?? `invalid JSON (${code})` };
}

// Keyed by name: ParseErrorCode is an ambient const enum, unusable under isolatedModules.
const PARSE_REASONS: Partial<Record<ReturnType<typeof printParseErrorCode>, string>> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ',' or a closing bracket",
  CloseBraceExpected: "expected ',' or '}'",
  CloseBracketExpected: "expected ',' or ']'",
  EndOfFileExpected: 'unexpected content after the end of the settings object',
  InvalidCommentToken: 'comments are not allowed (settings must be strict JSON)',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

function errorAt(text: string, file: string, offset: number, reason: string): SettingsFileError {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return new SettingsFileError(file, line, column, reason);
}
