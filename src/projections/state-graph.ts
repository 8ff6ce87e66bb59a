import { LIFECYCLE_STATES } from '../domain/lifecycle';
import { workflowDefinitionSchema } from '../domain/workflow/definition';
import type { WorkflowDefinition } from '../domain/workflow/types';
import type { GraphEdgeView, GraphNodeView, MachineKind, StateGraphView } from '../protocol/state-machine';
import { canvasOf, routeEdges, shiftGeometry } from './edge-routing';
import { LAYOUT, layeredLayout } from './graph-layout';
import { lifecycleTimes, workflowTimes } from './session-summary';
import type { SessionSummaryState } from './session-summary';
import { tallyByState } from './state-timeline';
import type { StateTally, StateTimeline } from './state-timeline';

// The state-machine view model: both machines of a session as laid-out graphs, from one
// timeline (the summary and the events-per-state fold of the same events, so the numbers agree).
// The lifecycle always shows all its states; the workflow shows every state of its definition,
// visited or not, plus any state the session was in that the definition does not name.

/** Both graphs of a session. */
export interface SessionGraphs {
  readonly lifecycle: StateGraphView;
  readonly workflow: StateGraphView | null;
  readonly workflowNote: string | null;
}

/** How the lifecycle is laid out, whatever the session did: the diagram stays put as edges appear. */
export const LIFECYCLE_SKELETON: readonly { from: string; to: string }[] = [
  { from: 'starting', to: 'prompted' }, { from: 'prompted', to: 'model_working' },
  { from: 'model_working', to: 'tool_running' }, { from: 'tool_running', to: 'waiting_for_permission' },
  { from: 'tool_running', to: 'subagent_running' }, { from: 'model_working', to: 'compacting' },
  { from: 'model_working', to: 'idle' }, { from: 'idle', to: 'ended' },
];

const NODE_HEIGHT = 64;
const EMPTY_TALLY: StateTally = { events: 0, denials: 0, refusals: 0, stopBlocks: 0, reviewRejections: 0 };

/** Both graphs; `fallback` gives the workspace's current definition, asked only when the stream recorded none that validates. */
export function buildSessionGraphs(timeline: StateTimeline, fallback: () => WorkflowDefinition | null = () => null): SessionGraphs {
  const recorded = parseDefinition(timeline.definition);
  const started = timeline.summary.workflow.state.current !== null || timeline.summary.workflow.transitions.length > 0;
  const definition = recorded ?? (started ? fallback() : null);
  const workflow = buildWorkflowGraph(timeline, definition);
  const workflowNote = workflow === null ? null
    : definition === null ? 'No workflow definition was found: only the states the session visited are shown.'
      : recorded === null ? 'The stream carries no readable definition: states come from the workspace\'s current workflow.json.' : null;
  return { lifecycle: buildLifecycleGraph(timeline), workflow, workflowNote };
}

