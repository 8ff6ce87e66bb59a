import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIFECYCLE_STATES } from '../../src/domain/lifecycle';
import { totalTime } from '../../src/domain/lifecycle-time';
import { layeredLayout } from '../../src/projections/graph-layout';
import { lifecycleTimes, summarizeSession, workflowTimes } from '../../src/projections/session-summary';
import { buildSessionGraphs, parseDefinition } from '../../src/projections/state-graph';
import { createTimeline, eventsInState, extendTimeline, partitionByState } from '../../src/projections/state-timeline';
import type { StateTimeline } from '../../src/projections/state-timeline';
import type { MachineKind, StateGraphView } from '../../src/protocol/state-machine';
import type { RecordedEvent } from '../../src/store/event-store';
import { fixtureRecordedEvents } from './helpers';

// ---- builders ----

type Data = Record<string, unknown>;
const iso = (ms: number): string => new Date(ms).toISOString();
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const TEAM_LOOP = JSON.parse(readFileSync(join(__dirname, '..', '..', 'templates', 'workflow.team-loop.json'), 'utf8')) as Data;

const fixtureEvents = (): RecordedEvent[] => fixtureRecordedEvents();

/** A session stream mixing hook and workflow events, one `step` ms apart. */
class Stream {
  readonly events: RecordedEvent[] = [];
  private clock = T0;

  hook(type: string, data: Data = {}, step = 1000): this {
    return this.add(type, { session_id: 'wf', hook_event_name: type, ...data }, 'hook', step);
  }

  workflow(type: string, data: Data = {}, step = 1000): this {
    return this.add(type, { ...data, at: iso(this.clock + step) }, 'workflow', step);
  }

  private add(type: string, data: Data, source: string, step: number): this {
    this.clock += step;
    const n = this.events.length + 1;
    this.events.push({
      globalPosition: n * 2, streamId: 'wf', streamPosition: n, eventId: `w${n}`, type, schemaVersion: 1, recordedAt: iso(this.clock),
      correlationId: null, causationId: null, data, metadata: { source, receivedAt: iso(this.clock) },
    });
    return this;
  }
}

const tool = (id: string, name: string): Data => ({ tool_name: name, tool_input: { file_path: `/w/${id}.ts` }, tool_use_id: id });

/** The team loop: plan, a denied edit, a refused shortcut, develop, a rejected review, a blocked stop, approval. */
function workflowSession(definition: unknown = TEAM_LOOP): Stream {
  return new Stream()
    .hook('SessionStart', { source: 'startup' })
    .workflow('WorkflowStarted', { definitionHash: 'h1', name: 'team-loop', definition, state: 'planning', iteration: 0 })
    .hook('UserPromptSubmit', { prompt: 'go' })
    .hook('PreToolUse', tool('t1', 'Edit'))
    .workflow('HookDenied', { toolName: 'Edit', toolUseId: 't1', state: 'planning', rule: 'states.planning.tools.deny "Edit"', reason: 'plan first' }, 10)
    .hook('PostToolBatch', { tool_calls: [tool('t1', 'Edit')] })
    .workflow('WorkflowTransitionRefused', { from: 'planning', to: 'committing', reason: 'not allowed', problems: [], allowed: ['developing'] }, 3000)
    .workflow('JournalEntryWritten', { text: 'plan: x', tags: ['plan'], files: [], state: 'planning', iteration: 0 })
    .workflow('WorkflowTransitioned', { from: 'planning', to: 'developing', reason: 'planned', iteration: 1 }, 2000)
    .hook('PreToolUse', tool('t2', 'Edit'))
    .hook('PostToolUse', tool('t2', 'Edit'), 5000)
    .workflow('JournalEntryWritten', { text: 'did x', tags: [], files: [{ path: 'src/x.ts', line: 3 }], state: 'developing', iteration: 1 })
    .workflow('WorkflowTransitioned', { from: 'developing', to: 'reviewing', reason: 'ready', iteration: 1 }, 4000)
    .workflow('ReviewRejected', { notes: 'tests missing', state: 'reviewing', backTo: 'developing' }, 6000)
    .workflow('WorkflowTransitioned', { from: 'reviewing', to: 'developing', reason: 'review rejected', iteration: 2 }, 10)
    .hook('Stop', {}, 2000)
    .workflow('StopBlocked', { state: 'developing', reason: 'journal first' }, 5)
    .workflow('JournalEntryWritten', { text: 'tests added', tags: ['fix'], files: [], state: 'developing', iteration: 2 }, 3000)
    .workflow('WorkflowTransitioned', { from: 'developing', to: 'reviewing', reason: 'again', iteration: 2 }, 1000)
    .workflow('ReviewApproved', { notes: 'ok', state: 'reviewing' }, 2000);
}

