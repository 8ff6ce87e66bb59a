import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateAlerts, nextDueAt } from '../../src/domain/control/alert-rules';
import type { Alert, AlertInput, DayCost } from '../../src/domain/control/alert-rules';
import { DEFAULT_ALERT_SETTINGS } from '../../src/domain/control/alert-settings';
import type { AlertSettings } from '../../src/domain/control/alert-settings';
import { historyThresholds } from '../../src/domain/control/alert-thresholds';
import type { HistoryThresholds } from '../../src/domain/control/alert-thresholds';
import { alertRaisedData } from '../../src/domain/control/events';
import type { LiveSession, Run } from '../../src/domain/control/live-session';

// The control center's alert rules: each fires exactly when its threshold is reached (not a
// millisecond before), once per episode, never for an ended session, a disabled or a muted rule.

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 5, 10, 0, 0);
const WS = '/work/project';

/** A live session working in model_working since T0, its last event at T0, nothing else going on. */
function live(over: Partial<LiveSession> = {}): LiveSession {
  return {
    workspace: WS, sessionId: 's1', title: 'Fix the login bug', branch: 'main', workflow: null, model: 'claude-opus-4-8',
    lifecycleState: 'model_working', lifecycleEnteredAt: T0, workflowState: null, workflowEnteredAt: null,
    waitingFor: null, waitingSince: null, startedAt: T0 - 30 * MIN, lastEventAt: T0, ended: false,
    tokens: 0, costUsd: null, burnUsdPerHour: null, lastTool: null, lastJournal: null, subagents: [],
    failureRun: null, denialRun: null, rejections: 0, firstRejectionKey: null, compactionTimes: [],
    lifecycleMs: { model_working: 0 }, workflowMs: {}, held: null, alertIds: [], mutedRules: [],
    ...over,
  };
}

function run(name: string, count: number, firstKey = 'toolu_1'): Run {
  return { name, count, firstKey, firstAt: T0 - MIN, lastAt: T0 };
}

/** Every rule off but the ones named: a test sees only the rule it is about. */
function only(...sections: (keyof Omit<AlertSettings, 'muted'>)[]): AlertSettings {
  const off = Object.fromEntries(Object.entries(DEFAULT_ALERT_SETTINGS).map(([key, value]: [string, unknown]) =>
    [key, key === 'muted' ? value : { ...(value as object), enabled: sections.includes(key as keyof Omit<AlertSettings, 'muted'>) }]));
  return off as unknown as AlertSettings;
}

function tune(settings: AlertSettings, over: Partial<{ [K in keyof AlertSettings]: Partial<AlertSettings[K]> }>): AlertSettings {
  const merged: Record<string, unknown> = { ...settings };
  for (const [key, value] of Object.entries(over)) {
    const base: unknown = settings[key as keyof AlertSettings];
    merged[key] = Array.isArray(value) || Array.isArray(base) ? value : { ...(base as object), ...(value as object) };
  }
  return merged as unknown as AlertSettings;
}

function input(sessions: LiveSession[], now: number, settings: AlertSettings, extra: { thresholds?: HistoryThresholds; dayCost?: DayCost } = {}): AlertInput {
  return {
    sessions, now, settings,
    thresholds: new Map(extra.thresholds === undefined ? [] : [[WS, extra.thresholds]]),
    ...(extra.dayCost === undefined ? {} : { dayCost: new Map([[WS, extra.dayCost]]) }),
  };
}

const alerts = (sessions: LiveSession[], now: number, settings: AlertSettings, extra: Parameters<typeof input>[3] = {}): Alert[] =>
  evaluateAlerts(input(sessions, now, settings, extra));

/** The session once it has recorded these alerts (as the fold of their AlertRaised events gives it). */
function recorded(session: LiveSession, raised: readonly Alert[]): LiveSession {
  return { ...session, alertIds: [...session.alertIds, ...raised.map((a) => a.id)] };
}

