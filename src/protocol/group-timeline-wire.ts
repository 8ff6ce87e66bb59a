import type { GroupItemLayer, GroupTimelineArrow, GroupTimelineItem, GroupTimelineLane, GroupTimelineModel } from './group-timeline';

// The unified timeline as it travels (the panel's message, an exported page's data block). As
// objects, an item took about 185 bytes of JSON: a first frame of 20 sessions was 1.1 MB, and
// carrying, parsing and checking it was most of the page's part of that frame (bench: group-timeline).
// On the wire each lane's items are one flat list of small numbers, ITEM_FIELDS per item, their
// texts indices into one table of strings; about a fifth of the size, and a check that is a loop
// over numbers. No zod here: the webview bundles this file (decodeGroupTimeline), and checks by hand.

export const GROUP_TIMELINE_WIRE_VERSION = 2;

/**
 * Per item: start (ms after the lane's previous item's start; the first after the model's start),
 * duration (ms), row, layer (LAYERS index), label, kind and session id (indices into `strings`),
 * the event's position (-1 when unknown) and the count of items merged into it. A duration may be
 * negative (a clock that stepped back): drawn as the model had it.
 */
export const ITEM_FIELDS = 9;

const LAYERS: readonly GroupItemLayer[] = ['state', 'call', 'marker'];
const ROLES = new Set(['lead', 'worker', 'teammate', 'member', 'subagent']);
const LINK_KINDS = new Set(['spawn', 'handoff-file', 'handoff-commit', 'handoff-task', 'message']);
const GROUP_KINDS = new Set(['run', 'tree', 'team']);

/** A lane on the wire: the lane without its items, and the items as numbers. */
export interface GroupTimelineWireLane extends Omit<GroupTimelineLane, 'items'> {
  readonly items: readonly number[];
}

export interface GroupTimelineWire extends Omit<GroupTimelineModel, 'lanes'> {
  readonly wire: typeof GROUP_TIMELINE_WIRE_VERSION;
  /** Every label, kind and session id of the items, once. Untrusted text. */
  readonly strings: readonly string[];
  readonly lanes: readonly GroupTimelineWireLane[];
}

export function encodeGroupTimeline(model: GroupTimelineModel): GroupTimelineWire {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (text: string): number => {
    let at = index.get(text);
    if (at === undefined) {
      at = strings.length;
      strings.push(text);
      index.set(text, at);
    }
    return at;
  };
  const base = model.start ?? 0;
  const lanes = model.lanes.map((lane): GroupTimelineWireLane => {
    const items: number[] = [];
    let previous = base;
    for (const item of lane.items) {
      items.push(item.start - previous, item.end - item.start, item.row, LAYERS.indexOf(item.layer), ref(item.label), ref(item.kind), ref(item.sessionId), item.position ?? -1, item.count);
      previous = item.start;
    }
    return { ...lane, items };
  });
  return { ...model, wire: GROUP_TIMELINE_WIRE_VERSION, strings, lanes };
}

export type DecodedTimeline = { readonly ok: true; readonly model: GroupTimelineModel } | { readonly ok: false; readonly problem: string };

