import { FILE_EDITING_TOOLS } from '../domain/hook-events';
import { sessionTitle } from '../domain/session-title';
import { setKey } from './fold-scope';
import { agentOf, asPayload, own, pendingCall, text, withoutPending, withPending } from './summary-fields';
import type { Payload } from './summary-fields';
import type { FileTouch, SessionSummaryState, SubagentSummary, ToolStats, ToolTable } from './session-summary';

// The hook-event part of the session summary fold: tool calls, files touched, subagents, prompts.
// The lifecycle state itself is folded by domain/lifecycle before these run. Records that grow
// with the session change through fold-scope.ts, so a whole stream folds in linear time.

function titleOf(d: Payload): string | null {
  const prompt = text(d['prompt']);
  return prompt === null ? null : sessionTitle(prompt);
}

type HookHandler = (s: SessionSummaryState, d: Payload, at: number | null) => SessionSummaryState;

/** Applies what a hook event means to the counters; events of no interest leave `s` as it is. */
export function applyHookEvent(s: SessionSummaryState, type: string, d: Payload, at: number | null): SessionSummaryState {
  const handler = HOOK_HANDLERS.get(type);
  return handler === undefined ? s : handler(s, d, at);
}

const HOOK_HANDLERS = new Map<string, HookHandler>([
  ['UserPromptSubmit', (s, d) => (agentOf(d) === null ? { ...s, prompts: s.prompts + 1, title: s.title ?? titleOf(d) } : s)],
  ['PreToolUse', onPreToolUse],
  ['PostToolUse', onPostToolUse],
  ['PostToolUseFailure', (s, d) => toolEnded(s, d, 1)],
  ['PermissionDenied', onPermissionDenied],
  ['PostToolBatch', onToolBatch],
  ['SubagentStart', onSubagentStart],
  ['SubagentStop', onSubagentStop],
  ['PreCompact', (s) => ({ ...s, compactions: s.compactions + 1 })],
  ['Stop', (s, d) => (agentOf(d) === null ? { ...s, stops: s.stops + 1, pendingCalls: [] } : s)],
  ['StopFailure', (s, d) => (agentOf(d) === null ? { ...s, pendingCalls: [] } : s)],
  // After these nothing still open will end on its own (same rule as the lifecycle).
  ['SessionEnd', (s) => ({ ...s, pendingCalls: [] })],
  ['SessionStart', (s, d) => (d['source'] === 'compact' ? s : { ...s, pendingCalls: [] })],
]);

function onPreToolUse(s: SessionSummaryState, d: Payload): SessionSummaryState {
  const tool = text(d['tool_name']) ?? '<unknown>';
  const agentId = agentOf(d);
  const counted = countTool(s, tool, agentId, text(d['agent_type']), { calls: 1 });
  const id = text(d['tool_use_id']);
  if (id === null) return counted;
  // A HookDenied that arrived before its PreToolUse already counted the denial.
  const denied = pendingCall(s.pendingCalls, id)?.denied ?? false;
  return { ...counted, pendingCalls: withPending(s.pendingCalls, { toolUseId: id, tool, agentId, denied }) };
}

function onPostToolUse(s: SessionSummaryState, d: Payload, at: number | null): SessionSummaryState {
  const ended = toolEnded(s, d, 0);
  const tool = text(d['tool_name']);
  if (tool === null || !FILE_EDITING_TOOLS.includes(tool)) return ended;
  const input = asPayload(d['tool_input']);
  const path = text(input['file_path']) ?? text(input['notebook_path']);
  if (path === null) return ended;
  const seen = own(ended.files, path);
  const touch: FileTouch = { edits: (seen?.edits ?? 0) + 1, firstEditAt: seen?.firstEditAt ?? at, lastEditAt: at };
  return { ...ended, files: setKey(ended.files, path, touch) };
}

// PostToolUse and PostToolUseFailure: the call ran (successfully or not) and took duration_ms.
function toolEnded(s: SessionSummaryState, d: Payload, failures: number): SessionSummaryState {
  const id = text(d['tool_use_id']);
  const pending = id === null ? undefined : pendingCall(s.pendingCalls, id);
  const tool = text(d['tool_name']) ?? pending?.tool ?? '<unknown>';
  const duration = d['duration_ms'];
  const durationMs = typeof duration === 'number' && Number.isFinite(duration) && duration > 0 ? duration : 0;
  const counted = countTool(s, tool, agentOf(d) ?? pending?.agentId ?? null, text(d['agent_type']), { failures, durationMs });
  return id === null ? counted : { ...counted, pendingCalls: withoutPending(s.pendingCalls, id) };
}

