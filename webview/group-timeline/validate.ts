import type { GroupTimelineArrow, GroupTimelineItem, GroupTimelineLane, GroupTimelineModel } from '../../src/protocol/group-timeline';

// The webview checks the model it is given (from the host, or from an exported page's data block)
// before drawing it: a malformed one is reported, never half drawn. Hand-written, not zod, so the
// bundle stays small; it checks shapes and types, the drawing treats every string as text.

export type Checked = { readonly ok: true; readonly model: GroupTimelineModel } | { readonly ok: false; readonly problem: string };

type Obj = Readonly<Record<string, unknown>>;

const LAYERS = new Set(['state', 'call', 'marker']);
const ROLES = new Set(['lead', 'worker', 'teammate', 'member', 'subagent']);
const LINK_KINDS = new Set(['spawn', 'handoff-file', 'handoff-commit', 'handoff-task', 'message']);

export function checkModel(value: unknown): Checked {
  try {
    const m = obj(value, 'model');
    str(m, 'groupId');
    str(m, 'label');
    nullableNum(m, 'start');
    nullableNum(m, 'end');
    const lanes = arr(m, 'lanes');
    lanes.forEach((lane, i) => checkLane(obj(lane, `lanes[${i}]`), i));
    arr(m, 'arrows').forEach((a, i) => checkArrow(obj(a, `arrows[${i}]`), i, lanes.length));
    const stats = obj(m['stats'], 'stats');
    for (const key of ['events', 'items', 'itemsBeforeMerge', 'links', 'unplacedLinks', 'reading']) num(stats, key, 'stats');
    return { ok: true, model: value as GroupTimelineModel };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

function checkLane(lane: Obj, i: number): asserts lane is Obj & GroupTimelineLane {
  for (const key of ['id', 'sessionId', 'label', 'shortId']) str(lane, key, `lanes[${i}]`);
  num(lane, 'rows', `lanes[${i}]`);
  num(lane, 'depth', `lanes[${i}]`);
  if (!ROLES.has(lane['role'] as string)) throw new Error(`lanes[${i}].role is not a role`);
  if (lane['span'] !== null) {
    const span = obj(lane['span'], `lanes[${i}].span`);
    num(span, 'start');
    num(span, 'end');
  }
  arr(lane, 'items').forEach((item, j) => checkItem(obj(item, `lanes[${i}].items[${j}]`), `lanes[${i}].items[${j}]`));
}

function checkItem(item: Obj, at: string): asserts item is Obj & GroupTimelineItem {
  for (const key of ['start', 'end', 'row', 'count']) num(item, key, at);
  for (const key of ['label', 'kind', 'sessionId']) str(item, key, at);
  nullableNum(item, 'position', at);
  if (!LAYERS.has(item['layer'] as string)) throw new Error(`${at}.layer is not a layer`);
}

function checkArrow(arrow: Obj, i: number, lanes: number): asserts arrow is Obj & GroupTimelineArrow {
  for (const key of ['id', 'label']) str(arrow, key, `arrows[${i}]`);
  if (!LINK_KINDS.has(arrow['kind'] as string)) throw new Error(`arrows[${i}].kind is not a link kind`);
  if (typeof arrow['exact'] !== 'boolean') throw new Error(`arrows[${i}].exact is not a boolean`);
  if (arrow['count'] !== undefined) num(arrow, 'count', `arrows[${i}]`);
  for (const side of ['from', 'to']) {
    const end = obj(arrow[side], `arrows[${i}].${side}`);
    const lane = num(end, 'lane', `arrows[${i}].${side}`);
    if (!Number.isInteger(lane) || lane < 0 || lane >= lanes) throw new Error(`arrows[${i}].${side}.lane is not a lane`);
    num(end, 'at', `arrows[${i}].${side}`);
    str(end, 'sessionId', `arrows[${i}].${side}`);
    nullableNum(end, 'position', `arrows[${i}].${side}`);
  }
}

function obj(value: unknown, at: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${at} is not an object`);
  return value as Obj;
}

function arr(o: Obj, key: string): readonly unknown[] {
  const value = o[key];
  if (!Array.isArray(value)) throw new Error(`${key} is not a list`);
  return value;
}

function str(o: Obj, key: string, at = ''): string {
  const value = o[key];
  if (typeof value !== 'string') throw new Error(`${at}${at === '' ? '' : '.'}${key} is not text`);
  return value;
}

function num(o: Obj, key: string, at = ''): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${at}${at === '' ? '' : '.'}${key} is not a number`);
  return value;
}

function nullableNum(o: Obj, key: string, at = ''): void {
  if (o[key] !== null) num(o, key, at);
}
