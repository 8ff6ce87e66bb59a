import { svg } from '../shared/dom';
import { formatDuration } from '../shared/duration';
import type { GraphEdgeView, GraphNodeView, StateGraphView } from '../../src/protocol/state-machine';

// The SVG drawing of one machine. Geometry comes from the host; every label is event-derived
// text and goes in as a text node. Shading uses the fill-opacity attribute (the CSP forbids
// inline style attributes), colours come from the theme through the stylesheet.

export interface DiagramHandlers {
  /** The user clicked or pressed Enter on a state. */
  select(state: string): void;
}

export function drawDiagram(graph: StateGraphView, selected: string | null, handlers: DiagramHandlers): SVGElement {
  const root = svg('svg', {
    class: 'diagram', 'data-testid': 'state-diagram', 'data-machine': graph.machine,
    viewBox: `0 0 ${graph.width} ${graph.height}`, width: graph.width, height: graph.height, role: 'img',
    'aria-label': `${graph.title}: ${graph.current === null ? 'no current state' : `current state ${graph.current}`}`,
  });
  root.appendChild(svg('defs', {}, arrow('arrow', 'arrow-head'), arrow('arrow-refused', 'arrow-head refused'), arrow('arrow-idle', 'arrow-head idle')));
  const edges = svg('g', { class: 'edges' });
  for (const edge of graph.edges) edges.appendChild(drawEdge(edge));
  const nodes = svg('g', { class: 'nodes' });
  for (const node of graph.nodes) nodes.appendChild(drawNode(node, node.id === selected, handlers));
  root.append(edges, nodes);
  return root;
}

function arrow(id: string, cls: string): SVGElement {
  return svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: cls }));
}

function drawEdge(edge: GraphEdgeView): SVGElement {
  const { start, control, end, label } = edge.geometry;
  const refusedOnly = edge.count === 0 && edge.refused > 0;
  const classes = ['edge', edge.count > 0 ? 'taken' : 'untaken', edge.refused > 0 ? 'has-refusals' : '', refusedOnly ? 'refused' : '', edge.declared ? '' : 'undeclared'];
  const marker = refusedOnly ? 'arrow-refused' : edge.count > 0 ? 'arrow' : 'arrow-idle';
  const group = svg('g', {
    class: classes.filter(Boolean).join(' '), 'data-testid': `edge-${edge.from}-${edge.to}`,
    'data-from': edge.from, 'data-to': edge.to, 'data-count': edge.count, 'data-refused': edge.refused, 'data-declared': String(edge.declared),
  });
  const tip = [`${edge.from} → ${edge.to}`, `taken ${edge.count}×`, edge.refused > 0 ? `refused ${edge.refused}×` : '', edge.guards.length > 0 ? `guards: ${edge.guards.join(', ')}` : '', edge.declared ? '' : 'not allowed by the definition'];
  group.appendChild(svg('title', {}, tip.filter(Boolean).join('\n')));
  group.appendChild(svg('path', { d: `M ${start.x} ${start.y} Q ${control.x} ${control.y} ${end.x} ${end.y}`, class: 'edge-line', 'marker-end': `url(#${marker})` }));
  const text = edgeLabel(edge);
  if (text !== '') {
    const labelNode = svg('text', { x: label.x, y: label.y, class: 'edge-label', 'text-anchor': 'middle', 'dominant-baseline': 'central', 'data-testid': `edge-label-${edge.from}-${edge.to}` });
    if (edge.count > 0) labelNode.appendChild(svg('tspan', { class: 'count' }, `×${edge.count}`));
    if (edge.refused > 0) labelNode.appendChild(svg('tspan', { class: 'refused-count', dx: edge.count > 0 ? 4 : 0 }, `${edge.refused} refused`));
    group.appendChild(labelNode);
  }
  return group;
}

function edgeLabel(edge: GraphEdgeView): string {
  return [edge.count > 0 ? `×${edge.count}` : '', edge.refused > 0 ? `${edge.refused} refused` : ''].filter(Boolean).join(' ');
}

