import { isoOf } from './alert-format';
import { alertId, hash128 } from './alert-id';
import { budgetCandidate, sessionCandidates } from './alert-session-rules';
import type { Candidate } from './alert-session-rules';
import type { AlertSettings } from './alert-settings';
import { historyThresholds } from './alert-thresholds';
import type { HistoryThresholds } from './alert-thresholds';
import type { AlertRaisedData } from './events';
import type { LiveSession } from './live-session';

// The control center's alert rules (issue 15), pure: given the live sessions, the time, the
// settings and each workspace's history thresholds, which alerts are due now, and when the next
// one that waits on time will be. An alert fires once per (session, rule, episode): its id is a
// hash of the three (alert-id.ts), and an id the session has recorded (`alertIds`) is not raised
// again. Ended sessions never alert; a disabled rule, or one muted for the workspace
// (`logbook.alerts.muted`) or for the session (`mutedRules`), never alerts.
//
// `daily-budget` belongs to a workspace's day, not to a session: its id hashes the workspace in
// place of a session, any session of the workspace that recorded it stops it, and it is raised
// on the live session with the latest event (the one that spent last, so the one that pushed the
// day over), ties going to the smaller session id.

/** The rules' stable ids: recorded in AlertRaised and AlertRuleMuted events, never renamed. */
export const ALERT_RULE_IDS = [
  'time-in-state', 'waiting', 'tool-failures', 'denial-loop', 'review-rejections', 'stuck',
  'compaction-loop', 'session-budget', 'burn-rate', 'daily-budget',
] as const;

/** One alert rule's id. */
export type AlertRuleId = (typeof ALERT_RULE_IDS)[number];

/** True for an id this module defines. */
export function isAlertRuleId(id: string): id is AlertRuleId {
  return (ALERT_RULE_IDS as readonly string[]).includes(id);
}

/** The settings section of each rule (where its `enabled` switch is). */
export const RULE_SECTION: Readonly<Record<AlertRuleId, Exclude<keyof AlertSettings, 'muted'>>> = {
  'time-in-state': 'timeInState',
  waiting: 'waiting',
  'tool-failures': 'toolFailures',
  'denial-loop': 'denialLoop',
  'review-rejections': 'reviewRejections',
  stuck: 'stuck',
  'compaction-loop': 'compactionLoop',
  'session-budget': 'sessionBudget',
  'burn-rate': 'burnRate',
  'daily-budget': 'dailyBudget',
};

/** An alert to record in the session's stream as AlertRaised (with `id` as its event id). */
export interface Alert {
  readonly sessionId: string;
  readonly workspace: string;
  /** `alert-` and 32 hex digits, the same for the same (session, rule, episode). */
  readonly id: string;
  readonly data: AlertRaisedData;
}

/** The cost of a workspace's current local day, across its sessions. */
export interface DayCost {
  /** The local day, e.g. "2026-12-05": names the episode. */
  readonly day: string;
  readonly costUsd: number;
}

/** What the rules read. */
export interface AlertInput {
  /** The workspaces' sessions; ended ones are read only for the ids they recorded. */
  readonly sessions: readonly LiveSession[];
  readonly now: number;
  readonly settings: AlertSettings;
  /** By workspace (LiveSession.workspace); a workspace left out has no history: defaults. */
  readonly thresholds: ReadonlyMap<string, HistoryThresholds>;
  /** By workspace; needed by `daily-budget` alone. */
  readonly dayCost?: ReadonlyMap<string, DayCost>;
}

/** The alerts due at `input.now` (due means now ≥ the threshold's time) and not recorded yet. */
export function evaluateAlerts(input: AlertInput): Alert[] {
  const alerts: Alert[] = [];
  for (const open of openCandidates(input)) {
    if (open.candidate.dueAt > input.now) continue;
    const { candidate, session } = open;
    const text = candidate.describe(input.now);
    const data: AlertRaisedData = {
      rule: candidate.rule, episode: fitEpisode(candidate.episode), ...text, message: cut(text.message, MAX_MESSAGE), at: isoOf(input.now),
    };
    alerts.push({ sessionId: session.sessionId, workspace: session.workspace, id: open.id, data });
  }
  return alerts;
}