function timelineOf(events: readonly RecordedEvent[]): StateTimeline {
  const timeline = createTimeline();
  extendTimeline(timeline, events);
  return timeline;
}

const node = (graph: StateGraphView, id: string) => {
  const found = graph.nodes.find((n) => n.id === id);
  assert.ok(found, `node ${id}`);
  return found;
};
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

function assertPartition(timeline: StateTimeline, machine: MachineKind, events: readonly RecordedEvent[]): void {
  const buckets = partitionByState(timeline, machine);
  const positions = [...buckets.values()].flat().map((e) => e.position).sort((a, b) => a - b);
  assert.deepEqual(positions, events.map((e) => e.globalPosition), `${machine}: every event in exactly one state`);
  for (const [state, bucket] of buckets) assert.deepEqual(eventsInState(timeline, machine, state), bucket);
}

function assertLaidOut(graph: StateGraphView): void {
  for (const n of graph.nodes) {
    assert.ok(n.x >= 0 && n.y >= 0 && n.x + n.width <= graph.width && n.y + n.height <= graph.height, `${n.id} inside the canvas`);
  }
  for (const [i, a] of graph.nodes.entries()) {
    for (const b of graph.nodes.slice(i + 1)) {
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      assert.ok(apart, `${a.id} and ${b.id} do not overlap`);
    }
  }
}

// ---- the real captured session ----

test('fixture session: every lifecycle state is a node, times sum to the session, edges carry the summary\'s counts', () => {
  const events = fixtureEvents();
  const timeline = timelineOf(events);
  const summary = summarizeSession(events);
  assert.deepEqual(timeline.summary, summary, 'the timeline folds the same summary');
  const { lifecycle, workflow } = buildSessionGraphs(timeline);
  assert.equal(workflow, null, 'no workflow in the fixture');
  assert.deepEqual(lifecycle.nodes.map((n) => n.id), [...LIFECYCLE_STATES]);
  const times = lifecycleTimes(summary);
  for (const n of lifecycle.nodes) assert.equal(n.timeMs, times[n.id as keyof typeof times], n.id);
  assert.equal(sum(lifecycle.nodes.map((n) => n.timeMs)), totalTime(times));
  assert.equal(lifecycle.totalTimeMs, 1795371404297 - 1795371401982);
  assert.ok(Math.abs(sum(lifecycle.nodes.map((n) => n.share)) - 1) < 1e-9, 'shares sum to 1');
  assert.deepEqual(Object.fromEntries(lifecycle.edges.map((e) => [e.id, e.count])), summary.lifecycle.transitions);
  assert.ok(lifecycle.edges.length > 3);
  assert.equal(lifecycle.current, 'ended');
  assert.deepEqual(lifecycle.nodes.filter((n) => n.current).map((n) => n.id), ['ended']);
  assert.equal(sum(lifecycle.nodes.map((n) => n.events)), events.length);
  for (const n of lifecycle.nodes) assert.equal(n.events, eventsInState(timeline, 'lifecycle', n.id).length, n.id);
  assertPartition(timeline, 'lifecycle', events);
  assertPartition(timeline, 'workflow', events);
  assert.equal(partitionByState(timeline, 'workflow').get(null)?.length, events.length, 'all before any workflow');
  assertLaidOut(lifecycle);
});

test('an event belongs to the state it leaves the session in: SessionStart opens starting, SessionEnd is in ended', () => {
  const timeline = timelineOf(fixtureEvents());
  assert.equal(timeline.events[0]?.type, 'SessionStart');
  assert.equal(timeline.events[0]?.lifecycle, 'starting');
  const end = timeline.events.find((e) => e.type === 'SessionEnd');
  assert.equal(end?.lifecycle, 'ended');
  const pre = timeline.events.find((e) => e.type === 'PreToolUse');
  assert.equal(pre?.lifecycle, 'tool_running');
  assert.ok(timeline.events.every((e) => typeof e.summary === 'string' && e.summary.length <= 160));
});

// ---- a workflow session ----

