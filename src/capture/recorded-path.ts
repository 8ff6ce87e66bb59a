import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { readBoundedText } from './bounded-read';

// install-hooks records paths of this machine under .logbook/bin/ (`cli`, `runtime`): one path and
// a newline each, git-ignored. Read without following a link; node built-ins only (the hook reads them).

const RECORDED_PATH_MAX_BYTES = 4096;

/** The path a bin/ file records (its first line), or undefined when there is none or it cannot be read safely. */
export function readRecordedPath(file: string): string | undefined {
  const read = readBoundedText(file, RECORDED_PATH_MAX_BYTES, { underLogbook: true });
  return read.kind === 'text' ? read.text.split('\n')[0] ?? '' : undefined;
}

/** Whether a recorded path names a program that is there: absolute, and a file. */
export function namesExistingFile(path: string): boolean {
  return path !== '' && isAbsolute(path) && statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}
