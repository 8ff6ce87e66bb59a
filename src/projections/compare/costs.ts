import type { CostRow, CostShare, CostsCompared } from '../../protocol/compare';
import type { SessionSummaryState } from '../session-summary';
import { MAIN_AGENT } from '../transcript-usage';
import type { SessionUsage, UsageBucket } from '../transcript-usage';

// Cost per model and per agent of two sessions, from their UsageRecorded events as the report
// reads them. Agents are compared by kind: the main agent, and subagents summed by their type,
// since a subagent's id is new in every session.

/** The side of a comparison costs are read from. */
export interface CostSide {
  readonly usage: SessionUsage | undefined;
  readonly summary: SessionSummaryState;
}

export function compareCosts(a: CostSide, b: CostSide): CostsCompared {
  const unpriced = new Set([...(a.usage?.unpricedModels ?? []), ...(b.usage?.unpricedModels ?? [])]);
  return {
    perModel: rows(sharesOf(a.usage?.perModel ?? {}, (key) => key), sharesOf(b.usage?.perModel ?? {}, (key) => key)),
    perAgent: rows(sharesOf(a.usage?.perAgent ?? {}, agentKind(a.summary)), sharesOf(b.usage?.perAgent ?? {}, agentKind(b.summary))),
    unpricedModels: [...unpriced].sort(),
  };
}

// The main agent by its name, a subagent by its type (as SubagentStart gave it).
function agentKind(summary: SessionSummaryState): (agentId: string) => string {
  return (agentId) => {
    if (agentId === MAIN_AGENT) return MAIN_AGENT;
    const type = Object.hasOwn(summary.subagents, agentId) ? summary.subagents[agentId]?.agentType : undefined;
    return type === undefined || type === '' ? 'subagent' : type;
  };
}

function sharesOf(buckets: Readonly<Record<string, UsageBucket>>, keyOf: (key: string) => string): Map<string, CostShare> {
  const shares = new Map<string, CostShare>();
  for (const [key, bucket] of Object.entries(buckets)) {
    const kind = keyOf(key);
    const earlier = shares.get(kind) ?? { costUsd: 0, tokens: 0, messages: 0 };
    shares.set(kind, { costUsd: earlier.costUsd + bucket.costUsd, tokens: earlier.tokens + bucket.totalTokens, messages: earlier.messages + bucket.messages });
  }
  return shares;
}

// Costliest first (the larger of both sides), then by key.
function rows(a: ReadonlyMap<string, CostShare>, b: ReadonlyMap<string, CostShare>): CostRow[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  const usd = (n: number): number => Math.round(n * 1e6) / 1e6;
  const share = (s: CostShare | undefined): CostShare | null => (s === undefined ? null : { ...s, costUsd: usd(s.costUsd) });
  return [...keys]
    .map((key): CostRow => ({ key, a: share(a.get(key)), b: share(b.get(key)), deltaUsd: usd((b.get(key)?.costUsd ?? 0) - (a.get(key)?.costUsd ?? 0)) }))
    .sort((x, y) => Math.max(y.a?.costUsd ?? 0, y.b?.costUsd ?? 0) - Math.max(x.a?.costUsd ?? 0, x.b?.costUsd ?? 0) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}
