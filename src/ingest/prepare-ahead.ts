import { Worker } from 'node:worker_threads';
import type { LogRecord } from '../capture/inbox-log';
import { HOOK_CHECKS, HOOK_FAST_PATH_SOURCE, prepareHookEntry } from './hook-fast-path';
import type { PreparedHookEntry } from './hook-fast-path';

// Checking an entry (the hook fast path: one JSON.parse and plain checks) costs about half of
// appending it. For a big claimed log a helper thread runs the fast path on the records ahead
// of this thread, which appends meanwhile: the two cores share the work. The log's bytes are
// copied once into shared memory; the helper leaves, per record, the small fields as text and
// where the payload's JSON lies in the record, so the payload itself is never copied back.
// This thread never waits: a record the helper has not done yet is checked here, and the
// helper then jumps ahead of this thread.

/** Fast-path results for the records of one log, in order. */
export interface LogPreparer {
  /** Record i's fast-path result: the prepared entry, or null when the full path must take it. */
  prepare(index: number, record: LogRecord): PreparedHookEntry | null;
  close(): void;
  /** Records taken as the helper left them, and those checked here (the bench shows the split). */
  readonly counts: { fromHelper: number; here: number };
}

/** Below this many records a thread costs more than the work it takes over. */
const AHEAD_MIN = 1000;
/** Bytes of a record's result (its fields as text); a larger one is checked here. */
const RESULT_BYTES = 1024;
const PENDING = 0;
const PREPARED = 1;
const DECLINED = 2;
/** The helper prepared it, but its fields do not fit a result: checked here. */
const TOO_BIG = 3;
/** How close behind this thread the helper may fall before it jumps LEAD records ahead. */
const NEAR = 4;
const LEAD = 32;

/** A preparer for one log's records: on a helper thread for a big log, else here, one at a time. */
export function logPreparer(log: string, bytes: Buffer, records: readonly LogRecord[], maxFieldBytes: number, minRecords = AHEAD_MIN): LogPreparer {
  const counts = { fromHelper: 0, here: 0 };
  const here = (index: number, record: LogRecord): PreparedHookEntry | null => {
    counts.here += 1;
    return record.torn === undefined ? prepareHookEntry(labelOf(log, record), record.text, maxFieldBytes) : null;
  };
  if (records.length >= minRecords) {
    try {
      return new PrepareAhead(log, bytes, records, maxFieldBytes, here, counts);
    } catch {
      // No thread to be had (resource limits): the same checks, here.
    }
  }
  return { prepare: here, close: () => undefined, counts };
}

/** The name a log record goes by in metadata and messages. */
export function labelOf(log: string, record: LogRecord): string {
  return `${log}#${record.offset}`;
}

// Per record: where its text lies in the log (bytes), its state, then its result.
const HELPER = `
const { workerData } = require('node:worker_threads');
const { log, input, control, states, bounds, output, count, resultBytes, checks, maxFieldBytes } = workerData;
const bytes = Buffer.from(input);
const out = Buffer.from(output);
const taken = new Int32Array(control);
const state = new Int32Array(states);
const where = new Int32Array(bounds);
${HOOK_FAST_PATH_SOURCE}
let i = 0;
while (i < count) {
  const next = Atomics.load(taken, 0);
  if (next >= count) break;
  if (i < next + ${NEAR}) i = next + ${LEAD};
  if (i >= count) break;
  const start = where[2 * i], end = where[2 * i + 1];
  let done = ${DECLINED};
  if (start >= 0) {
    const text = bytes.toString('utf8', start, end);
    const p = prepareHookEntry(log + '#' + (start - 1), text, checks, maxFieldBytes);
    if (p !== null) {
      const at = text.indexOf(p[7], text.indexOf(',"payload":') + 11);
      const fields = JSON.stringify([p[0], p[1], p[2], p[3], p[4], p[5], p[6], at, at + p[7].length]);
      if (at < 0 || Buffer.byteLength(fields) > resultBytes - 4) {
        done = ${TOO_BIG};
      } else {
        const length = out.write(fields, i * resultBytes + 4);
        out.writeInt32LE(length, i * resultBytes);
        done = ${PREPARED};
      }
    }
  }
  Atomics.store(state, i, done);
  i += 1;
}
`;

class PrepareAhead implements LogPreparer {
  private readonly worker: Worker;
  private readonly taken: Int32Array;
  private readonly states: Int32Array;
  private readonly output: Buffer;

  constructor(
    log: string,
    bytes: Buffer,
    records: readonly LogRecord[],
    maxFieldBytes: number,
    private readonly here: (index: number, record: LogRecord) => PreparedHookEntry | null,
    readonly counts: { fromHelper: number; here: number },
  ) {
    const input = new SharedArrayBuffer(bytes.length);
    Buffer.from(input).set(bytes);
    const control = new SharedArrayBuffer(4);
    const states = new SharedArrayBuffer(4 * records.length);
    const bounds = new SharedArrayBuffer(8 * records.length);
    const output = new SharedArrayBuffer(RESULT_BYTES * records.length);
    const where = new Int32Array(bounds);
    records.forEach((record, i) => {
      // A torn record is never prepared: -1 tells the helper to pass it by.
      const start = record.torn === undefined ? record.offset + 1 : -1;
      where[2 * i] = start;
      where[2 * i + 1] = record.end;
    });
    this.taken = new Int32Array(control);
    this.states = new Int32Array(states);
    this.output = Buffer.from(output);
    this.worker = new Worker(HELPER, {
      eval: true,
      workerData: { log, input, control, states, bounds, output, count: records.length, resultBytes: RESULT_BYTES, checks: HOOK_CHECKS, maxFieldBytes },
    });
    this.worker.unref();
    // A helper that fails just stops preparing: every record is then checked here.
    this.worker.on('error', () => undefined);
  }

  prepare(index: number, record: LogRecord): PreparedHookEntry | null {
    Atomics.store(this.taken, 0, index + 1);
    const state = Atomics.load(this.states, index);
    if (state === PENDING || state === TOO_BIG) return this.here(index, record);
    this.counts.fromHelper += 1;
    if (state === DECLINED) return null;
    const at = index * RESULT_BYTES;
    const fields = JSON.parse(this.output.toString('utf8', at + 4, at + 4 + this.output.readInt32LE(at))) as [string, string, string, string | null, string | null, string | null, string, number, number];
    return [fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], record.text.slice(fields[7], fields[8])];
  }

  close(): void {
    Atomics.store(this.taken, 0, this.states.length);
    void this.worker.terminate();
  }
}
