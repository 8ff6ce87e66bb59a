import type { GroupMember } from '../../../domain/groups/model';
import type { AgentUsage, AttributionRow, CostAttribution, GroupFacts } from '../../../domain/groups/facts';
import { MAIN_AGENT } from '../../transcript-usage';

// Who spent the group's money: one row per member's main agent and per subagent. Nothing is rounded
// here: the totals are the sums of the rows, so the table adds up exactly and a view rounds only
// when it prints. Every member appears: one without usage gets a zero row for its main agent.

const SHORT_ID_LENGTH = 8;

type RoleSums = Record<string, { costUsd: number; tokens: number }>;

function memberLabel(member: GroupMember): string {
  return member.title !== null && member.title !== '' ? member.title : member.sessionId.slice(0, SHORT_ID_LENGTH);
}

const tokensOf = (u: AgentUsage): number => u.inputTokens + u.outputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens;

function row(member: GroupMember, usage: AgentUsage): AttributionRow {
  const main = usage.agentId === MAIN_AGENT;
  return {
    sessionId: member.sessionId,
    agentId: usage.agentId,
    agentType: usage.agentType,
    role: main ? member.role : 'subagent',
    label: main ? memberLabel(member) : `${memberLabel(member)} › ${usage.agentType ?? usage.agentId}`,
    costUsd: usage.costUsd,
    tokens: tokensOf(usage),
  };
}

function zeroRow(member: GroupMember): AttributionRow {
  return { sessionId: member.sessionId, agentId: MAIN_AGENT, agentType: null, role: member.role, label: memberLabel(member), costUsd: 0, tokens: 0 };
}

/** Cost and tokens per member and subagent, with sums per role and in all. Members outside the group's list are not counted. */
export function costAttribution(facts: GroupFacts): CostAttribution {
  const usage = new Map(facts.members.map((m) => [m.sessionId, m.usage]));
  const rows: AttributionRow[] = [];
  for (const member of facts.group.members) {
    const agents = usage.get(member.sessionId) ?? [];
    if (agents.length === 0) rows.push(zeroRow(member));
    for (const agent of agents) rows.push(row(member, agent));
  }
  rows.sort((a, b) => b.costUsd - a.costUsd || b.tokens - a.tokens || a.label.localeCompare(b.label));
  const byRole: RoleSums = {};
  let totalCostUsd = 0;
  let totalTokens = 0;
  for (const r of rows) {
    const sums = byRole[r.role] ?? { costUsd: 0, tokens: 0 };
    sums.costUsd += r.costUsd;
    sums.tokens += r.tokens;
    byRole[r.role] = sums;
    totalCostUsd += r.costUsd;
    totalTokens += r.tokens;
  }
  return { rows, byRole, totalCostUsd, totalTokens };
}
