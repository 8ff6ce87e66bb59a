import * as z from 'zod';

// Claude Code hook payloads. Known events are typed; every schema is loose so unknown
// fields pass through, and unknown events are stored as they are (see ingest/normalize.ts).
// The format is Claude Code's and changes between versions: only the fields every event
// carries are required.

const base = {
  session_id: z.string().min(1),
  transcript_path: z.string().optional(),
  cwd: z.string().optional(),
  hook_event_name: z.string().min(1),
  prompt_id: z.string().optional(),
  permission_mode: z.string().optional(),
  agent_id: z.string().optional(),
  agent_type: z.string().optional(),
};

/** Fields every hook payload carries. */
export const hookPayloadBase = z.looseObject(base);
export type HookPayloadBase = z.infer<typeof hookPayloadBase>;

const toolCall = { tool_name: z.string(), tool_input: z.unknown(), tool_use_id: z.string().optional() };

/** Typed schemas of the hook events seen firing (FACTS.md). */
export const knownHookSchemas = {
  SessionStart: z.looseObject({ ...base, source: z.string().optional(), model: z.string().optional() }),
  Setup: z.looseObject({ ...base, trigger: z.string().optional() }),
  InstructionsLoaded: z.looseObject({ ...base, file_path: z.string().optional(), memory_type: z.string().optional(), load_reason: z.string().optional() }),
  UserPromptSubmit: z.looseObject({ ...base, prompt: z.string() }),
  UserPromptExpansion: z.looseObject({ ...base, expansion_type: z.string().optional(), command_name: z.string().optional(), prompt: z.string().optional() }),
  PreToolUse: z.looseObject({ ...base, ...toolCall }),
  PermissionRequest: z.looseObject({ ...base, ...toolCall, permission_suggestions: z.array(z.unknown()).optional() }),
  PermissionDenied: z.looseObject({ ...base, ...toolCall, reason: z.string().optional() }),
  PostToolUse: z.looseObject({ ...base, ...toolCall, tool_response: z.unknown(), duration_ms: z.number().optional() }),
  PostToolUseFailure: z.looseObject({ ...base, ...toolCall, error: z.unknown(), is_interrupt: z.boolean().optional(), duration_ms: z.number().optional() }),
  PostToolBatch: z.looseObject({ ...base, tool_calls: z.array(z.looseObject({ tool_name: z.string().optional(), tool_use_id: z.string().optional() })) }),
  MessageDisplay: z.looseObject({ ...base, turn_id: z.string().optional(), message_id: z.string().optional(), index: z.number().optional(), final: z.boolean().optional(), delta: z.string().optional() }),
  Notification: z.looseObject({ ...base, message: z.string().optional(), notification_type: z.string().optional() }),
  SubagentStart: z.looseObject({ ...base }),
  SubagentStop: z.looseObject({ ...base, agent_transcript_path: z.string().optional(), last_assistant_message: z.string().optional(), stop_hook_active: z.boolean().optional() }),
  TaskCreated: z.looseObject({ ...base, task_id: z.string().optional(), task_subject: z.string().optional() }),
  TaskCompleted: z.looseObject({ ...base, task_id: z.string().optional(), task_subject: z.string().optional() }),
  Stop: z.looseObject({ ...base, stop_hook_active: z.boolean().optional(), last_assistant_message: z.string().optional() }),
  StopFailure: z.looseObject({ ...base, error: z.unknown().optional() }),
  PreCompact: z.looseObject({ ...base, trigger: z.string().optional(), custom_instructions: z.string().nullable().optional() }),
  PostCompact: z.looseObject({ ...base, trigger: z.string().optional(), compact_summary: z.string().optional() }),
  CwdChanged: z.looseObject({ ...base, old_cwd: z.string().optional(), new_cwd: z.string().optional() }),
  FileChanged: z.looseObject({ ...base, file_path: z.string().optional(), event: z.string().optional() }),
  ConfigChange: z.looseObject({ ...base, source: z.string().optional(), file_path: z.string().optional() }),
  SessionEnd: z.looseObject({ ...base, reason: z.string().optional() }),
} as const;

export type KnownHookEventName = keyof typeof knownHookSchemas;
export type KnownHookPayload<E extends KnownHookEventName> = z.infer<(typeof knownHookSchemas)[E]>;

export function isKnownHookEvent(name: string): name is KnownHookEventName {
  return Object.prototype.hasOwnProperty.call(knownHookSchemas, name);
}

/** Tools whose successful use changes a file: the "files touched" of a session. */
export const FILE_EDITING_TOOLS: readonly string[] = ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'];
