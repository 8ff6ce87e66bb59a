import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Small numeric and formatting helpers shared by the bench sections.

/** Milliseconds elapsed since `start` (a process.hrtime.bigint() reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Nearest-rank percentile: always a value that was actually measured. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms).toLocaleString('en-US')} ms`;
}

/** Sub-millisecond pieces read better in µs; anything longer falls back to ms. */
export function fmtUs(ms: number): string {
  if (ms >= 1) return fmtMs(ms);
  return `${(ms * 1000).toFixed(ms * 1000 < 10 ? 2 : 1)} µs`;
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

export function fmtMB(bytes: number): string {
  return `${(bytes / 1e6).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MB`;
}

export function pct(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : 'n/a';
}

/** A plain-text table with aligned columns, for the figures printed as they come. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], rightAlign: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A Markdown table (pipes in cells escaped), ready to paste into the README. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], rightAlign: ReadonlySet<number> = new Set()): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  const sep = header.map((_, i) => (rightAlign.has(i) ? '---:' : '---'));
  return [header, sep, ...rows].map((cells) => `| ${cells.map(esc).join(' | ')} |`).join('\n');
}

/** Progress lines go to stderr so stdout stays the report. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/**
 * Lets pending signal handlers run: a SIGINT listener only fires between event-loop turns,
 * so minutes of synchronous populating would otherwise delay Ctrl-C (and the temp cleanup).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

let gcFunction: (() => void) | undefined | null = null;

/**
 * Collects garbage before a timed section, so the previous section's garbage is not paid
 * for by the next one (that skewed the raw baseline, timed right after our ingest, by ±40%).
 * `npm run bench` cannot pass --expose-gc, so the flag is set at run time and gc() is taken
 * from a fresh context, where it then exists.
 */
export function collectGarbage(): void {
  if (gcFunction === null) {
    setFlagsFromString('--expose-gc');
    const candidate: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    gcFunction = typeof candidate === 'function' ? (candidate as () => void) : undefined;
  }
  gcFunction?.();
}