function onPermissionDenied(s: SessionSummaryState, d: Payload): SessionSummaryState {
  const id = text(d['tool_use_id']);
  const pending = id === null ? undefined : pendingCall(s.pendingCalls, id);
  const rest = id === null ? s : { ...s, pendingCalls: withoutPending(s.pendingCalls, id) };
  if (pending?.denied === true) return rest;
  const tool = text(d['tool_name']) ?? pending?.tool ?? '<unknown>';
  return countTool(rest, tool, agentOf(d) ?? pending?.agentId ?? null, text(d['agent_type']), { denied: 1 });
}

// A call a PreToolUse hook denied gets no Post* event: the batch that lists it is its only end.
function onToolBatch(s: SessionSummaryState, d: Payload): SessionSummaryState {
  const calls = Array.isArray(d['tool_calls']) ? d['tool_calls'] : [];
  return calls.reduce<SessionSummaryState>((acc, call) => {
    const id = text(asPayload(call)['tool_use_id']);
    const pending = id === null ? undefined : pendingCall(acc.pendingCalls, id);
    if (id === null || pending === undefined) return acc;
    const closed = { ...acc, pendingCalls: withoutPending(acc.pendingCalls, id) };
    return pending.denied ? closed : countTool(closed, pending.tool, pending.agentId, null, { denied: 1 });
  }, s);
}

function onSubagentStart(s: SessionSummaryState, d: Payload, at: number | null): SessionSummaryState {
  const agentId = text(d['agent_id']);
  if (agentId === null) return s;
  const seen = own(s.subagents, agentId);
  const agent: SubagentSummary = { agentId, agentType: text(d['agent_type']) ?? seen?.agentType ?? '', startedAt: at, stoppedAt: null, durationMs: null, tools: seen?.tools ?? {} };
  return { ...s, subagents: setKey(s.subagents, agentId, agent) };
}

// Compaction fires a SubagentStop for an agent that never started: not a subagent, ignored.
function onSubagentStop(s: SessionSummaryState, d: Payload, at: number | null): SessionSummaryState {
  const agentId = text(d['agent_id']);
  const seen = agentId === null ? undefined : own(s.subagents, agentId);
  if (agentId === null || seen === undefined) return s;
  const durationMs = seen.startedAt !== null && at !== null ? at - seen.startedAt : null;
  const pendingCalls = s.pendingCalls.filter((call) => call.agentId !== agentId);
  return { ...s, pendingCalls, subagents: setKey(s.subagents, agentId, { ...seen, stoppedAt: at, durationMs }) };
}

/** One call's change lands in all, in main or subagents, and in the subagent's own table. */
export function countTool(s: SessionSummaryState, tool: string, agentId: string | null, agentType: string | null, delta: Partial<ToolStats>): SessionSummaryState {
  const all = addStats(s.tools.all, tool, delta);
  if (agentId === null) return { ...s, tools: { ...s.tools, all, main: addStats(s.tools.main, tool, delta) } };
  const seen = own(s.subagents, agentId);
  const agent: SubagentSummary = seen ?? { agentId, agentType: agentType ?? '', startedAt: null, stoppedAt: null, durationMs: null, tools: {} };
  return {
    ...s,
    tools: { ...s.tools, all, subagents: addStats(s.tools.subagents, tool, delta) },
    subagents: setKey(s.subagents, agentId, { ...agent, tools: addStats(agent.tools, tool, delta) }),
  };
}

function addStats(table: ToolTable, tool: string, delta: Partial<ToolStats>): ToolTable {
  const t = own(table, tool) ?? { calls: 0, failures: 0, denied: 0, durationMs: 0 };
  const next: ToolStats = {
    calls: t.calls + (delta.calls ?? 0), failures: t.failures + (delta.failures ?? 0),
    denied: t.denied + (delta.denied ?? 0), durationMs: t.durationMs + (delta.durationMs ?? 0),
  };
  return setKey(table, tool, next);
}