test('workflow session: every state of the definition, visited or not; edge counts equal the summary\'s transitions', () => {
  const stream = workflowSession();
  const timeline = timelineOf(stream.events);
  const s = timeline.summary;
  const { workflow, workflowNote } = buildSessionGraphs(timeline);
  assert.ok(workflow);
  assert.equal(workflowNote, null, 'the definition came from the stream');
  assert.equal(workflow.title, 'Workflow team-loop');
  assert.deepEqual(workflow.nodes.map((n) => n.id), ['planning', 'developing', 'reviewing', 'committing', 'respawning']);
  assert.equal(node(workflow, 'respawning').visited, false);
  assert.equal(node(workflow, 'committing').visited, false);
  assert.equal(node(workflow, 'planning').initial, true);
  assert.equal(workflow.current, 'reviewing');
  assert.deepEqual(workflow.nodes.filter((n) => n.current).map((n) => n.id), ['reviewing']);
  const pairs = new Map<string, number>();
  for (const t of s.workflow.transitions) pairs.set(`${t.from}→${t.to}`, (pairs.get(`${t.from}→${t.to}`) ?? 0) + 1);
  const taken = workflow.edges.filter((e) => e.count > 0);
  assert.deepEqual(new Map(taken.map((e) => [e.id, e.count])), pairs);
  assert.equal(workflow.edges.find((e) => e.id === 'developing→reviewing')?.count, 2);
  // Declared but never taken: drawn, with a zero count.
  assert.equal(workflow.edges.find((e) => e.id === 'committing→respawning')?.count, 0);
  const times = workflowTimes(s);
  for (const n of workflow.nodes) assert.equal(n.timeMs, times[n.id] ?? 0, n.id);
  assert.equal(workflow.totalTimeMs, sum(Object.values(times)));
  assert.equal(workflow.totalTimeMs, (s.lastEventAt ?? 0) - (s.workflow.startedAt ?? 0));
  assert.equal(node(workflow, 'developing').entries, 2);
  assert.equal(node(workflow, 'planning').entries, 1);
  assertLaidOut(workflow);
});

test('workflow session: refused transitions on their edge, denials, stop blocks and review rejections on their state', () => {
  const timeline = timelineOf(workflowSession().events);
  const { workflow, lifecycle } = buildSessionGraphs(timeline);
  assert.ok(workflow);
  const refused = workflow.edges.find((e) => e.id === 'planning→committing');
  assert.ok(refused, 'a refused move gets an edge');
  assert.equal(refused.refused, 1);
  assert.equal(refused.count, 0);
  assert.equal(refused.declared, false);
  assert.equal(node(workflow, 'planning').refusals, 1);
  assert.equal(node(workflow, 'planning').denials, 1);
  assert.equal(node(workflow, 'developing').stopBlocks, 1);
  assert.equal(node(workflow, 'reviewing').reviewRejections, 1);
  assert.equal(sum(workflow.nodes.map((n) => n.denials)), timeline.summary.workflow.hookDenials.length);
  // The review's way back is declared by the review block.
  assert.equal(workflow.edges.find((e) => e.id === 'reviewing→developing')?.declared, true);
  // The lifecycle marks the denial where the session was when it happened: the denied call was running.
  assert.equal(node(lifecycle, 'tool_running').denials, 1);
  assert.equal(sum(lifecycle.nodes.map((n) => n.refusals)), 1);
});

test('workflow session: events per state partition the stream; the ones before WorkflowStarted are outside', () => {
  const { events } = workflowSession();
  const timeline = timelineOf(events);
  assertPartition(timeline, 'workflow', events);
  assertPartition(timeline, 'lifecycle', events);
  assert.deepEqual(eventsInState(timeline, 'workflow', null).map((e) => e.type), ['SessionStart']);
  const planning = eventsInState(timeline, 'workflow', 'planning').map((e) => e.type);
  assert.equal(planning[0], 'WorkflowStarted', 'the entering event opens the list');
  assert.ok(planning.includes('WorkflowTransitionRefused'), 'a refusal stays where it was refused');
  assert.equal(eventsInState(timeline, 'workflow', 'developing')[0]?.type, 'WorkflowTransitioned');
  const { workflow } = buildSessionGraphs(timeline);
  assert.ok(workflow);
  assert.equal(sum(workflow.nodes.map((n) => n.events)) + 1, events.length);
});

test('the timeline extends incrementally to the same result as one pass, skipping what it already folded', () => {
  const { events } = workflowSession();
  const once = timelineOf(events);
  const inSteps = createTimeline();
  extendTimeline(inSteps, events.slice(0, 7));
  extendTimeline(inSteps, events.slice(0, 12));
  assert.equal(extendTimeline(inSteps, events), events.length - 12);
  assert.deepEqual(inSteps, once);
  assert.equal(inSteps.lastStreamPosition, events.length);
});