function drawNode(node: GraphNodeView, selected: boolean, handlers: DiagramHandlers): SVGElement {
  const classes = ['node', node.current ? 'current' : '', node.visited ? 'visited' : 'unvisited', selected ? 'selected' : '', node.final ? 'final' : '', node.declared ? '' : 'undeclared'];
  const group = svg('g', {
    class: classes.filter(Boolean).join(' '), 'data-testid': `state-${node.id}`, 'data-state': node.id,
    'data-current': String(node.current), 'data-selected': String(selected), 'data-time-ms': node.timeMs, 'data-events': node.events,
    'data-denials': node.denials, 'data-refusals': node.refusals, tabindex: 0, role: 'button',
    'aria-pressed': String(selected), 'aria-label': `${node.label}: ${formatDuration(node.timeMs)}, ${node.events} events${node.current ? ', current state' : ''}`,
  });
  group.appendChild(svg('title', {}, nodeTip(node)));
  group.appendChild(svg('rect', { x: node.x, y: node.y, width: node.width, height: node.height, rx: 6, class: 'node-shade', 'fill-opacity': shade(node) }));
  group.appendChild(svg('rect', { x: node.x, y: node.y, width: node.width, height: node.height, rx: 6, class: 'node-frame' }));
  if (node.initial) group.appendChild(svg('circle', { cx: node.x - 9, cy: node.y + node.height / 2, r: 5, class: 'initial-dot' }));
  const cx = node.x + node.width / 2;
  group.appendChild(svg('text', { x: cx, y: node.y + 18, class: 'node-label', 'text-anchor': 'middle' }, node.label));
  const share = node.share > 0 ? ` · ${Math.round(node.share * 100)}%` : '';
  group.appendChild(svg('text', { x: cx, y: node.y + 35, class: 'node-time', 'text-anchor': 'middle', 'data-testid': `state-time-${node.id}` }, `${formatDuration(node.timeMs)}${share}`));
  group.appendChild(svg('text', { x: cx, y: node.y + 51, class: 'node-events', 'text-anchor': 'middle' }, `${node.events} event${node.events === 1 ? '' : 's'}`));
  const marks = markBadges(node);
  if (marks !== '') {
    group.appendChild(svg('text', { x: node.x + node.width - 4, y: node.y - 5, class: 'node-marks', 'text-anchor': 'end', 'data-testid': `state-marks-${node.id}` }, marks));
  }
  const choose = (): void => handlers.select(node.id);
  group.addEventListener('click', choose);
  group.addEventListener('keydown', (event) => {
    const key = (event as KeyboardEvent).key;
    if (key === 'Enter' || key === ' ') {
      event.preventDefault();
      choose();
    }
  });
  return group;
}

// Unvisited states stay almost clear; the rest deepen with their share of the time.
function shade(node: GraphNodeView): number {
  if (!node.visited) return 0.03;
  return Math.round((0.12 + 0.68 * Math.min(1, Math.max(0, node.share))) * 100) / 100;
}

function markBadges(node: GraphNodeView): string {
  return [
    node.denials > 0 ? `${node.denials} denied` : '', node.refusals > 0 ? `${node.refusals} refused` : '',
    node.stopBlocks > 0 ? `${node.stopBlocks} stop blocked` : '', node.reviewRejections > 0 ? `${node.reviewRejections} rejected` : '',
  ].filter(Boolean).join(' · ');
}

function nodeTip(node: GraphNodeView): string {
  return [
    node.id, node.description ?? '', `time ${formatDuration(node.timeMs)} (${Math.round(node.share * 100)}%)`, `entered ${node.entries}×, ${node.events} events`,
    node.denials > 0 ? `${node.denials} tool use(s) denied here` : '', node.refusals > 0 ? `${node.refusals} refusal(s) from here` : '',
    node.stopBlocks > 0 ? `${node.stopBlocks} stop(s) blocked here` : '', node.reviewRejections > 0 ? `${node.reviewRejections} review rejection(s)` : '',
    node.declared ? '' : 'not in the workflow definition', node.current ? 'current state' : '',
  ].filter(Boolean).join('\n');
}
