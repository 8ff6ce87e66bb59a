import type { LifecycleStateName } from '../lifecycle';
import { durationText, hourOf, isoOf, minutesFigure, usdFigure, usdText } from './alert-format';
import type { AlertRuleId } from './alert-rules';
import type { AlertSettings } from './alert-settings';
import { thresholdOf } from './alert-thresholds';
import type { HistoryThresholds } from './alert-thresholds';
import type { AlertRaisedData } from './events';
import type { LiveSession } from './live-session';

// The rules one session's row is enough for. Each rule names a candidate: its episode and the
// time it is due (now ≥ dueAt). A rule that waits on time has a real dueAt, so a watcher can set
// a timer for it (nextDueAt); a rule that an event crosses is due from the start (-Infinity) and
// is only named while its condition holds. alert-rules.ts filters (ended, disabled, muted,
// already recorded) and stamps the ids.

/** What an alert says, apart from its rule, episode and time. */
export type AlertText = Pick<AlertRaisedData, 'message' | 'figures' | 'threshold' | 'thresholdSource'>;

/** A rule's episode for a session, and when it fires. */
export interface Candidate {
  readonly rule: AlertRuleId;
  readonly episode: string;
  /** It fires once now ≥ dueAt; -Infinity for a rule an event crossed. */
  readonly dueAt: number;
  readonly describe: (now: number) => AlertText;
}

const MINUTE = 60_000;
const setting = (key: string): string => `setting logbook.alerts.${key}`;

// States where the session waits on the user, or is over: nothing of the agent's to time.
// `starting` (after SessionStart or a resume, before the first prompt) waits for a prompt as idle does;
// waiting for permission and for input have their own rule (`waiting`).
const NOT_TIMED: ReadonlySet<LifecycleStateName> = new Set(['starting', 'idle', 'ended', 'waiting_for_permission']);

/** True while the session waits on the user: the `waiting` rule speaks, the clocks of the others pause. */
function waitsOnUser(s: LiveSession): boolean {
  return s.waitingFor === 'permission' || s.waitingFor === 'input' || NOT_TIMED.has(s.lifecycleState);
}

/** Every candidate of one session's rules; the settings' `enabled` and mutes are applied by the caller. */
export function sessionCandidates(s: LiveSession, settings: AlertSettings, thresholds: HistoryThresholds): Candidate[] {
  return [
    ...timeInState(s, thresholds),
    ...waiting(s, settings),
    ...stuck(s, settings),
    ...runs(s, settings),
    ...rejections(s, settings),
    ...compactionLoop(s, settings),
    ...sessionBudget(s, settings),
    ...burnRate(s, settings),
  ];
}

// `lifecycleMs`/`workflowMs` are the total time in a state so far, counted up to lastEventAt, and
// the history's p90 is of totals too. Once a total is past its threshold it stays past, so only
// the visit during which it crossed alerts: a session back in `tool_running` for the 40th time
// does not alert 40 times. A held session is kept waiting on purpose: its clocks do not alert.
function timeInState(s: LiveSession, thresholds: HistoryThresholds): Candidate[] {
  if (waitsOnUser(s) || s.held !== null) return [];
  const found: Candidate[] = [];
  const lifecycle = stateCandidate('lifecycle', s.lifecycleState, s.lifecycleEnteredAt, s.lifecycleMs, s, thresholds);
  if (lifecycle !== null) found.push(lifecycle);
  if (s.workflowState !== null) {
    const workflow = stateCandidate('workflow', s.workflowState, s.workflowEnteredAt, s.workflowMs, s, thresholds);
    if (workflow !== null) found.push(workflow);
  }
  return found;
}

function stateCandidate(
  kind: 'lifecycle' | 'workflow', state: string, enteredAt: number | null,
  times: Readonly<Record<string, number>>, s: LiveSession, thresholds: HistoryThresholds,
): Candidate | null {
  if (enteredAt === null) return null;
  const threshold = thresholdOf(thresholds, kind, state);
  const soFar = Object.hasOwn(times, state) ? (times[state] as number) : 0;
  const countedTo = Math.max(s.lastEventAt ?? enteredAt, enteredAt);
  if (soFar - (countedTo - enteredAt) >= threshold.ms) return null;
  return {
    rule: 'time-in-state',
    episode: `${kind}:${state}@${isoOf(enteredAt)}`,
    dueAt: Math.ceil(countedTo + threshold.ms - soFar),
    describe: (now) => {
      const total = soFar + Math.max(0, now - countedTo);
      return {
        message: `${durationText(total)} in ${kind} state "${state}" so far (threshold ${durationText(threshold.ms)}, ${threshold.source})`,
        figures: { minutes: minutesFigure(total), sessions: threshold.sessions },
        threshold: minutesFigure(threshold.ms),
        thresholdSource: threshold.source,
      };
    },
  };
}

function waiting(s: LiveSession, settings: AlertSettings): Candidate[] {
  const since = s.waitingSince;
  if (since === null || (s.waitingFor !== 'permission' && s.waitingFor !== 'input')) return [];
  const kind = s.waitingFor;
  const key = kind === 'permission' ? 'waiting.permissionMinutes' : 'waiting.inputMinutes';
  const minutes = kind === 'permission' ? settings.waiting.permissionMinutes : settings.waiting.inputMinutes;
  const what = kind === 'permission' ? 'permission' : 'your input';
  return [{
    rule: 'waiting',
    episode: `${kind}@${isoOf(since)}`,
    dueAt: Math.ceil(since + minutes * MINUTE),
    describe: (now) => ({
      message: `waiting for ${what} for ${durationText(now - since)}`,
      figures: { minutes: minutesFigure(now - since) },
      threshold: minutes,
      thresholdSource: setting(key),
    }),
  }];
}

