import type { EventQuery, EventRow } from './event-log';
import type { SessionReport } from './report';

// Rule-based anomalies of one session: each rule looks at the report (and the event log's rows,
// for the events it refers to) and says what looks wrong, how badly, and which events show it.
// Pure: the host runs it on every change of the session; the exported page shows its output.

export type InsightSeverity = 'error' | 'warning' | 'info';

/** What an insight selects in the event log: a query merged over an empty one. */
export type InsightFilter = Partial<Omit<EventQuery, 'text'>>;

export interface Insight {
  /** Stable per session and rule (and subject): the view keeps a selection across snapshots. */
  readonly id: string;
  readonly rule: InsightRule;
  readonly severity: InsightSeverity;
  readonly title: string;
  readonly text: string;
  readonly filter: InsightFilter;
}

export type InsightRule =
  | 'dominant-state' | 'dominant-workflow-state' | 'repeated-denials' | 'failing-tool' | 'refused-transitions'
  | 'review-rejections' | 'stop-blocks' | 'abandoned' | 'long-silence' | 'compactions' | 'cost-per-iteration' | 'unpriced-models';

/** The thresholds the rules use (tests and the docs read them here). */
export const INSIGHT_LIMITS = {
  dominantShare: 0.6,
  dominantMinMs: 60_000,
  denials: 3,
  denialsError: 6,
  failures: 3,
  failureRate: 0.5,
  refusals: 3,
  refusalsError: 6,
  rejections: 2,
  stopBlocks: 3,
  silenceMs: 10 * 60_000,
  compactionsWarning: 3,
  costPerIterationUsd: 5,
  maxPositions: 1000,
} as const;

// States where the agent is not making progress on its own: a big share of them is a warning.
const STUCK_STATES = new Set(['waiting_for_permission', 'compacting', 'tool_running', 'subagent_running']);
const SEVERITY_ORDER: Readonly<Record<InsightSeverity, number>> = { error: 0, warning: 1, info: 2 };

