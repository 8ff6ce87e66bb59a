// Prices of Claude models in USD per million tokens, and the cost of one API message.
// A plain structure (no schema library) so a VS Code setting can override it later.

/** USD per million tokens of each kind a message's `usage` reports. */
export interface TokenRates {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  /** 5-minute cache writes, and every cache write whose TTL the transcript does not say. */
  readonly cacheWritePerMTok: number;
  /** 1-hour cache writes (`usage.cache_creation.ephemeral_1h_input_tokens`); absent = the 5-minute rate. */
  readonly cacheWrite1hPerMTok?: number;
  readonly cacheReadPerMTok: number;
}

export interface ModelPrice extends TokenRates {
  /**
   * A message whose prompt (input + cache writes + cache reads) is larger than the threshold pays
   * these rates on ALL its tokens, output included: Anthropic bills long prompts per request.
   */
  readonly longPrompt?: TokenRates & { readonly thresholdTokens: number };
  /** Factor on the whole message cost when `usage.speed` is "fast" (fast mode). */
  readonly fastMultiplier?: number;
}

/** Keyed by normalized model id (see normalizeModelId). */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** What a user may override: any field of a known model (long-prompt fields too), or a whole new model. */
export interface ModelPriceOverride extends Partial<TokenRates> {
  readonly longPrompt?: Partial<TokenRates & { readonly thresholdTokens: number }>;
  readonly fastMultiplier?: number;
}
export type PriceTableOverrides = Readonly<Record<string, ModelPriceOverride>>;

function rates(input: number, output: number, write5m: number, write1h: number, read: number): TokenRates {
  return { inputPerMTok: input, outputPerMTok: output, cacheWritePerMTok: write5m, cacheWrite1hPerMTok: write1h, cacheReadPerMTok: read };
}

const OPUS_4_5_TO_5 = rates(5, 25, 6.25, 10, 0.5);
const OPUS_4_0_AND_4_1 = rates(15, 75, 18.75, 30, 1.5);
const SONNET_3_7_TO_4_6 = rates(3, 15, 3.75, 6, 0.3);
// Sonnet 4 and 4.5 with the 1M-token context: prompts over 200K tokens cost the long-context rates.
const SONNET_4_LONG = { ...rates(6, 22.5, 7.5, 12, 0.6), thresholdTokens: 200_000 };

/**
 * Anthropic's list prices (platform.claude.com "Pricing" and the model overview pages, read
 * 2026-11-22). Where ccusage 20.0.24 prices a model offline, it uses the same rates; the test
 * test/unit/transcript-usage.test.ts runs ccusage to prove it. ccusage has no offline price
 * for Fable 5.2, Opus 5.5, Sonnet 5.5 or Haiku 5.5 (newer than its embedded snapshot).
 */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  'claude-fable-5-2': rates(8, 40, 10, 16, 0.2),
  'claude-fable-5-1': rates(10, 50, 12.5, 20, 0.25),
  'claude-mythos-5-1': rates(10, 50, 12.5, 20, 0.25),
  'claude-fable-5': rates(10, 50, 12.5, 20, 1),
  'claude-mythos-5': rates(10, 50, 12.5, 20, 1),
  'claude-opus-5-5': { ...rates(4, 20, 5, 8, 0.2), fastMultiplier: 2 },
  'claude-opus-5': { ...OPUS_4_5_TO_5, fastMultiplier: 2 },
  'claude-opus-4-8': { ...OPUS_4_5_TO_5, fastMultiplier: 2 },
  // Fast mode of Opus 4.6/4.7 was $30/$150 (6x); 4.7's was removed in July 2026, old transcripts keep it.
  'claude-opus-4-7': { ...OPUS_4_5_TO_5, fastMultiplier: 6 },
  'claude-opus-4-6': { ...OPUS_4_5_TO_5, fastMultiplier: 6 },
  'claude-opus-4-5': OPUS_4_5_TO_5,
  'claude-opus-4-1': OPUS_4_0_AND_4_1,
  'claude-opus-4': OPUS_4_0_AND_4_1,
  // Sonnet 5.5 cache reads went from $0.20 to $0.10 on 2026-10-07 (0.05x input).
  'claude-sonnet-5-5': rates(2, 10, 2.5, 4, 0.1),
  'claude-sonnet-5': rates(2, 10, 2.5, 4, 0.2),
  'claude-sonnet-4-6': SONNET_3_7_TO_4_6,
  'claude-sonnet-4-5': { ...SONNET_3_7_TO_4_6, longPrompt: SONNET_4_LONG },
  'claude-sonnet-4': { ...SONNET_3_7_TO_4_6, longPrompt: SONNET_4_LONG },
  'claude-3-7-sonnet': SONNET_3_7_TO_4_6,
  // Haiku 5.5 is priced by prompt length: over 100K tokens every token of the request costs 5x.
  'claude-haiku-5-5': { ...rates(0.1, 0.5, 0.125, 0.2, 0.01), longPrompt: { ...rates(0.5, 2.5, 0.625, 1, 0.05), thresholdTokens: 100_000 } },
  'claude-haiku-4-5': rates(1, 5, 1.25, 2, 0.1),
  'claude-3-5-haiku': rates(0.8, 4, 1, 1.6, 0.08),
  'claude-3-haiku': rates(0.25, 1.25, 0.3, 0.5, 0.03),
};

/**
 * The key a model id is priced under. Transcripts carry the API's answer ("claude-opus-4-1-20250805"),
 * and Bedrock, Vertex and Claude Code spell the same model differently
 * ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-opus-4-1@20250805", "claude-opus-4-8[1m]").
 */