test('the definition: validated from the stream, else the workspace\'s, else only visited states with a note', () => {
  const bogus = workflowSession({ states: 'not a definition' }).events;
  assert.equal(parseDefinition({ states: 'not a definition' }), null);
  const fallback = parseDefinition(TEAM_LOOP);
  assert.ok(fallback);
  const withFallback = buildSessionGraphs(timelineOf(bogus), () => fallback);
  assert.equal(withFallback.workflow?.nodes.length, 5);
  assert.match(withFallback.workflowNote ?? '', /current workflow\.json/);
  const bare = buildSessionGraphs(timelineOf(bogus));
  assert.deepEqual(bare.workflow?.nodes.map((n) => n.id), ['planning', 'developing', 'reviewing']);
  assert.match(bare.workflowNote ?? '', /only the states the session visited/);
  let asked = 0;
  buildSessionGraphs(timelineOf(fixtureEvents()), () => { asked += 1; return fallback; });
  assert.equal(asked, 0, 'no workflow file is read for a session without a workflow');
});

// ---- layout ----

test('layout is deterministic, layered along the flow and never overlaps boxes', () => {
  const timeline = timelineOf(workflowSession().events);
  const first = buildSessionGraphs(timeline);
  const again = buildSessionGraphs(timelineOf(workflowSession().events));
  assert.deepEqual(again, first);
  const x = (id: string): number => node(first.lifecycle, id).x;
  assert.ok(x('starting') < x('prompted') && x('prompted') < x('model_working') && x('model_working') < x('tool_running'));
  assert.ok(first.workflow);
  const wx = (id: string): number => node(first.workflow as StateGraphView, id).x;
  assert.ok(wx('planning') < wx('developing') && wx('developing') < wx('reviewing') && wx('reviewing') < wx('committing'));

  const nodes = Array.from({ length: 12 }, (_, i) => ({ id: `s${i}`, width: 100 + (i % 3) * 40, height: 64 }));
  const edges = [...nodes.slice(1).map((n, i) => ({ from: `s${i % 4}`, to: n.id })), { from: 's11', to: 's0' }, { from: 's5', to: 's2' }];
  const a = layeredLayout({ nodes, edges, root: 's0' });
  const b = layeredLayout({ nodes, edges, root: 's0' });
  assert.deepEqual([...a.boxes], [...b.boxes]);
  const boxes = [...a.boxes.values()];
  for (const [i, p] of boxes.entries()) {
    for (const q of boxes.slice(i + 1)) assert.ok(p.x + p.width <= q.x || q.x + q.width <= p.x || p.y + p.height <= q.y || q.y + q.height <= p.y);
  }
  for (const e of edges.slice(0, -2)) assert.ok((a.layers.get(e.to) ?? 0) > (a.layers.get(e.from) ?? 0), `${e.from}→${e.to} goes forward`);
});

test('edges are clipped to the node borders and two-way moves bend apart', () => {
  const { workflow } = buildSessionGraphs(timelineOf(workflowSession().events));
  assert.ok(workflow);
  const there = workflow.edges.find((e) => e.id === 'developing→reviewing');
  const back = workflow.edges.find((e) => e.id === 'reviewing→developing');
  assert.ok(there && back);
  assert.notDeepEqual(there.geometry.label, back.geometry.label);
  const from = node(workflow, 'developing');
  const { start } = there.geometry;
  const onBorder = Math.abs(start.x - from.x) < 0.2 || Math.abs(start.x - (from.x + from.width)) < 0.2 || Math.abs(start.y - from.y) < 0.2 || Math.abs(start.y - (from.y + from.height)) < 0.2;
  assert.ok(onBorder, 'starts on the border of its state');
});

test('edges of both graphs miss the other states and their labels do not overlap; everything fits the canvas', () => {
  for (const events of [fixtureEvents(), workflowSession().events]) {
    const graphs = buildSessionGraphs(timelineOf(events));
    for (const graph of [graphs.lifecycle, graphs.workflow]) {
      if (graph === null) continue;
      const labels: { x: number; y: number }[] = [];
      for (const edge of graph.edges) {
        const { start, control, end, label } = edge.geometry;
        for (let i = 1; i < 20; i += 1) {
          const t = i / 20;
          const p = { x: (1 - t) ** 2 * start.x + 2 * (1 - t) * t * control.x + t * t * end.x, y: (1 - t) ** 2 * start.y + 2 * (1 - t) * t * control.y + t * t * end.y };
          assert.ok(p.x >= 0 && p.y >= 0 && p.x <= graph.width && p.y <= graph.height, `${edge.id} inside the canvas`);
          for (const n of graph.nodes) {
            if (n.id === edge.from || n.id === edge.to) continue;
            assert.ok(!(p.x > n.x && p.x < n.x + n.width && p.y > n.y && p.y < n.y + n.height), `${graph.machine}: ${edge.id} crosses ${n.id}`);
          }
        }
        for (const other of labels) assert.ok(Math.abs(other.x - label.x) >= 40 || Math.abs(other.y - label.y) >= 16, `${graph.machine}: ${edge.id}'s label is clear`);
        labels.push(label);
      }
    }
  }
});