/** Every insight of a session, worst first. */
export function computeInsights(report: SessionReport, rows: readonly EventRow[]): Insight[] {
  const found = [
    ...dominantStates(report), ...repeatedDenials(report, rows), ...failingTools(report), ...workflowTrouble(report),
    ...silence(report, rows), ...compactions(report), ...cost(report),
  ];
  return found.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

function dominantStates(report: SessionReport): Insight[] {
  const out: Insight[] = [];
  const top = largest(report.lifecycle.timePerStateMs);
  if (top !== undefined && report.durationMs >= INSIGHT_LIMITS.dominantMinMs && top[1] / report.durationMs >= INSIGHT_LIMITS.dominantShare) {
    const [state, ms] = top;
    out.push({
      id: `dominant-state:${state}`, rule: 'dominant-state', severity: STUCK_STATES.has(state) ? 'warning' : 'info',
      title: `Most of the time in ${state}`,
      text: `${percent(ms / report.durationMs)} of the session (${duration(ms)} of ${duration(report.durationMs)}) was spent in ${state}.`,
      filter: { state: [state] },
    });
  }
  const wfTimes = report.workflow.timePerStateMs;
  const wfTotal = Object.values(wfTimes).reduce((a, b) => a + b, 0);
  const wfTop = largest(wfTimes);
  if (wfTop !== undefined && Object.keys(wfTimes).length > 1 && wfTotal >= INSIGHT_LIMITS.dominantMinMs && wfTop[1] / wfTotal >= INSIGHT_LIMITS.dominantShare) {
    out.push({
      id: `dominant-workflow-state:${wfTop[0]}`, rule: 'dominant-workflow-state', severity: 'info',
      title: `Workflow mostly in ${wfTop[0]}`,
      text: `${percent(wfTop[1] / wfTotal)} of the workflow's time (${duration(wfTop[1])}) was spent in ${wfTop[0]}.`,
      filter: { workflow: [wfTop[0]] },
    });
  }
  return out;
}

function repeatedDenials(report: SessionReport, rows: readonly EventRow[]): Insight[] {
  const byTool = new Map<string, EventRow[]>();
  for (const row of rows) {
    if (row.outcome !== 'denied') continue;
    const list = byTool.get(row.tool);
    if (list === undefined) byTool.set(row.tool, [row]);
    else list.push(row);
  }
  // The rules per tool, gathered once: a session may deny thousands of distinct tools.
  const rulesByTool = new Map<string, Set<string>>();
  for (const d of report.workflow.hookDenials) {
    const rules = rulesByTool.get(d.tool);
    if (rules === undefined) rulesByTool.set(d.tool, new Set([d.rule]));
    else rules.add(d.rule);
  }
  const out: Insight[] = [];
  for (const [tool, denied] of byTool) {
    if (denied.length < INSIGHT_LIMITS.denials) continue;
    const rules = [...(rulesByTool.get(tool) ?? [])];
    const hook = denied.filter((r) => r.type === 'HookDenied').length;
    const name = tool === '' ? 'an unnamed tool' : tool;
    out.push({
      id: `repeated-denials:${tool}`, rule: 'repeated-denials', severity: denied.length >= INSIGHT_LIMITS.denialsError ? 'error' : 'warning',
      title: `${name} denied ${denied.length} times`,
      text: `${name} was denied ${denied.length} times (${hook} by workflow rules, ${denied.length - hook} by permission)`
        + `${rules.length > 0 ? `; rule${rules.length > 1 ? 's' : ''}: ${rules.slice(0, 3).join('; ')}` : ''}. The agent kept trying what the rules forbid.`,
      filter: { positions: positionsOf(denied) },
    });
  }
  return out;
}

function failingTools(report: SessionReport): Insight[] {
  return Object.entries(report.tools.byTool).flatMap(([tool, stats]): Insight[] => {
    const rate = stats.calls === 0 ? 0 : stats.failures / stats.calls;
    const repeated = stats.failures >= INSIGHT_LIMITS.failures || (stats.failures >= 2 && rate >= INSIGHT_LIMITS.failureRate);
    if (!repeated) return [];
    return [{
      id: `failing-tool:${tool}`, rule: 'failing-tool', severity: stats.failures >= 5 && rate >= INSIGHT_LIMITS.failureRate ? 'error' : 'warning',
      title: `${tool} failed ${stats.failures} times`,
      text: `${tool} failed ${stats.failures} of ${stats.calls} calls (${percent(rate)}).`,
      filter: { tool: [tool], outcome: ['failed'] },
    }];
  });
}

function workflowTrouble(report: SessionReport): Insight[] {
  const wf = report.workflow;
  const out: Insight[] = [];
  if (wf.refused.length >= INSIGHT_LIMITS.refusals) {
    const targets = [...new Set(wf.refused.map((r) => r.to).filter((t): t is string => t !== null))];
    out.push({
      id: 'refused-transitions', rule: 'refused-transitions', severity: wf.refused.length >= INSIGHT_LIMITS.refusalsError ? 'error' : 'warning',
      title: `${wf.refused.length} refused transitions or commands`,
      text: `The workflow refused ${wf.refused.length} moves${targets.length > 0 ? ` (towards ${targets.slice(0, 4).join(', ')})` : ''}: the agent does not follow the workflow's rules.`,
      filter: { outcome: ['refused'] },
    });
  }
  if (wf.reviews.rejected >= INSIGHT_LIMITS.rejections) {
    out.push({
      id: 'review-rejections', rule: 'review-rejections', severity: 'warning',
      title: `${wf.reviews.rejected} review rejections`,
      text: `Reviews rejected the work ${wf.reviews.rejected} times (approved ${wf.reviews.approved}).`,
      filter: { outcome: ['rejected'] },
    });
  }
  if (wf.stopBlocks.length >= INSIGHT_LIMITS.stopBlocks) {
    out.push({
      id: 'stop-blocks', rule: 'stop-blocks', severity: 'warning',
      title: `Stop blocked ${wf.stopBlocks.length} times`,
      text: `The agent tried to stop ${wf.stopBlocks.length} times while the journal rule was unmet.`,
      filter: { outcome: ['blocked'] },
    });
  }
  return out;
}

function silence(report: SessionReport, rows: readonly EventRow[]): Insight[] {
  const out: Insight[] = [];
  const last = rows[rows.length - 1];
  if (report.status === 'abandoned') {
    out.push({
      id: 'abandoned', rule: 'abandoned', severity: 'warning',
      title: 'Abandoned',
      text: `The session never ended and has been silent for ${duration(report.silentForMs)}: Claude Code was probably killed or the machine went to sleep.`,
      filter: { positions: last === undefined ? [] : [last.position] },
    });
  }
  let gap = 0;
  let after: EventRow | undefined;
  let before: EventRow | undefined;
  for (let i = 1; i < rows.length; i += 1) {
    const a = rows[i - 1] as EventRow;
    const b = rows[i] as EventRow;
    if (a.at !== null && b.at !== null && b.at - a.at > gap) [gap, before, after] = [b.at - a.at, a, b];
  }
  if (gap >= INSIGHT_LIMITS.silenceMs && before !== undefined && after !== undefined) {
    out.push({
      id: 'long-silence', rule: 'long-silence', severity: 'info',
      title: `Silent for ${duration(gap)}`,
      text: `Nothing happened for ${duration(gap)} between event #${before.seq} (${before.type}) and event #${after.seq} (${after.type}).`,
      filter: { positions: [before.position, after.position] },
    });
  }
  return out;
}

function compactions(report: SessionReport): Insight[] {
  const n = report.counts.compactions;
  if (n === 0) return [];
  return [{
    id: 'compactions', rule: 'compactions', severity: n >= INSIGHT_LIMITS.compactionsWarning ? 'warning' : 'info',
    title: `${n} compaction${n === 1 ? '' : 's'}`,
    text: `The context was compacted ${n} time${n === 1 ? '' : 's'}: earlier details were summarised away, which can make the agent repeat work.`,
    filter: { type: ['PreCompact'] },
  }];
}

function cost(report: SessionReport): Insight[] {
  const usage = report.usage;
  if (usage === null) return [];
  const out: Insight[] = [];
  const perWorkflow = report.workflow.name !== null;
  const units = perWorkflow ? Math.max(1, report.workflow.iteration) : Math.max(1, report.counts.prompts);
  const each = usage.costUsd / units;
  if (each >= INSIGHT_LIMITS.costPerIterationUsd) {
    out.push({
      id: 'cost-per-iteration', rule: 'cost-per-iteration', severity: 'warning',
      title: `$${each.toFixed(2)} per ${perWorkflow ? 'iteration' : 'prompt'}`,
      text: `The session cost $${usage.costUsd.toFixed(2)} over ${units} ${perWorkflow ? 'iteration' : 'prompt'}${units === 1 ? '' : 's'}.`,
      filter: { type: [perWorkflow ? 'WorkflowTransitioned' : 'UserPromptSubmit'] },
    });
  }
  if (usage.unpricedModels.length > 0) {
    out.push({
      id: 'unpriced-models', rule: 'unpriced-models', severity: 'info',
      title: 'Cost is a lower bound',
      text: `No price is known for ${usage.unpricedModels.join(', ')}: their tokens count as $0 (set logbook.report.prices).`,
      filter: {},
    });
  }
  return out;
}

function largest(times: Readonly<Record<string, number>>): [string, number] | undefined {
  let best: [string, number] | undefined;
  for (const [state, ms] of Object.entries(times)) if (ms > 0 && (best === undefined || ms > best[1])) best = [state, ms];
  return best;
}

function positionsOf(rows: readonly EventRow[]): number[] {
  return rows.slice(0, INSIGHT_LIMITS.maxPositions).map((r) => r.position);
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** A duration in words (h, min, s), for insight and prompt text. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
