import type { Writable } from 'node:stream';
import { EXIT } from './context';
import type { CliIO } from './context';

// The process's stdout and stderr as a command writes them. A write can fail: the reader of a
// pipe went away (`| head -1`: EPIPE), the disk is full (`> /dev/full`: ENOSPC), the device
// failed (EIO), the descriptor was closed (EBADF). On a pipe Node reports it later, as an
// 'error' event that would crash the process with a stack trace if nobody listened; on a file
// the write fails at once. Either way the output is marked broken, later writes to it are
// dropped, long outputs stop, and one line on stderr says what happened (when stderr works).

type Channel = 'stdout' | 'stderr';

/** Long outputs go out in pieces of about this many characters, waiting while the reader is behind. */
const CHUNK_CHARS = 64 * 1024;

const REASONS: Readonly<Record<string, string>> = {
  EPIPE: 'broken pipe',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EBADF: 'the output is not open for writing',
  EAGAIN: 'the output would block',
};

export class ProcessOutput implements CliIO {
  private readonly broken = new Set<Channel>();
  private failure: number | undefined;
  /** Names the command in the line that reports a broken output. */
  command = 'logbook';

  constructor(private readonly stdout: Writable, private readonly stderr: Writable) {
    stdout.on('error', (error: unknown) => this.fail('stdout', error));
    stderr.on('error', (error: unknown) => this.fail('stderr', error));
  }

  /** The exit code a broken output earns (141 for a closed pipe, else 1); undefined while all is well. */
  get exitCode(): number | undefined {
    return this.failure;
  }

  out(text: string): void {
    this.write('stdout', withNewline(text));
  }

  err(text: string): void {
    this.write('stderr', withNewline(text));
  }

  async outLines(lines: Iterable<string>): Promise<void> {
    let chunk = '';
    for (const line of lines) {
      if (this.broken.has('stdout')) return;
      chunk += `${line}\n`;
      if (chunk.length < CHUNK_CHARS) continue;
      await this.writeWhenReady(chunk);
      chunk = '';
    }
    if (chunk !== '') await this.writeWhenReady(chunk);
  }

  /** A last message before the process ends: `done` runs once it is written, or could not be. */
  lastWords(text: string, done: () => void): void {
    if (this.broken.has('stderr') || this.stderr.destroyed) {
      done();
      return;
    }
    this.stderr.write(withNewline(text), () => done());
  }

  /** Writes unless that output is broken; false when the reader is behind (wait for 'drain'). */
  private write(channel: Channel, text: string): boolean {
    if (this.broken.has(channel)) return true;
    const stream = channel === 'stdout' ? this.stdout : this.stderr;
    const ready = stream.write(text);
    // A file or a device fails within write(): the error is set now, its event comes later.
    if (stream.errored !== null) this.fail(channel, stream.errored);
    return ready;
  }

  private async writeWhenReady(text: string): Promise<void> {
    if (this.write('stdout', text)) return;
    const stream = this.stdout;
    if (this.broken.has('stdout') || stream.destroyed) return;
    await new Promise<void>((resolve) => {
      const settle = (): void => {
        stream.off('drain', settle);
        stream.off('close', settle);
        stream.off('error', settle);
        resolve();
      };
      stream.on('drain', settle);
      stream.on('close', settle);
      stream.on('error', settle);
    });
  }

  private fail(channel: Channel, error: unknown): void {
    if (this.broken.has(channel)) return;
    this.broken.add(channel);
    const code = errorCode(error);
    this.failure ??= code === 'EPIPE' ? EXIT.brokenPipe : EXIT.failed;
    // A broken stderr has no one to tell; a broken stdout is told on stderr.
    if (channel === 'stdout') this.write('stderr', `${this.command}: ${describeBrokenOutput(code, error)}\n`);
  }
}

/** The one line for a broken stdout. */
export function describeBrokenOutput(code: string | undefined, error: unknown): string {
  if (code === 'EPIPE') return 'stopped: the reader closed the output before it was all written (broken pipe, EPIPE)';
  const reason = code === undefined ? undefined : REASONS[code];
  if (reason !== undefined) return `cannot write the output: ${reason} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return `cannot write the output: ${message}`;
}

function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
