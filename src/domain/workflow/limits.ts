// Limits on a workflow, which comes from the workspace and is read on every tool call. Plain
// constants, free of zod: the hook's bundle imports them.

/** Largest `.logbook/workflow.json` read: real workflows are a few KiB. */
export const WORKFLOW_FILE_MAX_BYTES = 256 * 1024;

/** Largest compiled copy the hook reads: its source re-serialised compactly, plus a header, fits in twice the source's limit. */
export const COMPILED_WORKFLOW_MAX_BYTES = 2 * WORKFLOW_FILE_MAX_BYTES;

/**
 * Most globs in one list of a state's tool rules. Each glob of a Bash list is matched against
 * the whole command, so their number multiplies the work every Bash call costs.
 */
export const GLOBS_PER_LIST_MAX = 256;
