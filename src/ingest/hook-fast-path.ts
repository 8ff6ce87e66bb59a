import { knownHookSchemas } from '../domain/hook-events';
import { MAX_JSON_DEPTH } from '../domain/json-depth';
import type { NewEvent } from '../store/event-store';
import { authenticateRawEntry, provenanceKey } from '../capture/provenance';
import { idFromName, RAW_HOOK_NAME } from './inbox-entry';
import { HOOK_EVENT_SCHEMA_VERSION } from './normalize';
import type { IngestRecord } from './normalize';

// Nearly every inbox entry is a hook entry as the hook wrote it, whose payload matches its
// event's schema and is small enough that no field can need cutting. For those, what the
// store needs (ids, type, the metadata's JSON and the payload's own JSON text) comes out of
// one JSON.parse and a few plain checks, without zod copying the payload to validate it. The
// same code runs on the read-ahead thread (the source below) and here; anything it declines
// goes through the full path (inbox-entry.ts, normalize.ts), which accepts it or says why.
// That includes a payload that could nest too deep (the full path cuts it) and one whose
// session id is reserved (the full path quarantines it).

/** A check compiled from a zod schema into plain data, so another thread can run it. */
export type Descriptor =
  | readonly ['string', number]
  | readonly ['number']
  | readonly ['boolean']
  | readonly ['unknown']
  | readonly ['optional', Descriptor]
  | readonly ['nullable', Descriptor]
  | readonly ['array', Descriptor]
  | readonly ['object', readonly (readonly [string, Descriptor, boolean])[]];

/**
 * What the fast path makes of an entry: event id, session, event type, prompt id, tool_use_id,
 * agent_id (the causation keys), the metadata's JSON, the payload's JSON text.
 */
export type PreparedHookEntry = readonly [string, string, string, string | null, string | null, string | null, string, string];

/**
 * The fast path, as source (node built-ins only), for this thread and the read-ahead thread.
 * It mirrors parseInboxEntry's hook branch and normalizeSingle's accepted, uncut case; the
 * unit tests hold it to them.
 */