export function normalizeModelId(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/\[[^\]]*\]$/, '')
    .replace(/^(?:[a-z]{2,6}\.)?anthropic[./]/, '')
    .replace(/-v\d+(?::\d+)?$/, '')
    .replace(/@[a-z0-9-]+$/, '')
    .replace(/-(?:\d{8}|latest)$/, '');
}

/** The price of a model id, or undefined when the table does not know it. */
export function findModelPrice(table: PriceTable, model: string): ModelPrice | undefined {
  const key = normalizeModelId(model);
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

const RATE_FIELDS = ['inputPerMTok', 'outputPerMTok', 'cacheWritePerMTok', 'cacheWrite1hPerMTok', 'cacheReadPerMTok'] as const;
const REQUIRED_RATE_FIELDS = ['inputPerMTok', 'outputPerMTok', 'cacheWritePerMTok', 'cacheReadPerMTok'] as const;

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Copies the valid rate fields of an untrusted object (settings are user-edited JSON). */
function validRates(source: unknown): Partial<Record<(typeof RATE_FIELDS)[number], number>> {
  const out: Partial<Record<(typeof RATE_FIELDS)[number], number>> = {};
  const record = asRecord(source);
  for (const field of RATE_FIELDS) {
    const value = record[field];
    if (isPrice(value)) out[field] = value;
  }
  return out;
}

function isComplete(candidate: Partial<TokenRates>): candidate is TokenRates {
  return REQUIRED_RATE_FIELDS.every((field) => isPrice(candidate[field]));
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function mergeLongPrompt(base: ModelPrice['longPrompt'], override: unknown): ModelPrice['longPrompt'] {
  if (override === undefined) return base;
  const record = asRecord(override);
  const longRates: Partial<TokenRates> = { ...base, ...validRates(record) };
  const threshold = isPrice(record['thresholdTokens']) ? record['thresholdTokens'] : base?.thresholdTokens;
  return isComplete(longRates) && threshold !== undefined ? { ...onlyRates(longRates), thresholdTokens: threshold } : base;
}

function onlyRates(source: TokenRates): TokenRates {
  const { inputPerMTok, outputPerMTok, cacheWritePerMTok, cacheWrite1hPerMTok, cacheReadPerMTok } = source;
  return cacheWrite1hPerMTok === undefined
    ? { inputPerMTok, outputPerMTok, cacheWritePerMTok, cacheReadPerMTok }
    : { inputPerMTok, outputPerMTok, cacheWritePerMTok, cacheWrite1hPerMTok, cacheReadPerMTok };
}

function mergeModel(base: ModelPrice | undefined, override: unknown): ModelPrice | undefined {
  const record = asRecord(override);
  const merged: Partial<TokenRates> = { ...(base === undefined ? {} : onlyRates(base)), ...validRates(record) };
  if (!isComplete(merged)) return undefined;
  const fastMultiplier = isPrice(record['fastMultiplier']) ? record['fastMultiplier'] : base?.fastMultiplier;
  const longPrompt = mergeLongPrompt(base?.longPrompt, record['longPrompt']);
  return {
    ...onlyRates(merged),
    ...(longPrompt === undefined ? {} : { longPrompt }),
    ...(fastMultiplier === undefined ? {} : { fastMultiplier }),
  };
}

/**
 * Defaults with the user's overrides on top. An override may change some fields of a known model
 * or add a model; invalid values (negative, not a number) are ignored, and a new model without
 * all four base rates is left out rather than priced at a made-up 0.
 */
export function mergePriceTables(defaults: PriceTable, overrides: PriceTableOverrides | undefined): PriceTable {
  // A Map, then fromEntries: a key such as "__proto__" in user JSON stays a plain key.
  const merged = new Map<string, ModelPrice>(Object.entries(defaults));
  for (const [model, override] of Object.entries(overrides ?? {})) {
    const key = normalizeModelId(model);
    const price = mergeModel(merged.get(key), override);
    if (price !== undefined) merged.set(key, price);
  }
  return Object.fromEntries(merged);
}

/** The token counts of one API message that its cost depends on. */
export interface MessageTokens {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** All cache writes, 1-hour ones included. */
  readonly cacheCreationInputTokens: number;
  /** The part of cacheCreationInputTokens written with a 1-hour TTL. */
  readonly cacheCreation1hInputTokens: number;
  readonly cacheReadInputTokens: number;
  readonly fast: boolean;
}

/** USD cost of one API message. */
export function messageCostUsd(price: ModelPrice, tokens: MessageTokens): number {
  const prompt = tokens.inputTokens + tokens.cacheCreationInputTokens + tokens.cacheReadInputTokens;
  const long = price.longPrompt;
  const r: TokenRates = long !== undefined && prompt > long.thresholdTokens ? long : price;
  const oneHour = Math.min(tokens.cacheCreation1hInputTokens, tokens.cacheCreationInputTokens);
  const fiveMinute = tokens.cacheCreationInputTokens - oneHour;
  const micro =
    tokens.inputTokens * r.inputPerMTok +
    tokens.outputTokens * r.outputPerMTok +
    fiveMinute * r.cacheWritePerMTok +
    oneHour * (r.cacheWrite1hPerMTok ?? r.cacheWritePerMTok) +
    tokens.cacheReadInputTokens * r.cacheReadPerMTok;
  return (micro / 1_000_000) * (tokens.fast ? price.fastMultiplier ?? 1 : 1);
}
