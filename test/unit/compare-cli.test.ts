import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main';
import { logbookPaths } from '../../src/capture/paths';
import { entryFileName, entryText, uuidV7, writeInboxEntry } from '../../src/capture/inbox-writer';
import type { CohortComparison, FigureDelta, SessionsComparison } from '../../src/protocol/compare';
import { fixturePayloads, tempDir } from './helpers';

// `logbook compare` end to end on a workspace: three sessions made of the real fixture's payloads
// written as the hook writes them, one with a failing tool call and one more file edited; named by
// prefixes of their ids, compared as a table and as JSON, against a cohort, and refused when a
// name or a combination does not hold.

const ALPHA = 'aaaa1111-0000-4000-8000-000000000001';
const ALPHA_TWIN = 'aaaa2222-0000-4000-8000-000000000002';
const BETA = 'bbbb3333-0000-4000-8000-000000000003';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
  return { code, out, err };
}

let tick = 0;
function putAt(inbox: string, payload: Record<string, unknown>, ms: number): void {
  tick += 1;
  const stamp = { id: uuidV7(ms), receivedAt: new Date(ms).toISOString(), receivedUs: ms * 1000 + tick };
  writeInboxEntry(inbox, entryFileName(stamp), entryText(stamp, 'hook', String(payload['hook_event_name']), JSON.stringify(payload)));
}

/** The fixture session as `sessionId` on 2026-11-01 + `days` (local noon); `extra`: a failing Bash call and an edit of that file, before its end. */
function record(inbox: string, sessionId: string, prompt: string, days: number, extra?: string): void {
  const start = new Date(2026, 10, 1 + days, 12).getTime();
  let prompted = false;
  let at = start;
  for (const payload of fixturePayloads()) {
    if (extra !== undefined && payload['hook_event_name'] === 'SessionEnd') {
      for (const added of extraCalls(sessionId, extra)) putAt(inbox, added, (at += 100));
    }
    const first = payload['hook_event_name'] === 'UserPromptSubmit' && !prompted;
    if (first) prompted = true;
    putAt(inbox, { ...payload, session_id: sessionId, ...(first ? { prompt } : {}) }, (at += 100));
  }
}

function extraCalls(sessionId: string, file: string): Record<string, unknown>[] {
  const edit = { file_path: file, old_string: 'a', new_string: 'b' };
  return [
    { session_id: sessionId, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'false' }, tool_use_id: 'extra-fail' },
    { session_id: sessionId, hook_event_name: 'PostToolUseFailure', tool_name: 'Bash', tool_input: { command: 'false' }, tool_use_id: 'extra-fail', error: 'exit 1' },
    { session_id: sessionId, hook_event_name: 'PreToolUse', tool_name: 'Edit', tool_input: edit, tool_use_id: 'extra-edit' },
    { session_id: sessionId, hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_input: edit, tool_use_id: 'extra-edit', tool_response: {} },
  ];
}

function figure(figures: readonly FigureDelta[], key: string): FigureDelta {
  const found = figures.find((f) => f.key === key);
  assert.ok(found !== undefined, key);
  return found;
}

async function workspace(): Promise<{ dir: string; cleanup: () => void }> {
  const made = tempDir();
  const inbox = logbookPaths(made.dir).inbox;
  record(inbox, ALPHA, 'Add the export button', 0);
  record(inbox, ALPHA_TWIN, 'Add the import button', 1);
  record(inbox, BETA, 'Fix the \u001b[31mflaky\u001b[0m login test', 2, join(made.dir, 'src', 'extra.ts'));
  const ingest = await run(['ingest', '--workspace', made.dir]);
  assert.equal(ingest.code, 0, ingest.err);
  return made;
}