/** Checks what arrived and rebuilds the model; a malformed one is named, never half drawn. */
export function decodeGroupTimeline(value: unknown): DecodedTimeline {
  try {
    return { ok: true, model: decode(value) };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

type Obj = Readonly<Record<string, unknown>>;

function decode(value: unknown): GroupTimelineModel {
  const m = obj(value, 'the timeline');
  if (m['wire'] !== GROUP_TIMELINE_WIRE_VERSION) throw new Error(`the timeline's wire version is ${JSON.stringify(m['wire'] ?? null)}, not ${GROUP_TIMELINE_WIRE_VERSION}`);
  const groupId = str(m, 'groupId');
  const kind = str(m, 'kind');
  if (!GROUP_KINDS.has(kind)) throw new Error('kind is not a group kind');
  const label = str(m, 'label');
  const start = nullableNum(m, 'start');
  const end = nullableNum(m, 'end');
  const strings = arr(m, 'strings');
  strings.forEach((s, i) => {
    if (typeof s !== 'string') throw new Error(`strings[${i}] is not text`);
  });
  const texts = strings as readonly string[];
  const rawLanes = arr(m, 'lanes');
  const lanes = rawLanes.map((lane, i) => decodeLane(obj(lane, `lanes[${i}]`), `lanes[${i}]`, texts, start ?? 0));
  const arrows = arr(m, 'arrows').map((a, i) => checkArrow(obj(a, `arrows[${i}]`), `arrows[${i}]`, lanes.length));
  const st = obj(m['stats'], 'stats');
  const stats = {
    events: num(st, 'events', 'stats'), items: num(st, 'items', 'stats'), itemsBeforeMerge: num(st, 'itemsBeforeMerge', 'stats'),
    links: num(st, 'links', 'stats'), unplacedLinks: num(st, 'unplacedLinks', 'stats'), reading: num(st, 'reading', 'stats'),
  };
  return { groupId, kind: kind as GroupTimelineModel['kind'], label, start, end, lanes, arrows, stats };
}

function decodeLane(lane: Obj, at: string, texts: readonly string[], base: number): GroupTimelineLane {
  const id = str(lane, 'id', at);
  const sessionId = str(lane, 'sessionId', at);
  const agentId = lane['agentId'] === null ? null : str(lane, 'agentId', at);
  const label = str(lane, 'label', at);
  const shortId = str(lane, 'shortId', at);
  const role = str(lane, 'role', at);
  if (!ROLES.has(role)) throw new Error(`${at}.role is not a role`);
  const depth = num(lane, 'depth', at);
  const rows = num(lane, 'rows', at);
  const merged = num(lane, 'merged', at);
  let span: GroupTimelineLane['span'] = null;
  if (lane['span'] !== null) {
    const s = obj(lane['span'], `${at}.span`);
    span = { start: num(s, 'start', `${at}.span`), end: num(s, 'end', `${at}.span`) };
  }
  const flat = arr(lane, 'items', at);
  if (flat.length % ITEM_FIELDS !== 0) throw new Error(`${at}.items holds ${flat.length} numbers, not a multiple of ${ITEM_FIELDS}`);
  for (let k = 0; k < flat.length; k += 1) {
    const v = flat[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${at}.items[${Math.floor(k / ITEM_FIELDS)}] has a field that is not a number`);
  }
  const f = flat as readonly number[];
  const items: GroupTimelineItem[] = [];
  let previous = base;
  for (let k = 0; k < f.length; k += ITEM_FIELDS) {
    const start = previous + (f[k] as number);
    const row = f[k + 2] as number;
    const layer = LAYERS[f[k + 3] as number];
    const label = texts[f[k + 4] as number];
    const kind = texts[f[k + 5] as number];
    const session = texts[f[k + 6] as number];
    const position = f[k + 7] as number;
    const count = f[k + 8] as number;
    // One test for the common case; the error (rare) says which field.
    if (layer === undefined || label === undefined || kind === undefined || session === undefined || !Number.isInteger(row) || row < 0 || !Number.isInteger(position) || position < -1 || !Number.isInteger(count) || count < 1) {
      throw new Error(itemProblem(f, k, texts, `${at}.items[${k / ITEM_FIELDS}]`));
    }
    items.push({ start, end: start + (f[k + 1] as number), row, layer, label, kind, sessionId: session, position: position === -1 ? null : position, count });
    previous = start;
  }
  return { id, sessionId, agentId, label, shortId, role: role as GroupTimelineLane['role'], depth, rows, span, items, merged };
}

function checkArrow(arrow: Obj, at: string, lanes: number): GroupTimelineArrow {
  str(arrow, 'id', at);
  str(arrow, 'label', at);
  if (!LINK_KINDS.has(arrow['kind'] as string)) throw new Error(`${at}.kind is not a link kind`);
  if (typeof arrow['exact'] !== 'boolean') throw new Error(`${at}.exact is not a boolean`);
  if (arrow['count'] !== undefined) num(arrow, 'count', at);
  for (const side of ['from', 'to']) {
    const end = obj(arrow[side], `${at}.${side}`);
    const lane = num(end, 'lane', `${at}.${side}`);
    if (!Number.isInteger(lane) || lane < 0 || lane >= lanes) throw new Error(`${at}.${side}.lane is not a lane`);
    num(end, 'at', `${at}.${side}`);
    str(end, 'sessionId', `${at}.${side}`);
    nullableNum(end, 'position', `${at}.${side}`);
  }
  return arrow as unknown as GroupTimelineArrow;
}

function itemProblem(f: readonly number[], k: number, texts: readonly string[], where: string): string {
  const [row, layer, label, kind, session, position] = [f[k + 2], f[k + 3], f[k + 4], f[k + 5], f[k + 6], f[k + 7]] as number[];
  if (LAYERS[layer as number] === undefined) return `${where}.layer is not a layer`;
  for (const [field, index] of [['label', label], ['kind', kind], ['sessionId', session]] as const) {
    if (!Number.isInteger(index) || texts[index as number] === undefined) return `${where}.${field} names no string of the table`;
  }
  if (!Number.isInteger(row) || (row as number) < 0) return `${where}.row is not a row`;
  if (!Number.isInteger(position) || (position as number) < -1) return `${where}.position is not an event's position`;
  return `${where}.count is not a count`;
}

function obj(value: unknown, at: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${at} is not an object`);
  return value as Obj;
}

function arr(o: Obj, key: string, at = ''): readonly unknown[] {
  const value = o[key];
  if (!Array.isArray(value)) throw new Error(`${name(at, key)} is not a list`);
  return value;
}

function str(o: Obj, key: string, at = ''): string {
  const value = o[key];
  if (typeof value !== 'string') throw new Error(`${name(at, key)} is not text`);
  return value;
}

function num(o: Obj, key: string, at = ''): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${name(at, key)} is not a number`);
  return value;
}

function nullableNum(o: Obj, key: string, at = ''): number | null {
  return o[key] === null ? null : num(o, key, at);
}

function name(at: string, key: string): string {
  return at === '' ? key : `${at}.${key}`;
}