/** Asserts the rule is quiet 1 ms before `due` and raises exactly one alert at `due`. */
function firesAt(sessions: LiveSession[], due: number, settings: AlertSettings, extra: Parameters<typeof input>[3] = {}): Alert {
  assert.deepEqual(alerts(sessions, due - 1, settings, extra), [], 'quiet one millisecond before the threshold');
  assert.equal(nextDueAt(input(sessions, due - 1, settings, extra)), due, 'nextDueAt names the threshold time');
  const raised = alerts(sessions, due, settings, extra);
  assert.equal(raised.length, 1, `one alert at the threshold, got ${JSON.stringify(raised)}`);
  return raised[0] as Alert;
}

describe('time-in-state', () => {
  const settings = only('timeInState');

  it('fires when the total time in the lifecycle state reaches the default threshold, with the default named', () => {
    const alert = firesAt([live()], T0 + 60 * MIN, settings);
    assert.equal(alert.data.rule, 'time-in-state');
    assert.equal(alert.data.episode, 'lifecycle:model_working@2026-12-05T10:00:00.000Z');
    assert.equal(alert.data.thresholdSource, 'default (0 of 20 sessions needed for a p90)');
    assert.equal(alert.data.message, '60 min in lifecycle state "model_working" so far (threshold 60 min, default (0 of 20 sessions needed for a p90))');
    assert.deepEqual(alert.data.figures, { minutes: 60, sessions: 0 });
    assert.equal(alert.data.threshold, 60);
    assert.equal(alert.data.at, new Date(T0 + 60 * MIN).toISOString());
  });

  it('counts the earlier visits of the state: the total so far, then the time since the last event', () => {
    // 45 min in earlier visits, 5 min in this one up to the last event: 10 min more reach 60.
    const s = live({ lifecycleEnteredAt: T0 - 5 * MIN, lifecycleMs: { model_working: 50 * MIN } });
    firesAt([s], T0 + 10 * MIN, settings);
  });

  it('does not alert again on a later visit once the total was past its threshold before the visit began', () => {
    const s = live({ lifecycleEnteredAt: T0 - MIN, lifecycleMs: { model_working: 70 * MIN } });
    assert.deepEqual(alerts([s], T0 + 120 * MIN, settings), []);
    assert.equal(nextDueAt(input([s], T0, settings)), undefined);
  });

  it('times the workflow state on its own, against its p90 over 20 ended sessions', () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ ended: true, lifecycleMs: {}, workflowMs: { review: (i + 1) * MIN } }));
    const thresholds = historyThresholds(rows, settings);
    const s = live({ workflow: 'tdd', workflowState: 'review', workflowEnteredAt: T0, workflowMs: { review: 0 }, lifecycleMs: { model_working: 0 } });
    // p90 of 1..20 min is 18.1 min; lifecycle's model_working has no history: its default is 60 min.
    const alert = firesAt([s], T0 + 18.1 * MIN, settings, { thresholds });
    assert.equal(alert.data.episode, 'workflow:review@2026-12-05T10:00:00.000Z');
    assert.equal(alert.data.thresholdSource, 'p90 of 20 sessions in this workspace');
    assert.equal(alert.data.message, '18 min in workflow state "review" so far (threshold 18 min, p90 of 20 sessions in this workspace)');
    assert.equal(alert.data.threshold, 18.1);
  });

  it('is quiet while the session waits on the user (idle, starting, waiting for permission or input) or is held', () => {
    const late = T0 + 600 * MIN;
    const cases: Partial<LiveSession>[] = [
      { lifecycleState: 'idle', waitingFor: 'input', waitingSince: T0, lifecycleMs: { idle: 0 } },
      { lifecycleState: 'starting', lifecycleMs: { starting: 0 } },
      { lifecycleState: 'waiting_for_permission', waitingFor: 'permission', waitingSince: T0, lifecycleMs: { waiting_for_permission: 0 } },
      { held: { message: 'wait', at: T0 } },
      { workflowState: 'review', workflowEnteredAt: T0, lifecycleState: 'idle', waitingFor: 'input', waitingSince: T0 },
    ];
    for (const over of cases) {
      assert.deepEqual(alerts([live(over)], late, settings), [], JSON.stringify(over));
    }
  });

  it('a state named in stateMinutes takes that threshold, whatever the history', () => {
    const tuned = tune(settings, { timeInState: { stateMinutes: { model_working: 2 } } });
    const alert = firesAt([live()], T0 + 2 * MIN, tuned);
    assert.equal(alert.data.thresholdSource, 'setting logbook.alerts.timeInState.stateMinutes');
  });
});

