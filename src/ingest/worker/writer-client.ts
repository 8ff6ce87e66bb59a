import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { spawnBundledWorker } from '../../store/sqljs-warm/spawn-worker';
import { describeProblem, workerMessage } from './protocol';
import type { WorkerInit, WriterRequest, WriterResult } from './protocol';

// LiveIngest's end of the ingest worker: typed requests, each answered by a promise; the worker's
// log lines; and its end, expected (after `close`) or not (a crash), which fails whatever waits.

/** A request without its id (the client numbers them). */
export type RequestBody = WriterRequest extends infer R ? (R extends { readonly id: number } ? Omit<R, 'id'> : never) : never;

/** The worker answered that the request failed. */
export class RequestFailed extends Error {
  constructor(message: string, readonly writerClosed: boolean) {
    super(message);
  }
}

/** The worker is gone (it crashed, or was stopped): nothing it was asked was answered. */
export class WorkerStopped extends Error {}

export interface ClientEvents {
  readonly log: (message: string) => void;
  /** The worker ended without being asked to close. */
  readonly onStopped: (reason: string) => void;
}

export class WriterClient {
  private readonly worker: Worker;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (result: WriterResult) => void; reject: (error: Error) => void }>();
  private closing = false;
  private stopped: string | undefined;
  /** Resolves once the worker thread has ended, however it ended. */
  readonly exited: Promise<void>;
  /** The worker's thread id (its store's lock markers carry it). */
  readonly threadId: number;

  constructor(init: WorkerInit, private readonly events: ClientEvents, script?: string) {
    this.worker = spawnWorker(init, script);
    this.threadId = this.worker.threadId;
    let error = '';
    this.worker.on('message', (data: unknown) => this.receive(data));
    this.worker.on('error', (thrown: Error) => { error = thrown.message; });
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        this.stop(error !== '' ? error : `exit code ${code}`);
        resolve();
      });
    });
  }

  request(body: RequestBody): Promise<WriterResult> {
    if (this.stopped !== undefined) return Promise.reject(new WorkerStopped(`the ingest worker stopped (${this.stopped})`));
    const id = this.next;
    this.next += 1;
    if (body.type === 'close') this.closing = true;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id });
    });
  }

  /** Stops the thread at once (after `close` was answered, or when it does not answer). */
  async terminate(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
    await this.exited;
  }

  private receive(data: unknown): void {
    const parsed = workerMessage.safeParse(data);
    if (!parsed.success) {
      this.events.log(`ingest worker sent an invalid message (${describeProblem(parsed.error)}); ignored`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'log') {
      this.events.log(message.message);
      return;
    }
    const waiter = this.waiting.get(message.id);
    this.waiting.delete(message.id);
    if (waiter === undefined) {
      this.events.log(`ingest worker answered request ${message.id}, which nobody asked; ignored`);
      return;
    }
    if (message.type === 'reply') waiter.resolve(message.result);
    else waiter.reject(new RequestFailed(message.error, message.writerClosed));
  }

  private stop(reason: string): void {
    if (this.stopped !== undefined) return;
    this.stopped = reason;
    for (const waiter of this.waiting.values()) waiter.reject(new WorkerStopped(`the ingest worker stopped (${reason})`));
    this.waiting.clear();
    if (!this.closing) this.events.onStopped(reason);
  }
}

function spawnWorker(init: WorkerInit, script: string | undefined): Worker {
  if (script !== undefined) return new Worker(script, { workerData: init });
  return spawnBundledWorker('ingest-worker', join(__dirname, 'ingest-worker.ts'), init);
}
