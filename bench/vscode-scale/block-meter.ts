import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

// How long the main thread stays blocked, measured the way a user feels it: the event loop's
// delay (a timer that should fire every ms fires late by the length of a synchronous block). The
// per-call timings below say which store call the block was; they only see the main thread.

/** The longest event-loop delay seen while `work` ran (and until it settled), in ms. */
export class BlockMeter {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });

  constructor() {
    this.histogram.enable();
  }

  async during<T>(work: () => Promise<T>): Promise<{ readonly value: T; readonly maxBlockMs: number; readonly ms: number }> {
    this.histogram.reset();
    const started = process.hrtime.bigint();
    const value = await work();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // A block at the very end shows up at the next timer turn.
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { value, maxBlockMs: this.histogram.max / 1e6, ms };
  }

  dispose(): void {
    this.histogram.disable();
  }
}

export interface CallStats {
  calls: number;
  maxMs: number;
  totalMs: number;
}

/** Times every call of the named methods of a prototype (the synchronous part of each), on this thread. */
export class CallTimes {
  readonly stats = new Map<string, CallStats>();
  private readonly undo: (() => void)[] = [];

  wrap(label: string, proto: object, methods: readonly string[]): void {
    const target = proto as Record<string, unknown>;
    for (const method of methods) {
      const original = target[method];
      if (typeof original !== 'function') throw new Error(`${label}.${method} is not a method`);
      const key = `${label}.${method}`;
      const stats = (): CallStats => {
        let found = this.stats.get(key);
        if (found === undefined) this.stats.set(key, (found = { calls: 0, maxMs: 0, totalMs: 0 }));
        return found;
      };
      target[method] = function timed(this: unknown, ...args: unknown[]): unknown {
        const started = process.hrtime.bigint();
        try {
          return (original as (...a: unknown[]) => unknown).apply(this, args);
        } finally {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const s = stats();
          s.calls += 1;
          s.totalMs += ms;
          s.maxMs = Math.max(s.maxMs, ms);
        }
      };
      this.undo.push(() => { target[method] = original; });
    }
  }

  reset(): void {
    this.stats.clear();
  }

  /** The longest call of each method since the last reset, longest first. */
  longest(): [string, CallStats][] {
    return [...this.stats.entries()].sort((a, b) => b[1].maxMs - a[1].maxMs);
  }

  dispose(): void {
    for (const undo of this.undo.reverse()) undo();
  }
}