/** A definition read back from an event is untrusted: it is validated like the file. */
export function parseDefinition(raw: unknown): WorkflowDefinition | null {
  if (raw === null || raw === undefined) return null;
  const parsed = workflowDefinitionSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export function buildLifecycleGraph(timeline: StateTimeline): StateGraphView {
  const s = timeline.summary;
  const tally = tallyByState(timeline, 'lifecycle');
  const times: Readonly<Record<string, number>> = lifecycleTimes(s);
  const edges = Object.entries(s.lifecycle.transitions).flatMap(([key, count]) => {
    const [from, to] = key.split('→');
    return from === undefined || to === undefined ? [] : [{ from, to, count, refused: 0, declared: true, guards: [] as string[] }];
  });
  const first = timeline.events[0]?.lifecycle ?? null;
  const current = s.eventsFolded === 0 ? null : s.lifecycle.state;
  const entered = entriesByState(edges, first);
  const nodes = LIFECYCLE_STATES.map((id) => {
    const t = tally.get(id) ?? EMPTY_TALLY;
    return {
      id, label: id.replace(/_/g, ' '), timeMs: times[id] ?? 0, events: t.events, entries: entered.get(id) ?? 0,
      current: id === current, initial: id === 'starting', final: id === 'ended', declared: true,
      denials: t.denials, refusals: t.refusals, stopBlocks: t.stopBlocks, reviewRejections: t.reviewRejections, description: null,
    };
  });
  return assemble('lifecycle', 'Session lifecycle', nodes, edges, [...LIFECYCLE_SKELETON], 'starting', current, []);
}

/** Null when the session never started a workflow. */
export function buildWorkflowGraph(timeline: StateTimeline, definition: WorkflowDefinition | null): StateGraphView | null {
  const s = timeline.summary;
  const wf = s.workflow;
  if (wf.state.current === null && wf.transitions.length === 0) return null;
  const notes: string[] = [];
  const edges = new Map<string, EdgeDraft>();
  const layering: { from: string; to: string }[] = [];
  // Whether the definition allows an edge is asked once per edge, not once per recorded transition.
  const addEdge = (from: string, to: string, isDeclared: () => boolean, guards: readonly string[] = []): EdgeDraft => {
    const key = `${from}→${to}`;
    let edge = edges.get(key);
    if (edge === undefined) {
      edge = { from, to, count: 0, refused: 0, declared: isDeclared(), guards: [...guards] };
      edges.set(key, edge);
    }
    return edge;
  };
  for (const t of definition?.transitions ?? []) {
    if (t.from === '*') continue;
    addEdge(t.from, t.to, () => true, t.guards ?? []);
    layering.push({ from: t.from, to: t.to });
  }
  if (definition?.review !== undefined) {
    addEdge(definition.review.state, definition.review.onRejected, () => true, ['review rejected']);
    layering.push({ from: definition.review.state, to: definition.review.onRejected });
  }
  const untold = wf.transitions.filter((t) => t.from === null).length;
  if (untold > 0) notes.push(`${untold} transition(s) without a recorded origin are not drawn.`);
  for (const t of wf.transitions) {
    if (t.from === null) continue;
    const { from, to } = t;
    const edge = addEdge(from, to, () => allowedByDefinition(definition, from, to));
    edge.count += 1;
    if (definition === null) layering.push({ from: t.from, to: t.to });
  }
  const ids = workflowStateIds(s, definition);
  const known = new Set(ids);
  const early = wf.refusals.filter((r) => r.from === null).length;
  if (early > 0) notes.push(`${early} refusal(s) before the workflow started.`);
  for (const r of wf.refusals) {
    if (r.kind !== 'transition' || r.from === null || r.to === null || !known.has(r.to)) continue;
    const { from, to } = r;
    addEdge(from, to, () => allowedByDefinition(definition, from, to)).refused += 1;
  }
  const tally = tallyByState(timeline, 'workflow');
  const times = workflowTimes(s);
  const drafts = [...edges.values()];
  const first = timeline.events.find((e) => e.workflow !== null)?.workflow ?? null;
  const initial = definition?.initial ?? first;
  const current = wf.state.current;
  // Counted once per record list, not once per state: a session may name thousands of states.
  const byState = <T extends { readonly state: string | null }>(records: readonly T[]): Map<string | null, number> => countBy(records, (r) => r.state);
  const [denials, stopBlocks, rejections] = [byState(wf.hookDenials), byState(wf.stopBlocks), byState(wf.reviewRejections)];
  const refusalsFrom = countBy(wf.refusals, (r) => r.from);
  const entered = entriesByState(drafts, first);
  const nodes = ids.map((id) => ({
    id, label: id.length > 28 ? `${id.slice(0, 27)}…` : id, timeMs: own(times, id) ?? 0, events: tally.get(id)?.events ?? 0,
    entries: entered.get(id) ?? 0, current: id === current, initial: id === initial,
    final: definition?.states[id]?.final === true, declared: definition === null || Object.hasOwn(definition.states, id),
    denials: denials.get(id) ?? 0, refusals: refusalsFrom.get(id) ?? 0, stopBlocks: stopBlocks.get(id) ?? 0,
    reviewRejections: rejections.get(id) ?? 0, description: definition?.states[id]?.description ?? null,
  }));
  return assemble('workflow', `Workflow ${wf.name ?? definition?.name ?? ''}`.trim(), nodes, drafts, layering, initial, current, notes);
}

interface EdgeDraft {
  readonly from: string;
  readonly to: string;
  count: number;
  refused: number;
  readonly declared: boolean;
  readonly guards: string[];
}

type NodeDraft = Omit<GraphNodeView, 'x' | 'y' | 'width' | 'height' | 'share' | 'visited'>;

// Definition states first (its order), then states only the session knows, in order of appearance.
function workflowStateIds(s: SessionSummaryState, definition: WorkflowDefinition | null): string[] {
  const ids = new Set<string>(definition === null ? [] : Object.keys(definition.states));
  const wf = s.workflow;
  const seen = [
    ...wf.transitions.flatMap((t) => (t.from === null ? [t.to] : [t.from, t.to])),
    wf.state.current, ...wf.hookDenials.map((r) => r.state), ...wf.stopBlocks.map((r) => r.state),
    ...wf.reviewRejections.map((r) => r.state), ...wf.refusals.map((r) => r.from),
  ];
  for (const id of seen) if (id !== null && id !== '') ids.add(id);
  return [...ids];
}

function allowedByDefinition(definition: WorkflowDefinition | null, from: string, to: string): boolean {
  if (definition === null) return true;
  if (definition.review !== undefined && definition.review.state === from && definition.review.onRejected === to) return true;
  return definition.transitions.some((t) => t.to === to && (t.from === from || (t.from === '*' && definition.states[from]?.final !== true)));
}

/** How often each state was entered: the counts of the edges into it, plus one for the first state. */
function entriesByState(edges: readonly { to: string; count: number }[], first: string | null): Map<string, number> {
  const entered = new Map<string, number>(first === null ? [] : [[first, 1]]);
  for (const e of edges) entered.set(e.to, (entered.get(e.to) ?? 0) + e.count);
  return entered;
}

function countBy<T, K>(records: readonly T[], keyOf: (record: T) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const record of records) counts.set(keyOf(record), (counts.get(keyOf(record)) ?? 0) + 1);
  return counts;
}