describe('waiting', () => {
  const settings = only('waiting');

  it('fires after 5 min waiting for permission and after 15 min waiting for input, exactly', () => {
    const permission = live({ lifecycleState: 'waiting_for_permission', waitingFor: 'permission', waitingSince: T0 + MIN });
    const p = firesAt([permission], T0 + 6 * MIN, settings);
    assert.equal(p.data.message, 'waiting for permission for 5 min');
    assert.equal(p.data.episode, 'permission@2026-12-05T10:01:00.000Z');
    assert.equal(p.data.thresholdSource, 'setting logbook.alerts.waiting.permissionMinutes');
    const input = live({ lifecycleState: 'idle', waitingFor: 'input', waitingSince: T0 });
    assert.equal(firesAt([input], T0 + 15 * MIN, settings).data.message, 'waiting for your input for 15 min');
  });

  it('a new wait is a new episode; waiting for a subagent never alerts', () => {
    const first = live({ lifecycleState: 'idle', waitingFor: 'input', waitingSince: T0 });
    const again = recorded(first, alerts([first], T0 + 20 * MIN, settings));
    assert.deepEqual(alerts([again], T0 + 40 * MIN, settings), []);
    assert.equal(alerts([{ ...again, waitingSince: T0 + 30 * MIN }], T0 + 45 * MIN, settings).length, 1);
    assert.deepEqual(alerts([live({ waitingFor: 'subagent', waitingSince: T0 })], T0 + 600 * MIN, settings), []);
  });
});

describe('stuck', () => {
  const settings = only('stuck');

  it('fires 10 min after the last event while the agent works', () => {
    const alert = firesAt([live({ lifecycleState: 'tool_running' })], T0 + 10 * MIN, settings);
    assert.equal(alert.data.message, 'no event for 10 min in state "tool_running"');
    assert.equal(alert.data.episode, '2026-12-05T10:00:00.000Z');
  });

  it('is quiet while idle, starting, waiting for permission or input, held, or ended', () => {
    const cases: Partial<LiveSession>[] = [
      { lifecycleState: 'idle' }, { lifecycleState: 'starting' }, { lifecycleState: 'waiting_for_permission' },
      { waitingFor: 'input', waitingSince: T0 }, { waitingFor: 'permission', waitingSince: T0 },
      { held: { message: 'hold on', at: T0 } }, { ended: true, lifecycleState: 'ended' },
    ];
    for (const over of cases) {
      assert.deepEqual(alerts([live(over)], T0 + 600 * MIN, settings), [], JSON.stringify(over));
      assert.equal(nextDueAt(input([live(over)], T0, settings)), undefined);
    }
  });
});

describe('tool-failures and denial-loop', () => {
  it('fire on the third failure of one tool in a row, once per run', () => {
    const settings = only('toolFailures');
    assert.deepEqual(alerts([live({ failureRun: run('Bash', 2) })], T0, settings), []);
    const s = live({ failureRun: run('Bash', 3) });
    const raised = alerts([s], T0, settings);
    assert.equal(raised.length, 1);
    assert.equal(raised[0]?.data.message, 'Bash failed 3 times in a row');
    assert.deepEqual(raised[0]?.data.figures, { count: 3 });
    const grown = recorded({ ...s, failureRun: run('Bash', 4) }, raised);
    assert.deepEqual(alerts([grown], T0, settings), [], 'the run growing to 4 is the same episode');
    const next = alerts([{ ...grown, failureRun: run('Bash', 3, 'toolu_9') }], T0, settings);
    assert.equal(next.length, 1, 'a new run is a new episode');
    assert.notEqual(next[0]?.id, raised[0]?.id);
  });

  it('denial-loop fires on the third denial by one rule in a row', () => {
    const settings = only('denialLoop');
    assert.deepEqual(alerts([live({ denialRun: run('no-force-push', 2) })], T0, settings), []);
    const raised = alerts([live({ denialRun: run('no-force-push', 3, 'ev-7') })], T0, settings);
    assert.equal(raised[0]?.data.message, 'rule "no-force-push" denied 3 calls in a row');
    assert.equal(raised[0]?.data.episode, 'ev-7');
  });
});

