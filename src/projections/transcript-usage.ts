// Token usage and cost of a Claude Code session, from the text of its transcript files (the main
// one and its subagents'). Pure: the writer reads the files incrementally (src/ingest/usage/), the tests whole (test/unit/transcript-files.ts).
// The transcript format is internal to Claude Code and changes between versions, so every field
// is checked before use and a line that cannot be read is counted, never thrown on.
import type { MessageTokens, PriceTable } from './pricing';
import { DEFAULT_PRICE_TABLE, findModelPrice, messageCostUsd } from './pricing';

/** Agent key of the session's own (non-subagent) messages. */
export const MAIN_AGENT = 'main';
/** Agent key of sidechain lines that name no agent (older transcripts). */
export const UNNAMED_SIDECHAIN = 'sidechain';
/** Model key of an assistant line without `message.model`. */
export const UNKNOWN_MODEL = '<unknown>';
// Claude Code writes locally made messages (errors, interruptions) with this model and zero usage.
const SYNTHETIC_MODEL = '<synthetic>';

/** One transcript file's text; agentId names the subagent of an `agent-<id>.jsonl` file. */
export interface TranscriptText {
  readonly text: string;
  readonly agentId?: string;
}

export interface TokenTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationInputTokens: number;
  readonly cacheReadInputTokens: number;
  /** The four above summed, as ccusage does. */
  readonly totalTokens: number;
}

export interface UsageBucket extends TokenTotals {
  /** API messages counted, after merging the lines of one message. */
  readonly messages: number;
  readonly costUsd: number;
}

export interface LineCounts {
  /** Every line, blank ones included. */
  readonly total: number;
  readonly blank: number;
  /** Not JSON, not a JSON object, or an assistant line whose `usage` is not an object. */
  readonly invalid: number;
  /** Assistant lines merged into another line of the same API message. */
  readonly duplicates: number;
  /** Assistant lines with no `message.usage`. */
  readonly withoutUsage: number;
  /** Assistant lines Claude Code made itself (model "<synthetic>"): no API call, not counted. */
  readonly synthetic: number;
}

export interface SessionUsage {
  readonly totals: TokenTotals;
  readonly costUsd: number;
  readonly messagesCounted: number;
  /** Keyed by the model id as the transcript spells it. */
  readonly perModel: Readonly<Record<string, UsageBucket>>;
  /** Keyed by MAIN_AGENT or the subagent's agentId. */
  readonly perAgent: Readonly<Record<string, UsageBucket>>;
  /** Models with tokens but no price: their cost is counted as 0, so costUsd is a lower bound. */
  readonly unpricedModels: readonly string[];
  readonly lines: LineCounts;
  /** Blank and invalid lines. */
  readonly linesSkipped: number;
}

/** One API message's usage, as its final line gives it. */
export interface UsageMessage {
  readonly model: string;
  readonly agent: string;
  readonly tokens: MessageTokens;
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function readTokens(usage: Json): MessageTokens {
  const split = asObject(usage['cache_creation']);
  const oneHour = count(split?.['ephemeral_1h_input_tokens']);
  // The total is authoritative; the 5m/1h split only says which rate applies to which part.
  const creation = typeof usage['cache_creation_input_tokens'] === 'number'
    ? count(usage['cache_creation_input_tokens'])
    : count(split?.['ephemeral_5m_input_tokens']) + oneHour;
  return {
    inputTokens: count(usage['input_tokens']),
    outputTokens: count(usage['output_tokens']),
    cacheCreationInputTokens: creation,
    cacheCreation1hInputTokens: oneHour,
    cacheReadInputTokens: count(usage['cache_read_input_tokens']),
    fast: usage['speed'] === 'fast',
  };
}

function tokenSum(t: MessageTokens): number {
  return t.inputTokens + t.outputTokens + t.cacheCreationInputTokens + t.cacheReadInputTokens;
}

class Bucket {
  inputTokens = 0;
  outputTokens = 0;
  cacheCreationInputTokens = 0;
  cacheReadInputTokens = 0;
  messages = 0;
  costUsd = 0;

  add(t: MessageTokens, cost: number): void {
    this.inputTokens += t.inputTokens;
    this.outputTokens += t.outputTokens;
    this.cacheCreationInputTokens += t.cacheCreationInputTokens;
    this.cacheReadInputTokens += t.cacheReadInputTokens;
    this.messages += 1;
    this.costUsd += cost;
  }

