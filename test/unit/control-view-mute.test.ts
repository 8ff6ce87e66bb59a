import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS_ENTRY_SUFFIX } from '../../src/capture/inbox-writer';
import { logbookPaths } from '../../src/capture/paths';
import { muteRuleForSession } from '../../src/control/mute';
import { evaluateAlerts } from '../../src/domain/control/alert-rules';
import { DEFAULT_ALERT_SETTINGS } from '../../src/domain/control/alert-settings';
import { readLiveSessions } from '../../src/projections/control/live-reader';
import { putInInbox, tempDir } from './helpers';

// "Mute Rule" from the control center's row or notification (src/control/mute.ts): one
// AlertRuleMuted event of the session, through its workspace's inbox, which the live fold reads
// into the session's muted rules, so the rule stops alerting for that session and no other.

const S = 'mute-session';
const OTHER = 'other-session';

function failingBash(sessionId: string, n: number): Record<string, unknown>[] {
  return [
    { session_id: sessionId, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'make' }, tool_use_id: `toolu_${sessionId}_${n}` },
    { session_id: sessionId, hook_event_name: 'PostToolUseFailure', tool_name: 'Bash', tool_input: { command: 'make' }, tool_use_id: `toolu_${sessionId}_${n}`, error: 'Exit code 2', is_interrupt: false },
  ];
}

test('a rule muted for a session is recorded as its event, read back into its muted rules, and alerts no more for it alone', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    for (const id of [S, OTHER]) {
      putInInbox(paths.inbox, { session_id: id, hook_event_name: 'UserPromptSubmit', prompt: `build ${id}` });
      for (let n = 1; n <= 3; n += 1) for (const payload of failingBash(id, n)) putInInbox(paths.inbox, payload);
    }
    const data = muteRuleForSession(paths, S, 'tool-failures', 'vscode');
    assert.deepEqual({ rule: data.rule, by: data.by }, { rule: 'tool-failures', by: 'vscode' });
    const entries = readdirSync(paths.inbox).filter((name) => name.endsWith(EVENTS_ENTRY_SUFFIX)).map((name) => JSON.parse(readFileSync(join(paths.inbox, name), 'utf8')) as { source: string; sessionId: string; events: { type: string }[] });
    assert.deepEqual(entries.map((e) => [e.source, e.sessionId, e.events.map((ev) => ev.type)]), [['vscode', S, ['AlertRuleMuted']]]);

    const now = Date.now();
    const read = await readLiveSessions(dir, { now });
    const byId = new Map(read.sessions.map((s) => [s.sessionId, s]));
    assert.deepEqual(byId.get(S)?.mutedRules, ['tool-failures']);
    assert.deepEqual(byId.get(OTHER)?.mutedRules, []);
    const alerts = evaluateAlerts({ sessions: read.sessions, now, settings: DEFAULT_ALERT_SETTINGS, thresholds: new Map() });
    assert.deepEqual(alerts.map((a) => [a.sessionId, a.data.rule]), [[OTHER, 'tool-failures']]);
  } finally {
    cleanup();
  }
});
