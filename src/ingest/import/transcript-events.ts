import { findTooDeep, MAX_JSON_DEPTH } from '../../domain/json-depth';
import type { TailLine } from '../usage/transcript-tail';

// One Claude Code transcript file read back as the hook events it stands for, so a session that
// ran before the hooks were installed folds like one they recorded. Pure: the lines come in, the
// hook-shaped payloads go out, each with the transcript's time and a key made from the line's
// uuid and what it became (the event id is derived from it: importing twice adds nothing).
// What a transcript cannot say is left out rather than guessed: no hook timings (duration_ms),
// no permission requests or denials (a denied call reads as a failed one), no MessageDisplay.
// The format is internal to Claude Code and moves between versions: every field is checked, and
// a line that cannot be read is named, never thrown on.

/** A hook event read out of a transcript line, before it is stamped. */
export interface ImportedEvent {
  readonly hookEvent: string;
  /** Epoch ms of the line it came from (the line before it for a line without a time). */
  readonly at: number;
  /** Unique in the session: the line's uuid (or number), the event, and the content block. */
  readonly key: string;
  readonly payload: Record<string, unknown>;
}

/** A line that could not be read, and why. */
export interface ImportBadLine {
  readonly line: number;
  readonly reason: string;
}

/** The file being read: a session's main transcript, or one of its subagents'. */
export interface TranscriptSource {
  readonly sessionId: string;
  /** The main transcript's path: every payload carries it as `transcript_path`, as the hooks' do. */
  readonly transcriptPath: string;
  readonly agent?: { readonly agentId: string; readonly agentType: string; readonly path: string };
}

export interface TranscriptEvents {
  readonly events: ImportedEvent[];
  readonly bad: ImportBadLine[];
  /** Subagent types named by the Agent tool's results (main transcript), by agent id. */
  readonly agentTypes: Map<string, string>;
}

type Json = Record<string, unknown>;
type Block = Json;

interface OpenCall {
  readonly name: string;
  readonly input: unknown;
}

