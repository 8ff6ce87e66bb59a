import type { UsageRecordedData } from '../../domain/usage/events';
import { DEFAULT_PRICE_TABLE, findModelPrice, messageCostUsd } from '../pricing';
import type { MessageTokens, PriceTable } from '../pricing';
import { replacesEarlier } from '../transcript-usage';
import { setKey } from '../fold-scope';
import { own } from '../summary-fields';

// A session's tokens as running sums, small enough to live in every session's summary (and so in
// the sessions overview the dashboard and `logbook sessions` read). The report's fold keeps every
// API message by key (projections/usage/); this keeps sums, and the last RECENT_KEYS messages so
// that a later line of the same message (Claude Code writes a streamed message's lines one after
// another, and the writer reads a transcript in order) replaces what was counted for it, as the
// report's fold does. A message whose later line came more than RECENT_KEYS messages after it
// would be counted twice here (never seen: the lines of one message are adjacent).
//
// Cost is linear in tokens except for long-prompt rates, which a price applies per message once
// its prompt passes a threshold (100k or 200k tokens in the price table). Sums are kept per
// model, fast mode and prompt tier (≤100k, ≤200k, more), so a threshold at either bound prices
// them exactly; a user's price with another threshold is priced by the tier it falls in.

/** Tokens summed over messages. */
export interface TokenSums {
  readonly messages: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationInputTokens: number;
  readonly cacheCreation1hInputTokens: number;
  readonly cacheReadInputTokens: number;
}

interface RecentMessage {
  readonly key: string;
  readonly bucket: string;
  readonly tokens: TokenSums;
}

/** The sums alone: what the overview row keeps (the recent messages are the fold's own state). */
export interface UsageSums {
  /** Keyed `<tier>|<f or s>|<model>` (the model last: any character). */
  readonly buckets: Readonly<Record<string, TokenSums>>;
}

export interface UsageTally extends UsageSums {
  /** The last messages counted, oldest first, at most RECENT_KEYS. */
  readonly recent: readonly RecentMessage[];
}

export const RECENT_KEYS = 64;
const TIER_BOUNDS = [100_000, 200_000] as const;

export const emptyTally: UsageTally = { buckets: {}, recent: [] };
const zeroSums: TokenSums = { messages: 0, inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheCreation1hInputTokens: 0, cacheReadInputTokens: 0 };

/** Counts one UsageRecorded event's message (a later line of a recent message replaces the earlier). */
export function tallyUsage(tally: UsageTally, d: UsageRecordedData): UsageTally {
  const tokens: TokenSums = {
    messages: 1, inputTokens: d.inputTokens, outputTokens: d.outputTokens, cacheCreationInputTokens: d.cacheCreationInputTokens,
    cacheCreation1hInputTokens: d.cacheCreation1hInputTokens, cacheReadInputTokens: d.cacheReadInputTokens,
  };
  const bucket = `${tierOf(tokens)}|${d.fast ? 'f' : 's'}|${d.model}`;
  const index = tally.recent.findIndex((m) => m.key === d.key);
  let buckets = tally.buckets;
  let recent = tally.recent;
  if (index >= 0) {
    const earlier = recent[index] as RecentMessage;
    if (!replacesEarlier({ model: '', agent: '', tokens: { ...tokens, fast: d.fast } }, { model: '', agent: '', tokens: { ...earlier.tokens, fast: false } })) return tally;
    buckets = setKey(buckets, earlier.bucket, add(own(buckets, earlier.bucket) ?? zeroSums, earlier.tokens, -1));
    recent = recent.filter((_, i) => i !== index);
  }
  buckets = setKey(buckets, bucket, add(own(buckets, bucket) ?? zeroSums, tokens, 1));
  recent = [...recent.slice(Math.max(0, recent.length - RECENT_KEYS + 1)), { key: d.key, bucket, tokens }];
  return { buckets, recent };
}

/** Every bucket's sums added up. */
export function tallyTotals(tally: UsageSums): TokenSums {
  let total = zeroSums;
  for (const sums of Object.values(tally.buckets)) total = add(total, sums, 1);
  return total;
}

/** Cost in USD with these prices; models without a price count 0 (and are named in `unpriced`). */
export function tallyCost(tally: UsageSums, prices: PriceTable = DEFAULT_PRICE_TABLE): { costUsd: number; unpriced: string[] } {
  let costUsd = 0;
  const unpriced = new Set<string>();
  for (const [key, sums] of Object.entries(tally.buckets)) {
    const { tier, fast, model } = parseBucket(key);
    const price = findModelPrice(prices, model);
    if (price === undefined) {
      if (sums.inputTokens + sums.outputTokens + sums.cacheCreationInputTokens + sums.cacheReadInputTokens > 0) unpriced.add(model);
      continue;
    }
    // A tier's messages all passed the tier's lower bound: the long rates apply when that bound
    // reaches the price's threshold (messageCostUsd decides by the prompt it is given).
    const lower = tier === 0 ? 0 : TIER_BOUNDS[tier - 1] ?? 0;
    const long = price.longPrompt !== undefined && lower >= price.longPrompt.thresholdTokens;
    const tokens: MessageTokens = { ...sums, fast };
    costUsd += long ? messageCostUsd({ ...price, ...price.longPrompt, longPrompt: undefined }, tokens) : messageCostUsd({ ...price, longPrompt: undefined }, tokens);
  }
  return { costUsd, unpriced: [...unpriced].sort() };
}

function tierOf(t: TokenSums): number {
  const prompt = t.inputTokens + t.cacheCreationInputTokens + t.cacheReadInputTokens;
  const tier = TIER_BOUNDS.findIndex((bound) => prompt <= bound);
  return tier === -1 ? TIER_BOUNDS.length : tier;
}

function parseBucket(key: string): { tier: number; fast: boolean; model: string } {
  const first = key.indexOf('|');
  const second = key.indexOf('|', first + 1);
  return { tier: Number(key.slice(0, first)) || 0, fast: key.slice(first + 1, second) === 'f', model: key.slice(second + 1) };
}

/** Sums of two groups of messages; `a` absent: `b` alone (a group's first). */
export function addTokenSums(a: TokenSums | undefined, b: TokenSums): TokenSums {
  return a === undefined ? b : add(a, b, 1);
}

function add(a: TokenSums, b: TokenSums, sign: 1 | -1): TokenSums {
  return {
    messages: a.messages + sign * b.messages,
    inputTokens: a.inputTokens + sign * b.inputTokens,
    outputTokens: a.outputTokens + sign * b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + sign * b.cacheCreationInputTokens,
    cacheCreation1hInputTokens: a.cacheCreation1hInputTokens + sign * b.cacheCreation1hInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + sign * b.cacheReadInputTokens,
  };
}
