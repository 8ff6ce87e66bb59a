import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileDurably, fsyncDir } from '../store/durable-file';
import type { IngestRecord } from './normalize';
import { segmentLine } from './normalize';
import { LogbookError } from '../domain/errors';

// Raw segments: an append-only copy of every record ever ingested, written and fsynced
// BEFORE the store is, so a corrupt or deleted store can be rebuilt with no event lost.
// The open segment is plain JSON lines; full ones are sealed as gzip.

const OPEN_SUFFIX = '.jsonl';
const NAME = /^seg-(\d{6})\.jsonl(\.gz)?$/;
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

export class SegmentLog {
  constructor(private readonly dir: string, private readonly maxBytes = DEFAULT_SEGMENT_BYTES) {}

  /** Appends records durably (one fsync per call). */
  append(records: readonly IngestRecord[]): void {
    if (records.length === 0) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.openSegment();
    const fd = openSync(file, 'a+', 0o600);
    try {
      dropTornTail(fd);
      writeSync(fd, records.map(segmentLine).join('\n') + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (statSync(file).size >= this.maxBytes) this.seal(file);
  }

  /** Every record in the order it was ingested. A torn last line of the open segment is skipped. */
  *records(): Generator<IngestRecord> {
    for (const { file, sealed } of this.files()) {
      const text = sealed ? gunzipSync(readFileSync(file)).toString('utf8') : readFileSync(file, 'utf8');
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i += 1) {
        const line = lines[i] as string;
        if (line === '') continue;
        try {
          yield JSON.parse(line) as IngestRecord;
        } catch (error) {
          // A crash mid-append tears only the final line, whose entries are still in the inbox.
          if (!sealed && i === lines.length - 1) continue;
          throw new LogbookError('SEGMENT_CORRUPT', `${file}:${i + 1}: ${(error as Error).message}`);
        }
      }
    }
  }

  count(): number {
    return this.files().length;
  }

  private files(): { file: string; sealed: boolean; n: number }[] {
    if (!existsSync(this.dir)) return [];
    const found = new Map<number, { file: string; sealed: boolean; n: number }>();
    for (const name of readdirSync(this.dir)) {
      const match = NAME.exec(name);
      if (!match) continue;
      const n = Number(match[1]);
      const sealed = match[2] !== undefined;
      // If sealing was interrupted after the .gz landed, both exist: the sealed one wins.
      if (!found.has(n) || sealed) found.set(n, { file: join(this.dir, name), sealed, n });
    }
    return [...found.values()].sort((a, b) => a.n - b.n);
  }

  private openSegment(): string {
    const last = this.files().at(-1);
    if (last === undefined) return join(this.dir, segmentName(1, OPEN_SUFFIX));
    return last.sealed ? join(this.dir, segmentName(last.n + 1, OPEN_SUFFIX)) : last.file;
  }

  private seal(file: string): void {
    // Level 1: sealing stays cheap on the ingest path; the text still shrinks several times.
    writeFileDurably(`${file}.gz`, gzipSync(readFileSync(file), { level: 1 }));
    unlinkSync(file);
    fsyncDir(this.dir);
  }
}

/**
 * A crash mid-append leaves a partial last line. Its records were never flushed to the store,
 * so they are still in the inbox and will be appended again: cut the fragment off first, or
 * it would end up in the middle of the segment.
 */
function dropTornTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  let keep = -1;
  while (end > 0 && keep < 0) {
    const start = Math.max(0, end - chunk.length);
    const read = readSync(fd, chunk, 0, end - start, start);
    if (end === size && chunk[read - 1] === 0x0a) return;
    const at = chunk.subarray(0, read).lastIndexOf(0x0a);
    if (at >= 0) keep = start + at + 1;
    end = start;
  }
  ftruncateSync(fd, Math.max(keep, 0));
}

function segmentName(n: number, suffix: string): string {
  return `seg-${String(n).padStart(6, '0')}${suffix}`;
}