describe('review-rejections', () => {
  it('fires at the second rejection, once for the session', () => {
    const settings = only('reviewRejections');
    assert.deepEqual(alerts([live({ rejections: 1, firstRejectionKey: 'ev-1' })], T0, settings), []);
    const s = live({ rejections: 2, firstRejectionKey: 'ev-1' });
    const raised = alerts([s], T0, settings);
    assert.equal(raised[0]?.data.message, 'review rejected 2 times');
    assert.deepEqual(alerts([recorded({ ...s, rejections: 5 }, raised)], T0, settings), []);
  });
});

describe('compaction-loop', () => {
  const settings = only('compactionLoop');

  it('fires on 3 compactions within 30 min (exactly 30 counts), not within 30 min and 1 ms', () => {
    assert.deepEqual(alerts([live({ compactionTimes: [T0, T0 + 10 * MIN, T0 + 30 * MIN + 1] })], T0 + 31 * MIN, settings), []);
    const raised = alerts([live({ compactionTimes: [T0 - 60 * MIN, T0, T0 + 10 * MIN, T0 + 30 * MIN] })], T0 + 31 * MIN, settings);
    assert.equal(raised.length, 1);
    assert.equal(raised[0]?.data.episode, '2026-12-05T10:00:00.000Z');
    assert.equal(raised[0]?.data.message, 'compacted 3 times within 30 min');
  });

  it('a loop that goes on is one episode; a later loop is another', () => {
    const s = live({ compactionTimes: [T0, T0 + 5 * MIN, T0 + 10 * MIN] });
    const raised = alerts([s], T0 + 11 * MIN, settings);
    const longer = recorded({ ...s, compactionTimes: [...s.compactionTimes, T0 + 15 * MIN] }, raised);
    assert.deepEqual(alerts([longer], T0 + 16 * MIN, settings), []);
    const later = { ...longer, compactionTimes: [...longer.compactionTimes, T0 + 120 * MIN, T0 + 125 * MIN, T0 + 130 * MIN] };
    const again = alerts([later], T0 + 131 * MIN, settings);
    assert.equal(again[0]?.data.episode, new Date(T0 + 120 * MIN).toISOString());
  });
});

