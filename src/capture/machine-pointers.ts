import { writeIfChanged } from '../store/durable-file';
import { removeUnlessOwnFile } from './bin-dir';
import { mcpCliFilePath } from './mcp-config';
import { logbookPaths } from './paths';
import { namesExistingFile, readRecordedPath } from './recorded-path';

// install-hooks records two paths of this machine under .logbook/bin/ (git-ignored): `cli`, the
// logbook program the MCP launcher and the hook's background drain run, and `runtime`, the JS
// runtime the launchers use where node is not on PATH. Both name files of an installed VS Code
// extension or VS Code itself, in versioned folders that an update deletes: afterwards the MCP
// server would not start and a headless inbox would not drain. A window of the new version
// points them at itself again, but only where the file they name is gone: a path the user
// recorded on purpose (another install that still exists) stays.

export interface RepointedFile {
  readonly file: string;
  readonly was: string;
  readonly now: string;
}

/** Rewrites `bin/cli` and `bin/runtime` that name a file no longer there; returns what changed. */
export function repointMachinePaths(workspace: string, current: { readonly cliPath: string; readonly runtime: string }): RepointedFile[] {
  const paths = logbookPaths(workspace);
  const changed: RepointedFile[] = [];
  for (const [file, now] of [[mcpCliFilePath(workspace), current.cliPath], [paths.hookRuntime, current.runtime]] as const) {
    const was = readRecordedPath(file);
    // Not recorded (hooks not installed, or installed without it): nothing is created here.
    if (was === undefined || was === now || namesExistingFile(was) || !namesExistingFile(now)) continue;
    removeUnlessOwnFile(file);
    writeIfChanged(file, `${now}\n`, 0o644);
    changed.push({ file, was, now });
  }
  return changed;
}
