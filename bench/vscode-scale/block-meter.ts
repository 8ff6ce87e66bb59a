import { performance } from 'node:perf_hooks';

// How long the main thread stays blocked, measured the way a user feels it: a timer that should
// fire every ms fires late by the length of a synchronous block. The
// per-call timings below say which store call the block was; they only see the main thread.

/**
 * The main thread's blocks, each a gap between two ticks of a 1 ms timer, kept with the time it
 * began; a phase's longest block is the longest gap that began inside it. Read at the end, so a
 * block that begins just as a phase ends (a pass due 5 ms after activation) is never lost.
 */
export class BlockMeter {
  private readonly gaps: { readonly from: number; readonly ms: number }[] = [];
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      const now = performance.now();
      if (now - this.last > 1.5) this.gaps.push({ from: this.last, ms: now - this.last });
      this.last = now;
    }, 1);
  }

  /** Runs `work`; `block()` gives the longest block that began while it ran, once the meter is stopped. */
  async during<T>(work: () => Promise<T>): Promise<{ readonly value: T; readonly ms: number; readonly block: () => number }> {
    const from = performance.now();
    const value = await work();
    const to = performance.now();
    return { value, ms: to - from, block: () => Math.max(0, ...this.gaps.filter((g) => g.from >= from && g.from < to).map((g) => g.ms)) };
  }

  dispose(): void {
    clearInterval(this.timer);
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
