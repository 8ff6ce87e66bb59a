// `logbook import` reads the sessions that ran before the hooks were installed out of Claude
// Code's transcripts (test/fixtures/ccusage-home: the real transcripts of the captured session
// whose hook payloads are test/fixtures/full-session.hooks.jsonl). What it records must fold like
// what the hooks record: the same prompts, tool calls, subagents and usage.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { logbookPaths } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { main } from '../../src/cli/main';
import { foldLifecycle } from '../../src/domain/lifecycle';
import { encodeProjectDir } from '../../src/ingest/import/claude-projects';
import { LogbookWriter } from '../../src/ingest/writer';
import type { RecordedEvent } from '../../src/store/event-store';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { IMPORTED_LACKS } from '../../src/domain/imported';
import { FIXTURE_SESSION, fixturePayloads, putInInbox, tempDir } from './helpers';

const FIXTURE_HOME = join(__dirname, '..', 'fixtures', 'ccusage-home');
const FIXTURE_PROJECT = '-home-dev-full-session';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
  return { code, out, err };
}

/** A copy of the fixture's Claude Code home under `dir`; returns the session's transcripts folder. */
function copyTranscripts(dir: string): string {
  cpSync(FIXTURE_HOME, join(dir, 'claude'), { recursive: true });
  return join(dir, 'claude', 'projects', FIXTURE_PROJECT);
}

async function readStream(paths: LogbookPaths, sessionId = FIXTURE_SESSION): Promise<RecordedEvent[]> {
  const opened = await LogbookDatabase.open(paths.store);
  assert.ok(opened.ok, 'the store opens');
  try {
    return opened.database.store.readStream(sessionId);
  } finally {
    opened.database.close();
  }
}

async function ingest(paths: LogbookPaths): Promise<void> {
  const started = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536 });
  assert.ok(started.ok);
  try {
    started.writer.ingest();
    while (started.writer.usageBehind) started.writer.ingest();
    started.writer.flush();
    await started.writer.removeCommittedEntries();
  } finally {
    started.writer.close();
  }
}

const field = (e: RecordedEvent, key: string): string => {
  const value = (e.data as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : '-';
};
const hookEvents = (events: readonly RecordedEvent[]): RecordedEvent[] => events.filter((e) => e.type !== 'UsageRecorded');
const signature = (e: RecordedEvent): string => [e.type, field(e, 'tool_name'), field(e, 'tool_use_id'), field(e, 'agent_id')].join(' ');

test('import of the fixture transcripts records the hook events they stand for, in the order Claude Code wrote them, marked imported', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const from = copyTranscripts(dir);
    const result = await run(['import', '--workspace', dir, '--from', from]);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, new RegExp(`imported ${FIXTURE_SESSION}: 2 prompt\\(s\\), 15 tool call\\(s\\), 1 subagent\\(s\\), 1 compaction\\(s\\); 40 event\\(s\\)`));
    assert.match(result.out, /imported 1 session\(s\) \(40 event\(s\)\); 0 unreadable line\(s\)/);
    const events = await readStream(logbookPaths(dir));
    const hooks = hookEvents(events);
    const tool = (n: number): string => `toolu_mock${String(n).padStart(6, '0')}`;
    const call = (n: number, name: string, post = 'PostToolUse', agent = '-'): string[] => [`PreToolUse ${name} ${tool(n)} ${agent}`, `${post} ${name} ${tool(n)} ${agent}`];
    const sub = 'a3c0aee9e956543e9';
    assert.deepEqual(hooks.map(signature), [
      'SessionStart - - -', 'UserPromptSubmit - - -',
      ...call(1, 'Write'), ...call(2, 'Read'), ...call(3, 'Bash'), ...call(4, 'Edit'),
      ...call(5, 'Read', 'PostToolUseFailure'), ...call(6, 'Bash', 'PostToolUseFailure'),
      // Denied by a hook: the transcript shows an error result, as a failed call's.
      ...call(7, 'Bash', 'PostToolUseFailure'), ...call(8, 'Bash', 'PostToolUseFailure'), ...call(9, 'Bash'),
      `PreToolUse Read ${tool(10)} -`, `PreToolUse Bash ${tool(11)} -`, `PostToolUse Read ${tool(10)} -`, `PostToolUse Bash ${tool(11)} -`,
      `PreToolUse Agent ${tool(12)} -`, `SubagentStart - - ${sub}`, ...call(13, 'Bash', 'PostToolUse', sub), `SubagentStop - - ${sub}`, `PostToolUse Agent ${tool(12)} -`,
      ...call(14, 'TaskCreate'), ...call(15, 'TaskUpdate'),
      'Stop - - -', 'UserPromptSubmit - - -', 'Stop - - -', 'PreCompact - - -', 'PostCompact - - -', 'SessionEnd - - -',
    ]);
    for (const e of hooks) {
      assert.equal(e.metadata['source'], 'import', `${e.type} has source import`);
      assert.equal(e.metadata['imported'], true);
    }
    assert.equal(field(hooks[1] as RecordedEvent, 'prompt'), 'HARNESS-MAIN: run the scripted demo session');
    assert.equal(hooks[1]?.metadata['receivedAt'], '2026-11-22T18:16:42.083Z', 'the time of the transcript line');
    assert.equal(field(hooks.find((e) => e.type === 'SubagentStart') as RecordedEvent, 'agent_type'), 'general-purpose');
    assert.match(field(hooks.find((e) => e.type === 'PostCompact') as RecordedEvent, 'compact_summary'), /Mock summary/);
    assert.deepEqual(JSON.parse(JSON.stringify((hooks[3] as RecordedEvent).data))['tool_response']['type'], 'create', 'the tool result as the transcript keeps it');
    assert.ok(events.some((e) => e.type === 'UsageRecorded'), 'the writer read the usage from the transcript_path the events carry');
    const lifecycle = foldLifecycle(events);
    assert.equal(lifecycle.state, 'ended');
    assert.deepEqual([lifecycle.counts.prompts, lifecycle.counts.toolCalls, lifecycle.counts.subagents, lifecycle.counts.compactions, lifecycle.counts.stops], [2, 15, 1, 1, 2], 'the lifecycle folds imported events');
    // The report says what an imported session cannot tell (the CLI's JSON, as the views get it).
    const report = await run(['report', FIXTURE_SESSION, '--json', '--workspace', dir]);
    assert.equal(report.code, 0, report.err);
    const imported = (JSON.parse(report.out) as { imported: { events: number; lacks: string[] } | null }).imported;
    assert.equal(imported?.events, 40);
    assert.deepEqual(imported?.lacks, [...IMPORTED_LACKS]);
  } finally {
    cleanup();
  }
});