/**
 * The earliest time after `input.now` at which a rule that waits on time (time-in-state, waiting,
 * stuck) would fire for these sessions as they are; undefined when none would. A new event changes
 * the sessions: schedule again after each. The time can be far off: clamp it before setTimeout.
 */
export function nextDueAt(input: AlertInput): number | undefined {
  let next: number | undefined;
  for (const { candidate } of openCandidates(input)) {
    if (candidate.dueAt > input.now && (next === undefined || candidate.dueAt < next)) next = candidate.dueAt;
  }
  return next;
}

// The bounds of AlertRaisedData (events.ts): a workflow state, a tool or a rule can have a long name.
const MAX_EPISODE = 512;
const MAX_MESSAGE = 2000;

/** A long episode keeps its start and a hash of the whole, so two long episodes stay apart. */
function fitEpisode(episode: string): string {
  return episode.length <= MAX_EPISODE ? episode : `${episode.slice(0, MAX_EPISODE - 34)}#${hash128([episode])}`;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

interface OpenCandidate {
  readonly session: LiveSession;
  readonly candidate: Candidate;
  readonly id: string;
}

/** Every candidate that may still fire: live session, rule on and not muted, id not recorded. */
function* openCandidates(input: AlertInput): Generator<OpenCandidate> {
  const { settings } = input;
  let noHistory: HistoryThresholds | undefined;
  for (const session of input.sessions) {
    if (session.ended) continue;
    const thresholds = input.thresholds.get(session.workspace) ?? (noHistory ??= historyThresholds([], settings));
    for (const candidate of sessionCandidates(session, settings, thresholds)) {
      if (!allowed(candidate.rule, session, settings)) continue;
      const id = alertId(session.sessionId, candidate.rule, candidate.episode);
      if (!session.alertIds.includes(id)) yield { session, candidate, id };
    }
  }
  yield* dailyCandidates(input);
}

function allowed(rule: AlertRuleId, session: LiveSession | null, settings: AlertSettings): boolean {
  if (!settings[RULE_SECTION[rule]].enabled || settings.muted.includes(rule)) return false;
  return session === null || !session.mutedRules.includes(rule);
}

function* dailyCandidates(input: AlertInput): Generator<OpenCandidate> {
  const budget = input.settings.dailyBudget.usd;
  if (input.dayCost === undefined || budget === null || !allowed('daily-budget', null, input.settings)) return;
  for (const [workspace, { day, costUsd }] of input.dayCost) {
    const sessions = input.sessions.filter((s) => s.workspace === workspace);
    const target = latestLive(sessions.filter((s) => allowed('daily-budget', s, input.settings)));
    if (target === undefined) continue;
    const words = { cost: (usd: string) => `today's cost in this workspace, ${usd},`, budget: 'the daily budget' };
    for (const candidate of budgetCandidate('daily-budget', `${day} `, words, costUsd, budget, 'setting logbook.alerts.dailyBudget.usd')) {
      const id = alertId(`workspace:${workspace}`, candidate.rule, candidate.episode);
      if (!sessions.some((s) => s.alertIds.includes(id))) yield { session: target, candidate, id };
    }
  }
}

function latestLive(sessions: readonly LiveSession[]): LiveSession | undefined {
  let latest: LiveSession | undefined;
  for (const s of sessions) {
    if (s.ended) continue;
    if (latest === undefined) {
      latest = s;
      continue;
    }
    const a = s.lastEventAt ?? -Infinity;
    const b = latest.lastEventAt ?? -Infinity;
    if (a > b || (a === b && s.sessionId < latest.sessionId)) latest = s;
  }
  return latest;
}
