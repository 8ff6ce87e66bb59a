import * as z from 'zod';
import { ALERT_RULE_IDS, isAlertRuleId } from './alert-rules';
import type { AlertRuleId } from './alert-rules';

// The `logbook.alerts.*` settings (issue 15): one section per rule, each with `enabled` and the
// figures it is tuned by, plus a list of rules muted for the whole workspace. Shared by the
// extension (VS Code configuration) and the CLI (.vscode/settings.json). A bad value is named in
// `problems` and replaced by that key's default alone, so one typo never turns every alert off.
// Budgets are off while their amount is null (the default): one setting turns a budget on.

/** Every rule's tuning; times in minutes, money in US$. */
export interface AlertSettings {
  /** Rules muted for every session of the workspace. */
  readonly muted: readonly AlertRuleId[];
  readonly timeInState: {
    readonly enabled: boolean;
    /** Ended sessions that spent time in a state needed before that state's p90 is used. */
    readonly minSessions: number;
    /** The threshold of a state with too little history. */
    readonly defaultMinutes: number;
    /** Fixed thresholds by state name (lifecycle or workflow): they win over history and default. */
    readonly stateMinutes: Readonly<Record<string, number>>;
  };
  readonly waiting: { readonly enabled: boolean; readonly permissionMinutes: number; readonly inputMinutes: number };
  readonly toolFailures: { readonly enabled: boolean; readonly count: number };
  readonly denialLoop: { readonly enabled: boolean; readonly count: number };
  readonly reviewRejections: { readonly enabled: boolean; readonly count: number };
  readonly stuck: { readonly enabled: boolean; readonly minutes: number };
  readonly compactionLoop: { readonly enabled: boolean; readonly count: number; readonly withinMinutes: number };
  readonly sessionBudget: { readonly enabled: boolean; readonly usd: number | null };
  readonly burnRate: { readonly enabled: boolean; readonly usdPerHour: number | null };
  readonly dailyBudget: { readonly enabled: boolean; readonly usd: number | null };
}

/** Every setting's default: the values package.json declares. */
export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  muted: [],
  timeInState: { enabled: true, minSessions: 20, defaultMinutes: 60, stateMinutes: {} },
  // A permission prompt blocks the agent outright; an idle session only waits for the next task.
  waiting: { enabled: true, permissionMinutes: 5, inputMinutes: 15 },
  toolFailures: { enabled: true, count: 3 },
  denialLoop: { enabled: true, count: 3 },
  reviewRejections: { enabled: true, count: 2 },
  stuck: { enabled: true, minutes: 10 },
  compactionLoop: { enabled: true, count: 3, withinMinutes: 30 },
  sessionBudget: { enabled: true, usd: null },
  burnRate: { enabled: true, usdPerHour: null },
  dailyBudget: { enabled: true, usd: null },
};

/** The prefix of every key, as the user writes it. */
export const ALERT_SETTINGS_PREFIX = 'logbook.alerts.';

const bool = { schema: z.boolean(), expected: 'true or false' };
const positive = { schema: z.number().positive(), expected: 'a positive number' };
const count = { schema: z.number().int().positive(), expected: 'a positive whole number' };
const budget = { schema: z.number().positive().nullable(), expected: 'a positive number or null' };
type Check<T> = { readonly schema: z.ZodType<T>; readonly expected: string };

/**
 * The settings from `raw`: VS Code's `getConfiguration('logbook').get('alerts')` (nested objects),
 * or flat keys (`waiting.permissionMinutes`, or in full `logbook.alerts.waiting.permissionMinutes`,
 * as .vscode/settings.json holds them). Missing keys take their default silently.
 */