test('logbook compare A B: prefixes name the sessions; --json has every figure\'s delta, the files and the tool-call diff; the table lines them up', async () => {
  const { dir, cleanup } = await workspace();
  try {
    const json = await run(['compare', 'aaaa1', 'bbbb', '--json', '--workspace', dir]);
    assert.equal(json.code, 0, json.err);
    const c = JSON.parse(json.out) as SessionsComparison;
    assert.equal(c.kind, 'sessions');
    assert.deepEqual([c.a.sessionId, c.b.sessionId], [ALPHA, BETA]);
    assert.equal(c.b.title, 'Fix the [31mflaky[0m login test');
    assert.deepEqual([figure(c.figures, 'toolCalls').delta, figure(c.figures, 'toolFailures').delta, figure(c.figures, 'filesTouched').delta, figure(c.figures, 'events').delta], [2, 1, 1, 4]);
    const failures = figure(c.figures, 'toolFailures');
    assert.equal(failures.percent, Math.round((1 / failures.a) * 1000) / 10);
    assert.equal(figure(c.figures, 'denials').percent === null, figure(c.figures, 'denials').a === 0);
    assert.equal(figure(c.figures, 'durationMs').delta, 400, 'four more events, 100 ms apart');
    assert.deepEqual(c.files.onlyB, [join(dir, 'src', 'extra.ts')], 'whole paths in JSON');
    assert.deepEqual([c.tools.onlyA, c.tools.onlyB, c.tools.truncated], [0, 2, false]);
    assert.deepEqual(c.tools.runs.filter((r) => r.kind !== 'same').map((r) => r.tools), [['Bash', 'Edit']]);
    assert.equal(c.timelines.scaleMs, c.timelines.b.durationMs);

    const table = await run(['compare', 'aaaa1111', BETA, '--workspace', dir]);
    assert.equal(table.code, 0, table.err);
    const lines = table.out.split('\n');
    assert.match(lines[0] ?? '', new RegExp(`^A  ${ALPHA}  Add the export button`));
    assert.match(lines[1] ?? '', /^B  bbbb3333\S*  Fix the \[31mflaky\[0m login test/, 'recorded text on one line, its controls taken out');
    assert.doesNotMatch(table.out, /\u001b/);
    assert.match(table.out, /^figure\s+A\s+B\s+Δ\s+Δ%$/m);
    assert.match(table.out, new RegExp(`^tool failures\\s+${failures.a}\\s+${failures.b}\\s+\\+1\\s+\\+${failures.percent?.toFixed(1)}%$`, 'm'));
    assert.match(table.out, /^transitions\s+0\s+0\s+0\s+—$/m, 'no percent of nothing');
    assert.match(table.out, /^files changed: \d+ in both, 0 only in A, 1 only in B$/m);
    assert.match(table.out, /^ {2}only B: src\/extra\.ts$/m, 'a path in the workspace, relative to it');
    assert.match(table.out, /^ {2}both: {3}\/home\/dev\/full-session\/notes\.txt$/m, 'a path outside it, whole');
    assert.match(table.out, /^main agent's tool calls: (\d+) in A, \d+ in B; \1 in common, 0 only in A, 2 only in B \(1 run differs\)$/m);
    assert.match(table.out, /^ {2}only B at call \d+: Bash Edit$/m);
  } finally {
    cleanup();
  }
});

test('logbook compare A --cohort COND: the session against the median of the others that meet it, with their ids', async () => {
  const { dir, cleanup } = await workspace();
  try {
    const cohort = await run(['compare', 'bbbb', '--cohort', 'title~button', '--json', '--workspace', dir]);
    assert.equal(cohort.code, 0, cohort.err);
    const c = JSON.parse(cohort.out) as CohortComparison;
    assert.equal(c.kind, 'cohort');
    assert.deepEqual({ ...c.a, sessionIds: [...c.a.sessionIds].sort() }, { condition: 'title~button', since: null, until: null, sessions: 2, sessionIds: [ALPHA, ALPHA_TWIN] });
    assert.equal(c.b.sessionId, BETA);
    assert.deepEqual([figure(c.figures, 'toolFailures').delta, figure(c.figures, 'filesTouched').delta], [1, 1]);

    const all = JSON.parse((await run(['compare', 'aaaa1', '--cohort', 'all', '--json', '--workspace', dir])).out) as CohortComparison;
    assert.deepEqual([...all.a.sessionIds], [ALPHA_TWIN, BETA], 'every other session, by start; never the session itself');
    assert.equal(figure(all.figures, 'toolFailures').a, figure(all.figures, 'toolFailures').b + 0.5, 'the median of two: their mean');
    assert.match((await run(['compare', 'aaaa1', '--cohort', 'all', '--since', '2026-11-02', '--workspace', dir])).out, /^A {2}the median of the 2 other sessions since 2026-11-02$/m);
    const bounded = JSON.parse((await run(['compare', 'aaaa1', '--cohort', 'all', '--since', '2026-11-03', '--json', '--workspace', dir])).out) as CohortComparison;
    assert.deepEqual([...bounded.a.sessionIds], [BETA]);

    const table = await run(['compare', 'bbbb', '--cohort', 'title~button', '--workspace', dir]);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /^A {2}the median of 2 sessions where title~button \(the session itself left out\)$/m);
    assert.match(table.out, /^figure\s+A median\s+B\s+Δ\s+Δ%$/m);

    const empty = await run(['compare', 'bbbb', '--cohort', 'title~nothing like this', '--workspace', dir]);
    assert.equal(empty.code, 1);
    assert.match(empty.err, /no session other than bbbb3333\S* meets the cohort "title~nothing like this"/);
  } finally {
    cleanup();
  }
});

test('logbook compare refuses names that are too short, ambiguous or unknown, and combinations that do not hold', async () => {
  const { dir, cleanup } = await workspace();
  try {
    const cases: [string[], number, RegExp][] = [
      [['aaaa', 'bbbb'], 2, new RegExp(`<A> "aaaa" is the start of 2 sessions: ${ALPHA} \\(Add the export button\\), ${ALPHA_TWIN} \\(Add the import button\\); give more of the id`)],
      [['aaa', 'bbbb'], 2, /<A> "aaa" is not a whole session id, and a start of one needs at least 4 characters/],
      [['aaaa1', 'cccc'], 1, /no session in the store is or starts with "cccc" \(see "logbook sessions"\)/],
      [['aaaa1', 'aaaa1111'], 2, /<A> and <B> name the same session/],
      [['aaaa1'], 2, /name a second session <B>, or --cohort COND/],
      [['aaaa1', 'bbbb', '--cohort', 'all'], 2, /choose one of <B> \(a second session\) and --cohort COND/],
      [['aaaa1', 'bbbb', '--since', '7d'], 2, /--since and --until choose the cohort: give --cohort COND too/],
      [['aaaa1', '--cohort', 'colour=red'], 2, /--cohort: unknown field "colour"/],
      [['aaaa1', '--cohort', 'all', '--until', 'someday'], 2, /--until must be a day/],
      [['aaaa1', 'bbbb', 'cccc'], 2, /unexpected argument "cccc"/],
      [[], 2, /logbook compare: name the session to compare: its id or the start of it/],
    ];
    for (const [args, code, message] of cases) {
      const result = await run(['compare', ...args, '--workspace', dir]);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.err}`);
      assert.match(result.err, message, args.join(' '));
      assert.equal(result.out, '', `${args.join(' ')}: nothing on stdout`);
      if (code === 2) assert.match(result.err, /usage: logbook compare <A> <B> \| <A> --cohort COND/, 'a refusal ends with the usage');
    }
  } finally {
    cleanup();
  }
  const { dir: empty, cleanup: clean } = tempDir();
  try {
    const none = await run(['compare', 'aaaa1', 'bbbb', '--workspace', empty]);
    assert.equal(none.code, 1);
    assert.match(none.err, /no store yet at .logbook\/logbook\.sqlite: run "logbook ingest"/);
  } finally {
    clean();
  }
});
