import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { findTooDeep } from '../domain/json-depth';
import type { WorkflowEvent } from '../domain/workflow/events';
import { COMPILED_WORKFLOW_MAX_BYTES, GLOBS_PER_LIST_MAX } from '../domain/workflow/limits';
import type { WorkflowState } from '../domain/workflow/types';
import { readBoundedText } from './bounded-read';
import { checkDir, isUnsafePath } from './safe-fs';
import type { FileRefusal } from './bounded-read';
import type { Folded } from './hook-overlay';
import { EVENTS_ENTRY_SUFFIX } from './inbox-writer';
import { authenticateEntry, provenanceKey } from './provenance';
import { sessionStateFile } from './paths';
import { PENDING_ENTRY_MAX_BYTES, SESSION_SNAPSHOT_MAX_BYTES } from './workflow-snapshot';
import type { CompiledWorkflowFile, SessionWorkflowSnapshot } from './workflow-snapshot';

// The files the hook decides from, read on every tool call. They live in the workspace, so
// anyone can plant one: each is size-checked before it is read and depth-checked before it is
// parsed, so a huge or deeply nested file costs a stat, not a stall. A file that cannot be
// trusted to say the current state stops the decision (the hook fails open) with a note for
// stderr; a file that is merely missing or malformed is what it always was (no workflow, no
// snapshot yet, an entry that is not ours).

/** A state file's content, nothing, or why the workflow cannot be enforced now (`note`: one line for stderr). */
export type StateRead<T> =
  | { readonly kind: 'value'; readonly value: T }
  | { readonly kind: 'none' }
  | { readonly kind: 'stop'; readonly code: StopCode; readonly note: string };

type StopCode = FileRefusal | 'JSON_TOO_DEEP' | 'TOOL_LIST_TOO_LONG';

const NONE = { kind: 'none' } as const;

/** The compiled workflow, only when it is at least as new as the file it came from. */
export function readCompiled(logbookDir: string): StateRead<CompiledWorkflowFile> {
  const compiledPath = join(logbookDir, 'state', 'workflow.json');
  try {
    if (statSync(compiledPath).mtimeMs < statSync(join(logbookDir, 'workflow.json')).mtimeMs) return NONE;
  } catch {
    return NONE;
  }
  const json = readJson(compiledPath, '.logbook/state/workflow.json', COMPILED_WORKFLOW_MAX_BYTES);
  if (json.kind !== 'value') return json;
  const compiled = json.value as Partial<CompiledWorkflowFile> | null;
  if (compiled?.v !== 1 || typeof compiled.hash !== 'string' || typeof compiled.definition !== 'object' || compiled.definition === null) return NONE;
  const oversized = oversizedToolList(compiled.definition);
  if (oversized !== undefined) return stop('TOOL_LIST_TOO_LONG', `.logbook/state/workflow.json: ${oversized} holds more than ${GLOBS_PER_LIST_MAX} globs (or not only globs), which no checked workflow has`);
  return { kind: 'value', value: compiled as CompiledWorkflowFile };
}

/** The session's stored workflow state and the ids of the events in it; none before the first snapshot. */
export function readSnapshot(logbookDir: string, sessionId: string): StateRead<{ state: WorkflowState; eventIds: ReadonlySet<string> }> {
  const file = sessionStateFile(join(logbookDir, 'state', 'sessions'), sessionId);
  const json = readJson(file, `.logbook/state/sessions/${basename(file)}`, SESSION_SNAPSHOT_MAX_BYTES);
  if (json.kind !== 'value') return json;
  const snapshot = json.value as Partial<SessionWorkflowSnapshot> | null;
  if (snapshot?.v !== 1 || snapshot.state === undefined || !Array.isArray(snapshot.eventIds)) return NONE;
  return { kind: 'value', value: { state: snapshot.state, eventIds: new Set(snapshot.eventIds) } };
}

/** Workflow events left in the inbox for this session (decisions of hooks, the CLI, MCP), in order, and the names of their entries. */
export interface PendingEvents {
  readonly events: WorkflowEvent[];
  readonly names: string[];
  /** Every name the inbox listing held (entries, logs, rawhooks): what the listing cost (hook-drain.ts). */
  readonly listed: number;
}

/**
 * The pending workflow events of a session, skipping those `folded` says are in the state already
 * (hook-overlay.ts) and those whose ids the writer's snapshot holds (`included`).
 */
