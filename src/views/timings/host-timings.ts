import { performance } from 'node:perf_hooks';
import { LogbookDatabase } from '../../store/logbook-database';
import { WorkspaceLogbook } from '../workspace-logbook';

// Timings of the extension host for `npm run bench -- --only vscode-real` (bench/vscode-real/):
// activation's start, marks along the way, the main thread's blocks and the synchronous store
// calls, all on performance.now() (one clock for the whole extension host, the bench's suite
// included). Made only when $LOGBOOK_BENCH_TIMINGS is 1: otherwise activate() gets undefined and
// nothing here runs (no timer, no wrapped method).

export const TIMINGS_ENV = 'LOGBOOK_BENCH_TIMINGS';

/** Something that took `ms` from `from` (performance.now()). */
export interface TimedSpan {
  readonly label: string;
  readonly from: number;
  readonly ms: number;
}

/** A gap between two ticks of the 1 ms timer shorter than this is the timer's own jitter. */
const GAP_MS = 1.5;
/** Calls shorter than this are not kept one by one (a long run makes many). */
const KEPT_CALL_MS = 1;

export class HostTimings {
  /** When activate() began. */
  readonly activateStart = performance.now();
  /** The first time each mark was reached. */
  readonly marks = new Map<string, number>();
  /** The main thread's blocks: each a late tick of a timer that should fire every ms. */
  readonly blocks: TimedSpan[] = [];
  /** Synchronous store calls on the main thread of at least KEPT_CALL_MS. */
  readonly calls: TimedSpan[] = [];
  /** Each time VS Code read the sessions tree's top level: when the read ended and how many rows it got. */
  readonly treeReads: { readonly at: number; readonly rows: number }[] = [];
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;
  private readonly undo: (() => void)[] = [];

  constructor() {
    this.timer = setInterval(() => {
      const now = performance.now();
      if (now - this.last > GAP_MS) this.blocks.push({ label: 'block', from: this.last, ms: now - this.last });
      this.last = now;
    }, 1);
    this.timer.unref();
  }

  mark(name: string): void {
    if (!this.marks.has(name)) this.marks.set(name, performance.now());
  }

  /** Times the synchronous part of every call of the named methods of `target` (a prototype, or a class for its statics). */
  wrap(label: string, target: object, methods: readonly string[]): void {
    const holder = target as Record<string, unknown>;
    for (const method of methods) {
      const original = holder[method];
      if (typeof original !== 'function') throw new Error(`${label}.${method} is not a method`);
      const calls = this.calls;
      const name = `${label}.${method}`;
      holder[method] = function timed(this: unknown, ...args: unknown[]): unknown {
        const from = performance.now();
        try {
          return (original as (...a: unknown[]) => unknown).apply(this, args);
        } finally {
          const ms = performance.now() - from;
          if (ms >= KEPT_CALL_MS) calls.push({ label: name, from, ms });
        }
      };
      this.undo.push(() => { holder[method] = original; });
    }
  }

  /** The store calls the views make on the main thread. */
  wrapStoreCalls(): void {
    this.wrap('WorkspaceLogbook', WorkspaceLogbook.prototype, ['catchUp', 'readOverview', 'summary', 'readStream']);
    this.wrap('LogbookDatabase', LogbookDatabase, ['open']);
  }

  /** Records each read of the tree's top level (VS Code asks when the view shows or the tree says it changed), and times its redraws (`changed`). */
  watchTree<N>(tree: { getChildren(node?: N): Promise<N[]>; changed(change: never): void }): void {
    this.wrap('SessionsTree', tree, ['changed']);
    const original = tree.getChildren.bind(tree);
    tree.getChildren = async (node?: N): Promise<N[]> => {
      const rows = await original(node);
      if (node === undefined) this.treeReads.push({ at: performance.now(), rows: rows.length });
      return rows;
    };
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const undo of this.undo.splice(0).reverse()) undo();
  }
}

/** A recorder when the bench asked for one ($LOGBOOK_BENCH_TIMINGS=1), else undefined. */
export function hostTimings(env: NodeJS.ProcessEnv = process.env): HostTimings | undefined {
  return env[TIMINGS_ENV] === '1' ? new HostTimings() : undefined;
}
