import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `<name>.js`, the bundle beside the bundle that runs this code (dist/);
 * from the sources (tests under tsx), or with no name, `sourceFile` through tsx's require hook.
 */
export function spawnBundledWorker(name: string | undefined, sourceFile: string, workerData?: unknown): Worker {
  const bundled = name === undefined ? undefined : join(__dirname, `${name}.js`);
  if (bundled !== undefined && existsSync(bundled)) return new Worker(bundled, { workerData });
  const tsx = createRequire(__filename).resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(sourceFile)});`, { eval: true, workerData });
}
