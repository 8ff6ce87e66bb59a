import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fnv1a64, hash128 } from '../../src/domain/control/alert-id';
import { ALERT_RULE_IDS, RULE_SECTION } from '../../src/domain/control/alert-rules';
import { DEFAULT_ALERT_SETTINGS, parseAlertSettings } from '../../src/domain/control/alert-settings';
import { historyThresholds, p90, thresholdOf } from '../../src/domain/control/alert-thresholds';
import { quantile } from '../../src/projections/quantile';

// The alert rules' settings (a bad value is named and only that key falls back), the thresholds
// from a workspace's history, and the hash behind alert ids.

const MIN = 60_000;

describe('parseAlertSettings', () => {
  it('gives the defaults, without a problem, for nothing set', () => {
    for (const raw of [undefined, null, {}]) assert.deepEqual(parseAlertSettings(raw), { settings: DEFAULT_ALERT_SETTINGS, problems: [] });
  });

  it('reads nested objects (VS Code) and flat keys (.vscode/settings.json) alike', () => {
    const nested = parseAlertSettings({ waiting: { permissionMinutes: 2 }, sessionBudget: { usd: 12.5 }, muted: ['stuck'] });
    const flat = parseAlertSettings({ 'logbook.alerts.waiting.permissionMinutes': 2, 'sessionBudget.usd': 12.5, 'logbook.alerts.muted': ['stuck'] });
    for (const { settings, problems } of [nested, flat]) {
      assert.deepEqual(problems, []);
      assert.equal(settings.waiting.permissionMinutes, 2);
      assert.equal(settings.waiting.inputMinutes, 15);
      assert.equal(settings.sessionBudget.usd, 12.5);
      assert.deepEqual(settings.muted, ['stuck']);
    }
  });

  it('names the key of a bad value and falls back to that key\'s default alone', () => {
    const { settings, problems } = parseAlertSettings({
      waiting: { permissionMinutes: 'x', inputMinutes: 3 },
      toolFailures: { count: 2.5, enabled: 'yes' },
      stuck: { minutes: -1 },
      compactionLoop: { withinMinutes: Infinity },
      dailyBudget: { usd: 0 },
      burnRate: { usdPerHour: null },
    });
    assert.deepEqual(problems, [
      'logbook.alerts.waiting.permissionMinutes must be a positive number, got "x"; using the default, 5',
      'logbook.alerts.toolFailures.enabled must be true or false, got "yes"; using the default, true',
      'logbook.alerts.toolFailures.count must be a positive whole number, got 2.5; using the default, 3',
      'logbook.alerts.stuck.minutes must be a positive number, got -1; using the default, 10',
      'logbook.alerts.compactionLoop.withinMinutes must be a positive number, got Infinity; using the default, 30',
      'logbook.alerts.dailyBudget.usd must be a positive number or null, got 0; using the default, null',
    ]);
    assert.equal(settings.waiting.permissionMinutes, 5);
    assert.equal(settings.waiting.inputMinutes, 3, 'the good key beside a bad one is kept');
    assert.equal(settings.toolFailures.count, 3);
    assert.equal(settings.stuck.minutes, 10);
    assert.equal(settings.burnRate.usdPerHour, null);
  });

  it('leaves out an unknown muted rule or a bad state threshold, and keeps the rest', () => {
    const { settings, problems } = parseAlertSettings({ muted: ['waiting', 'nope', 3, 'waiting'], timeInState: { stateMinutes: { review: 20, fix: 'soon' } } });
    assert.deepEqual(settings.muted, ['waiting']);
    assert.deepEqual(settings.timeInState.stateMinutes, { review: 20 });
    assert.equal(problems.length, 3);
    assert.match(problems[0] ?? '', /^logbook\.alerts\.muted\[1\] must be one of time-in-state, .*, got "nope"; left out$/);
    assert.match(problems[1] ?? '', /^logbook\.alerts\.muted\[2\] must be one of .*got 3; left out$/);
    assert.equal(problems[2], 'logbook.alerts.timeInState.stateMinutes.fix must be a positive number, got "soon"; left out');
  });

  it('refuses a value that is not an object at all, naming logbook.alerts', () => {
    const { settings, problems } = parseAlertSettings('loud');
    assert.equal(settings, DEFAULT_ALERT_SETTINGS);
    assert.deepEqual(problems, ['logbook.alerts must be an object, got "loud"; every alert setting takes its default']);
  });

  it('package.json declares every setting with the code\'s default, and nothing else under logbook.alerts', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default: unknown; markdownDescription?: string }> } };
    };
    const declared = Object.entries(manifest.contributes.configuration.properties).filter(([key]) => key.startsWith('logbook.alerts.'));
    const expected: [string, unknown][] = [['logbook.alerts.muted', DEFAULT_ALERT_SETTINGS.muted]];
    for (const [section, values] of Object.entries(DEFAULT_ALERT_SETTINGS)) {
      if (section === 'muted') continue;
      for (const [key, value] of Object.entries(values as object)) expected.push([`logbook.alerts.${section}.${key}`, value]);
    }
    assert.deepEqual(new Map(declared.map(([key, p]) => [key, p.default])), new Map(expected));
    for (const [key, p] of declared) assert.ok((p.markdownDescription ?? '').length > 20, `${key} is described`);
    for (const rule of ALERT_RULE_IDS) assert.ok(declared.some(([key]) => key === `logbook.alerts.${RULE_SECTION[rule]}.enabled`), `${rule} has a switch`);
  });
});

