import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../src/domain/control/alert-rules';
import { ALERT_RULE_IDS } from '../../src/domain/control/alert-rules';
import type { LiveSession } from '../../src/domain/control/live-session';
import { AlertLedger, countText, sessionKey } from '../../src/views/control/alert-ledger';
import { groupByWorkspace, iconOf, RULE_WORDS, sessionRowView, workspaceRowView } from '../../src/views/control/row-view';

// The control center's tree rows and alert count as plain data (src/views/control/row-view.ts,
// alert-ledger.ts): what a row says of a live session, which icon stands out, how rows group by
// workspace, and when an alert counts as unacknowledged.

const NOW = Date.parse('2026-12-05T14:00:00Z');
const MIN = 60_000;

function aSession(overrides: Partial<LiveSession> = {}): LiveSession {
  return {
    workspace: '/home/dev/shop', sessionId: '0b6c1f9e-1111-4222-8333-944445555666', title: 'Fix the checkout rounding', branch: 'fix/rounding',
    workflow: 'team-loop', model: 'claude-sonnet-4-5', lifecycleState: 'tool_running', lifecycleEnteredAt: NOW - 3 * MIN,
    workflowState: 'implement', workflowEnteredAt: NOW - 12 * MIN, waitingFor: null, waitingSince: null, startedAt: NOW - 40 * MIN,
    lastEventAt: NOW - 5000, ended: false, tokens: 123_456, costUsd: 1.234, burnUsdPerHour: 2.5,
    lastTool: { name: 'Bash', at: NOW - 5000, outcome: 'running' }, lastJournal: { text: 'rounding now uses banker\'s rule', at: NOW - 2 * MIN },
    subagents: [{ agentId: 'a1', agentType: 'code-reviewer', startedAt: NOW - MIN }], failureRun: null, denialRun: null, rejections: 0,
    firstRejectionKey: null, compactionTimes: [], lifecycleMs: {}, workflowMs: {}, held: null, alertIds: [], mutedRules: [],
    ...overrides,
  };
}

function anAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    sessionId: '0b6c1f9e-1111-4222-8333-944445555666', workspace: '/home/dev/shop', id: 'alert-1',
    data: { rule: 'tool-failures', episode: 'toolu_1', message: 'Bash failed 3 times in a row', figures: { count: 3 }, threshold: 3, thresholdSource: 'setting', at: new Date(NOW).toISOString() },
    ...overrides,
  };
}

const field = (fields: readonly (readonly [string, string])[], name: string): string | undefined => fields.find(([n]) => n === name)?.[1];

test('a row: the title as label; state, time in state, cost, burn and branch in the description; every field in the tooltip', () => {
  const view = sessionRowView(aSession(), NOW);
  assert.equal(view.label, 'Fix the checkout rounding');
  assert.equal(view.description, 'tool running / implement · 3 min · $1.23 · $2.50/h · ⎇ fix/rounding');
  assert.equal(view.contextValue, 'control.session.free');
  assert.equal(field(view.fields, 'Branch'), 'fix/rounding');
  assert.equal(field(view.fields, 'Workflow state'), 'implement for 12 min');
  assert.equal(field(view.fields, 'Waiting for'), 'nothing');
  assert.equal(field(view.fields, 'Tokens'), '123k');
  assert.equal(field(view.fields, 'Last tool'), 'Bash running');
  assert.equal(field(view.fields, 'Last journal entry'), 'rounding now uses banker\'s rule');
  assert.equal(field(view.fields, 'Running subagents'), 'code-reviewer');
  assert.equal(field(view.fields, 'Held'), undefined);
});

test('a held session says so first, offers Resume, and its tooltip gives the message the agent reads', () => {
  const view = sessionRowView(aSession({ held: { message: 'checking the deploy first', at: NOW - 2 * MIN } }), NOW);
  assert.match(view.description, /^held · /);
  assert.equal(view.contextValue, 'control.session.held');
  assert.match(field(view.fields, 'Held') ?? '', /^checking the deploy first \(for 2 min\)/);
  assert.deepEqual(view.icon, { id: 'debug-pause', color: 'charts.orange' });
});

test('what the user is waited for stands out: permission above all but a hold, then an alert, then the next prompt', () => {
  const permission = aSession({ lifecycleState: 'waiting_for_permission', lifecycleEnteredAt: NOW - 6 * MIN, waitingFor: 'permission', waitingSince: NOW - 6 * MIN });
  assert.match(sessionRowView(permission, NOW).description, /^waiting for permission \/ implement · 6 min · \$1\.23/, 'the state says what it waits for: not twice');
  assert.equal(field(sessionRowView(permission, NOW).fields, 'Waiting for'), 'permission 6 min');
  assert.deepEqual(iconOf(permission), { id: 'bell-dot', color: 'charts.yellow' });
  assert.deepEqual(iconOf(permission, { lastAlert: 'x' }), { id: 'bell-dot', color: 'charts.yellow' });
  const idle = aSession({ lifecycleState: 'idle', lifecycleEnteredAt: NOW - MIN, waitingFor: 'input', waitingSince: NOW - MIN });
  assert.match(sessionRowView(idle, NOW).description, /^idle \/ implement · 1 min · waits for your input · /);
  // A subagent's permission prompt: the session waits for the user while its state is the subagent's.
  const sub = aSession({ lifecycleState: 'subagent_running', waitingFor: 'permission', waitingSince: NOW - 2 * MIN });
  assert.match(sessionRowView(sub, NOW).description, /^subagent running \/ implement · 3 min · waits for permission 2 min · /);
  assert.deepEqual(iconOf(idle), { id: 'comment-discussion', color: 'charts.blue' });
  assert.deepEqual(iconOf(idle, { lastAlert: 'waiting for input for 16 min' }), { id: 'warning', color: 'charts.yellow' });
  assert.deepEqual(iconOf(aSession({ lifecycleState: 'model_working' })), { id: 'pulse', color: 'charts.green' });
});

