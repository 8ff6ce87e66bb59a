import type { LogbookPaths } from '../capture/paths';
import { readSafeText } from '../capture/safe-fs';
import { parseWorkflowDefinition, workflowDefinitionHash, WORKFLOW_FILE } from '../domain/workflow/definition';
import type { WorkflowDefinition } from '../domain/workflow/types';
import { syncCompiledWorkflow } from './state-files';

/** The workspace's workflow file, read and validated now. */
export type LoadedWorkflow =
  | { readonly status: 'none' }
  | { readonly status: 'invalid'; readonly problems: readonly string[] }
  | { readonly status: 'ok'; readonly definition: WorkflowDefinition; readonly hash: string };

/** Reads and validates the workflow file, and keeps the hook's compiled copy in step with it. */
export function loadWorkflow(paths: LogbookPaths): LoadedWorkflow {
  const loaded = readWorkflow(paths);
  if (loaded.status === 'ok') syncCompiledWorkflow(paths, loaded);
  else if (loaded.status === 'none') syncCompiledWorkflow(paths, undefined);
  return loaded;
}

function readWorkflow(paths: LogbookPaths): LoadedWorkflow {
  let text: string;
  try {
    // Not through a link: a planted workflow.json -> ~/.ssh/id_rsa would be quoted in the problems shown.
    text = readSafeText(paths.workflow);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'none' };
    return { status: 'invalid', problems: [`${WORKFLOW_FILE}: cannot be read: ${(error as Error).message}`] };
  }
  const parsed = parseWorkflowDefinition(text, WORKFLOW_FILE);
  if (!parsed.ok) return { status: 'invalid', problems: parsed.problems };
  return { status: 'ok', definition: parsed.definition, hash: workflowDefinitionHash(parsed.definition) };
}

/** Validates and compiles the workflow for the hooks; says what is wrong, never throws. */
export function refreshWorkflow(paths: LogbookPaths): string[] {
  try {
    const loaded = loadWorkflow(paths);
    return loaded.status === 'invalid' ? [`the workflow is not enforced until these are fixed:`, ...loaded.problems] : [];
  } catch (error) {
    return [`the workflow could not be checked: ${(error as Error).message}`];
  }
}