function assemble(
  machine: MachineKind, title: string, drafts: readonly NodeDraft[], edgeDrafts: readonly EdgeDraft[],
  layering: readonly { from: string; to: string }[], root: string | null, current: string | null, notes: readonly string[],
): StateGraphView {
  const totalTimeMs = drafts.reduce((sum, n) => sum + n.timeMs, 0);
  const layout = layeredLayout({ nodes: drafts.map((n) => ({ id: n.id, width: nodeWidth(n.label), height: NODE_HEIGHT })), edges: layering, root });
  const pairs = new Set(edgeDrafts.map((e) => `${e.from}→${e.to}`));
  const routes = routeEdges(layout.boxes, layout.layers, edgeDrafts.map((e) => ({ from: e.from, to: e.to, twoWay: e.from !== e.to && pairs.has(`${e.to}→${e.from}`) })));
  const placed = edgeDrafts.flatMap((e, i) => {
    const geometry = routes[i];
    return geometry === undefined ? [] : [{ e, geometry }];
  });
  // Curves may bend beyond the columns: the canvas grows to hold them and everything shifts with it.
  const canvas = canvasOf(layout.boxes.values(), placed.map((p) => p.geometry), LAYOUT.margin);
  const nodes: GraphNodeView[] = drafts.map((n) => {
    const box = layout.boxes.get(n.id) ?? { x: 0, y: 0, width: 0, height: 0 };
    return {
      ...n, share: totalTimeMs > 0 ? n.timeMs / totalTimeMs : 0, visited: n.timeMs > 0 || n.events > 0 || n.entries > 0 || n.current,
      x: box.x + canvas.dx, y: box.y + canvas.dy, width: box.width, height: box.height,
    };
  });
  const edges: GraphEdgeView[] = placed.map(({ e, geometry }) => ({
    id: `${e.from}→${e.to}`, from: e.from, to: e.to, count: e.count, refused: e.refused, declared: e.declared, guards: e.guards,
    geometry: shiftGeometry(geometry, canvas.dx, canvas.dy),
  }));
  return { machine, title, nodes, edges, current, totalTimeMs, width: canvas.width, height: canvas.height, notes };
}

function nodeWidth(label: string): number {
  return Math.min(240, Math.max(130, Math.round(40 + label.length * 7.5)));
}

function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