export const HOOK_FAST_PATH_SOURCE = String.raw`
function matchesDescriptor(d, v) {
  switch (d[0]) {
    case 'string': return typeof v === 'string' && v.length >= d[1];
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'unknown': return true;
    case 'optional': return v === undefined || matchesDescriptor(d[1], v);
    case 'nullable': return v === null || matchesDescriptor(d[1], v);
    case 'array':
      if (!Array.isArray(v)) return false;
      for (let i = 0; i < v.length; i += 1) if (!matchesDescriptor(d[1], v[i])) return false;
      return true;
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
      const fields = d[1];
      for (let i = 0; i < fields.length; i += 1) {
        const f = fields[i];
        if (f[2] && !Object.prototype.hasOwnProperty.call(v, f[0])) return false;
        if (!matchesDescriptor(f[1], v[f[0]])) return false;
      }
      return true;
    }
    default: return false;
  }
}
// Nesting deeper than MAX_JSON_DEPTH takes that many opening brackets: a text with fewer cannot
// (counted with indexOf, brackets inside strings too: an upper bound that costs little).
function mayNestTooDeep(text) {
  if (text.length <= ${MAX_JSON_DEPTH}) return false;
  let count = 0;
  for (let at = text.indexOf('['); at >= 0; at = text.indexOf('[', at + 1)) if (++count > ${MAX_JSON_DEPTH}) return true;
  for (let at = text.indexOf('{'); at >= 0; at = text.indexOf('{', at + 1)) if (++count > ${MAX_JSON_DEPTH}) return true;
  return false;
}
function prepareHookEntry(name, text, checks, maxFieldBytes) {
  if (name.endsWith('.rawhook') || !text.startsWith('{"v":1,') || mayNestTooDeep(text)) return null;
  let json;
  try { json = JSON.parse(text); } catch (e) { return null; }
  if (typeof json !== 'object' || json === null) return null;
  const v = json.v, id = json.id, receivedAt = json.receivedAt, receivedUs = json.receivedUs, source = json.source, hookEvent = json.hookEvent, payload = json.payload;
  if (v !== 1 || typeof id !== 'string' || id.length < 8 || id.length > 64 || typeof receivedAt !== 'string' || receivedAt.length === 0) return null;
  if (typeof receivedUs !== 'number' || !Number.isSafeInteger(receivedUs) || receivedUs < 0) return null;
  if ((source !== 'hook' && source !== 'cli' && source !== 'mcp') || (hookEvent !== undefined && typeof hookEvent !== 'string')) return null;
  // Stdin that was not UTF-8, secrets taken out: notes in the metadata, which the full path writes.
  if (json.stdinBytes !== undefined || json.redactions !== undefined) return null;
  // The payload's own text: the key occurs once and is the last one (as in payloadTextOf).
  const key = ',"payload":';
  const at = text.indexOf(key);
  if (at < 0 || text.indexOf(key, at + 1) >= 0) return null;
  const keys = Object.keys(json);
  if (keys[keys.length - 1] !== 'payload') return null;
  const payloadText = text.slice(at + key.length, text.lastIndexOf('}')).trim();
  return preparePayload(name, id, source, receivedAt, receivedUs, hookEvent, payload, payloadText, checks, maxFieldBytes);
}
// The checks and the record every hook entry shares, whoever wrote it (the hook program's entry
// file, the sh launcher's raw payload): the event's schema, no reserved session, nothing to cut.
function preparePayload(name, id, source, receivedAt, receivedUs, hookEvent, payload, payloadText, checks, maxFieldBytes) {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const event = payload.hook_event_name;
  if (typeof event !== 'string' || !Object.prototype.hasOwnProperty.call(checks, event) || !matchesDescriptor(checks[event], payload)) return null;
  // A session id starting with "$" names one of the logbook's own streams: refused by the full path.
  if (payload.session_id.charCodeAt(0) === 36) return null;
  // A payload this small cannot hold a field over the cap: nothing to cut.
  if (payloadText.length * 3 > maxFieldBytes) return null;
  const metadata = hookEvent === undefined
    ? { source: source, receivedAt: receivedAt, receivedUs: receivedUs, inboxFile: name }
    : { source: source, receivedAt: receivedAt, receivedUs: receivedUs, inboxFile: name, hookEvent: hookEvent };
  const toolUseId = typeof payload.tool_use_id === 'string' ? payload.tool_use_id : null;
  const agentId = typeof payload.agent_id === 'string' ? payload.agent_id : null;
  return [id, payload.session_id, event, payload.prompt_id === undefined ? null : payload.prompt_id, toolUseId, agentId, JSON.stringify(metadata), payloadText];
}
`;

/** The known events' schemas as descriptors; an event whose schema has a shape not covered is left out (full path). */
export const HOOK_CHECKS: Readonly<Record<string, Descriptor>> = Object.fromEntries(
  Object.entries(knownHookSchemas).flatMap(([name, schema]) => {
    const descriptor = describeSchema(schema);
    return descriptor === undefined ? [] : [[name, descriptor]];
  }),
);

type Checks = Readonly<Record<string, Descriptor>>;
interface FastPath {
  prepareHookEntry(name: string, text: string, checks: Checks, maxFieldBytes: number): PreparedHookEntry | null;
  preparePayload(name: string, id: string, source: string, receivedAt: string, receivedUs: number, hookEvent: string | undefined, payload: unknown, payloadText: string, checks: Checks, maxFieldBytes: number): PreparedHookEntry | null;
  mayNestTooDeep(text: string): boolean;
}

// Built from the same source the read-ahead thread runs, so both always agree.
const fast = new Function(`${HOOK_FAST_PATH_SOURCE}\nreturn { prepareHookEntry, preparePayload, mayNestTooDeep };`)() as FastPath;

/** The fast path on this thread: the prepared entry, or null when the full path must take it. */
export function prepareHookEntry(name: string, text: string, maxFieldBytes: number): PreparedHookEntry | null {
  return fast.prepareHookEntry(name, text, HOOK_CHECKS, maxFieldBytes);
}

/**
 * The fast path for a raw payload the sh launcher saved (`<µs>-sh<pid>-<event>.rawhook`: a t1
 * line, then stdin's bytes), which is how nearly every hook event arrives. It mirrors
 * parseRawHook and normalizeSingle's accepted, uncut case; it declines (null: the full path
 * takes it, and says why if anything is wrong) an older launcher's name stamp, a stamp that
 * does not check out, stdin that was not UTF-8, and whatever prepareHookEntry declines in a payload.
 */
