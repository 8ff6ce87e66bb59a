import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupMember, GroupSummary } from '../../src/domain/groups/model';
import { logbookPaths } from '../../src/capture/paths';
import { LogbookWriter } from '../../src/ingest/writer';
import { currentOverview } from '../../src/projections/overview/overview-store';
import { groupFigures, groupName, memberFigures, memberName } from '../../src/projections/groups/group-figures';
import { DEFAULT_PRICE_TABLE } from '../../src/projections/pricing';
import { parseWebviewMessage } from '../../src/protocol/channel';
import { dashboardHostMessage, dashboardWebviewMessage } from '../../src/protocol/dashboard';
import type { DashboardGroup, DashboardRow } from '../../src/protocol/dashboard';
import { arrangeGroups } from '../../src/protocol/dashboard-groups';
import { readGroups } from '../../src/read/groups';
import { LiveGroups } from '../../src/read/live-groups';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { putInInbox, tempDir } from './helpers';

// Groups in the views (issue 16): the live reader the sidebar and the dashboard keep gives what a
// fresh read gives, pass after pass; the dashboard's table folds a group's members into its row;
// the new webview message is checked; the figures the rows show.

// ---- the live reader against a fresh read, as the writer stores pass after pass ----

const LEAD = 'lead-0000-0000-0000-000000000001';
const A = 'work-aaaa-0000-0000-000000000002';
const B = 'work-bbbb-0000-0000-000000000003';
const R1 = 'run1-0000-0000-0000-000000000004';
const R2 = 'run2-0000-0000-0000-000000000005';

function hook(inbox: string, sessionId: string, event: string, fields: Record<string, unknown> = {}): void {
  putInInbox(inbox, { session_id: sessionId, hook_event_name: event, cwd: '/w', ...fields }, event);
}

function origin(inbox: string, sessionId: string, fields: Record<string, unknown>): void {
  putInInbox(inbox, { hook_event_name: 'LogbookOrigin', session_id: sessionId, origin_version: 1, ...fields }, 'LogbookOrigin');
}

const call = (id: string, tool: string, input: Record<string, unknown>): Record<string, unknown> => ({ tool_name: tool, tool_input: input, tool_use_id: id });

test('the live groups equal a fresh read of the store after every pass of the writer, and stay the same array while nothing changed', async () => {
  const { dir, cleanup } = tempDir();
  const paths = logbookPaths(dir);
  const started = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536 });
  assert.ok(started.ok);
  const writer = started.writer;
  const live = new LiveGroups();
  const passes: ((inbox: string) => void)[] = [
    (inbox) => {
      hook(inbox, LEAD, 'SessionStart', { source: 'startup' });
      hook(inbox, LEAD, 'UserPromptSubmit', { prompt: 'split the work' });
      hook(inbox, LEAD, 'PreToolUse', call('t-a', 'Bash', { command: 'claude -p "part A"' }));
    },
    (inbox) => {
      hook(inbox, A, 'SessionStart', { source: 'startup' });
      origin(inbox, A, { parent_session_id: LEAD, parent_command: 'bash -c claude -p "part A"' });
      hook(inbox, A, 'PreToolUse', call('a-w', 'Write', { file_path: '/w/a.md' }));
      hook(inbox, A, 'PostToolUse', call('a-w', 'Write', { file_path: '/w/a.md' }));
    },
    (inbox) => {
      hook(inbox, B, 'SessionStart', { source: 'startup' });
      origin(inbox, B, { parent_session_id: LEAD });
      hook(inbox, B, 'PreToolUse', call('b-t', 'Bash', { command: 'npm test' }));
      hook(inbox, B, 'PostToolUseFailure', { ...call('b-t', 'Bash', { command: 'npm test' }), error: 'Exit code 1' });
      hook(inbox, LEAD, 'PostToolUse', call('t-a', 'Bash', { command: 'claude -p "part A"' }));
      hook(inbox, LEAD, 'PreToolUse', call('l-r', 'Read', { file_path: '/w/a.md' }));
    },
    (inbox) => {
      hook(inbox, R1, 'SessionStart', { source: 'startup' });
      origin(inbox, R1, { run: 'nightly' });
      hook(inbox, R2, 'SessionStart', { source: 'startup' });
      origin(inbox, R2, { run: 'nightly' });
      hook(inbox, LEAD, 'Stop');
    },
  ];
  const shapes: string[] = [];
  try {
    for (const pass of passes) {
      pass(paths.inbox);
      writer.ingest();
      writer.flush();
      await writer.removeCommittedEntries();
      const opened = await LogbookDatabase.open(paths.store);
      assert.ok(opened.ok);
      const { raw, store } = opened.database;
      try {
        const now = Date.now();
        const rows = currentOverview(raw, store).rows;
        const fresh = readGroups(raw, store, now, DEFAULT_PRICE_TABLE);
        const kept = live.groups(raw, store, rows, DEFAULT_PRICE_TABLE, now);
        assert.deepEqual(kept, fresh);
        assert.equal(live.groups(raw, store, rows, DEFAULT_PRICE_TABLE, now), kept, 'nothing new: the same array');
        // Sorted: the run's last event and the lead's may fall in the same millisecond.
        shapes.push(kept.map((g) => `${g.id}:${g.members.length}:${g.links.length}`).sort().join(' '));
      } finally {
        opened.database.close();
      }
    }
  } finally {
    writer.close();
    cleanup();
  }
  // Two spawns (the lead's read is not done yet: no hand-off); the run is a group of its own.
  assert.deepEqual(shapes, ['', `tree:${LEAD}:2:1`, `tree:${LEAD}:3:2`, `run:nightly:2:0 tree:${LEAD}:3:2`]);
});