describe('historyThresholds', () => {
  const settings = DEFAULT_ALERT_SETTINGS;
  const rows = (n: number, state: string, over: { ended?: boolean } = {}): { ended: boolean; lifecycleMs: Record<string, number>; workflowMs: Record<string, number> }[] =>
    Array.from({ length: n }, (_, i) => ({ ended: over.ended ?? true, lifecycleMs: { [state]: (i + 1) * MIN }, workflowMs: {} }));

  it('takes the p90 of 20 ended sessions, the rule every view uses', () => {
    const t = historyThresholds(rows(20, 'tool_running'), settings);
    const expected = quantile(Array.from({ length: 20 }, (_, i) => (i + 1) * MIN), 0.9);
    assert.deepEqual(thresholdOf(t, 'lifecycle', 'tool_running'), { ms: expected, source: 'p90 of 20 sessions in this workspace', sessions: 20, from: 'history' });
  });

  it('falls back to the default below 20 sessions, and says how many it has', () => {
    const t = historyThresholds([...rows(19, 'tool_running'), ...rows(5, 'tool_running', { ended: false })], settings);
    assert.deepEqual(thresholdOf(t, 'lifecycle', 'tool_running'), { ms: 60 * MIN, source: 'default (19 of 20 sessions needed for a p90)', sessions: 19, from: 'default' });
    assert.equal(thresholdOf(t, 'workflow', 'review').source, 'default (0 of 20 sessions needed for a p90)', 'a state never seen');
  });

  it('leaves out sessions with no time in the state', () => {
    const zeros = Array.from({ length: 10 }, () => ({ ended: true, lifecycleMs: { tool_running: 0 }, workflowMs: { review: 0 } }));
    const t = historyThresholds([...rows(19, 'tool_running'), ...zeros], settings);
    assert.equal(thresholdOf(t, 'lifecycle', 'tool_running').sessions, 19);
    assert.equal(thresholdOf(t, 'workflow', 'review').sessions, 0);
  });

  it('follows minSessions and stateMinutes', () => {
    const tuned = { ...settings, timeInState: { ...settings.timeInState, minSessions: 5, stateMinutes: { compacting: 3 } } };
    const t = historyThresholds([...rows(5, 'tool_running'), ...rows(30, 'compacting')], tuned);
    assert.equal(thresholdOf(t, 'lifecycle', 'tool_running').from, 'history');
    assert.deepEqual(thresholdOf(t, 'lifecycle', 'compacting'), { ms: 3 * MIN, source: 'setting logbook.alerts.timeInState.stateMinutes', sessions: 30, from: 'setting' });
    assert.equal(thresholdOf(t, 'workflow', 'compacting').ms, 3 * MIN, 'a state name set is set for both kinds');
  });

  it('p90 agrees with the projections\' quantile on unsorted input', () => {
    const values = [7, 1, 30, 2, 2, 9, 100, 4];
    assert.equal(p90(values), quantile(values, 0.9));
    assert.equal(p90([]), null);
  });
});

describe('alert ids', () => {
  it('FNV-1a 64 gives the published test vectors', () => {
    const basis = 0xcbf29ce484222325n;
    const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
    assert.equal(fnv1a64(bytes(''), basis), 'cbf29ce484222325');
    assert.equal(fnv1a64(bytes('a'), basis), 'af63dc4c8601ec8c');
    assert.equal(fnv1a64(bytes('foobar'), basis), '85944171f73967e8');
  });

  it('the 128-bit hash tells apart parts that would join alike', () => {
    assert.match(hash128(['s', 'rule', 'ep']), /^[0-9a-f]{32}$/);
    assert.notEqual(hash128(['a:b', 'c']), hash128(['a', 'b:c']));
    const both = hash128(['é', '😀']);
    assert.notEqual(both.slice(0, 16), both.slice(16), 'two seeds, two halves');
  });
});
