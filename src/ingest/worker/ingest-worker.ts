import { parentPort, workerData } from 'node:worker_threads';
import { logbookPaths } from '../../capture/paths';
import { describeProblem, workerInit, writerRequest } from './protocol';
import type { WorkerMessage } from './protocol';
import { WriterHost } from './writer-host';

// Entry point of the ingest worker (bundled alone as dist/ingest-worker.js): the workspace's
// writer runs here, with its own sql.js, so a pass, a flush or the full-text catch-up never
// blocks the extension host's main thread. Requests are answered one at a time, in order.

function main(): void {
  const port = parentPort;
  if (port === null) throw new Error('ingest-worker.js runs as a worker thread only');
  const send = (message: WorkerMessage): void => port.postMessage(message);
  const init = workerInit.safeParse(workerData);
  if (!init.success) throw new Error(`ingest worker started with invalid data: ${describeProblem(init.error)}`);
  const host = new WriterHost(logbookPaths(init.data.workspace), init.data.owner, (message) => send({ type: 'log', message }));
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (data: unknown) => {
    const parsed = writerRequest.safeParse(data);
    if (!parsed.success) {
      send({ type: 'log', message: `ingest worker: a request was dropped (${describeProblem(parsed.error)})` });
      return;
    }
    const request = parsed.data;
    queue = queue.then(async () => {
      const answer = await host.handle(request);
      send(answer.ok ? { type: 'reply', id: request.id, result: answer.result } : { type: 'failed', id: request.id, error: answer.error, writerClosed: answer.writerClosed });
      if (request.type === 'close') port.close();
    });
  });
}

main();
