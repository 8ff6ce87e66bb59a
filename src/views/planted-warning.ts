import * as vscode from 'vscode';
import { inspectLogbookDir } from '../capture/planted';
import type { PlantedFinding } from '../capture/planted';
import type { LogbookPaths } from '../capture/paths';

/**
 * Before a workspace's writer starts: a `.logbook/` that looks planted (links, another user's
 * files, folders others can write to) gets a warning naming the first finding, and every
 * finding in the log. The writer goes on: it refuses each of them as it meets them.
 */
export function warnIfPlanted(paths: LogbookPaths, output: vscode.OutputChannel, log: (message: string) => void): void {
  let findings: PlantedFinding[];
  try {
    findings = inspectLogbookDir(paths.workspace);
  } catch (error) {
    log(`could not inspect ${paths.dir}: ${(error as Error).message}`);
    return;
  }
  const first = findings[0];
  if (first === undefined) return;
  log(`${paths.dir} holds ${findings.length} thing(s) Agent Logbook did not make; it does not read or write through them:`);
  for (const finding of findings) log(`  ${finding.message}`);
  const more = findings.length > 1 ? ` (${findings.length} findings in all)` : '';
  void vscode.window.showWarningMessage(`Agent Logbook: ${first.message}${more}. A cloned repository may have planted it; Agent Logbook does not read or write through it.`, 'Show Log')
    .then((choice) => { if (choice === 'Show Log') output.show(true); });
}