describe('budgets', () => {
  it('are off by default', () => {
    const s = live({ costUsd: 1_000, burnUsdPerHour: 1_000 });
    assert.deepEqual(alerts([s], T0, DEFAULT_ALERT_SETTINGS, { dayCost: { day: '2026-12-05', costUsd: 1_000 } }).filter((a) => a.data.rule.includes('budget') || a.data.rule === 'burn-rate'), []);
  });

  it('session-budget warns at 80%, then fires at 100% as its own episode; a jump past both says only 100%', () => {
    const settings = tune(only('sessionBudget'), { sessionBudget: { usd: 20 } });
    assert.deepEqual(alerts([live({ costUsd: 15.99 })], T0, settings), []);
    const warned = alerts([live({ costUsd: 16 })], T0, settings);
    assert.equal(warned[0]?.data.episode, '80% of $20');
    assert.equal(warned[0]?.data.message, 'cost $16.00 reached 80% of the session budget ($20.00)');
    assert.equal(warned[0]?.data.threshold, 16);
    const over = alerts([recorded(live({ costUsd: 20 }), warned)], T0, settings);
    assert.equal(over.length, 1);
    assert.equal(over[0]?.data.episode, '100% of $20');
    assert.equal(over[0]?.data.message, 'cost $20.00 is over the session budget ($20.00)');
    assert.deepEqual(alerts([live({ costUsd: 50 })], T0, settings).map((a) => a.data.episode), ['100% of $20']);
  });

  it('burn-rate fires at the budget per hour, once per UTC hour of the events that show it', () => {
    const settings = tune(only('burnRate'), { burnRate: { usdPerHour: 5 } });
    assert.deepEqual(alerts([live({ burnUsdPerHour: 4.99 })], T0, settings), []);
    const s = live({ burnUsdPerHour: 5 });
    const raised = alerts([s], T0, settings);
    assert.equal(raised[0]?.data.episode, '2026-12-05T10Z');
    const same = recorded({ ...s, lastEventAt: T0 + 59 * MIN }, raised);
    assert.deepEqual(alerts([same], T0 + 59 * MIN, settings), []);
    assert.equal(alerts([{ ...same, lastEventAt: T0 + 60 * MIN }], T0 + 60 * MIN, settings).length, 1);
  });

  it('daily-budget is raised once per workspace-day, on the live session with the latest event', () => {
    const settings = tune(only('dailyBudget'), { dailyBudget: { usd: 50 } });
    const older = live({ sessionId: 'a', lastEventAt: T0 - MIN });
    const newer = live({ sessionId: 'b', lastEventAt: T0 });
    const done = live({ sessionId: 'c', lastEventAt: T0 + MIN, ended: true, lifecycleState: 'ended' });
    const day = { day: '2026-12-05', costUsd: 52 };
    assert.deepEqual(alerts([older, newer, done], T0, settings, { dayCost: { ...day, costUsd: 39 } }), []);
    const raised = alerts([older, newer, done], T0, settings, { dayCost: day });
    assert.deepEqual(raised.map((a) => [a.sessionId, a.data.episode]), [['b', '2026-12-05 100% of $50']]);
    assert.equal(raised[0]?.data.message, "today's cost in this workspace, $52.00, is over the daily budget ($50.00)");
    // Recorded on b; a later event of a must not raise it again on a.
    const later = { ...older, lastEventAt: T0 + 2 * MIN };
    assert.deepEqual(alerts([later, recorded(newer, raised), done], T0 + 2 * MIN, settings, { dayCost: day }), []);
    assert.equal(alerts([later, newer], T0, settings, { dayCost: { day: '2026-12-06', costUsd: 52 } }).length, 1, 'a new day is a new episode');
    assert.deepEqual(alerts([{ ...newer, mutedRules: ['daily-budget'] }, older], T0, settings, { dayCost: day }).map((a) => a.sessionId), ['a'], 'a session that muted it is passed over');
    assert.deepEqual(alerts([done], T0, settings, { dayCost: day }), [], 'no live session, nowhere to raise it');
  });
});

