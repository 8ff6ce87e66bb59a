import { closeSync, constants, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { HOOK_CHECKS, HOOK_FAST_PATH_SOURCE } from './hook-fast-path';
import type { PreparedHookEntry } from './hook-fast-path';
import { provenanceKey, STAMP_HEAD, STAMPED_PREFIX_LENGTH } from '../capture/provenance';
import { effectiveUid, openSafe, readAll } from '../capture/safe-fs';

// Reading an inbox entry (three system calls) and parsing it cost as much as appending it. A
// big pass has a helper thread read the next entries into shared memory and run the hook fast
// path on them (hook-fast-path.ts) while this thread appends, so that work overlaps the
// appends instead of adding to them. This thread never waits for the helper: an entry the
// helper has not done yet (it is starting, or short of CPU) is read here, and the helper
// jumps ahead of it.

/** An entry as read: its text, or what the fast path made of it on the helper thread. */
export type ReadResult =
  | { readonly text: string; readonly prepared?: undefined }
  | { readonly prepared: PreparedHookEntry; readonly bytes: number; readonly text?: undefined };

/** Reads the entries of one ingest pass, in the order they were listed. */
export interface EntryReader {
  /** The entry, read and perhaps prepared; throws what reading the file throws (ENOENT for one that is gone). */
  read(name: string): ReadResult;
  close(): void;
  /** Entries taken as the helper thread left them, and entries read here (the bench shows the split). */
  readonly counts?: { fromHelper: number; readHere: number };
}

/** Below this many entries starting a thread costs more than the work it takes over. */
const READ_AHEAD_MIN = 1000;
const SLOTS = 512;
/** Larger entries (rare: big tool responses) are read by the caller itself. */
const SLOT_BYTES = 16 * 1024;
// Control words: entries below TAKEN are done with here; a stop request; the TAKEN count the
// helper sleeps until (0: not sleeping).
const TAKEN = 0;
const STOP = 1;
const WAKE_AT = 2;
const CONTROL_WORDS = 3;
/** How close behind the writer the helper may fall before it jumps LEAD entries ahead of it. */
const NEAR = 8;
const LEAD = 64;
// Per slot: which entry it holds (its index + 1, set last), the bytes it holds and the entry's
// size on disk, or NOT_READ (the caller reads the entry and sees why), and whether the bytes
// are the entry's text or its prepared form.
const NOT_READ = -1;
const RAW = 0;
const PREPARED = 1;

/** An entry reader for `names` in `dir`: ahead on a helper thread for a big pass, else one read at a time. */
export function entryReader(dir: string, names: readonly string[], maxFieldBytes: number, minEntries = READ_AHEAD_MIN): EntryReader {
  if (names.length >= minEntries) {
    try {
      return new ReadAhead(dir, names, maxFieldBytes);
    } catch {
      // No thread to be had (resource limits): the same reads, one at a time.
    }
  }
  return { read: (name) => ({ text: readEntry(join(dir, name)) }), close: () => undefined };
}

// Most entries are small: one open/read/close into a reused buffer costs a third of readFileSync.
const readBuffer = Buffer.allocUnsafe(256 * 1024);

/**
 * Reads one inbox entry's text. A link, a FIFO, a folder, a hard link or another user's file is
 * refused (UnsafePathError, safe-fs.ts): it is not followed, and what it points at is not read.
 */
export function readEntry(path: string): string {
  const fd = openSafe(path, 'read');
  try {
    const read = readSync(fd, readBuffer, 0, readBuffer.length, 0);
    return read < readBuffer.length ? readBuffer.toString('utf8', 0, read) : readAll(fd).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

// The helper opens entries as readEntry does (no link followed, no FIFO waited on; on Windows,
// lstat first) and takes only the user's own regular files with one link; anything else it
// leaves to readEntry, which says what is wrong.
const HELPER_OPEN_FLAGS = constants.O_RDONLY | (process.platform === 'win32' ? 0 : constants.O_NOFOLLOW | constants.O_NONBLOCK);

// The helper: node built-ins and the fast path's source only (no file to find beside the bundle).
// A prepared entry is stored as its fields' JSON, a NUL (never in JSON text), the payload text.
const HELPER = `
const { workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync, fstatSync, lstatSync } = require('node:fs');
const { dir, names, memory, slots, slotBytes, checks, maxFieldBytes, openFlags, uid, lstatFirst, token } = workerData;
const control = new Int32Array(memory, 0, ${CONTROL_WORDS});
const tags = new Int32Array(memory, ${CONTROL_WORDS * 4}, slots);
const lengths = new Int32Array(memory, ${CONTROL_WORDS * 4} + 4 * slots, slots);
const sizes = new Int32Array(memory, ${CONTROL_WORDS * 4} + 8 * slots, slots);
const kinds = new Int32Array(memory, ${CONTROL_WORDS * 4} + 12 * slots, slots);
const data = Buffer.from(memory, ${CONTROL_WORDS * 4} + 16 * slots);
${HOOK_FAST_PATH_SOURCE}
// authenticateEntry (src/capture/provenance.ts) on this thread: the entry without its stamp when
// the stamp is this user's, else null (the writer's thread then reads it and says why).
function unstamp(text) {
  if (token === undefined || !text.startsWith(${JSON.stringify(STAMP_HEAD)})) return null;
  const end = ${STAMPED_PREFIX_LENGTH};
  if (text.charCodeAt(end - 2) !== 0x22 || text.charCodeAt(end - 1) !== 0x2c) return null;
  const claimed = text.slice(${STAMP_HEAD.length}, end - 2);
  let difference = claimed.length ^ token.length;
  for (let i = 0; i < token.length; i += 1) difference |= claimed.charCodeAt(i) ^ token.charCodeAt(i);
  return difference === 0 ? '{"v":1,' + text.slice(end) : null;
}
function fill(name, slot) {
  const start = slot * slotBytes;
  let size;
  if (lstatFirst && !lstatSync(dir + '/' + name).isFile()) return;
  const fd = openSync(dir + '/' + name, openFlags);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || (uid !== undefined && (stat.uid !== uid || stat.nlink !== 1))) return;
    size = readSync(fd, data, start, slotBytes, 0);
  } finally {
    closeSync(fd);
  }
  if (size >= slotBytes) return;
  Atomics.store(sizes, slot, size);
  let length = size;
  let kind = ${RAW};
  const unstamped = unstamp(data.toString('utf8', start, start + size));
  const prepared = unstamped === null ? null : prepareHookEntry(name, unstamped, checks, maxFieldBytes);
  if (prepared !== null) {
    const fields = JSON.stringify(prepared.slice(0, 7)) + '\\u0000' + prepared[7];
    if (Buffer.byteLength(fields) <= slotBytes) {
      length = data.write(fields, start);
      kind = ${PREPARED};
    }
  }
  Atomics.store(kinds, slot, kind);
  Atomics.store(lengths, slot, length);
}
function run() {
  let i = 0;
  while (i < names.length) {
    const taken = Atomics.load(control, ${TAKEN});
    // About to be overtaken (the writer does the entries it finds undone): jump ahead, so the
    // two threads share the entries instead of both doing the same ones.
    if (i < taken + ${NEAR}) i = taken + ${LEAD};
    if (i >= names.length || Atomics.load(control, ${STOP}) === 1) return;
    if (i - taken >= slots) {
      // Sleep until a quarter of the slots are free: one wake-up per slots/4 entries, not per entry.
      Atomics.store(control, ${WAKE_AT}, i - slots + (slots >> 2) + 1);
      Atomics.wait(control, ${TAKEN}, taken, 1000);
      Atomics.store(control, ${WAKE_AT}, 0);
      continue;
    }
    const slot = i % slots;
    Atomics.store(lengths, slot, ${NOT_READ});
    try {
      fill(names[i], slot);
    } catch (e) {}
    Atomics.store(tags, slot, i + 1);
    i += 1;
  }
}
run();
`;

class ReadAhead implements EntryReader {
  private readonly memory = new SharedArrayBuffer(CONTROL_WORDS * 4 + SLOTS * 16 + SLOTS * SLOT_BYTES);
  private readonly control = new Int32Array(this.memory, 0, CONTROL_WORDS);
  private readonly tags = new Int32Array(this.memory, CONTROL_WORDS * 4, SLOTS);
  private readonly lengths = new Int32Array(this.memory, CONTROL_WORDS * 4 + SLOTS * 4, SLOTS);
  private readonly sizes = new Int32Array(this.memory, CONTROL_WORDS * 4 + SLOTS * 8, SLOTS);
  private readonly kinds = new Int32Array(this.memory, CONTROL_WORDS * 4 + SLOTS * 12, SLOTS);
  private readonly data = Buffer.from(this.memory, CONTROL_WORDS * 4 + SLOTS * 16);
  private readonly worker: Worker;
  private next = 0;
  readonly counts = { fromHelper: 0, readHere: 0 };

  constructor(private readonly dir: string, private readonly names: readonly string[], maxFieldBytes: number) {
    // Required here: most commands never start the helper, and loading the module costs them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker: HelperThread } = require('node:worker_threads') as typeof import('node:worker_threads');
    this.worker = new HelperThread(HELPER, {
      eval: true,
      workerData: { dir, names, memory: this.memory, slots: SLOTS, slotBytes: SLOT_BYTES, checks: HOOK_CHECKS, maxFieldBytes, openFlags: HELPER_OPEN_FLAGS, uid: effectiveUid(), lstatFirst: process.platform === 'win32', token: provenanceKey().key?.entryToken },
    });
    this.worker.unref();
    // A helper that fails just stops reading ahead: every entry is then read here.
    this.worker.on('error', () => undefined);
  }

  read(name: string): ReadResult {
    // Entries the caller skipped (already stored) are passed over.
    while (this.next < this.names.length && this.names[this.next] !== name) this.take();
    if (this.next >= this.names.length) return this.readHere(name);
    try {
      const taken = this.fromSlot(this.next % SLOTS);
      if (taken === undefined) return this.readHere(name);
      this.counts.fromHelper += 1;
      return taken;
    } finally {
      this.take();
    }
  }

  close(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, TAKEN);
    void this.worker.terminate();
  }

  private readHere(name: string): ReadResult {
    this.counts.readHere += 1;
    return { text: readEntry(join(this.dir, name)) };
  }

  /** What the helper left in the slot of the next entry, if it got to it. */
  private fromSlot(slot: number): ReadResult | undefined {
    // The slot holds an older entry until the helper is done with this one.
    if (Atomics.load(this.tags, slot) !== this.next + 1) return undefined;
    const length = Atomics.load(this.lengths, slot);
    if (length === NOT_READ) return undefined;
    const start = slot * SLOT_BYTES;
    const text = this.data.toString('utf8', start, start + length);
    if (Atomics.load(this.kinds, slot) === RAW) return { text };
    const split = text.indexOf('\u0000');
    const fields = JSON.parse(text.slice(0, split)) as unknown[];
    return { prepared: [...fields, text.slice(split + 1)] as unknown as PreparedHookEntry, bytes: Atomics.load(this.sizes, slot) };
  }

  private take(): void {
    this.next += 1;
    Atomics.store(this.control, TAKEN, this.next);
    const wakeAt = Atomics.load(this.control, WAKE_AT);
    if (wakeAt !== 0 && this.next >= wakeAt) Atomics.notify(this.control, TAKEN);
  }
}
