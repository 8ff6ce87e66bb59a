import type { ParsedArgs } from './args';

/** What a command prints to; tests pass their own. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /**
   * Writes a long output line by line, waiting while the reader is behind and stopping once the
   * output is broken (the reader went away, the disk is full). Optional: without it, one `out`.
   */
  outLines?(lines: Iterable<string>): Promise<void>;
}

export interface CliContext {
  readonly workspace: string;
  readonly args: ParsedArgs;
  readonly io: CliIO;
}

/** The exit codes of every command, as `logbook --help` and the README list them. */
export const EXIT = {
  ok: 0,
  /** The command failed, or its output could not be written (a full disk, an I/O error). */
  failed: 1,
  /** Bad arguments, a malformed --search query included: the user's input, not the logbook. */
  usage: 2,
  /** The reader closed the output early (`| head`): 128 + SIGPIPE, what a shell reports for it. */
  brokenPipe: 141,
} as const;

/** Long output through `outLines` when the IO has it, else as one text. */
export async function printLines(io: CliIO, lines: Iterable<string>): Promise<void> {
  if (io.outLines !== undefined) {
    await io.outLines(lines);
    return;
  }
  io.out([...lines].join('\n'));
}
