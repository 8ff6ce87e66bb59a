import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePayloads } from '../helpers';
import type { Random } from '../session-stream-gen';
import { damageText, deepJsonText, hostileKey, hugeString, randomBytes, wrongValue } from './values';

// Texts for the input fuzz suite: hook stdin, workflow files and settings files. Each starts from
// a genuine document (a captured hook payload, a shipped workflow template, a settings file as
// VS Code writes it) and is mutated at the JSON level (keys removed, renamed or added, values of
// the wrong type) or the byte level (truncated, random bytes, invalid UTF-8, a BOM, empty), or
// replaced by random bytes, deep nesting or a huge document.

/** A generated document and the input class it belongs to. */
export interface Document {
  readonly bytes: Buffer;
  readonly inputClass: string;
}

type Json = Record<string, unknown>;

const TEMPLATES = ['workflow.minimal.json', 'workflow.team-loop.json'].map((name) => JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'templates', name), 'utf8')) as Json);

/** Hook stdin: a captured payload, mutated, or no JSON at all. */
export function hookStdin(r: Random): Document {
  return hostileDocument(r, () => ({ ...r.pick(fixturePayloads()) }), 'hook payload');
}

/** `.logbook/workflow.json`: a shipped template, mutated, or no JSON at all. */
export function workflowFile(r: Random): Document {
  return hostileDocument(r, () => structuredClone(r.pick(TEMPLATES)), 'workflow', (doc) => workflowMutation(doc, r));
}

/** `.vscode/settings.json`: JSON with comments as VS Code writes it, mutated, or no JSON at all. */
export function settingsFile(r: Random): Document {
  const roll = r.int(6);
  if (roll === 0) {
    const text = `{\n  // written by hand\n  "editor.tabSize": 2,\n  "logbook.capture.maxFieldBytes": ${r.pick(['4096', '100', '"big"', '1e400', '-1', '4096.5', 'null'])},\n  /* prices */ "logbook.report.prices": ${r.pick(['{}', '{"m": {"inputPerMTok": -1}}', '[]', '{"m": {"inputPerMTok": 3}},', '{"__proto__": {}}'])},\n}\n`;
    return { bytes: Buffer.from(text), inputClass: 'settings with comments and logbook keys of every kind' };
  }
  return hostileDocument(r, () => ({ 'editor.tabSize': 2, 'logbook.capture.maxFieldBytes': 4096, 'logbook.report.prices': { 'claude-x': { inputPerMTok: 3 } } }), 'settings');
}

function hostileDocument(r: Random, genuine: () => Json, what: string, mutate: (doc: Json) => string = (doc) => jsonMutation(doc, r)): Document {
  const roll = r.int(40);
  if (roll < 8) return { bytes: Buffer.from(JSON.stringify(genuine(), null, r.chance(0.5) ? 2 : undefined)), inputClass: `genuine ${what}` };
  if (roll < 22) {
    const doc = genuine();
    const how = mutate(doc);
    return { bytes: Buffer.from(JSON.stringify(doc)), inputClass: `${what}: ${how}` };
  }
  if (roll < 32) {
    const damaged = damageText(r, JSON.stringify(genuine(), null, 2));
    return { bytes: damaged.bytes, inputClass: `${what}: ${damaged.how}` };
  }
  if (roll < 34) return { bytes: randomBytes(r, r.int(4000)), inputClass: `${what}: random bytes` };
  if (roll < 36) return { bytes: Buffer.from(r.pick(['[]', '42', '"x"', 'null', 'true', '  \n\t ', '{}', '{"a":1}{"b":2}'])), inputClass: `${what}: not an object, or whitespace` };
  if (roll < 39) return { bytes: Buffer.from(deepJsonText(r, 2000 + r.int(20_000))), inputClass: `${what}: deep nesting` };
  const doc = genuine();
  doc[r.chance(0.5) ? 'description' : hostileKey(r)] = hugeString(r).repeat(8 + r.int(8));
  return { bytes: Buffer.from(JSON.stringify(doc)), inputClass: `${what}: huge file (megabytes)` };
}

// Keys removed, added or given values of the wrong type, anywhere in the document.
function jsonMutation(doc: Json, r: Random): string {
  const target = pickObject(doc, r);
  const keys = Object.keys(target);
  switch (r.int(3)) {
    case 0:
      if (keys.length > 0) delete target[r.pick(keys)];
      return 'a key removed';
    case 1:
      Object.defineProperty(target, hostileKey(r), { value: wrongValue(r), enumerable: true, writable: true, configurable: true });
      return 'an unknown key added';
    default:
      if (keys.length > 0) target[r.pick(keys)] = wrongValue(r);
      return 'a value of the wrong type';
  }
}

// The workflow's own mistakes: states that do not exist, final states left, repeated transitions.
function workflowMutation(doc: Json, r: Random): string {
  const states = Object.keys((doc['states'] ?? {}) as Json);
  const transitions = Array.isArray(doc['transitions']) ? (doc['transitions'] as Json[]) : [];
  switch (r.int(5)) {
    case 0: doc['initial'] = r.pick(['nowhere', '', '*']); return 'initial state unknown';
    case 1: transitions.push({ from: r.pick([...states, '*']), to: r.pick(['nowhere', ...states]) }); return 'a transition added';
    case 2: if (transitions[0] !== undefined) transitions.push({ ...transitions[0] }); return 'a transition repeated';
    case 3:
      Object.defineProperty(doc['states'], r.pick(['*', '', ' ', '__proto__']), { value: { final: r.chance(0.5) }, enumerable: true, writable: true, configurable: true });
      return 'an odd state name';
    default: return jsonMutation(doc, r);
  }
}

function pickObject(doc: Json, r: Random): Json {
  let at: Json = doc;
  for (let depth = 0; depth < 3 && r.chance(0.6); depth += 1) {
    const children = Object.values(at).filter((v): v is Json => typeof v === 'object' && v !== null);
    if (children.length === 0) break;
    at = r.pick(children);
  }
  return at;
}
