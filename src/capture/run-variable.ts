import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeIfChanged } from '../store/durable-file';

// Runs (issue 16): sessions whose environment holds the same run name form one group. The name is
// read from LOGBOOK_RUN, or from the variable the user names in `logbook.groups.runVariable` (an
// orchestrator that already sets its own, e.g. CI_PIPELINE_ID). The hook launcher reads that name
// from `.logbook/run-variable` at each SessionStart (launcher-origin.ts), so a change of the
// setting needs no reinstall.

export const RUN_VARIABLE_FILE = 'run-variable';
export const DEFAULT_RUN_VARIABLE = 'LOGBOOK_RUN';
/** What sh can name: the launcher checks the same. */
export const RUN_VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Writes (or, for the default, removes) the name the launcher reads; returns whether the file changed. */
export function writeRunVariable(logbookDir: string, name: string | undefined): boolean {
  const file = join(logbookDir, RUN_VARIABLE_FILE);
  if (name === undefined || name === DEFAULT_RUN_VARIABLE) {
    try {
      rmSync(file);
      return true;
    } catch {
      return false;
    }
  }
  if (!RUN_VARIABLE_NAME.test(name)) throw new Error(`logbook.groups.runVariable: "${name.slice(0, 80)}" is not an environment variable name (letters, digits and _, not starting with a digit, at most 64)`);
  return writeIfChanged(file, `${name}\n`, 0o600);
}
