import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { logbookPaths } from '../../src/capture/paths';
import { entryFileName, entryText, EVENTS_ENTRY_SUFFIX, eventsEntryText, uuidV7, writeInboxEntry } from '../../src/capture/inbox-writer';
import { parseWorkflowDefinition, workflowDefinitionHash } from '../../src/domain/workflow/definition';
import type { WorkflowDefinition } from '../../src/domain/workflow/types';
import type { Trends } from '../../src/protocol/trends';
import { fixturePayloads, tempDir } from './helpers';

// `logbook trends` on a workspace whose sessions were recorded through the project's writers on
// chosen days: the JSON's buckets hold the sessions `logbook sessions` lists, with their ids; the
// table prints one aligned line per day or week with the workflow change marked; a bad --by is refused.

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
  return { code, out, err };
}

let tick = 0;
function stampAt(ms: number): { id: string; receivedAt: string; receivedUs: number } {
  tick += 1;
  return { id: uuidV7(ms), receivedAt: new Date(ms).toISOString(), receivedUs: ms * 1000 + tick };
}

/** The fixture session as `sessionId` at noon (local) of 2026-11-01 plus `days`, with extra tool failures, and its workflow started with `definition`. */
function record(inbox: string, sessionId: string, days: number, extraFailures: number, definition?: WorkflowDefinition): void {
  const start = new Date(2026, 10, 1 + days, 12).getTime();
  fixturePayloads().forEach((payload, i) => {
    const stamp = stampAt(start + i * 100);
    writeInboxEntry(inbox, entryFileName(stamp), entryText(stamp, 'hook', String(payload['hook_event_name']), JSON.stringify({ ...payload, session_id: sessionId })));
  });
  for (let i = 0; i < extraFailures; i += 1) {
    const stamp = stampAt(start + 50 + i);
    const payload = { session_id: sessionId, hook_event_name: 'PostToolUseFailure', tool_name: 'Bash', tool_use_id: `fail-${i}`, error: 'exit 1' };
    writeInboxEntry(inbox, entryFileName(stamp), entryText(stamp, 'hook', 'PostToolUseFailure', JSON.stringify(payload)));
  }
  if (definition === undefined) return;
  const stamp = stampAt(start + 10);
  const data = { definitionHash: workflowDefinitionHash(definition), name: definition.name, definition, state: definition.initial, iteration: 0, at: stamp.receivedAt };
  writeInboxEntry(inbox, entryFileName(stamp, EVENTS_ENTRY_SUFFIX), eventsEntryText(stamp, 'cli', sessionId, [{ type: 'WorkflowStarted', data }]));
}

function teamLoop(): WorkflowDefinition {
  const parsed = parseWorkflowDefinition(readFileSync(join(__dirname, '..', '..', 'templates', 'workflow.team-loop.json'), 'utf8'), 'team-loop');
  assert.ok(parsed.ok);
  return parsed.definition;
}

interface Listed { sessionId: string; toolFailures: number }

test('logbook trends --json: every bucket from the first day to the last, the ids behind it, totals that add up, the workflow change where it happened', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    const v1 = teamLoop();
    const v2: WorkflowDefinition = { ...v1, description: 'the second version' };
    record(inbox, 'sess-one', 0, 0, v1);
    record(inbox, 'sess-two', 1, 2, v1);
    record(inbox, 'sess-three', 3, 1, v2);
    record(inbox, 'sess-four', 5, 4);
    assert.equal((await run(['ingest', '--workspace', dir])).code, 0);

    const days = await run(['trends', '--json', '--workspace', dir]);
    assert.equal(days.code, 0, days.err);
    const trends = JSON.parse(days.out) as Trends;
    assert.equal(days.out.split('\n').filter((line) => line.startsWith('  {"key":')).length, trends.buckets.length, 'one bucket per line');
    assert.equal(trends.by, 'day');
    assert.deepEqual(trends.buckets.map((b) => [b.key, b.sessionIds]), [
      ['2026-11-01', ['sess-one']], ['2026-11-02', ['sess-two']], ['2026-11-03', []], ['2026-11-04', ['sess-three']], ['2026-11-05', []], ['2026-11-06', ['sess-four']],
    ]);
    const listed = JSON.parse((await run(['sessions', '--json', '--workspace', dir])).out) as Listed[];
    const failures = listed.reduce((sum, s) => sum + s.toolFailures, 0);
    assert.equal(trends.totals.sessions, 4);
    assert.equal(trends.totals.toolFailures, failures, 'the failures `logbook sessions` lists');
    assert.equal(trends.buckets[1]?.toolFailures, (listed.find((s) => s.sessionId === 'sess-two')?.toolFailures ?? -1), 'a bucket\'s figure is its sessions\'');
    assert.deepEqual(trends.workflowChanges, [{
      workflow: v1.name, fromHash: workflowDefinitionHash(v1), toHash: workflowDefinitionHash(v2), sessionId: 'sess-three', atMs: new Date(2026, 10, 4, 12).getTime(),
    }]);
    assert.equal(trends.buckets[3]?.workflowChanges.length, 1, 'marked on 2026-11-04');
    assert.deepEqual(trends.versions.map((v) => [v.hash, v.sessionIds]), [[workflowDefinitionHash(v1), ['sess-one', 'sess-two']], [workflowDefinitionHash(v2), ['sess-three']], [null, ['sess-four']]]);

    const weeks = JSON.parse((await run(['trends', '--json', '--by', 'week', '--workspace', dir])).out) as Trends;
    assert.deepEqual(weeks.buckets.map((b) => [b.key, b.sessions]), [['2026-10-26', 1], ['2026-11-02', 3]], '2026-11-01 is a Sunday: the week of Monday 2026-10-26');

    const filtered = JSON.parse((await run(['trends', '--json', '--workspace', dir, '--since', '2026-11-02', '--until', '2026-11-05', '--where', 'failures>0'])).out) as Trends;
    assert.deepEqual(filtered.buckets.map((b) => [b.key, b.sessionIds]), [['2026-11-02', ['sess-two']], ['2026-11-03', []], ['2026-11-04', ['sess-three']], ['2026-11-05', []]], 'the axis spans --since to --until');
  } finally {
    cleanup();
  }
});

