import type { GroupTimelineItem, GroupTimelineLane, GroupTimelineModel } from '../../src/protocol/group-timeline';

// A small made-up group the view draws once, off screen, while it waits for the host's first
// model (GroupTimelineView.warm): the first real frame then finds the drawing code compiled and
// the canvas's paths, dashes, text and the local time zone ready, instead of paying for them
// itself. Never shown: the canvas is cleared after it.

const ITEMS = 240;
const LAYERS = ['state', 'call', 'marker'] as const;
const KINDS = ['model_working', 'tool_running', 'idle', 'ok', 'failed', 'prompt'];

export function warmModel(): GroupTimelineModel {
  const start = Date.UTC(2026, 0, 1);
  const end = start + ITEMS * 1000;
  const lane = (id: string, depth: number): GroupTimelineLane => {
    const items: GroupTimelineItem[] = Array.from({ length: ITEMS }, (_, i) => ({
      start: start + i * 1000, end: start + i * 1000 + (i % 3) * 400, row: i % 2, layer: LAYERS[i % 3] ?? 'state', label: 'warm', kind: KINDS[i % KINDS.length] ?? 'ok',
      sessionId: id, position: i + 1, count: 1 + (i % 2),
    }));
    return { id, sessionId: id, agentId: depth === 0 ? null : 'a', label: 'warm', shortId: 'warm', role: depth === 0 ? 'lead' : 'subagent', depth, rows: 2, span: { start, end }, items, merged: 0 };
  };
  const end1 = (l: number, at: number): { lane: number; sessionId: string; at: number; position: number } => ({ lane: l, sessionId: 'w', at, position: 1 });
  return {
    groupId: 'warm', kind: 'run', label: 'warm', start, end, lanes: [lane('w', 0), lane('w/a', 1)],
    arrows: [
      { id: 'x', kind: 'spawn', exact: true, label: 'warm', from: end1(0, start + 5000), to: end1(1, start + 9000) },
      { id: 'y', kind: 'handoff-file', exact: false, label: 'warm', from: end1(1, start + 20000), to: end1(0, start + 40000) },
    ],
    stats: { events: 0, items: 0, itemsBeforeMerge: 0, links: 0, unplacedLinks: 0, reading: 0 },
  };
}
