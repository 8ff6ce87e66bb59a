import * as z from 'zod';

// Events of the control center (issue 15), recorded in the session's own stream through the inbox
// like the workflow's: a hold and its resume (`logbook hold`, VS Code), a tool call the hold kept
// waiting, an alert raised, a rule muted for the session. Each carries its own time (`at`, ISO).

/** Stable event type names: stored in the event store, never renamed. */
export const ControlEventType = {
  SessionHeld: 'SessionHeld',
  SessionResumed: 'SessionResumed',
  ToolCallHeld: 'ToolCallHeld',
  AlertRaised: 'AlertRaised',
  AlertRuleMuted: 'AlertRuleMuted',
} as const;

export type ControlEventTypeName = (typeof ControlEventType)[keyof typeof ControlEventType];

/** Who acted: the CLI, VS Code, or the hook. */
const by = z.enum(['cli', 'vscode', 'hook', 'mcp']);
const at = z.string().min(1).max(64);
const text = (max: number) => z.string().max(max);

export const sessionHeldData = z.object({
  message: text(2000),
  /** How long the held session's next PreToolUse waits for a resume before it is denied. */
  waitMs: z.number().int().nonnegative(),
  by,
  at,
});

export const sessionResumedData = z.object({ by, at });

export const toolCallHeldData = z.object({
  toolName: text(512),
  toolUseId: text(512).nullable(),
  message: text(2000),
  waitedMs: z.number().int().nonnegative(),
  /** resumed: the call went on; denied: still held when the wait ended, the call was denied. */
  outcome: z.enum(['resumed', 'denied']),
  at,
});

export const alertRaisedData = z.object({
  /** The rule's id (src/domain/control/alert-rules.ts): `time-in-state`, `waiting`, `tool-failures`… */
  rule: text(64),
  /** Names the episode: an alert fires once per (session, rule, episode). */
  episode: text(512),
  /** One line for the user. */
  message: text(2000),
  /** The figures that crossed the threshold, by name (minutes, count, dollars…). */
  figures: z.record(z.string().max(64), z.number()),
  threshold: z.number(),
  /** Where the threshold came from: a setting, or this workspace's history (p90 over N sessions). */
  thresholdSource: text(256),
  at,
});

export const alertRuleMutedData = z.object({ rule: text(64), by, at });

export type SessionHeldData = z.infer<typeof sessionHeldData>;
export type SessionResumedData = z.infer<typeof sessionResumedData>;
export type ToolCallHeldData = z.infer<typeof toolCallHeldData>;
export type AlertRaisedData = z.infer<typeof alertRaisedData>;
export type AlertRuleMutedData = z.infer<typeof alertRuleMutedData>;

/** A control event as written to the inbox and read back from the store. */
export type ControlEvent =
  | { readonly type: 'SessionHeld'; readonly data: SessionHeldData }
  | { readonly type: 'SessionResumed'; readonly data: SessionResumedData }
  | { readonly type: 'ToolCallHeld'; readonly data: ToolCallHeldData }
  | { readonly type: 'AlertRaised'; readonly id?: string; readonly data: AlertRaisedData }
  | { readonly type: 'AlertRuleMuted'; readonly data: AlertRuleMutedData };

const schemas: Readonly<Record<ControlEventTypeName, z.ZodType>> = {
  SessionHeld: sessionHeldData,
  SessionResumed: sessionResumedData,
  ToolCallHeld: toolCallHeldData,
  AlertRaised: alertRaisedData,
  AlertRuleMuted: alertRuleMutedData,
};

/** True for a type name this module defines. */
export function isControlEventType(type: string): type is ControlEventTypeName {
  return Object.hasOwn(ControlEventType, type);
}

/** The data of each control event type. */
export interface ControlDataOf {
  readonly SessionHeld: SessionHeldData;
  readonly SessionResumed: SessionResumedData;
  readonly ToolCallHeld: ToolCallHeldData;
  readonly AlertRaised: AlertRaisedData;
  readonly AlertRuleMuted: AlertRuleMutedData;
}

/** The event's data if it is a valid control event of that type, else undefined (stored data is read back, never trusted). */
export function controlData<T extends ControlEventTypeName>(type: T, data: unknown): ControlDataOf[T] | undefined {
  const parsed = schemas[type].safeParse(data);
  return parsed.success ? (parsed.data as ControlDataOf[T]) : undefined;
}