describe('episodes, ended sessions, muting and switches', () => {
  const failing = live({ failureRun: run('Bash', 3) });

  it('an alert id is alert- and 32 hex digits, the same for the same (session, rule, episode), another for another session', () => {
    const a = alerts([failing], T0, DEFAULT_ALERT_SETTINGS).find((x) => x.data.rule === 'tool-failures');
    const b = alerts([failing], T0 + 5, DEFAULT_ALERT_SETTINGS).find((x) => x.data.rule === 'tool-failures');
    const other = alerts([{ ...failing, sessionId: 's2' }], T0, DEFAULT_ALERT_SETTINGS).find((x) => x.data.rule === 'tool-failures');
    assert.match(a?.id ?? '', /^alert-[0-9a-f]{32}$/);
    assert.equal(a?.id, b?.id);
    assert.notEqual(a?.id, other?.id);
  });

  it('every alert is valid AlertRaised data, even for names longer than its bounds', () => {
    const long = 'x'.repeat(3_000);
    const s = live({
      workflowState: long, workflowEnteredAt: T0, failureRun: run(long, 3, long), denialRun: run(long, 3, `${long}y`),
      rejections: 2, firstRejectionKey: long, compactionTimes: [T0, T0, T0], costUsd: 30, burnUsdPerHour: 30,
    });
    const settings = tune(DEFAULT_ALERT_SETTINGS, { sessionBudget: { usd: 20 }, burnRate: { usdPerHour: 10 }, dailyBudget: { usd: 5 } });
    const raised = alerts([s], T0 + 600 * MIN, settings, { dayCost: { day: '2026-12-05', costUsd: 6 } });
    assert.deepEqual(raised.map((a) => a.data.rule).sort(), [
      'burn-rate', 'compaction-loop', 'daily-budget', 'denial-loop', 'review-rejections', 'session-budget', 'stuck', 'time-in-state', 'time-in-state', 'tool-failures',
    ]);
    for (const alert of raised) assert.ok(alertRaisedData.safeParse(alert.data).success, `${alert.data.rule}: ${JSON.stringify(alert.data).slice(0, 200)}`);
    const episodes = raised.filter((a) => a.data.rule === 'tool-failures' || a.data.rule === 'denial-loop').map((a) => a.data.episode);
    assert.notEqual(episodes[0], episodes[1], 'two long episodes with the same start stay apart');
  });

  it('an ended session never alerts', () => {
    const ended = live({ ...failing, ended: true, lifecycleState: 'ended', rejections: 9, firstRejectionKey: 'x', costUsd: 99 });
    const settings = tune(DEFAULT_ALERT_SETTINGS, { sessionBudget: { usd: 1 } });
    assert.deepEqual(alerts([ended], T0 + 600 * MIN, settings), []);
    assert.equal(nextDueAt(input([ended], T0, settings)), undefined);
  });

  it('a rule muted for the workspace, muted for the session, or disabled never alerts', () => {
    const rules = (sessions: LiveSession[], settings: AlertSettings): string[] => alerts(sessions, T0, settings).map((a) => a.data.rule);
    assert.ok(rules([failing], DEFAULT_ALERT_SETTINGS).includes('tool-failures'));
    assert.ok(!rules([failing], tune(DEFAULT_ALERT_SETTINGS, { muted: ['tool-failures'] })).includes('tool-failures'));
    assert.ok(!rules([{ ...failing, mutedRules: ['tool-failures'] }], DEFAULT_ALERT_SETTINGS).includes('tool-failures'));
    assert.ok(rules([{ ...failing, sessionId: 's2' }, { ...failing, mutedRules: ['tool-failures'] }], DEFAULT_ALERT_SETTINGS).includes('tool-failures'), 'a session mute is that session\'s alone');
    assert.ok(!rules([failing], tune(DEFAULT_ALERT_SETTINGS, { toolFailures: { enabled: false } })).includes('tool-failures'));
  });
});

describe('nextDueAt', () => {
  it('is the earliest time-based threshold still to come across sessions, skipping muted, disabled and recorded ones', () => {
    const working = live({ sessionId: 'w', lifecycleState: 'tool_running', lifecycleMs: { tool_running: 0 } });
    const asking = live({ sessionId: 'p', lifecycleState: 'waiting_for_permission', waitingFor: 'permission', waitingSince: T0 + 2 * MIN });
    const settings = DEFAULT_ALERT_SETTINGS;
    assert.equal(nextDueAt(input([working, asking], T0, settings)), T0 + 7 * MIN, 'permission: 5 min after T0 + 2 min');
    assert.equal(nextDueAt(input([working, { ...asking, mutedRules: ['waiting'] }], T0, settings)), T0 + 10 * MIN, 'then stuck');
    assert.equal(nextDueAt(input([working], T0, tune(settings, { muted: ['stuck'] }))), T0 + 60 * MIN, 'then time-in-state');
    const stuckAlert = alerts([working], T0 + 10 * MIN, tune(settings, { muted: ['time-in-state'] }));
    assert.equal(nextDueAt(input([recorded(working, stuckAlert)], T0, settings)), T0 + 60 * MIN, 'a recorded episode is not due again');
    assert.equal(nextDueAt(input([working], T0 + 10 * MIN, settings)), T0 + 60 * MIN, 'a threshold already reached is due now, not next');
    assert.equal(nextDueAt(input([live({ failureRun: run('Bash', 2) })], T0, only('toolFailures'))), undefined, 'event-crossed rules are never scheduled');
  });
});