  result(): UsageBucket {
    const { inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens, messages, costUsd } = this;
    const totalTokens = inputTokens + outputTokens + cacheCreationInputTokens + cacheReadInputTokens;
    return { inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens, totalTokens, messages, costUsd };
  }
}

function bucketIn(map: Map<string, Bucket>, key: string): Bucket {
  let bucket = map.get(key);
  if (bucket === undefined) {
    bucket = new Bucket();
    map.set(key, bucket);
  }
  return bucket;
}

/** What one transcript line says about usage; `usage` lines carry their API message's key. */
export type UsageLine =
  | { readonly kind: 'blank' | 'invalid' | 'other' | 'withoutUsage' | 'synthetic' }
  | {
    readonly kind: 'usage';
    /** message.id, else requestId, else the line's uuid; undefined when the line has none of them. */
    readonly key: string | undefined;
    readonly messageId: string | undefined;
    readonly requestId: string | undefined;
    readonly at: string | undefined;
    /** The git branch the line names (Claude Code writes `gitBranch` on every line of a session in a repository). */
    readonly gitBranch: string | undefined;
    readonly message: UsageMessage;
  };

/**
 * Reads one line of a transcript. `fileAgentId` names the subagent of an `agent-<id>.jsonl` file.
 * Shared by computeSessionUsage and the writer's usage events (src/ingest/usage/), so both count alike.
 */
export function parseUsageLine(raw: string, fileAgentId?: string): UsageLine {
  if (raw.trim() === '') return { kind: 'blank' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { kind: 'invalid' };
  }
  const line = asObject(parsed);
  if (line === undefined) return { kind: 'invalid' };
  if (line['type'] !== 'assistant') return { kind: 'other' };
  const message = asObject(line['message']);
  if (message === undefined || message['usage'] === undefined || message['usage'] === null) return { kind: 'withoutUsage' };
  const usage = asObject(message['usage']);
  if (usage === undefined) return { kind: 'invalid' };
  const model = nonEmptyString(message['model']) ?? UNKNOWN_MODEL;
  if (model === SYNTHETIC_MODEL) return { kind: 'synthetic' };
  const agent = nonEmptyString(line['agentId']) ?? fileAgentId
    ?? (line['isSidechain'] === true ? UNNAMED_SIDECHAIN : MAIN_AGENT);
  const messageId = nonEmptyString(message['id']);
  const requestId = nonEmptyString(line['requestId']);
  // Each content block of an API message is its own line carrying the message's usage: key the
  // message by message.id (else requestId, else the line's uuid) or its tokens are multiplied.
  const key = messageId ?? requestId ?? nonEmptyString(line['uuid']);
  return { kind: 'usage', key, messageId, requestId, at: nonEmptyString(line['timestamp']), gitBranch: nonEmptyString(line['gitBranch']), message: { model, agent, tokens: readTokens(usage) } };
}

/**
 * Whether a later line of a message replaces what an earlier one said. While streaming, Claude
 * Code may write a message's lines with a growing output count: the line with the most output
 * (the later one on a tie) is the final usage.
 */
export function replacesEarlier(later: UsageMessage, earlier: UsageMessage): boolean {
  return later.tokens.outputTokens >= earlier.tokens.outputTokens;
}

/** Usage of one session from its transcript files; lines of one API message are counted once. */
export function computeSessionUsage(transcripts: readonly TranscriptText[], prices: PriceTable = DEFAULT_PRICE_TABLE): SessionUsage {
  const lines = { total: 0, blank: 0, invalid: 0, duplicates: 0, withoutUsage: 0, synthetic: 0 };
  const messages = new Map<string, UsageMessage>();
  transcripts.forEach((transcript, fileIndex) => {
    const texts = transcript.text.split('\n');
    if (texts[texts.length - 1] === '') texts.pop();
    texts.forEach((raw, lineIndex) => {
      lines.total += 1;
      const read = parseUsageLine(raw, transcript.agentId);
      if (read.kind === 'other') return;
      if (read.kind !== 'usage') {
        lines[read.kind] += 1;
        return;
      }
      const key = read.key ?? `line ${fileIndex}:${lineIndex}`;
      const earlier = messages.get(key);
      if (earlier !== undefined) {
        lines.duplicates += 1;
        if (!replacesEarlier(read.message, earlier)) return;
      }
      messages.set(key, read.message);
    });
  });
  return summarizeMessages(messages.values(), lines, prices);
}

/** Totals, per model and per agent, and cost, of API messages counted once each. */
export function summarizeMessages(messages: Iterable<UsageMessage>, lines: LineCounts, prices: PriceTable): SessionUsage {
  const total = new Bucket();
  const perModel = new Map<string, Bucket>();
  const perAgent = new Map<string, Bucket>();
  const unpriced = new Set<string>();
  for (const { model, agent, tokens } of messages) {
    const price = findModelPrice(prices, model);
    if (price === undefined && tokenSum(tokens) > 0) unpriced.add(model);
    const cost = price === undefined ? 0 : messageCostUsd(price, tokens);
    total.add(tokens, cost);
    bucketIn(perModel, model).add(tokens, cost);
    bucketIn(perAgent, agent).add(tokens, cost);
  }
  const { messages: messagesCounted, costUsd, ...totals } = total.result();
  return {
    totals,
    costUsd,
    messagesCounted,
    perModel: Object.fromEntries([...perModel].map(([k, b]) => [k, b.result()])),
    perAgent: Object.fromEntries([...perAgent].map(([k, b]) => [k, b.result()])),
    unpricedModels: [...unpriced].sort(),
    lines,
    linesSkipped: lines.blank + lines.invalid,
  };
}
