import { createHash } from 'node:crypto';
import { parse, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import * as z from 'zod';
import { LogbookError } from '../errors';
import { findTooDeep, MAX_JSON_DEPTH } from '../json-depth';
import { GLOBS_PER_LIST_MAX, WORKFLOW_FILE_MAX_BYTES } from './limits';
import { jsonPath } from './tool-rules';
import type { WorkflowDefinition } from './types';
import { lineColumn } from '../text-position';

// The workflow file, validated at the edge. Objects are strict so a misspelt key is reported
// instead of silently ignored; every problem is reported at once, each with its JSON path.

/** Where the workflow lives, relative to the workspace. */
export const WORKFLOW_FILE = '.logbook/workflow.json';

const globList = z.array(z.string().min(1)).max(GLOBS_PER_LIST_MAX)
  .meta({ description: `Globs; \`*\` matches any run of characters. At most ${GLOBS_PER_LIST_MAX}.` });

const toolRulesSchema = z.strictObject({
  allow: globList.optional().meta({ description: 'Only tools whose names match one of these globs may run (e.g. "Read", "mcp__*").' }),
  deny: globList.optional().meta({ description: 'Tools whose names match one of these globs may not run; deny wins over allow.' }),
  bash: z.strictObject({
    allow: globList.optional().meta({ description: 'Every command of a Bash command line must match one of these (e.g. "git *").' }),
    deny: globList.optional().meta({ description: 'A Bash command line with a command matching one of these is denied.' }),
  }).optional().meta({ description: 'Globs matched against the Bash tool\'s command.' }),
});

const stateSchema = z.strictObject({
  description: z.string().optional(),
  final: z.boolean().optional().meta({ description: 'A final state cannot be left.' }),
  tools: toolRulesSchema.optional().meta({ description: 'Tool rules enforced by the PreToolUse hook while in this state. mcp__logbook__* is always allowed.' }),
  instructions: z.string().optional().meta({ description: 'Shown to the agent by the status tool while in this state.' }),
});

const transitionSchema = z.strictObject({
  from: z.string().min(1).meta({ description: 'A state name, or "*" for any state that is not final.' }),
  to: z.string().min(1),
  guards: z.array(z.enum(['journalSinceEntered', 'reviewApproved'])).optional()
    .meta({ description: 'journalSinceEntered: a journal entry since entering "from"; reviewApproved: the review recorded in "from" was approved.' }),
  description: z.string().optional(),
});

/** The zod schema of `.logbook/workflow.json`. */
export const workflowDefinitionSchema = z.strictObject({
  $schema: z.string().optional().meta({ description: 'The JSON Schema of this file, for editors.' }),
  version: z.literal(1).meta({ description: 'The format version: 1.' }),
  name: z.string().trim().min(1).meta({ description: 'The workflow\'s name, shown in the status bar and reports.' }),
  description: z.string().optional(),
  initial: z.string().min(1).meta({ description: 'The state a new workflow starts in.' }),
  states: z.record(z.string(), stateSchema).meta({ description: 'The named states of the workflow.' }),
  transitions: z.array(transitionSchema).meta({ description: 'The allowed moves between states; any other move is refused.' }),
  iteration: z.strictObject({
    startsAt: z.string().min(1).meta({ description: 'Every entry into this state (including the return after a rejected review) starts a new iteration.' }),
  }),
  journal: z.strictObject({
    minEntriesPerIteration: z.number().int().min(0).default(1).meta({ description: 'Journal entries each iteration needs.' }),
    enforceOnStop: z.boolean().default(true).meta({ description: 'Block the agent from stopping until the iteration has enough journal entries.' }),
  }).optional().meta({ description: 'Journal rules.' }),
  review: z.strictObject({
    state: z.string().min(1).meta({ description: 'The state in which a review is recorded.' }),
    onRejected: z.string().min(1).meta({ description: 'Where a rejected review sends the workflow back to.' }),
  }).optional().meta({ description: 'The review step: approved satisfies the reviewApproved guard, rejected sends the workflow back.' }),
}).superRefine((value, ctx) => {
  for (const { path, message } of crossFieldProblems(value)) ctx.addIssue({ code: 'custom', path, message });
}, { when: () => true }).meta({
  title: 'Agent Logbook workflow',
  description: `The optional workflow of .logbook/workflow.json (at most ${WORKFLOW_FILE_MAX_BYTES / 1024} KiB, nested at most ${MAX_JSON_DEPTH} levels deep).`,
});

// The zod output must be exactly the type the zod-free decider uses.
workflowDefinitionSchema satisfies z.ZodType<WorkflowDefinition>;

interface Problem {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Checks between fields. Runs even when other fields failed (to report every problem), so it
 * reads the value defensively: any part may still be malformed.
 */
function crossFieldProblems(value: unknown): Problem[] {
  const problems: Problem[] = [];
  if (!isRecord(value)) return problems;
  const states = isRecord(value['states']) ? value['states'] : {};
  const names = new Set(Object.keys(states));
  const isFinal = (name: string): boolean => isRecord(states[name]) && states[name]['final'] === true;
  const mustExist = (path: (string | number)[], name: unknown): void => {
    if (typeof name === 'string' && name !== '' && !names.has(name)) problems.push({ path, message: `no state named ${JSON.stringify(name)}${known(names)}` });
  };
  for (const name of names) {
    if (name.trim() === '') problems.push({ path: ['states', name], message: 'a state name must not be empty' });
    if (name === '*') problems.push({ path: ['states', name], message: '"*" is reserved for "any state" in transitions' });
  }
  mustExist(['initial'], value['initial']);
  if (isRecord(value['iteration'])) mustExist(['iteration', 'startsAt'], value['iteration']['startsAt']);
  if (isRecord(value['review'])) {
    mustExist(['review', 'state'], value['review']['state']);
    mustExist(['review', 'onRejected'], value['review']['onRejected']);
    const reviewState = value['review']['state'];
    if (typeof reviewState === 'string' && isFinal(reviewState)) problems.push({ path: ['review', 'state'], message: `state ${JSON.stringify(reviewState)} is final: a rejected review could not leave it` });
  }
  const transitions = Array.isArray(value['transitions']) ? value['transitions'] : [];
  const seen = new Map<string, number>();
  transitions.forEach((t: unknown, i) => {
    if (!isRecord(t)) return;
    if (t['from'] !== '*') mustExist(['transitions', i, 'from'], t['from']);
    mustExist(['transitions', i, 'to'], t['to']);
    if (typeof t['from'] === 'string' && isFinal(t['from'])) problems.push({ path: ['transitions', i, 'from'], message: `state ${JSON.stringify(t['from'])} is final: no transition may leave it` });
    const key = JSON.stringify([t['from'], t['to']]);
    const first = seen.get(key);
    if (first !== undefined) problems.push({ path: ['transitions', i], message: `repeats transitions[${first}] (${String(t['from'])} → ${String(t['to'])}); merge their guards into one` });
    else seen.set(key, i);
  });
  return problems;
}

function known(names: ReadonlySet<string>): string {
  return names.size === 0 ? '' : ` (states: ${[...names].join(', ')})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A parsed file, or every problem found, each starting with the file label and a JSON path or line:column. */
export type WorkflowParseResult =
  | { readonly ok: true; readonly definition: WorkflowDefinition }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Parses and validates the text of a workflow file; `fileLabel` prefixes every problem. */
export function parseWorkflowDefinition(text: string, fileLabel: string): WorkflowParseResult {
  const body = text.replace(/^\uFEFF/, '');
  // Before any parser: they all recurse, and a deep enough text overflows the stack.
  const deep = findTooDeep(body, MAX_JSON_DEPTH, { comments: true });
  if (deep !== undefined) return { ok: false, problems: [`${fileLabel}:${position(body, deep.offset)}: nested deeper than ${deep.limit} levels`] };
  const json = parseStrictJson(body, fileLabel);
  if (!json.ok) return json;
  const parsed = workflowDefinitionSchema.safeParse(json.value);
  if (parsed.success) return { ok: true, definition: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const at = jsonPath(issue.path);
    return `${fileLabel}: ${at === '' ? '' : `${at}: `}${issue.message.replace(/^Invalid input: /, '')}`;
  });
  return { ok: false, problems };
}

function parseStrictJson(text: string, fileLabel: string): { ok: true; value: unknown } | { ok: false; problems: string[] } {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  // Only the first syntax error: the ones after it are mostly echoes of it.
  const first = errors[0];
  if (first !== undefined) return { ok: false, problems: [`${fileLabel}:${position(text, first.offset)}: invalid JSON (${printParseErrorCode(first.error)})`] };
  try {
    // jsonc-parser is lenient in corners JSON is not; the file must be strict JSON.
    JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [`${fileLabel}:1:1: invalid JSON (${message})`] };
  }
  return { ok: true, value };
}

function position(text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  return `${line}:${column}`;
}

/** Raised by callers that need a definition or nothing (the CLI); carries every problem. */
export class WorkflowDefinitionError extends LogbookError {
  constructor(readonly problems: readonly string[]) {
    super('WORKFLOW_INVALID', problems.join('\n'));
  }
}

/** A content hash of a definition: formatting and key order do not change it. */
export function workflowDefinitionHash(definition: WorkflowDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined && k !== '$schema').sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The JSON Schema of the workflow file, as committed in media/workflow.schema.json. */
export function renderWorkflowJsonSchema(): string {
  // draft-7: the dialect VS Code's JSON language service has supported longest.
  const schema = z.toJSONSchema(workflowDefinitionSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
