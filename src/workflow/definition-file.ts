import { readBoundedText } from '../capture/bounded-read';
import type { LogbookPaths } from '../capture/paths';
import { parseWorkflowDefinition, workflowDefinitionHash, WORKFLOW_FILE } from '../domain/workflow/definition';
import { WORKFLOW_FILE_MAX_BYTES } from '../domain/workflow/limits';
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

/** Reads and validates the workflow file without compiling it for the hooks. */
export function readWorkflow(paths: LogbookPaths): LoadedWorkflow {
  // Not through a link: a planted workflow.json -> ~/.ssh/id_rsa would be quoted in the problems shown.
  const read = readBoundedText(paths.workflow, WORKFLOW_FILE_MAX_BYTES, { underLogbook: true });
  if (read.kind === 'missing') return { status: 'none' };
  if (read.kind === 'refused') return { status: 'invalid', problems: [`${WORKFLOW_FILE}: ${read.reason}`] };
  const parsed = parseWorkflowDefinition(read.text, WORKFLOW_FILE);
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
