import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { msSince } from '../stats';

// A Node process timed as a user sees it (spawn → exit, stdio closed) with its peak RSS.
// /usr/bin/time is not on every machine, and polling /proc/<pid>/status misses the last
// milliseconds of a process (where a store is written whole). So the process reports its own
// peak: a preloaded script writes process.resourceUsage().maxRSS at exit. The baseline
// (`node -e 0`) runs under the same preload, so both pay its few hundred µs.

export interface TimedProcess {
  readonly ms: number;
  /** Peak resident set size in bytes; NaN when the process died before it could say (a signal, an abort). */
  readonly peakRssBytes: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdoutBytes: number;
  /** stdout itself, only when asked for (`keepStdout`): a timed run only counts it. */
  readonly stdout: string;
  /** The last 2,000 characters of stderr. */
  readonly stderr: string;
}

const PRELOAD = `'use strict';
process.on('exit', () => {
  try { require('node:fs').writeFileSync(process.env.LOGBOOK_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)); } catch {}
});
`;

export class NodeRunner {
  private readonly preload: string;
  private readonly rssFile: string;

  /** `dir`: a private folder of the bench's for the preload script and the figure it writes. */
  constructor(dir: string) {
    this.preload = join(dir, 'peak-rss-preload.cjs');
    this.rssFile = join(dir, 'peak-rss.txt');
    writeFileSync(this.preload, PRELOAD);
  }

  /** Runs `node <args>` in `cwd`; killed (SIGKILL) after `timeoutMs`. */
  run(args: readonly string[], cwd: string, options: { readonly timeoutMs?: number; readonly keepStdout?: boolean } = {}): Promise<TimedProcess> {
    rmSync(this.rssFile, { force: true });
    const env = { ...process.env, LOGBOOK_BENCH_RSS_FILE: this.rssFile };
    return new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const child = spawn(process.execPath, ['--require', this.preload, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdoutBytes = 0;
      const kept: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdoutBytes += chunk.length;
        if (options.keepStdout === true) kept.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-2000);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30 * 60_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code, signal) => {
        const ms = msSince(start);
        clearTimeout(timer);
        resolve({ ms, peakRssBytes: this.readPeak(), code, signal, stdoutBytes, stdout: Buffer.concat(kept).toString('utf8'), stderr });
      });
    });
  }

  private readPeak(): number {
    if (!existsSync(this.rssFile)) return Number.NaN;
    // resourceUsage().maxRSS is in kilobytes.
    const kb = Number(readFileSync(this.rssFile, 'utf8'));
    return Number.isFinite(kb) ? kb * 1024 : Number.NaN;
  }
}

/** What went wrong in a failed run, on one line: the exit, and the last line of stderr that says something. */
export function describeFailure(run: TimedProcess): string {
  const exit = run.signal === null ? `exit ${String(run.code)}` : `killed by ${run.signal}`;
  const lines = run.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('at '));
  const said = lines.slice(-2).join(' / ');
  return said === '' ? exit : `${exit}: ${said.slice(0, 300)}`;
}
