import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { isWasmModule, loadSqlJs, sqlJsFromModule, sqlJsLoading } from '../sqljs';
import type { WasmModule } from '../sqljs';
import { spawnBundledWorker } from './spawn-worker';

/** How long a window waits for the warmed module before it compiles sql.js itself. */
const WARM_TIMEOUT_MS = 10_000;

export interface WarmOutcome {
  /** Whether sql.js was loaded from the module the worker compiled and warmed. */
  readonly warmed: boolean;
  /** Why not, when it was not. */
  readonly problem?: string;
}

/**
 * Loads sql.js in this thread from a module a worker compiled and warmed, so the first queries of
 * a window do not compile SQLite's functions on the main thread. Whatever goes wrong (no worker,
 * a failure in it, a timeout), sql.js is loaded the usual way: never worse than without.
 */
export async function loadSqlJsWarmedInWorker(options: { readonly workerSource?: string; readonly timeoutMs?: number } = {}): Promise<WarmOutcome> {
  if (sqlJsLoading()) {
    await loadSqlJs();
    return { warmed: false, problem: 'sql.js was loaded already' };
  }
  const compiled = await compiledInWorker(options.workerSource, options.timeoutMs ?? WARM_TIMEOUT_MS);
  await loadSqlJs(typeof compiled === 'string' ? undefined : compiled);
  if (typeof compiled === 'string') return { warmed: false, problem: compiled };
  // Another caller may have started loading while the worker ran: then its load stands.
  return sqlJsFromModule() ? { warmed: true } : { warmed: false, problem: 'sql.js was loaded meanwhile' };
}

/** The warmed module, or why there is none. */
function compiledInWorker(source: string | undefined, timeoutMs: number): Promise<WasmModule | string> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      // A test names another source; the bundle (dist/sqljs-warm.js) is used when there is one.
      worker = source === undefined ? spawnBundledWorker('sqljs-warm', join(__dirname, 'warm-worker.ts')) : spawnBundledWorker(undefined, source);
    } catch (error) {
      resolve(`the warm-up thread could not start: ${(error as Error).message}`);
      return;
    }
    let settled = false;
    const settle = (outcome: WasmModule | string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle(`the warm-up thread did not answer within ${timeoutMs} ms`), timeoutMs);
    worker.once('message', (value: unknown) => {
      if (isWasmModule(value)) settle(value);
      else settle(`the warm-up thread failed: ${describeFailure(value)}`);
    });
    worker.once('error', (error: Error) => settle(`the warm-up thread failed: ${error.message}`));
    worker.once('exit', (code) => settle(`the warm-up thread ended (exit code ${code}) without a module`));
  });
}

function describeFailure(value: unknown): string {
  const failed = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['failed'] : undefined;
  return typeof failed === 'string' ? failed.slice(0, 300) : 'an unexpected message';
}