test('logbook trends prints one line per bucket with the numbers right-aligned and the workflow change marked', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = logbookPaths(dir).inbox;
    const v1 = teamLoop();
    const v2: WorkflowDefinition = { ...v1, description: 'the second version' };
    record(inbox, 'sess-one', 0, 0, v1);
    record(inbox, 'sess-two', 2, 12, v1);
    record(inbox, 'sess-three', 3, 1, v2);
    assert.equal((await run(['ingest', '--workspace', dir])).code, 0);

    const table = await run(['trends', '--workspace', dir]);
    assert.equal(table.code, 0, table.err);
    const lines = table.out.trimEnd().split('\n');
    const header = lines[0] ?? '';
    assert.match(header, /^day\s+sessions\s+median\s+p90\s+cost\s+tokens\s+denials\s+rejections\s+failures\s+iterations\s+workflow changes$/);
    assert.deepEqual(lines.slice(1, 6).map((l) => l.split(/\s+/)[0]), ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', 'total']);
    const rightEdge = (column: string): number => header.indexOf(column) + column.length;
    for (const line of lines.slice(1, 6)) {
      for (const column of ['sessions', 'failures', 'iterations']) {
        const edge = rightEdge(column);
        assert.match(line.slice(edge - 1, edge), /\d/, `"${column}" ends at the header's right edge in: ${line}`);
        assert.equal(line[edge] ?? ' ', ' ', `nothing runs past "${column}" in: ${line}`);
      }
    }
    assert.match(lines[2] ?? '', /^2026-11-02\s+0\s+-\s+-\s+\$0\.00/, 'an empty day: zeros, no median');
    const hashes = `${workflowDefinitionHash(v1).slice(0, 8)}→${workflowDefinitionHash(v2).slice(0, 8)}`;
    assert.ok(lines[4]?.startsWith('2026-11-04') && lines[4].includes(`* ${v1.name} ${hashes} (sess-thr)`), `the change marked on its day: ${lines[4]}`);
    assert.match(lines[5] ?? '', /^total\s+3\s.*1 workflow change$/);
    assert.match(table.out, /\nworkflow version\s+first\s+sessions/, 'the versions follow');
    assert.match(table.out, new RegExp(`\\n${v1.name}@${workflowDefinitionHash(v1).slice(0, 8)}\\s+2026-11-01\\s+2\\s`));
  } finally {
    cleanup();
  }
});

test('logbook trends refuses a bad --by or filter by name (exit 2) and says when nothing is recorded', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cases: [string[], RegExp][] = [
      [['--by', 'month'], /^logbook trends: --by must be day or week, got "month"\nusage: logbook trends \[--by day\|week\]/],
      [['--by'], /--by/],
      [['--since', 'last tuesday'], /--since must be a day \(2026-12-01\), an ISO time or a span/],
      [['--where', 'colour=red'], /--where: unknown field "colour"/],
    ];
    for (const [args, message] of cases) {
      const result = await run(['trends', '--workspace', dir, ...args]);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.err, message);
    }
    const none = await run(['trends', '--workspace', dir]);
    assert.equal(none.code, 0);
    assert.match(none.out, /no sessions recorded yet/);
    const empty = JSON.parse((await run(['trends', '--json', '--workspace', dir])).out) as Trends;
    assert.deepEqual([empty.buckets, empty.totals.sessions], [[], 0]);
  } finally {
    cleanup();
  }
});