export function readPendingEvents(logbookDir: string, sessionId: string, included: ReadonlySet<string>, folded?: Folded): StateRead<PendingEvents> {
  const inbox = join(logbookDir, 'inbox');
  let all: string[];
  try {
    all = readdirSync(inbox);
  } catch {
    return { kind: 'value', value: { events: [], names: [], listed: 0 } };
  }
  const names = all.filter((n) => n.endsWith(EVENTS_ENTRY_SUFFIX) && (folded === undefined || (n >= folded.cutoff && !folded.names.has(n)))).sort();
  const events: WorkflowEvent[] = [];
  const taken: string[] = [];
  const key = provenanceKey().key;
  for (const name of names) {
    const json = readJson(join(inbox, name), `.logbook/inbox/${name}`, PENDING_ENTRY_MAX_BYTES, (text) => {
      // Only decisions this machine's writers stamped move the workflow: a planted entry could
      // otherwise put a session in any state.
      const checked = authenticateEntry(text, key);
      return checked.ok ? checked.text : undefined;
    });
    // Too large to read may still be a real decision: without it the state is unknown.
    if (json.kind === 'stop' && json.code === 'FILE_TOO_LARGE') return json;
    // Being written or removed right now, or not ours: skip it.
    if (json.kind !== 'value') continue;
    const entry = json.value as { id?: unknown; sessionId?: unknown; events?: unknown } | null;
    if (entry?.sessionId !== sessionId || typeof entry.id !== 'string' || included.has(entry.id) || !Array.isArray(entry.events)) continue;
    events.push(...(entry.events as WorkflowEvent[]));
    taken.push(name);
  }
  return { kind: 'value', value: { events, names: taken, listed: all.length } };
}

/**
 * A JSON file within `maxBytes` and MAX_JSON_DEPTH; missing or not JSON is none, anything else
 * stops. `accept` may turn the text down (none) or hand back the part to parse.
 */
function readJson(path: string, label: string, maxBytes: number, accept: (text: string) => string | undefined = (text) => text): StateRead<unknown> {
  const folder = folderProblem(dirname(path));
  if (folder !== undefined) return folder;
  const read = readBoundedText(path, maxBytes, { underLogbook: true });
  if (read.kind === 'missing') return NONE;
  if (read.kind === 'refused') return stop(read.code, `${label} ${read.reason}`);
  const text = accept(read.text);
  if (text === undefined) return NONE;
  const deep = findTooDeep(text);
  if (deep !== undefined) return stop('JSON_TOO_DEEP', `${label} is nested deeper than ${deep.limit} levels (at character ${deep.offset}): not read`);
  try {
    return { kind: 'value', value: JSON.parse(text) as unknown };
  } catch {
    return NONE;
  }
}

/** A folder on the way that is a planted link or not the user's own: nothing in it is read. */
function folderProblem(dir: string): StateRead<never> | undefined {
  try {
    checkDir(dir);
    return undefined;
  } catch (error) {
    return isUnsafePath(error) ? stop('FILE_UNSAFE', error.message) : NONE;
  }
}

function stop(code: StopCode, reason: string): StateRead<never> {
  return { kind: 'stop', code, note: `agent-logbook: workflow not enforced: ${reason}` };
}

/** Where a compiled definition has a tool list the rules would be slow to check; validation never leaves one. */
function oversizedToolList(definition: object): string | undefined {
  const states: unknown = (definition as { states?: unknown }).states;
  if (typeof states !== 'object' || states === null) return undefined;
  for (const [name, state] of Object.entries(states)) {
    const tools: unknown = (state as { tools?: unknown } | null)?.tools;
    if (typeof tools !== 'object' || tools === null) continue;
    const { allow, deny, bash } = tools as Record<string, unknown>;
    const { allow: bashAllow, deny: bashDeny } = (typeof bash === 'object' && bash !== null ? bash : {}) as Record<string, unknown>;
    const lists: [string, unknown][] = [['allow', allow], ['deny', deny], ['bash.allow', bashAllow], ['bash.deny', bashDeny]];
    for (const [key, list] of lists) {
      if (list !== undefined && !(Array.isArray(list) && list.length <= GLOBS_PER_LIST_MAX && list.every((g) => typeof g === 'string'))) {
        return `states[${JSON.stringify(name)}].tools.${key}`;
      }
    }
  }
  return undefined;
}
