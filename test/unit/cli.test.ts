import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { logbookPaths } from '../../src/capture/paths';
import { putInInbox, tempDir, fixturePayloads, FIXTURE_SESSION } from './helpers';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
  return { code, out, err };
}

test('bad arguments get a message naming what is wrong and the command\'s usage (an unknown command: the list of commands), and exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command "frobnicate"\ncommands: install-hooks, /],
    [['events', '--bogus'], /unknown option --bogus/],
    [['events', '--session'], /option --session needs a value/],
    [['events', '--from', 'ten'], /--from needs a whole number, got "ten"/],
    [['events', '--from', '5', '--to', '2'], /--from 5 is after --to 2/],
    [['events', '--search', ' '], /--search needs a non-empty query/],
    [['sessions', 'extra'], /unexpected argument "extra"/],
    [['install-hooks', '--local', '--shared'], /choose one of --local and --shared/],
    [['ingest', '--max-field-bytes', 'x'], /needs a whole number/],
  ];
  for (const [argv, message] of cases) {
    const result = await run(argv);
    assert.equal(result.code, 2, argv.join(' '));
    assert.match(result.err, message);
    assert.match(result.err, argv[0] === 'frobnicate' ? /logbook --help/ : new RegExp(`\\nusage: logbook ${argv[0] ?? ''} `));
  }
  assert.equal((await run([])).code, 2);
});

test('ingest, sessions and events work end to end on a workspace (json, type, slicing, search)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const p of fixturePayloads()) putInInbox(logbookPaths(dir).inbox, p);
    const before = await run(['sessions', '--workspace', dir]);
    assert.match(before.err, /no store yet at \.logbook\/logbook\.sqlite\. 63 entries wait in the inbox: run "logbook ingest"/);
    const ingest = await run(['ingest', '--workspace', dir]);
    assert.equal(ingest.code, 0, ingest.err);
    assert.match(ingest.out, /ingested 63 event\(s\) from 1 session\(s\)/);
    const sessions = await run(['sessions', '--workspace', dir, '--json']);
    assert.deepEqual((JSON.parse(sessions.out) as { sessionId: string; events: number }[]).map((s) => [s.sessionId, s.events]), [[FIXTURE_SESSION, 63]]);
    const slice = JSON.parse((await run(['events', '--workspace', dir, '--session', FIXTURE_SESSION, '--from', '4', '--to', '6', '--json'])).out) as { streamPosition: number; type: string }[];
    assert.deepEqual(slice.map((e) => [e.streamPosition, e.type]), [[4, 'PreToolUse'], [5, 'PostToolUse'], [6, 'PostToolBatch']]);
    const failures = JSON.parse((await run(['events', '--workspace', dir, '--session', FIXTURE_SESSION, '--type', 'PostToolUseFailure', '--json'])).out) as unknown[];
    assert.equal(failures.length, 2);
    const found = await run(['events', '--workspace', dir, '--session', FIXTURE_SESSION, '--search', 'notes']);
    assert.match(found.out, /PreToolUse\s+Write .*notes\.txt/);
    const missing = await run(['events', '--workspace', dir, '--session', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no session "nope" in the store/);
    const badQuery = await run(['events', '--workspace', dir, '--search', '"open']);
    assert.equal(badQuery.code, 2, 'a malformed query is the user\'s input');
    assert.match(badQuery.err, /is not a valid full-text query/);
  } finally {
    cleanup();
  }
});

test('the CLI honours logbook.capture.maxFieldBytes from .vscode/settings.json and names a malformed file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, '.vscode'));
    writeFileSync(join(dir, '.vscode', 'settings.json'), '{\n  // comments are fine here\n  "logbook.capture.maxFieldBytes": 2048,\n}\n');
    putInInbox(logbookPaths(dir).inbox, { session_id: 's', hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: {}, tool_response: { stdout: 'q'.repeat(5000) } });
    assert.equal((await run(['ingest', '--workspace', dir])).code, 0);
    const [event] = JSON.parse((await run(['events', '--workspace', dir, '--session', 's', '--json'])).out) as { metadata: { cuts: { keptBytes: number }[] } }[];
    assert.equal(event?.metadata.cuts[0]?.keptBytes, 2048);
    writeFileSync(join(dir, '.vscode', 'settings.json'), '{\n  "logbook.capture.maxFieldBytes": 2048\n  "x": 1\n}\n');
    putInInbox(logbookPaths(dir).inbox, { session_id: 's', hook_event_name: 'Stop' });
    const bad = await run(['ingest', '--workspace', dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /\.vscode\/settings\.json:3:3: CommaExpected/);
    assert.equal(readFileSync(join(dir, '.vscode', 'settings.json'), 'utf8').includes('"x": 1'), true, 'file untouched');
    writeFileSync(join(dir, '.vscode', 'settings.json'), '{ "logbook.capture.maxFieldBytes": 10 }');
    assert.match((await run(['ingest', '--workspace', dir])).err, /logbook\.capture\.maxFieldBytes: Too small/);
  } finally {
    cleanup();
  }
});

test('logbook report <session> --json: the summary with tokens and cost from the transcripts; bad use exits 2', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // The fixture's transcripts, where its payloads say they are (paths rewritten into the temp folder).
    const projectDir = join(dir, 'claude-projects');
    cpSync(join(__dirname, '..', 'fixtures', 'ccusage-home', 'projects', '-home-dev-full-session'), projectDir, { recursive: true });
    const transcript = join(projectDir, `${FIXTURE_SESSION}.jsonl`);
    for (const p of fixturePayloads()) putInInbox(logbookPaths(dir).inbox, { ...p, transcript_path: transcript });
    assert.equal((await run(['ingest', '--workspace', dir])).code, 0);
    const result = await run(['report', FIXTURE_SESSION, '--json', '--workspace', dir]);
    assert.equal(result.code, 0, result.err);
    const report = JSON.parse(result.out) as { status: string; counts: Record<string, unknown>; tools: { totals: { calls: number; failures: number } }; usage: { totals: { inputTokens: number; outputTokens: number } } | null };
    assert.equal(report.status, 'ended');
    assert.equal(report.tools.totals.calls, 15);
    assert.equal(report.tools.totals.failures, 2);
    assert.deepEqual([report.usage?.totals.inputTokens, report.usage?.totals.outputTokens], [360_895, 631], 'the ccusage-verified totals');
    // The price table is a setting: overrides from .vscode/settings.json change the cost.
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'logbook.report.prices': { 'claude-opus-4-8': { inputPerMTok: 1, outputPerMTok: 1 } } }));
    const priced = JSON.parse((await run(['report', FIXTURE_SESSION, '--json', '--workspace', dir])).out) as { usage: { costUsd: number } };
    assert.ok(Math.abs(priced.usage.costUsd - (360_895 + 631) / 1e6) < 1e-9, `cost with the override: ${priced.usage.costUsd}`);
    assert.equal((await run(['report', '--json', '--workspace', dir])).code, 2);
    assert.equal((await run(['report', FIXTURE_SESSION, '--workspace', dir])).code, 2);
    assert.equal((await run(['report', 'nope', '--json', '--workspace', dir])).code, 1);
  } finally {
    cleanup();
  }
});