test('the agent\'s words stay one line of plain text: control and bidi characters out, long text cut', () => {
  const title = `Deploy\u202e now\n${'x'.repeat(200)}`;
  const view = sessionRowView(aSession({ title, lastJournal: { text: 'a\u0007b', at: NOW } }), NOW);
  assert.ok(!/[\u0000-\u001f\u202e]/.test(view.label + view.description + view.tooltipTitle), JSON.stringify(view.label));
  assert.ok([...view.label].length <= 48 && view.label.endsWith('…'));
  assert.equal(field(view.fields, 'Last journal entry'), 'a b');
  assert.equal(sessionRowView(aSession({ title: null }), NOW).label, '(no prompt yet)');
});

test('a told alert is kept for its row and shown in the tooltip', () => {
  const view = sessionRowView(aSession(), NOW, { lastAlert: 'Bash failed 3 times in a row' });
  assert.equal(field(view.fields, 'Last alert'), 'Bash failed 3 times in a row');
});

test('rows group by workspace: the window\'s folders first, then the latest activity', () => {
  const a = aSession({ workspace: '/w/a', sessionId: 'a1', lastEventAt: NOW - 10 * MIN });
  const b1 = aSession({ workspace: '/w/b', sessionId: 'b1', lastEventAt: NOW - MIN });
  const c = aSession({ workspace: '/w/c', sessionId: 'c1', lastEventAt: NOW - 2 * MIN });
  const b2 = aSession({ workspace: '/w/b', sessionId: 'b2', lastEventAt: NOW - 20 * MIN });
  const groups = groupByWorkspace([b1, c, a, b2], (ws) => ws === '/w/a');
  assert.deepEqual(groups.map((g) => [g.workspace, g.sessions.map((s) => s.sessionId)]), [['/w/a', ['a1']], ['/w/b', ['b1', 'b2']], ['/w/c', ['c1']]]);
  assert.deepEqual(workspaceRowView('/w/b', 2, false), { label: 'b', description: '2 in progress · not open in this window', tooltip: '/w/b\n2 session(s) in progress; not open in this window', contextValue: 'control.workspace.other' });
  assert.equal(workspaceRowView('/w/a', 1, true).contextValue, 'control.workspace.open');
});

test('an alert told while the view is hidden counts until acknowledged; one told while it is on screen does not', () => {
  const ledger = new AlertLedger();
  ledger.told(anAlert({ id: 'alert-1' }), 'Fix the checkout rounding', false);
  ledger.told(anAlert({ id: 'alert-1' }), 'Fix the checkout rounding', false);
  ledger.told(anAlert({ id: 'alert-2', data: { ...anAlert().data, rule: 'waiting', message: 'waiting for permission for 5 min' } }), 'Fix the checkout rounding', true);
  assert.equal(ledger.count, 1, 'the same alert twice counts once; the one seen on screen not at all');
  assert.equal(ledger.latestFor('/home/dev/shop', '0b6c1f9e-1111-4222-8333-944445555666'), 'waiting for permission for 5 min');
  assert.match(ledger.tooltip(), /^1 new alert \(open the control center to acknowledge\)\n• Fix the checkout rounding: Bash failed 3 times in a row$/);
  ledger.acknowledge('alert-1');
  assert.equal(ledger.count, 0);
  ledger.told(anAlert({ id: 'alert-3' }), 't', false);
  ledger.told(anAlert({ id: 'alert-4', sessionId: 'other' }), 't', false);
  ledger.acknowledgeAll();
  assert.equal(ledger.count, 0);
});

test('an ended session\'s alerts leave the count and its row\'s alert is forgotten', () => {
  const ledger = new AlertLedger();
  ledger.told(anAlert({ id: 'alert-1' }), 'a', false);
  ledger.told(anAlert({ id: 'alert-2', sessionId: 'live' }), 'b', false);
  ledger.keepOnly(new Set([sessionKey('/home/dev/shop', 'live')]));
  assert.equal(ledger.count, 1);
  assert.equal(ledger.latestFor('/home/dev/shop', '0b6c1f9e-1111-4222-8333-944445555666'), undefined);
  assert.equal(countText(1), '1 new alert');
  assert.equal(countText(2), '2 new alerts');
});

test('every alert rule has words for the mute pick', () => {
  assert.deepEqual(Object.keys(RULE_WORDS).sort(), [...ALERT_RULE_IDS].sort());
});
