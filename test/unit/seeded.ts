// One seeded generator for every test and bench that makes random input: a failure can be
// replayed from its seed, and a bench measures the same bytes at every run.

/** mulberry32: small, seeded, good enough to spread characters and explore orders. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
