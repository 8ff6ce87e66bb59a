import { applyEdits, findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Edit, Node, ParseError } from 'jsonc-parser';
import { canonical, detectLayout, errorAt, insertEntry, removeElement, replaceNode, tooDeepError } from './json-edit';
import type { Layout } from './json-edit';

export { SettingsFileError } from './settings-error';

/** One handler we want present for one hook event, in its own matcher group. */
export interface HookSpec {
  readonly event: string;
  /** Omitted for events that take no matcher. */
  readonly matcher?: string;
  readonly handler: Readonly<Record<string, unknown>>;
}

export type HandlerPredicate = (handler: unknown) => boolean;

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
  const deep = tooDeepError(text, file);
  if (deep !== undefined) throw deep;
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
    return { events: specs.map((spec) => spec.event), edit: insertEntry(doc.text, doc.root, 'hooks', all, doc.layout) };
  }
  for (const spec of specs) {
    const groups = findNodeAtLocation(hooks, [spec.event]);
    const edit = groups === undefined ? insertEntry(doc.text, hooks, spec.event, [groupFor(spec)], doc.layout) : planEvent(doc, groups, spec, isOurs);
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
      if (spec.matcher !== undefined) return replaceNode(doc.text, matcher, spec.matcher, doc.layout);
      return removeElement(alone.group, alone.group.children?.indexOf(matcher.parent) ?? -1);
    }
  }
  const extra = ours.find((loc) => loc !== keeper);
  if (extra !== undefined) return removeHandler(groups, extra);
  if (keeper === undefined) return insertEntry(doc.text, groups, undefined, groupFor(spec), doc.layout);
  if (sameJson(getNodeValue(keeper.handler), spec.handler)) return undefined;
  return replaceNode(doc.text, keeper.handler, spec.handler, doc.layout);
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