// User lines that are not prompts typed by the user: slash command echoes, their output, caveats.
const NOT_A_PROMPT = /^\s*<(command-name|command-message|local-command-stdout|local-command-stderr|local-command-caveat|bash-input|bash-stdout|bash-stderr)>|^\[Request interrupted/;
// Stop reasons that end a turn (the hooks' Stop); tool_use continues it.
const TURN_ENDS = new Set(['end_turn', 'stop_sequence', 'max_tokens']);

/** Reads one transcript file's lines (in file order) into hook-shaped events in that order. */
export function transcriptEvents(source: TranscriptSource, lines: readonly TailLine[]): TranscriptEvents {
  const reader = new LineReader(source);
  for (const { text, line } of lines) reader.read(text, line);
  return reader.finish();
}

class LineReader {
  private readonly events: ImportedEvent[] = [];
  private readonly bad: ImportBadLine[] = [];
  private readonly agentTypes = new Map<string, string>();
  private readonly calls = new Map<string, OpenCall>();
  private readonly stoppedMessages = new Set<string>();
  private first: { at: number; cwd: string | undefined; model: string | undefined; key: string } | undefined;
  private last: { at: number; key: string } | undefined;
  private lastText: string | undefined;
  private promptId: string | undefined;
  private cwd: string | undefined;
  private pendingCompact: Json | undefined;

  constructor(private readonly source: TranscriptSource) {}

  read(text: string, line: number): void {
    if (text.trim() === '') return;
    if (findTooDeep(text) !== undefined) {
      this.bad.push({ line, reason: `nested deeper than ${MAX_JSON_DEPTH} levels` });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this.bad.push({ line, reason: `not JSON (${(error as Error).message})` });
      return;
    }
    if (!isObject(parsed)) {
      this.bad.push({ line, reason: 'not a JSON object' });
      return;
    }
    const at = timeOf(parsed['timestamp']) ?? this.last?.at;
    // Lines without a time (queue operations of old versions, summaries) say nothing a hook said.
    if (at === undefined) return;
    const id = `${str(parsed['uuid']) ?? `#${line}`}`;
    this.cwd = str(parsed['cwd']) ?? this.cwd;
    this.first ??= { at, cwd: this.cwd, model: undefined, key: id };
    this.last = { at, key: id };
    const why = this.readLine(parsed, at, id);
    if (why !== undefined) this.bad.push({ line, reason: why });
  }

  /** Why the line could not be read, or undefined. */
  private readLine(line: Json, at: number, id: string): string | undefined {
    const type = line['type'];
    if (type === 'user') return this.readUser(line, at, id);
    if (type === 'assistant') return this.readAssistant(line, at, id);
    if (type === 'system' && line['subtype'] === 'compact_boundary') this.readCompaction(line, at, id);
    return undefined;
  }

  private readUser(line: Json, at: number, id: string): string | undefined {
    const message = line['message'];
    if (!isObject(message)) return 'a user line without a message object';
    this.promptId = str(line['promptId']) ?? this.promptId;
    const content = message['content'];
    if (line['isCompactSummary'] === true) {
      const summary = promptText(content);
      if (this.pendingCompact !== undefined && summary !== undefined) this.pendingCompact['compact_summary'] = summary;
      this.pendingCompact = undefined;
      return undefined;
    }
    if (Array.isArray(content)) {
      const results = content.filter((b): b is Block => isObject(b) && b['type'] === 'tool_result');
      results.forEach((block, n) => this.toolResult(line, block, at, `${id}/${n}`));
      if (results.length > 0) return undefined;
    }
    // The subagent's first line is its prompt: SubagentStart stands for it.
    if (this.source.agent !== undefined || line['isMeta'] === true || line['isVisibleInTranscriptOnly'] === true) return undefined;
    const prompt = promptText(content);
    if (prompt === undefined) return Array.isArray(content) || typeof content === 'string' ? undefined : 'a user message whose content is neither text nor blocks';
    if (NOT_A_PROMPT.test(prompt)) return undefined;
    this.emit('UserPromptSubmit', at, `${id}/prompt`, { prompt, ...optional('permission_mode', str(line['permissionMode'])) });
    return undefined;
  }

  private toolResult(line: Json, block: Block, at: number, key: string): void {
    const toolUseId = str(block['tool_use_id']);
    if (toolUseId === undefined) return;
    const call = this.calls.get(toolUseId);
    this.calls.delete(toolUseId);
    const result = line['toolUseResult'];
    if (isObject(result)) {
      const agentId = str(result['agentId']);
      const agentType = str(result['agentType']);
      if (agentId !== undefined && agentType !== undefined) this.agentTypes.set(agentId, agentType);
    }
    const base = { tool_name: call?.name ?? '', tool_input: call?.input ?? {}, tool_use_id: toolUseId };
    if (block['is_error'] === true) {
      this.emit('PostToolUseFailure', at, `${key}/failure`, { ...base, error: typeof result === 'string' ? result : resultText(block['content']), is_interrupt: false });
    } else {
      this.emit('PostToolUse', at, `${key}/post`, { ...base, tool_response: result ?? block['content'] ?? null });
    }
  }

  private readAssistant(line: Json, at: number, id: string): string | undefined {
    const message = line['message'];
    if (!isObject(message)) return 'an assistant line without a message object';
    const model = str(message['model']);
    if (this.first !== undefined && this.first.model === undefined && model !== undefined && model !== '<synthetic>') this.first = { ...this.first, model };
    const content = message['content'];
    if (!Array.isArray(content)) return typeof content === 'string' ? undefined : 'an assistant message whose content is not a list of blocks';
    content.forEach((block, n) => {
      if (!isObject(block)) return;
      if (block['type'] === 'text' && typeof block['text'] === 'string') this.lastText = block['text'];
      const toolUseId = str(block['id']);
      if (block['type'] !== 'tool_use' || toolUseId === undefined) return;
      const name = str(block['name']) ?? '';
      this.calls.set(toolUseId, { name, input: block['input'] ?? {} });
      this.emit('PreToolUse', at, `${id}/${n}/pre`, { tool_name: name, tool_input: block['input'] ?? {}, tool_use_id: toolUseId });
    });
    const messageId = str(message['id']) ?? id;
    if (this.source.agent === undefined && TURN_ENDS.has(str(message['stop_reason']) ?? '') && !this.stoppedMessages.has(messageId)) {
      this.stoppedMessages.add(messageId);
      this.emit('Stop', at, `${id}/stop`, { stop_hook_active: false, ...optional('last_assistant_message', this.lastText) });
    }
    return undefined;
  }

  // The compaction is over when its boundary is written: both hook events take the boundary's time.
  private readCompaction(line: Json, at: number, id: string): void {
    const meta = isObject(line['compactMetadata']) ? line['compactMetadata'] : {};
    const trigger = str(meta['trigger']) ?? 'auto';
    this.emit('PreCompact', at, `${id}/precompact`, { trigger, custom_instructions: null });
    // Its summary is the user line written after the boundary: filled in when it comes.
    this.pendingCompact = this.emit('PostCompact', at, `${id}/postcompact`, { trigger });
  }

  private emit(hookEvent: string, at: number, key: string, fields: Json): Json {
    const agent = this.source.agent === undefined ? {} : { agent_id: this.source.agent.agentId, agent_type: this.source.agent.agentType };
    const payload: Json = {
      session_id: this.source.sessionId, transcript_path: this.source.transcriptPath, ...optional('cwd', this.cwd),
      ...optional('prompt_id', this.promptId), hook_event_name: hookEvent, ...agent, ...fields,
    };
    this.events.push({ hookEvent, at, key, payload });
    return payload;
  }

  finish(): TranscriptEvents {
    const { first, last } = this;
    if (first === undefined || last === undefined) return { events: [], bad: this.bad, agentTypes: this.agentTypes };
    const agent = this.source.agent;
    const base = { session_id: this.source.sessionId, transcript_path: this.source.transcriptPath, ...optional('cwd', first.cwd) };
    const opening: ImportedEvent = agent === undefined
      ? { hookEvent: 'SessionStart', at: first.at, key: `${first.key}/start`, payload: { ...base, hook_event_name: 'SessionStart', source: 'startup', ...optional('model', first.model) } }
      : { hookEvent: 'SubagentStart', at: first.at, key: `${first.key}/subagent-start`, payload: { ...base, hook_event_name: 'SubagentStart', agent_id: agent.agentId, agent_type: agent.agentType } };
    const closing: ImportedEvent = agent === undefined
      ? { hookEvent: 'SessionEnd', at: last.at, key: `${last.key}/end`, payload: { ...base, ...optional('cwd', this.cwd), hook_event_name: 'SessionEnd', reason: 'other' } }
      : {
        hookEvent: 'SubagentStop', at: last.at, key: `${last.key}/subagent-stop`,
        payload: { ...base, hook_event_name: 'SubagentStop', agent_id: agent.agentId, agent_type: agent.agentType, agent_transcript_path: agent.path, stop_hook_active: false, ...optional('last_assistant_message', this.lastText) },
      };
    return { events: [opening, ...this.events, closing], bad: this.bad, agentTypes: this.agentTypes };
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function optional(key: string, value: string | undefined): Json {
  return value === undefined ? {} : { [key]: value };
}

function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The text a user typed: a string, or the text blocks of a list (images and the rest left out). */
function promptText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.flatMap((b) => (isObject(b) && b['type'] === 'text' && typeof b['text'] === 'string' ? [b['text']] : []));
  return texts.length > 0 ? texts.join('\n') : undefined;
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  return promptText(content) ?? '';
}
