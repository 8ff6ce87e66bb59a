import type { RecordedEvent } from '../../store/event-store';
import type { AgentUsage, MemberCall, MemberFacts, MemberFailure } from '../../domain/groups/facts';
import type { PriceTable } from '../pricing';
import { DEFAULT_PRICE_TABLE } from '../pricing';
import { MAIN_AGENT } from '../transcript-usage';
import { foldUsageEvent, initialUsageFold, usageOfFold } from '../usage/session-usage';
import { atOf } from './link-fold';
import { oneLine } from '../../domain/one-line';

// What the group analysis reads of one member: its tool calls (PreToolUse to PostToolUse or
// PostToolUseFailure, by tool_use_id), its failures and its tokens and cost per agent (the
// UsageRecorded events the writer copied from the transcripts, priced now). One pass over its stream.

const SUMMARY_MAX = 160;

type Json = Readonly<Record<string, unknown>>;

export function memberFacts(sessionId: string, events: Iterable<RecordedEvent>, prices: PriceTable = DEFAULT_PRICE_TABLE): MemberFacts {
  const calls = new Map<string, MemberCall>();
  const failures: MemberFailure[] = [];
  const agentTypes = new Map<string, string>();
  let usage = initialUsageFold();
  for (const event of events) {
    usage = foldUsageEvent(usage, event);
    const d = objectOf(event.data);
    const toolUseId = text(d['tool_use_id']);
    switch (event.type) {
      case 'PreToolUse': {
        if (toolUseId === undefined || calls.has(toolUseId)) break;
        const tool = text(d['tool_name']) ?? 'tool';
        calls.set(toolUseId, {
          toolUseId, tool, agentId: text(d['agent_id']) ?? null, start: atOf(event), end: null, failed: false,
          eventId: event.eventId, position: event.globalPosition, summary: oneLine(`${tool}: ${mainInput(objectOf(d['tool_input']))}`, SUMMARY_MAX),
        });
        break;
      }
      case 'PostToolUse':
      case 'PostToolUseFailure': {
        const failed = event.type === 'PostToolUseFailure';
        const open = toolUseId === undefined ? undefined : calls.get(toolUseId);
        if (open !== undefined && toolUseId !== undefined) calls.set(toolUseId, { ...open, end: atOf(event), failed });
        if (failed) {
          const tool = text(d['tool_name']) ?? 'tool';
          failures.push({ eventId: event.eventId, position: event.globalPosition, at: atOf(event), toolUseId: toolUseId ?? null, what: oneLine(`${tool} failed: ${text(d['error']) ?? ''}`, SUMMARY_MAX) });
        }
        break;
      }
      case 'StopFailure':
        failures.push({ eventId: event.eventId, position: event.globalPosition, at: atOf(event), toolUseId: null, what: oneLine(`turn failed: ${text(d['error']) ?? ''}`, SUMMARY_MAX) });
        break;
      case 'SubagentStart': {
        const agent = text(d['agent_id']);
        const type = text(d['agent_type']);
        if (agent !== undefined && type !== undefined) agentTypes.set(agent, type);
        break;
      }
      default:
        break;
    }
  }
  const summary = usageOfFold(usage, prices);
  const agents: AgentUsage[] = Object.entries(summary?.perAgent ?? {}).map(([agentId, bucket]) => ({
    agentId,
    agentType: agentId === MAIN_AGENT ? null : agentTypes.get(agentId) ?? null,
    costUsd: bucket.costUsd,
    inputTokens: bucket.inputTokens,
    outputTokens: bucket.outputTokens,
    cacheCreationInputTokens: bucket.cacheCreationInputTokens,
    cacheReadInputTokens: bucket.cacheReadInputTokens,
  }));
  return { sessionId, calls: [...calls.values()], failures, usage: agents };
}

function mainInput(input: Json): string {
  const main = input['command'] ?? input['file_path'] ?? input['pattern'] ?? input['url'] ?? input['prompt'] ?? input['description'];
  return typeof main === 'string' ? oneLine(main, SUMMARY_MAX) : '';
}


function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function objectOf(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
