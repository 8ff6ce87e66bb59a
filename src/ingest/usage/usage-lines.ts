import { findTooDeep, MAX_JSON_DEPTH } from '../../domain/json-depth';
import type { UsageRecordedData } from '../../domain/usage/events';
import { parseUsageLine, replacesEarlier } from '../../projections/transcript-usage';
import type { TailLine } from './transcript-tail';

// From transcript lines to UsageRecorded data, with the rules of transcript-usage.ts (shared
// line reader): lines of one API message count once, the one with the most output (the later on
// a tie) standing for it. Within one read only that line becomes an event; a later read that
// finds a line with more output adds one more event, and the fold keeps the larger.

/** A line that could not be read, and why. */
export interface BadLine {
  readonly line: number;
  readonly reason: string;
}

// Identifiers longer than this are not Claude Code's: kept as the first characters.
const MAX_ID = 512;

/** The usage events of some lines of one transcript file (`file`: its name; `agentId`: a subagent's file). */
export function usageEventsOf(file: string, lines: readonly TailLine[], agentId?: string): { events: UsageRecordedData[]; bad: BadLine[] } {
  const byKey = new Map<string, UsageRecordedData>();
  const bad: BadLine[] = [];
  for (const { text, line } of lines) {
    const deep = findTooDeep(text);
    if (deep !== undefined) {
      bad.push({ line, reason: `nested deeper than ${MAX_JSON_DEPTH} levels` });
      continue;
    }
    const read = parseUsageLine(text, agentId);
    if (read.kind === 'invalid') bad.push({ line, reason: 'not a JSON object, or its message.usage is not an object' });
    if (read.kind !== 'usage') continue;
    const key = clip(read.key ?? `${file}:${line}`);
    const { model, agent, tokens } = read.message;
    const data: UsageRecordedData = {
      key, messageId: clipOrNull(read.messageId), requestId: clipOrNull(read.requestId), model: clip(model), agentId: clip(agent),
      inputTokens: whole(tokens.inputTokens), outputTokens: whole(tokens.outputTokens),
      cacheCreationInputTokens: whole(tokens.cacheCreationInputTokens), cacheCreation1hInputTokens: whole(tokens.cacheCreation1hInputTokens),
      cacheReadInputTokens: whole(tokens.cacheReadInputTokens), fast: tokens.fast,
      at: read.at === undefined || read.at.length > 64 ? null : read.at, file: clip(file), line,
      ...(read.gitBranch === undefined || read.gitBranch.length > 256 ? {} : { gitBranch: read.gitBranch }),
    };
    const earlier = byKey.get(key);
    if (earlier !== undefined && !replacesEarlier(read.message, messageOf(earlier))) continue;
    // Re-inserted so the events keep the order of the lines that stand for their messages.
    byKey.delete(key);
    byKey.set(key, data);
  }
  return { events: [...byKey.values()], bad };
}

function messageOf(d: UsageRecordedData): Parameters<typeof replacesEarlier>[1] {
  return { model: d.model, agent: d.agentId, tokens: { ...d } };
}

function clip(text: string): string {
  return text.length > MAX_ID ? text.slice(0, MAX_ID) : text;
}

function clipOrNull(text: string | undefined): string | null {
  return text === undefined ? null : clip(text);
}

// The transcript's numbers are checked to be finite and positive; the event schema wants integers.
function whole(n: number): number {
  return Math.min(Math.round(n), Number.MAX_SAFE_INTEGER);
}