// Silence is only suspect while the agent should be producing events: not while it waits on the
// user, and not while the user holds it.
function stuck(s: LiveSession, settings: AlertSettings): Candidate[] {
  const last = s.lastEventAt;
  if (last === null || waitsOnUser(s) || s.held !== null) return [];
  const { minutes } = settings.stuck;
  return [{
    rule: 'stuck',
    episode: isoOf(last),
    dueAt: Math.ceil(last + minutes * MINUTE),
    describe: (now) => ({
      message: `no event for ${durationText(now - last)} in state "${s.lifecycleState}"`,
      figures: { minutes: minutesFigure(now - last) },
      threshold: minutes,
      thresholdSource: setting('stuck.minutes'),
    }),
  }];
}

// A run's episode is its first event: the run growing from 3 to 4 is the same episode.
function runs(s: LiveSession, settings: AlertSettings): Candidate[] {
  const found: Candidate[] = [];
  const failures = s.failureRun;
  if (failures !== null && failures.count >= settings.toolFailures.count) {
    found.push(now(
      'tool-failures', failures.firstKey,
      `${failures.name} failed ${failures.count} times in a row`,
      { count: failures.count }, settings.toolFailures.count, setting('toolFailures.count'),
    ));
  }
  const denials = s.denialRun;
  if (denials !== null && denials.count >= settings.denialLoop.count) {
    found.push(now(
      'denial-loop', denials.firstKey,
      `rule "${denials.name}" denied ${denials.count} calls in a row`,
      { count: denials.count }, settings.denialLoop.count, setting('denialLoop.count'),
    ));
  }
  return found;
}

// Rejections only grow, so the first one names the session's single episode.
function rejections(s: LiveSession, settings: AlertSettings): Candidate[] {
  const { count } = settings.reviewRejections;
  if (s.rejections < count) return [];
  return [now(
    'review-rejections', s.firstRejectionKey ?? 'rejections',
    `review rejected ${s.rejections} times`, { count: s.rejections }, count, setting('reviewRejections.count'),
  )];
}

// Windows of k compactions in a row that fit in the span; overlapping windows are one loop, named
// by its first compaction, so a loop that goes on alerts once. Only the latest loop can be new.
function compactionLoop(s: LiveSession, settings: AlertSettings): Candidate[] {
  const { count, withinMinutes } = settings.compactionLoop;
  const times = s.compactionTimes;
  const span = withinMinutes * MINUTE;
  let loop: { start: number; end: number } | null = null;
  for (let i = 0; i + count - 1 < times.length; i += 1) {
    const end = i + count - 1;
    if ((times[end] as number) - (times[i] as number) > span) continue;
    if (loop === null || i > loop.end) loop = { start: i, end };
    else loop.end = end;
  }
  if (loop === null) return [];
  const first = times[loop.start] as number;
  const inLoop = loop.end - loop.start + 1;
  const took = (times[loop.end] as number) - first;
  return [now(
    'compaction-loop', isoOf(first),
    `compacted ${inLoop} times within ${durationText(took)}`,
    { count: inLoop, minutes: minutesFigure(took) }, count, `${setting('compactionLoop')} (${count} within ${withinMinutes} min)`,
  )];
}

// The 80% warning and the crossing are two episodes; a jump past both at once says only the crossing.
// The budget is in the episode: a new budget is a new pair of episodes.
function sessionBudget(s: LiveSession, settings: AlertSettings): Candidate[] {
  const budget = settings.sessionBudget.usd;
  const cost = s.costUsd;
  if (budget === null || cost === null) return [];
  return budgetCandidate('session-budget', '', { cost: (usd) => `cost ${usd}`, budget: 'the session budget' }, cost, budget, setting('sessionBudget.usd'));
}

/** The 80% or 100% episode of a budget, if cost has reached one; `prefix` scopes it (a day). */
export function budgetCandidate(
  rule: AlertRuleId, prefix: string, words: { readonly cost: (usd: string) => string; readonly budget: string }, cost: number, budget: number, source: string,
): Candidate[] {
  const level = cost >= budget ? 1 : cost >= budget * 0.8 ? 0.8 : 0;
  if (level === 0) return [];
  const percent = level === 1 ? '100%' : '80%';
  const message = level === 1
    ? `${words.cost(usdText(cost))} is over ${words.budget} (${usdText(budget)})`
    : `${words.cost(usdText(cost))} reached 80% of ${words.budget} (${usdText(budget)})`;
  return [now(rule, `${prefix}${percent} of $${budget}`, message, { costUsd: usdFigure(cost), budgetUsd: budget }, budget * level, source)];
}

// A rate goes up and down: one alert per UTC hour of the events that showed it over, so a
// session that keeps burning is reminded hourly and a quiet one is not.
function burnRate(s: LiveSession, settings: AlertSettings): Candidate[] {
  const budget = settings.burnRate.usdPerHour;
  const rate = s.burnUsdPerHour;
  if (budget === null || rate === null || rate < budget) return [];
  return [now(
    'burn-rate', s.lastEventAt === null ? 'unknown hour' : hourOf(s.lastEventAt),
    `spending ${usdText(rate)} per hour, over the budget of ${usdText(budget)} per hour`,
    { usdPerHour: usdFigure(rate) }, budget, setting('burnRate.usdPerHour'),
  )];
}

/** A candidate an event crossed: due at once, worded the same whenever it is raised. */
function now(rule: AlertRuleId, episode: string, message: string, figures: Record<string, number>, threshold: number, thresholdSource: string): Candidate {
  return { rule, episode, dueAt: -Infinity, describe: () => ({ message, figures, threshold, thresholdSource }) };
}