test('importing twice adds nothing: the second import writes no entry and the store keeps the same events', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const from = copyTranscripts(dir);
    assert.equal((await run(['import', '--workspace', dir, '--from', from])).code, 0);
    const before = (await readStream(logbookPaths(dir))).map((e) => e.eventId);
    const again = await run(['import', '--workspace', dir, '--from', from, '--json']);
    assert.equal(again.code, 0, again.err);
    const report = JSON.parse(again.out) as { sessions: { status: string; written: number }[]; totals: { events: number } };
    assert.deepEqual(report.sessions.map((s) => [s.status, s.written]), [['already-imported', 0]]);
    assert.equal(report.totals.events, 0);
    assert.deepEqual((await readStream(logbookPaths(dir))).map((e) => e.eventId), before);
  } finally {
    cleanup();
  }
});

test('an unreadable line is counted and named <file>:<line>: why, and the rest of the session is imported', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const from = copyTranscripts(dir);
    const file = join(from, `${FIXTURE_SESSION}.jsonl`);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(4, 0, '{"type":"user", torn', '[1,2]');
    writeFileSync(file, lines.join('\n'));
    const result = await run(['import', '--workspace', dir, '--from', from]);
    assert.equal(result.code, 0, 'bad lines never stop the import');
    assert.match(result.err, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: not JSON`));
    assert.match(result.err, /:6: not a JSON object/);
    assert.match(result.out, /15 tool call\(s\)/);
    assert.match(result.out, /2 unreadable line\(s\)/);
  } finally {
    cleanup();
  }
});

test('a session the hooks already recorded is skipped with a line saying so, and nothing is added to it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const from = copyTranscripts(dir);
    const paths = logbookPaths(dir);
    for (const payload of fixturePayloads().slice(0, 3)) putInInbox(paths.inbox, payload, String(payload['hook_event_name']));
    await ingest(paths);
    const before = (await readStream(paths)).length;
    const result = await run(['import', '--workspace', dir, '--from', from]);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, new RegExp(`skipped ${FIXTURE_SESSION}: recorded by hooks`));
    assert.match(result.out, /imported 0 session\(s\) \(0 event\(s\)\); 1 recorded by hooks, skipped/);
    assert.equal((await readStream(paths)).length, before);
  } finally {
    cleanup();
  }
});

test('without --from, the transcripts are found where Claude Code keeps them: $CLAUDE_CONFIG_DIR/projects/<workspace, non-alphanumerics as "-">', async () => {
  const { dir, cleanup } = tempDir();
  const saved = process.env['CLAUDE_CONFIG_DIR'];
  try {
    const workspace = join(dir, 'my_work.space');
    cpSync(join(FIXTURE_HOME, 'projects', FIXTURE_PROJECT), join(dir, 'config', 'projects', workspace.replace(/[^a-zA-Z0-9]/g, '-')), { recursive: true });
    mkdirSync(workspace);
    process.env['CLAUDE_CONFIG_DIR'] = join(dir, 'config');
    const result = await run(['import', '--workspace', workspace]);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /imported 1 session\(s\)/);
  } finally {
    if (saved === undefined) delete process.env['CLAUDE_CONFIG_DIR'];
    else process.env['CLAUDE_CONFIG_DIR'] = saved;
    cleanup();
  }
});

test('the folder name is Claude Code\'s: every non-alphanumeric character is "-", and past 200 characters a hash of the path follows', () => {
  assert.equal(encodeProjectDir('/home/dev/full-session'), FIXTURE_PROJECT);
  assert.equal(encodeProjectDir('/tmp/a_b.c d'), '-tmp-a-b-c-d');
  const long = `/${'x'.repeat(250)}`;
  const encoded = encodeProjectDir(long);
  assert.equal(encoded.slice(0, 201), `-${'x'.repeat(199)}-`);
  assert.match(encoded.slice(201), /^[0-9a-z]+$/);
  assert.notEqual(encodeProjectDir(`${long}y`), encoded);
});

test('--from must be an existing directory: refused before anything runs', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const result = await run(['import', '--workspace', dir, '--from', join(dir, 'nope')]);
    assert.equal(result.code, 2);
    assert.match(result.err, /--from must be an existing directory/);
  } finally {
    cleanup();
  }
});

test('import of a session\'s transcripts records the same prompts, tool calls, subagents and usage as its hooks did', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const from = copyTranscripts(dir);
    const transcript = join(from, `${FIXTURE_SESSION}.jsonl`);
    // Workspace A: the captured hook payloads, pointing at the transcripts copied here (for usage).
    const hooked = logbookPaths(join(dir, 'hooked'));
    mkdirSync(hooked.workspace);
    for (const payload of fixturePayloads()) putInInbox(hooked.inbox, { ...payload, transcript_path: transcript }, String(payload['hook_event_name']));
    await ingest(hooked);
    // Workspace B: the same session imported from its transcripts.
    const imported = logbookPaths(join(dir, 'imported'));
    mkdirSync(imported.workspace);
    const result = await run(['import', '--workspace', imported.workspace, '--from', from]);
    assert.equal(result.code, 0, result.err);
    await compareStores(hooked, imported);
  } finally {
    cleanup();
  }
});

async function compareStores(hooked: LogbookPaths, imported: LogbookPaths): Promise<void> {
  const a = await readStream(hooked);
  const b = await readStream(imported);
  const prompts = (events: readonly RecordedEvent[]): string[] => events.filter((e) => e.type === 'UserPromptSubmit').map((e) => field(e, 'prompt'));
  assert.deepEqual(prompts(b), prompts(a), 'the same prompts');
  const calls = (events: readonly RecordedEvent[]): string[] => events.filter((e) => e.type === 'PreToolUse').map((e) => `${field(e, 'tool_use_id')} ${field(e, 'tool_name')} ${field(e, 'agent_id')}`);
  // Two parallel calls (toolu_mock000010 and 11) fired their hooks in either order; the transcript
  // keeps the order the model issued them: everything else is in the same order.
  const issued = [...calls(a)].sort();
  assert.deepEqual(calls(b), issued, 'the imported calls are in the order the model issued them');
  assert.deepEqual([...calls(b)].sort(), issued, 'the same tool calls: names, ids, agents');
  const withoutParallel = (list: string[]): string[] => list.filter((c) => !/toolu_mock00001[01]/.test(c));
  assert.deepEqual(withoutParallel(calls(b)), withoutParallel(calls(a)), 'in the same order');
  const outcomes = (events: readonly RecordedEvent[]): string[] => events.filter((e) => e.type === 'PostToolUse' || e.type === 'PostToolUseFailure').map((e) => `${field(e, 'tool_use_id')} ${e.type}`).sort();
  // The two calls a hook denied end with a failed result in the transcript; the hooks fired no Post* event for them.
  assert.deepEqual(outcomes(b).filter((o) => !/toolu_mock00000[78]/.test(o)), outcomes(a));
  const subagents = (events: readonly RecordedEvent[]): string[] => events.filter((e) => e.type === 'SubagentStart').map((e) => `${field(e, 'agent_id')} ${field(e, 'agent_type')}`);
  assert.deepEqual(subagents(b), subagents(a), 'the same subagents');
  const usage = (events: readonly RecordedEvent[]): string[] => events.filter((e) => e.type === 'UsageRecorded').map((e) => JSON.stringify(e.data)).sort();
  assert.ok(usage(a).length > 0, 'the hooked workspace read usage from the transcript');
  assert.deepEqual(usage(b), usage(a), 'the same usage');
  const counts = (events: readonly RecordedEvent[]): number[] => {
    const c = foldLifecycle(events).counts;
    return [c.prompts, c.toolCalls, c.subagents, c.compactions, c.stops];
  };
  assert.deepEqual(counts(b), counts(a), 'the lifecycle counts the same prompts, calls, subagents, compactions and turns');
}
