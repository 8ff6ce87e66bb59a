import { EXIT } from './context';
import type { ProcessOutput } from './output';

// Whatever escapes a command (a bug, a rejection nobody awaited) ends with one line naming it,
// never a stack trace on the user's terminal; LOGBOOK_DEBUG=1 adds the stack for a bug report.

/** The text for an error nobody foresaw: its message, and its stack when LOGBOOK_DEBUG=1. */
export function describeUnexpected(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (process.env['LOGBOOK_DEBUG'] === '1' && error instanceof Error && error.stack !== undefined) return `unexpected error: ${message}\n${error.stack}`;
  return `unexpected error: ${message} (run with LOGBOOK_DEBUG=1 to see where)`;
}

/**
 * Installs the process-wide handlers: a broken output decides the exit code even when it breaks
 * after the command returned, and an uncaught exception or rejection ends the process with one line.
 */
export function guardProcess(output: ProcessOutput): void {
  process.on('exit', () => {
    // A command that failed keeps its code; a broken output turns a success into 141 or 1.
    if (output.exitCode !== undefined && !process.exitCode) process.exitCode = output.exitCode;
  });
  const lastResort = (error: unknown): void => {
    process.exitCode = output.exitCode ?? EXIT.failed;
    // Exiting at once: after an uncaught exception the process's state cannot be trusted.
    output.lastWords(`${output.command}: ${describeUnexpected(error)}`, () => process.exit());
  };
  process.on('uncaughtException', lastResort);
  process.on('unhandledRejection', lastResort);
}