export function prepareRawHookEntry(name: string, text: string, maxFieldBytes: number): PreparedHookEntry | null {
  const match = RAW_HOOK_NAME.exec(name);
  // U+FFFD: stdin was perhaps not UTF-8, which the full path notes in the metadata.
  if (match === null || match[5] !== undefined || text.includes('\uFFFD')) return null;
  const checked = authenticateRawEntry(text, provenanceKey().key);
  if (!checked.ok) return null;
  const payloadText = checked.text.trim();
  if (fast.mayNestTooDeep(payloadText)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(payloadText);
  } catch {
    return null;
  }
  const us = Number(match[2]);
  return fast.preparePayload(name, idFromName(name), 'hook', new Date(Math.floor(us / 1000)).toISOString(), us, match[4] || undefined, payload, payloadText, HOOK_CHECKS, maxFieldBytes);
}

/**
 * A hook event from a prepared entry. Its data and metadata are parsed only if someone asks:
 * the store appends their JSON text.
 */
export class PreparedEvent implements NewEvent {
  readonly schemaVersion = HOOK_EVENT_SCHEMA_VERSION;
  readonly serialized: { readonly data: string; readonly metadata: string };

  constructor(readonly eventId: string, readonly type: string, readonly correlationId: string | null, readonly causationId: string | null, data: string, metadata: string) {
    this.serialized = { data, metadata };
  }

  get data(): unknown {
    return JSON.parse(this.serialized.data) as unknown;
  }

  get metadata(): Readonly<Record<string, unknown>> {
    return JSON.parse(this.serialized.metadata) as Record<string, unknown>;
  }

  withCausation(causationId: string): PreparedEvent {
    return new PreparedEvent(this.eventId, this.type, this.correlationId, causationId, this.serialized.data, this.serialized.metadata);
  }
}

/** The record of a prepared entry, with the keys the causation linker needs. */
export function preparedRecord(p: PreparedHookEntry): IngestRecord {
  const [eventId, streamId, type, promptId, toolUseId, agentId, metadata, data] = p;
  return { streamId, event: new PreparedEvent(eventId, type, promptId, null, data, metadata), links: { toolUseId, agentId } };
}

/**
 * A zod schema as a descriptor, for the shapes that never transform a value: strings with a
 * minimum length, finite numbers, booleans, unknown, optional, nullable, arrays, objects that
 * let unknown keys through. Anything else (refinements, other limits, strict objects): undefined.
 */
export function describeSchema(schema: unknown): Descriptor | undefined {
  const def = defOf(schema);
  if (def === undefined) return undefined;
  const checks = Array.isArray(def['checks']) ? (def['checks'] as unknown[]) : [];
  const type = def['type'];
  if (checks.length > 0 && type !== 'string') return undefined;
  switch (type) {
    case 'string': {
      let min = 0;
      for (const check of checks) {
        const c = defOf((check as { _zod?: unknown } | null)?._zod);
        if (c?.['check'] !== 'min_length' || typeof c['minimum'] !== 'number') return undefined;
        min = Math.max(min, c['minimum']);
      }
      return ['string', min];
    }
    case 'number':
    case 'boolean':
    case 'unknown':
      return [type];
    case 'optional':
    case 'nullable':
    case 'array': {
      const inner = describeSchema(type === 'array' ? def['element'] : def['innerType']);
      return inner === undefined ? undefined : [type, inner];
    }
    case 'object':
      return describeObject(def);
    default:
      return undefined;
  }
}

function describeObject(def: Record<string, unknown>): Descriptor | undefined {
  // Unknown keys must pass (a loose object) or be dropped (a plain one): never refused.
  const catchall = defOf(def['catchall']);
  if (catchall !== undefined && catchall['type'] !== 'unknown') return undefined;
  const shape = def['shape'];
  if (typeof shape !== 'object' || shape === null) return undefined;
  const fields: (readonly [string, Descriptor, boolean])[] = [];
  for (const [key, field] of Object.entries(shape)) {
    const descriptor = describeSchema(field);
    if (descriptor === undefined) return undefined;
    // zod wants a key that is not optional to be there, even one whose value may be anything.
    fields.push([key, descriptor, descriptor[0] !== 'optional']);
  }
  return ['object', fields];
}

function defOf(schema: unknown): Record<string, unknown> | undefined {
  const def = (schema as { def?: unknown } | null | undefined)?.def;
  return typeof def === 'object' && def !== null ? (def as Record<string, unknown>) : undefined;
}
