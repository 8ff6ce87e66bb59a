import type { EdgeGeometry, Point } from '../protocol/state-machine';
import type { Box } from './graph-layout';

// Edges of a laid-out state diagram as quadratic curves. Each edge tries bends in a fixed order
// (straight first between neighbouring columns) and takes the first whose curve misses every
// other box and whose label sits clear of boxes and of labels already placed: deterministic, and
// good enough for the dozen states a lifecycle or a workflow has.

/** One edge to draw; `twoWay` when the opposite edge exists too (both then bend, to opposite sides). */
export interface RouteRequest {
  readonly from: string;
  readonly to: string;
  readonly twoWay: boolean;
}

const CLEARANCE = 6;
const LABEL = { width: 40, height: 16 } as const;
const SAMPLES = 24;
const STRAIGHT = [0, 24, -24, 48, -48, 80, -80, 120, -120, 170, -170, 230, -230];
// The same sign bends the two edges of a pair to opposite sides: the second one keeps the first's sign.
const TWO_WAY = [40, -40, 28, -28, 64, -64, 96, -96, 136, -136, 186, -186, 246, -246];
const BENT = [44, -44, 72, -72, 104, -104, 144, -144, 194, -194, 254, -254];

/** Geometry per request (same order); undefined when a box is missing. */
export function routeEdges(boxes: ReadonlyMap<string, Box>, layers: ReadonlyMap<string, number>, requests: readonly RouteRequest[]): (EdgeGeometry | undefined)[] {
  const labels: Box[] = [];
  const pairSides = new Map<string, number>();
  return requests.map((request) => {
    const from = boxes.get(request.from);
    const to = boxes.get(request.to);
    if (from === undefined || to === undefined) return undefined;
    const pair = [request.from, request.to].sort().join('\u0000');
    const side = request.twoWay ? pairSides.get(pair) : undefined;
    const found = request.from === request.to ? { geometry: routeLoop(from), offset: 0 } : bestCurve(request, from, to, boxes, layers, labels, side);
    if (request.twoWay && side === undefined) pairSides.set(pair, Math.sign(found.offset));
    labels.push(labelBox(found.geometry.label));
    return found.geometry;
  });
}

interface Choice {
  readonly geometry: EdgeGeometry;
  readonly offset: number;
}

function bestCurve(
  request: RouteRequest, from: Box, to: Box, boxes: ReadonlyMap<string, Box>, layers: ReadonlyMap<string, number>, labels: readonly Box[], side: number | undefined,
): Choice {
  const span = (layers.get(request.to) ?? 0) - (layers.get(request.from) ?? 0);
  const offsets = request.twoWay ? TWO_WAY.filter((o) => side === undefined || Math.sign(o) === side) : span === 1 ? STRAIGHT : BENT;
  const obstacles = [...boxes].filter(([id]) => id !== request.from && id !== request.to).map(([, box]) => box);
  let best: (Choice & { hits: number }) | undefined;
  for (const offset of offsets) {
    const geometry = curve(from, to, offset);
    const hits = collisions(geometry, obstacles, [...labels, from, to]);
    if (hits === 0) return { geometry, offset };
    if (best === undefined || hits < best.hits) best = { geometry, offset, hits };
  }
  return best ?? { geometry: curve(from, to, 0), offset: 0 };
}

/** The curve bent `offset` px to the left of the direction of travel (negative: to the right). */
export function curve(from: Box, to: Box, offset: number): EdgeGeometry {
  const a = centre(from);
  const b = centre(to);
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = Math.hypot(dx, dy) || 1;
  const control = { x: (a.x + b.x) / 2 + (dy / length) * offset, y: (a.y + b.y) / 2 - (dx / length) * offset };
  const start = clip(from, control);
  const end = clip(to, control);
  return { start: round(start), control: round(control), end: round(end), label: round(at(start, control, end, 0.5)) };
}

/** A move from a state back into itself: a loop over the box's top edge. */
export function routeLoop(box: Box): EdgeGeometry {
  const start = { x: box.x + box.width * 0.62, y: box.y };
  const end = { x: box.x + box.width * 0.38, y: box.y };
  const control = { x: box.x + box.width / 2, y: box.y - 48 };
  return { start: round(start), control: round(control), end: round(end), label: round({ x: control.x, y: box.y - 32 }) };
}

// Sampled points of the curve inside another box, plus the label overlapping a box or a label.
function collisions(g: EdgeGeometry, obstacles: readonly Box[], labelObstacles: readonly Box[]): number {
  let hits = 0;
  for (let i = 1; i < SAMPLES; i += 1) {
    const p = at(g.start, g.control, g.end, i / SAMPLES);
    for (const box of obstacles) if (inside(p, box, CLEARANCE)) hits += 1;
  }
  const label = labelBox(g.label);
  for (const box of [...obstacles, ...labelObstacles]) if (overlaps(label, box)) hits += 2;
  return hits;
}

/** The smallest canvas that holds boxes, curves and labels, and the shift that keeps it at the origin. */
export function canvasOf(boxes: Iterable<Box>, curves: Iterable<EdgeGeometry>, margin: number): { dx: number; dy: number; width: number; height: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const take = (x: number, y: number): void => {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  };
  for (const b of boxes) {
    take(b.x, b.y - 14);
    take(b.x + b.width, b.y + b.height);
  }
  for (const g of curves) {
    for (let i = 0; i <= 8; i += 1) {
      const p = at(g.start, g.control, g.end, i / 8);
      take(p.x, p.y);
    }
    take(g.label.x - LABEL.width, g.label.y - LABEL.height);
    take(g.label.x + LABEL.width, g.label.y + LABEL.height);
  }
  if (minX === Infinity) return { dx: 0, dy: 0, width: 2 * margin, height: 2 * margin };
  const dx = Math.round(margin - minX);
  const dy = Math.round(margin - minY);
  return { dx, dy, width: Math.ceil(maxX - minX + 2 * margin), height: Math.ceil(maxY - minY + 2 * margin) };
}

/** Moves a curve by (dx, dy). */
export function shiftGeometry(g: EdgeGeometry, dx: number, dy: number): EdgeGeometry {
  const move = (p: Point): Point => ({ x: p.x + dx, y: p.y + dy });
  return { start: move(g.start), control: move(g.control), end: move(g.end), label: move(g.label) };
}

export function centre(box: Box): Point {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Where the ray from the box's centre toward `toward` leaves the box. */
export function clip(box: Box, toward: Point): Point {
  const c = centre(box);
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const sx = dx === 0 ? Infinity : box.width / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : box.height / 2 / Math.abs(dy);
  const s = Math.min(sx, sy, 1);
  return { x: c.x + dx * s, y: c.y + dy * s };
}

function at(p0: Point, p1: Point, p2: Point, t: number): Point {
  const u = 1 - t;
  return { x: u * u * p0.x + 2 * u * t * p1.x + t * t * p2.x, y: u * u * p0.y + 2 * u * t * p1.y + t * t * p2.y };
}

function inside(p: Point, box: Box, pad: number): boolean {
  return p.x > box.x - pad && p.x < box.x + box.width + pad && p.y > box.y - pad && p.y < box.y + box.height + pad;
}

function labelBox(p: Point): Box {
  return { x: p.x - LABEL.width / 2, y: p.y - LABEL.height / 2, width: LABEL.width, height: LABEL.height };
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function round(p: Point): Point {
  return { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 };
}