export function parseAlertSettings(raw: unknown): { settings: AlertSettings; problems: string[] } {
  const problems: string[] = [];
  if (raw !== undefined && raw !== null && !isRecord(raw)) {
    problems.push(`logbook.alerts must be an object, got ${shown(raw)}; every alert setting takes its default`);
    return { settings: DEFAULT_ALERT_SETTINGS, problems };
  }
  const source = raw ?? {};
  const pick = <T>(path: string, check: Check<T>, fallback: T): T => {
    const value = lookup(source, path);
    if (value === undefined) return fallback;
    const parsed = check.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    problems.push(`${ALERT_SETTINGS_PREFIX}${path} must be ${check.expected}, got ${shown(value)}; using the default, ${shown(fallback)}`);
    return fallback;
  };
  const d = DEFAULT_ALERT_SETTINGS;
  const section = <K extends Exclude<keyof AlertSettings, 'muted'>>(key: K): boolean => pick(`${key}.enabled`, bool, d[key].enabled);
  const settings: AlertSettings = {
    muted: mutedRules(lookup(source, 'muted'), problems),
    timeInState: {
      enabled: section('timeInState'),
      minSessions: pick('timeInState.minSessions', count, d.timeInState.minSessions),
      defaultMinutes: pick('timeInState.defaultMinutes', positive, d.timeInState.defaultMinutes),
      stateMinutes: stateMinutes(lookup(source, 'timeInState.stateMinutes'), problems),
    },
    waiting: {
      enabled: section('waiting'),
      permissionMinutes: pick('waiting.permissionMinutes', positive, d.waiting.permissionMinutes),
      inputMinutes: pick('waiting.inputMinutes', positive, d.waiting.inputMinutes),
    },
    toolFailures: { enabled: section('toolFailures'), count: pick('toolFailures.count', count, d.toolFailures.count) },
    denialLoop: { enabled: section('denialLoop'), count: pick('denialLoop.count', count, d.denialLoop.count) },
    reviewRejections: { enabled: section('reviewRejections'), count: pick('reviewRejections.count', count, d.reviewRejections.count) },
    stuck: { enabled: section('stuck'), minutes: pick('stuck.minutes', positive, d.stuck.minutes) },
    compactionLoop: {
      enabled: section('compactionLoop'),
      count: pick('compactionLoop.count', count, d.compactionLoop.count),
      withinMinutes: pick('compactionLoop.withinMinutes', positive, d.compactionLoop.withinMinutes),
    },
    sessionBudget: { enabled: section('sessionBudget'), usd: pick('sessionBudget.usd', budget, d.sessionBudget.usd) },
    burnRate: { enabled: section('burnRate'), usdPerHour: pick('burnRate.usdPerHour', budget, d.burnRate.usdPerHour) },
    dailyBudget: { enabled: section('dailyBudget'), usd: pick('dailyBudget.usd', budget, d.dailyBudget.usd) },
  };
  return { settings, problems };
}

// Each entry on its own: an unknown id is named and left out, the others stay muted.
function mutedRules(value: unknown, problems: string[]): AlertRuleId[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`${ALERT_SETTINGS_PREFIX}muted must be a list of rule ids, got ${shown(value)}; no rule is muted`);
    return [];
  }
  const muted: AlertRuleId[] = [];
  value.forEach((id: unknown, index) => {
    if (typeof id === 'string' && isAlertRuleId(id)) {
      if (!muted.includes(id)) muted.push(id);
    } else {
      problems.push(`${ALERT_SETTINGS_PREFIX}muted[${index}] must be one of ${ALERT_RULE_IDS.join(', ')}, got ${shown(id)}; left out`);
    }
  });
  return muted;
}

// fromEntries defines own properties: a state named `__proto__` is a key like any other.
function stateMinutes(value: unknown, problems: string[]): Record<string, number> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value) || Array.isArray(value)) {
    problems.push(`${ALERT_SETTINGS_PREFIX}timeInState.stateMinutes must be an object of minutes by state name, got ${shown(value)}; no state has a fixed threshold`);
    return {};
  }
  const kept: [string, number][] = [];
  for (const [state, minutes] of Object.entries(value)) {
    if (positive.schema.safeParse(minutes).success) kept.push([state, minutes as number]);
    else problems.push(`${ALERT_SETTINGS_PREFIX}timeInState.stateMinutes.${state} must be a positive number, got ${shown(minutes)}; left out`);
  }
  return Object.fromEntries(kept);
}

function lookup(source: Readonly<Record<string, unknown>>, path: string): unknown {
  for (const flat of [path, ALERT_SETTINGS_PREFIX + path]) {
    if (Object.hasOwn(source, flat)) return source[flat];
  }
  let at: unknown = source;
  for (const part of path.split('.')) {
    if (!isRecord(at) || !Object.hasOwn(at, part)) return undefined;
    at = at[part];
  }
  return at;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null;
}

/** A value as the user wrote it, short: a message names what was refused. */
function shown(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  text ??= String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
