import * as z from 'zod';

// Token usage as events. Claude Code deletes a session's transcript after 30 days by default, so
// the writer copies each API message's usage out of the transcripts into the session's stream
// (src/ingest/usage/), and every view folds these events (src/projections/usage/), never the
// transcripts. One event per API message as first seen, and one more whenever a later line of the
// same message carries more output (Claude Code writes a streamed message's lines as it goes).

/** Stable event type names: stored in the event store, never renamed. */
export const UsageEventType = {
  UsageRecorded: 'UsageRecorded',
} as const;

export type UsageEventTypeName = (typeof UsageEventType)[keyof typeof UsageEventType];

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** The usage one transcript line gives for its API message. */
export const usageRecordedData = z.object({
  /** What the lines of one message share: message.id, else requestId, else the line's uuid, else "<file>:<line>". */
  key: z.string().min(1).max(512),
  messageId: z.string().max(512).nullable(),
  requestId: z.string().max(512).nullable(),
  /** As the transcript spells it ("<unknown>" when it names none). */
  model: z.string().min(1).max(512),
  /** "main", a subagent's id, or "sidechain" for an older transcript's unnamed sidechain. */
  agentId: z.string().min(1).max(512),
  inputTokens: count,
  outputTokens: count,
  /** All cache writes; cacheCreation1hInputTokens says how many of them were 1-hour writes. */
  cacheCreationInputTokens: count,
  cacheCreation1hInputTokens: count,
  cacheReadInputTokens: count,
  /** Fast mode (priced with the model's multiplier). */
  fast: z.boolean(),
  /** The line's own timestamp (ISO), when it has one. */
  at: z.string().max(64).nullable(),
  /** Where it was read: the transcript file's name and the 1-based line. */
  file: z.string().max(512),
  line: z.number().int().positive(),
  /** The git branch the line names (`gitBranch`), when it names one; absent in events recorded before it was read. */
  gitBranch: z.string().min(1).max(256).nullable().optional(),
});

/** Data of a UsageRecorded event. */
export type UsageRecordedData = z.infer<typeof usageRecordedData>;

/** True for a type name this module defines. */
export function isUsageEventType(type: string): type is UsageEventTypeName {
  return type === UsageEventType.UsageRecorded;
}
