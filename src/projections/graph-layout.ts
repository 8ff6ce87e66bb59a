// A small deterministic layered layout (Sugiyama-style) for state diagrams, left to right:
// break cycles by DFS from the root, rank by longest path, order each column by barycenters
// (ties keep input order), stack columns centred. Same input, same picture: no randomness and no
// dependence on Map or object iteration beyond the input order.

/** A box to place. */
export interface LayoutNode {
  readonly id: string;
  readonly width: number;
  readonly height: number;
}

/** The edges that rank the nodes (others are only drawn). */
export interface LayoutInput {
  readonly nodes: readonly LayoutNode[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  /** Ranked first; null = the first node. */
  readonly root: string | null;
}

/** A placed box (top-left corner). */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LayoutResult {
  readonly boxes: ReadonlyMap<string, Box>;
  readonly layers: ReadonlyMap<string, number>;
  readonly width: number;
  readonly height: number;
}

export const LAYOUT = { margin: 40, columnGap: 90, rowGap: 36, sweeps: 4 } as const;

export function layeredLayout(input: LayoutInput): LayoutResult {
  const ids = input.nodes.map((node) => node.id);
  const known = new Set(ids);
  const edges = input.edges.filter((e) => known.has(e.from) && known.has(e.to) && e.from !== e.to);
  const forward = acyclicEdges(ids, edges, input.root ?? ids[0] ?? null);
  const layers = longestPathRanks(ids, forward);
  const columns = orderColumns(ids, layers, forward);
  return place(input.nodes, columns, layers);
}

// DFS from the root, then from every node not yet seen (input order): an edge to a node still on
// the stack closes a cycle and is dropped from the ranking.
function acyclicEdges(ids: readonly string[], edges: readonly { from: string; to: string }[], root: string | null): { from: string; to: string }[] {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) out.get(e.from)?.push(e.to);
  const state = new Map<string, 'open' | 'done'>();
  const kept: { from: string; to: string }[] = [];
  const visit = (start: string): void => {
    // Iterative DFS: a workflow file may declare many states.
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; next: number };
      const targets = out.get(top.id) ?? [];
      if (top.next >= targets.length) {
        state.set(top.id, 'done');
        stack.pop();
        continue;
      }
      const to = targets[top.next] as string;
      top.next += 1;
      const seen = state.get(to);
      if (seen === 'open') continue;
      kept.push({ from: top.id, to });
      if (seen === undefined) {
        state.set(to, 'open');
        stack.push({ id: to, next: 0 });
      }
    }
  };
  if (root !== null && out.has(root)) visit(root);
  for (const id of ids) if (!state.has(id)) visit(id);
  return kept;
}

function longestPathRanks(ids: readonly string[], edges: readonly { from: string; to: string }[]): Map<string, number> {
  const rank = new Map<string, number>(ids.map((id) => [id, 0]));
  // Relaxing |V| times over a DAG settles every longest path; graphs here are small.
  for (let round = 0; round < ids.length; round += 1) {
    let changed = false;
    for (const e of edges) {
      const next = (rank.get(e.from) ?? 0) + 1;
      if (next > (rank.get(e.to) ?? 0)) {
        rank.set(e.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return rank;
}

function orderColumns(ids: readonly string[], layers: ReadonlyMap<string, number>, edges: readonly { from: string; to: string }[]): string[][] {
  const count = Math.max(0, ...layers.values()) + 1;
  const columns: string[][] = Array.from({ length: count }, () => []);
  for (const id of ids) columns[layers.get(id) ?? 0]?.push(id);
  const preds = new Map<string, string[]>(ids.map((id) => [id, []]));
  const succs = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    preds.get(e.to)?.push(e.from);
    succs.get(e.from)?.push(e.to);
  }
  for (let sweep = 0; sweep < LAYOUT.sweeps; sweep += 1) {
    for (let i = 1; i < columns.length; i += 1) columns[i] = byBarycenter(columns[i] ?? [], preds, columns);
    for (let i = columns.length - 2; i >= 0; i -= 1) columns[i] = byBarycenter(columns[i] ?? [], succs, columns);
  }
  return columns;
}

function byBarycenter(column: readonly string[], neighbours: ReadonlyMap<string, readonly string[]>, columns: readonly (readonly string[])[]): string[] {
  const indexOf = (id: string): number => {
    for (const c of columns) {
      const i = c.indexOf(id);
      if (i >= 0) return i;
    }
    return 0;
  };
  const keyed = column.map((id, own) => {
    const near = neighbours.get(id) ?? [];
    const centre = near.length === 0 ? own : near.reduce((sum, n) => sum + indexOf(n), 0) / near.length;
    return { id, centre, own };
  });
  // Stable on ties: the earlier node stays first, so the result depends only on the input.
  keyed.sort((a, b) => a.centre - b.centre || a.own - b.own);
  return keyed.map((k) => k.id);
}

function place(nodes: readonly LayoutNode[], columns: readonly (readonly string[])[], layers: ReadonlyMap<string, number>): LayoutResult {
  const size = new Map(nodes.map((n) => [n.id, n]));
  const columnWidth = columns.map((c) => Math.max(0, ...c.map((id) => size.get(id)?.width ?? 0)));
  const columnHeight = columns.map((c) => c.reduce((sum, id) => sum + (size.get(id)?.height ?? 0), 0) + Math.max(0, c.length - 1) * LAYOUT.rowGap);
  const tallest = Math.max(0, ...columnHeight);
  const boxes = new Map<string, Box>();
  let x = LAYOUT.margin;
  columns.forEach((column, i) => {
    let y = LAYOUT.margin + (tallest - (columnHeight[i] ?? 0)) / 2;
    for (const id of column) {
      const node = size.get(id);
      if (node === undefined) continue;
      boxes.set(id, { x: x + ((columnWidth[i] ?? 0) - node.width) / 2, y, width: node.width, height: node.height });
      y += node.height + LAYOUT.rowGap;
    }
    x += (columnWidth[i] ?? 0) + LAYOUT.columnGap;
  });
  const width = columns.length === 0 ? 2 * LAYOUT.margin : x - LAYOUT.columnGap + LAYOUT.margin;
  return { boxes, layers, width, height: tallest + 2 * LAYOUT.margin };
}