// ---- the dashboard's table ----

function row(key: string): DashboardRow {
  return { key, workspace: 'w', status: 'ended', durationMs: 0, tokens: 0, costUsd: 0, row: { sessionId: key } as DashboardRow['row'] };
}

function group(key: string, members: readonly [string, string][]): DashboardGroup {
  return {
    key, groupId: key, folder: '/w', workspace: 'w', kind: 'tree', label: key, members: members.map(([k, role]) => ({ key: k, role })),
    firstEventAt: null, lastEventAt: null, spanMs: 0, activeMs: 0, costUsd: 0, tokens: 0, failures: 0, links: 0,
  };
}

const shape = (entries: ReturnType<typeof arrangeGroups>): string[] => entries.map((e) => (e.kind === 'group' ? `G ${e.group.key} ${e.shown}${e.expanded ? ' open' : ''}` : e.member === undefined ? e.row.key : `  ${e.member.role} ${e.row.key}`));

test('the dashboard folds a group\'s shown members into one row at the place of the first, and lists them under it when expanded', () => {
  const rows = ['x', 'w2', 'y', 'lead', 'w1', 'z'].map(row);
  const groups = [group('g', [['lead', 'lead'], ['w1', 'worker'], ['w2', 'worker']])];
  assert.deepEqual(shape(arrangeGroups(rows, groups, new Set())), ['x', 'G g 3', 'y', 'z']);
  assert.deepEqual(shape(arrangeGroups(rows, groups, new Set(['g']))), ['x', 'G g 3 open', '  worker w2', '  lead lead', '  worker w1', 'y', 'z']);
  // A filter that leaves one member: the group still shows, counting what is shown.
  assert.deepEqual(shape(arrangeGroups(['x', 'w1'].map(row), groups, new Set(['g']))), ['x', 'G g 1 open', '  worker w1']);
  // No member shown: no group row.
  assert.deepEqual(shape(arrangeGroups(['x'].map(row), groups, new Set(['g']))), ['x']);
  assert.deepEqual(shape(arrangeGroups(rows, [], new Set())), ['x', 'w2', 'y', 'lead', 'w1', 'z']);
});

test('the group message is checked like every message of the dashboard; the state and deltas carry the groups', () => {
  const ok = parseWebviewMessage(dashboardWebviewMessage, { type: 'group', action: 'timeline', groupId: 'tree:abc', folder: '/w' }, 'dashboard');
  assert.ok(ok.ok);
  for (const bad of [
    { type: 'group', action: 'run', groupId: 'tree:abc', folder: '/w' },
    { type: 'group', action: 'discuss', groupId: '', folder: '/w' },
    { type: 'group', action: 'discuss', groupId: 'tree:abc' },
    { type: 'group', action: 'discuss', groupId: 'tree:abc', folder: '/w', command: 'rm -rf /' },
  ]) assert.equal(parseWebviewMessage(dashboardWebviewMessage, bad, 'dashboard').ok, false, JSON.stringify(bad));
  const g = group('/w\u0000tree:abc', [['/w\u0000abc', 'lead']]);
  assert.ok(dashboardHostMessage.safeParse({ type: 'state', state: { key: 'all', workspaces: ['w'], rows: [], at: 1, timings: false, complete: true, total: 0, groups: [g] } }).success);
  assert.ok(dashboardHostMessage.safeParse({ type: 'delta', delta: { upsert: [], remove: [], at: 1, groups: [g] } }).success);
});

// ---- the rows' words ----

function member(sessionId: string, role: GroupMember['role'], fields: Partial<GroupMember> = {}): GroupMember {
  return {
    sessionId, title: null, role, parentSessionId: null, worktree: null, branch: null, firstEventAt: null, lastEventAt: null,
    activeMs: 0, ended: true, lifecycleState: 'ended', toolCalls: 0, toolFailures: 0, costUsd: 0, tokens: 0, ...fields,
  };
}

test('a group\'s and a member\'s figures read as the sidebar shows them', () => {
  const summary: GroupSummary = {
    id: 'run:nightly', kind: 'run', label: 'nightly', members: [member('a', 'lead'), member('b', 'worker')], firstEventAt: 0, lastEventAt: 125_000,
    spanMs: 125_000, activeMs: 42_000, costUsd: 1.5, tokens: 12_345, failures: 1, links: [],
  };
  assert.equal(groupName(summary), 'run nightly');
  assert.equal(groupFigures(summary), '2 sessions · span 2 min 5 s · active 42 s · $1.50 · 12,345 tokens · 1 failure');
  const worker = member('b1c2d3e4f5', 'worker', { title: 'write part B', lifecycleState: 'tool_running', activeMs: 3200, costUsd: 0.0042, toolFailures: 2 });
  assert.equal(memberName(worker), 'worker: write part B');
  assert.equal(memberName(member('b1c2d3e4f5', 'member')), 'member: b1c2d3e4');
  assert.equal(memberFigures(worker), 'tool running · active 3.2 s · $0.004 · 2 failures');
});
