import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { logbookPaths } from '../../src/capture/paths';
import { main } from '../../src/cli/main';
import { LogbookWriter } from '../../src/ingest/writer';
import { usageBackfilledThrough, usageStateDir } from '../../src/ingest/usage/usage-state';
import { readTail } from '../../src/ingest/usage/transcript-tail';
import { computeSessionUsage, MAIN_AGENT } from '../../src/projections/transcript-usage';
import type { SessionUsage } from '../../src/projections/transcript-usage';
import { sessionUsageFromEvents } from '../../src/projections/usage/session-usage';
import type { RecordedEvent } from '../../src/store/event-store';
import { CCUSAGE_SKIP, runCcusage } from './ccusage';
import { FIXTURE_SESSION, fixturePayloads, putInInbox, tempDir } from './helpers';

const FIXTURES = join(__dirname, '..', 'fixtures');
const PROJECT = join(FIXTURES, 'ccusage-home', 'projects', '-home-dev-full-session');
const SUBAGENT_ID = 'a3c0aee9e956543e9';
const MAIN_TEXT = readFileSync(join(PROJECT, `${FIXTURE_SESSION}.jsonl`), 'utf8');
const SUBAGENT_TEXT = readFileSync(join(PROJECT, FIXTURE_SESSION, 'subagents', `agent-${SUBAGENT_ID}.jsonl`), 'utf8');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
  return { code, out, err };
}

async function startWriter(workspace: string): Promise<LogbookWriter> {
  const started = await LogbookWriter.start(logbookPaths(workspace), 'test', { maxFieldBytes: 65_536 });
  assert.ok(started.ok, 'the writer gets the lock');
  return started.writer;
}

/** One writer pass (ingest, flush), then the session's stream as stored. */
async function ingestOnce(workspace: string, sessionId: string): Promise<{ stream: RecordedEvent[]; appended: number; usageEvents: number; problems: string[] }> {
  const writer = await startWriter(workspace);
  try {
    const report = writer.ingest();
    writer.flush();
    return { stream: writer.database.store.readStream(sessionId), appended: report.appended, usageEvents: report.usageEvents, problems: report.usageProblems };
  } finally {
    writer.close();
  }
}

function usageEvents(stream: readonly RecordedEvent[]): RecordedEvent[] {
  return stream.filter((e) => e.type === 'UsageRecorded');
}

/** A session's hook payloads into the inbox, their transcript_path pointing at `transcript`. */
function hookPayloads(workspace: string, transcript: string, sessionId = FIXTURE_SESSION): void {
  for (const p of fixturePayloads()) putInInbox(logbookPaths(workspace).inbox, { ...p, session_id: sessionId, transcript_path: transcript });
}

function tokensOf(u: SessionUsage | undefined): number[] {
  assert.ok(u !== undefined, 'usage was recorded');
  return [u.totals.inputTokens, u.totals.outputTokens, u.totals.cacheCreationInputTokens, u.totals.cacheReadInputTokens, u.messagesCounted];
}

interface LineSpec { id: string; requestId: string; model: string; input: number; output: number; cacheWrite?: number; cacheRead?: number; agentId?: string; sessionId: string }

function assistantLine(spec: LineSpec): string {
  return JSON.stringify({
    parentUuid: null, isSidechain: spec.agentId !== undefined, ...(spec.agentId === undefined ? {} : { agentId: spec.agentId }),
    message: { id: spec.id, type: 'message', role: 'assistant', model: spec.model, content: [{ type: 'text', text: 'x' }],
      usage: { input_tokens: spec.input, output_tokens: spec.output, cache_creation_input_tokens: spec.cacheWrite ?? 0, cache_read_input_tokens: spec.cacheRead ?? 0 } },
    requestId: spec.requestId, type: 'assistant', uuid: randomUUID(), timestamp: '2026-11-22T18:16:42.156Z', cwd: '/home/dev/priced', sessionId: spec.sessionId, version: '2.1.197',
  });
}

/** A session on models ccusage 18.0.11 prices offline: one message split over two lines, a subagent. */
function pricedSession(sessionId: string): { main: string; subagent: string } {
  const split = { id: 'msg_split', requestId: 'req_split', model: 'claude-sonnet-4-20250514', input: 12_000, output: 900, cacheWrite: 4_000, cacheRead: 30_000, sessionId };
  const main = [
    JSON.stringify({ type: 'user', message: { role: 'user', content: 'hi' }, sessionId }),
    assistantLine(split),
    assistantLine(split),
    assistantLine({ id: 'msg_h', requestId: 'req_h', model: 'claude-3-5-haiku-20241022', input: 2_000, output: 300, cacheRead: 1_000, sessionId }),
  ].join('\n') + '\n';
  const subagent = assistantLine({ id: 'msg_sub', requestId: 'req_sub', model: 'claude-sonnet-4-20250514', input: 5_000, output: 700, agentId: 'sub1', sessionId }) + '\n';
  return { main, subagent };
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

test('usage events ingested by the writer give ccusage\'s totals on the same transcripts, tokens and cost', { skip: CCUSAGE_SKIP }, async () => {
  const { dir, cleanup } = tempDir('logbook-usage-');
  try {
    const config = join(dir, 'claude');
    const fixtureDir = join(config, 'projects', '-home-dev-full-session');
    cpSync(PROJECT, fixtureDir, { recursive: true });
    const priced = randomUUID();
    const pricedDir = join(config, 'projects', '-home-dev-priced');
    mkdirSync(join(pricedDir, priced, 'subagents'), { recursive: true });
    const texts = pricedSession(priced);
    writeFileSync(join(pricedDir, `${priced}.jsonl`), texts.main);
    writeFileSync(join(pricedDir, priced, 'subagents', 'agent-sub1.jsonl'), texts.subagent);

    const workspace = join(dir, 'ws');
    mkdirSync(workspace);
    hookPayloads(workspace, join(fixtureDir, `${FIXTURE_SESSION}.jsonl`));
    hookPayloads(workspace, join(pricedDir, `${priced}.jsonl`), priced);
    const writer = await startWriter(workspace);
    let fixture: SessionUsage | undefined;
    let ours: SessionUsage | undefined;
    try {
      const report = writer.ingest();
      writer.flush();
      assert.deepEqual(report.usageProblems, []);
      fixture = sessionUsageFromEvents(writer.database.store.readStream(FIXTURE_SESSION));
      ours = sessionUsageFromEvents(writer.database.store.readStream(priced));
    } finally {
      writer.close();
    }
    assert.ok(fixture !== undefined && ours !== undefined);
    // The same figures as the transcript parser the report used before (itself held to ccusage).
    assert.deepEqual(tokensOf(fixture), tokensOf(computeSessionUsage([{ text: MAIN_TEXT }, { text: SUBAGENT_TEXT, agentId: SUBAGENT_ID }])));
    assert.deepEqual(Object.keys(fixture.perAgent), [MAIN_AGENT, SUBAGENT_ID]);
    assert.equal(ours.messagesCounted, 3, 'the split message counts once');
    assert.deepEqual(Object.keys(ours.perAgent).sort(), [MAIN_AGENT, 'sub1']);

    const theirs = runCcusage(config);
    const sum = (f: (u: SessionUsage) => number): number => f(fixture as SessionUsage) + f(ours as SessionUsage);
    assert.deepEqual(
      [sum((u) => u.totals.inputTokens), sum((u) => u.totals.outputTokens), sum((u) => u.totals.cacheCreationInputTokens), sum((u) => u.totals.cacheReadInputTokens), sum((u) => u.totals.totalTokens)],
      [theirs.totals.inputTokens, theirs.totals.outputTokens, theirs.totals.cacheCreationTokens, theirs.totals.cacheReadTokens, theirs.totals.totalTokens],
    );
    // ccusage 18.0.11 prices neither claude-opus-4-8 (the fixture) nor anything it cannot see offline:
    // its whole cost is the priced session's, which ours must equal.
    assert.ok(theirs.totals.totalCost > 0, 'ccusage priced the second session');
    assert.ok(close(ours.costUsd, theirs.totals.totalCost), `ours ${ours.costUsd} vs ccusage ${theirs.totals.totalCost}`);
  } finally {
    cleanup();
  }
});

test('transcripts read in pieces as Claude Code writes them give the whole file\'s usage; rereading from 0 adds nothing', async () => {
  const { dir, cleanup } = tempDir('logbook-usage-');
  try {
    const projectDir = join(dir, 'projects');
    mkdirSync(projectDir);
    const transcript = join(projectDir, `${FIXTURE_SESSION}.jsonl`);
    // Cut inside a line: the partial last line waits for its newline.
    const cut = MAIN_TEXT.indexOf('\n', Math.floor(MAIN_TEXT.length / 2)) + 40;
    writeFileSync(transcript, MAIN_TEXT.slice(0, cut));
    hookPayloads(dir, transcript);
    const first = await ingestOnce(dir, FIXTURE_SESSION);
    const partial = computeSessionUsage([{ text: MAIN_TEXT.slice(0, MAIN_TEXT.lastIndexOf('\n', cut) + 1) }]);
    assert.deepEqual(tokensOf(sessionUsageFromEvents(first.stream)), tokensOf(partial));

    // The rest of the transcript, and a subagent that started meanwhile; a hook event wakes the writer.
    appendFileSync(transcript, MAIN_TEXT.slice(cut));
    mkdirSync(join(projectDir, FIXTURE_SESSION, 'subagents'), { recursive: true });
    writeFileSync(join(projectDir, FIXTURE_SESSION, 'subagents', `agent-${SUBAGENT_ID}.jsonl`), SUBAGENT_TEXT);
    putInInbox(logbookPaths(dir).inbox, { ...fixturePayloads()[0], transcript_path: transcript });
    const second = await ingestOnce(dir, FIXTURE_SESSION);
    const whole = computeSessionUsage([{ text: MAIN_TEXT }, { text: SUBAGENT_TEXT, agentId: SUBAGENT_ID }]);
    assert.deepEqual(tokensOf(sessionUsageFromEvents(second.stream)), tokensOf(whole));
    const recorded = usageEvents(second.stream).length;
    assert.ok(recorded >= whole.messagesCounted);

    // Replaced under the same name (a new inode): read again from 0. The state lost: likewise.
    renameSync(transcript, `${transcript}.old`);
    writeFileSync(transcript, MAIN_TEXT);
    rmSync(join(usageStateDir(logbookPaths(dir)), `${FIXTURE_SESSION}.json`));
    putInInbox(logbookPaths(dir).inbox, { ...fixturePayloads()[0], transcript_path: transcript });
    const third = await ingestOnce(dir, FIXTURE_SESSION);
    assert.ok(third.usageEvents > 0, 'the lines were read again');
    assert.equal(usageEvents(third.stream).length, recorded, 'and stored nothing new');
    assert.equal(third.appended, 1, 'only the hook event');
    assert.deepEqual(tokensOf(sessionUsageFromEvents(third.stream)), tokensOf(whole));
  } finally {
    cleanup();
  }
});

test('a session whose first event names no transcript: its usage is read from the path a later event names', async () => {
  const { dir, cleanup } = tempDir('logbook-usage-');
  try {
    const transcript = join(dir, `${FIXTURE_SESSION}.jsonl`);
    writeFileSync(transcript, MAIN_TEXT);
    const [first, ...rest] = fixturePayloads();
    const { transcript_path: _none, ...withoutPath } = first as Record<string, unknown>;
    putInInbox(logbookPaths(dir).inbox, withoutPath);
    for (const p of rest.slice(0, 3)) putInInbox(logbookPaths(dir).inbox, { ...p, transcript_path: transcript });
    const once = await ingestOnce(dir, FIXTURE_SESSION);
    assert.equal(once.stream[0]?.data !== null && typeof once.stream[0]?.data === 'object' && 'transcript_path' in once.stream[0].data, false, 'the first event has none');
    assert.deepEqual(tokensOf(sessionUsageFromEvents(once.stream)), tokensOf(computeSessionUsage([{ text: MAIN_TEXT }])));
  } finally {
    cleanup();
  }
});

test('the cost outlives the transcripts: report after Claude Code deleted them, and after a rebuild', async () => {
  const { dir, cleanup } = tempDir('logbook-usage-');
  try {
    const projectDir = join(dir, 'claude-projects');
    cpSync(PROJECT, projectDir, { recursive: true });
    hookPayloads(dir, join(projectDir, `${FIXTURE_SESSION}.jsonl`));
    const ingest = await run(['ingest', '--workspace', dir]);
    assert.equal(ingest.code, 0, ingest.err);
    assert.match(ingest.out, /usage record\(s\) read from transcripts/);
    rmSync(projectDir, { recursive: true });

    type Report = { usage: { totals: { inputTokens: number; outputTokens: number }; costUsd: number } | null };
    const report = JSON.parse((await run(['report', FIXTURE_SESSION, '--json', '--workspace', dir])).out) as Report;
    assert.deepEqual([report.usage?.totals.inputTokens, report.usage?.totals.outputTokens], [360_895, 631]);
    assert.ok(Math.abs((report.usage?.costUsd ?? 0) - (360_895 * 5 + 631 * 25) / 1e6) < 1e-9);

    const rebuilt = await run(['rebuild', '--workspace', dir]);
    assert.equal(rebuilt.code, 0, rebuilt.err);
    const after = JSON.parse((await run(['report', FIXTURE_SESSION, '--json', '--workspace', dir])).out) as Report;
    assert.deepEqual(after.usage, report.usage, 'the raw segments hold the usage events');
  } finally {
    cleanup();
  }
});

test('a bad transcript line is counted and named by file:line, and never stops the ingest', async () => {
  const { dir, cleanup } = tempDir('logbook-usage-');
  try {
    const transcript = join(dir, `${FIXTURE_SESSION}.jsonl`);
    const good = (id: string, output: number): string => assistantLine({ id, requestId: `r${id}`, model: 'claude-opus-4-8', input: 100, output, sessionId: FIXTURE_SESSION });
    const deep = `{"type":"assistant","x":${'['.repeat(300)}${']'.repeat(300)}}`;
    writeFileSync(transcript, [good('m1', 10), 'not json {', '{"type":"assistant","message":{"id":"m9","usage":"lots"}}', deep, good('m2', 20), ''].join('\n'));
    hookPayloads(dir, transcript);
    const ingest = await run(['ingest', '--workspace', dir]);
    assert.equal(ingest.code, 0, ingest.err);
    assert.match(ingest.err, new RegExp(`usage: transcript ${transcript.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not a JSON object`));
    assert.match(ingest.err, /:3: not a JSON object, or its message\.usage is not an object/);
    assert.match(ingest.err, /:4: nested deeper than 256 levels/);
    const report = JSON.parse((await run(['report', FIXTURE_SESSION, '--json', '--workspace', dir])).out) as { usage: { totals: { outputTokens: number }; messagesCounted: number } };
    assert.equal(report.usage.messagesCounted, 2);
    assert.equal(report.usage.totals.outputTokens, 30);
  } finally {
    cleanup();
  }
});

test('a transcript tail: whole lines only, within a budget, from 0 again when the file shrank or was replaced', () => {
  const { dir, cleanup } = tempDir('logbook-usage-');
  try {
    const path = join(dir, 't.jsonl');
    const line = (n: number): string => `{"n":${n},"pad":"${'x'.repeat(40_000)}"}`;
    writeFileSync(path, [1, 2, 3, 4].map(line).join('\n') + '\n' + line(5).slice(0, 10));
    const a = readTail(path, undefined, 1);
    assert.deepEqual(a.lines.map((l) => l.line), [1], 'at least one whole line, however small the budget');
    assert.equal(a.more, true);
    const b = readTail(path, a.cursor, 1_000_000);
    assert.deepEqual(b.lines.map((l) => l.line), [2, 3, 4]);
    assert.equal(b.more, false, 'the partial last line waits');
    assert.equal(JSON.parse(b.lines[2]?.text ?? '').n, 4);
    appendFileSync(path, line(5).slice(10) + '\n');
    const c = readTail(path, b.cursor, 1_000_000);
    assert.deepEqual(c.lines.map((l) => [l.line, (JSON.parse(l.text) as { n: number }).n]), [[5, 5]]);
    writeFileSync(path, line(9) + '\n');
    const shrunk = readTail(path, c.cursor, 1_000_000);
    assert.equal(shrunk.restarted, true);
    assert.deepEqual(shrunk.lines.map((l) => l.line), [1]);
    const none = readTail(path, shrunk.cursor, 1_000_000);
    assert.deepEqual([none.lines.length, none.restarted, none.more], [0, false, false]);
  } finally {
    cleanup();
  }
});

test('sessions stored before usage was recorded get it at the next writer start, while their transcripts last', async () => {
  const { dir, cleanup } = tempDir('logbook-usage-');
  try {
    const projectDir = join(dir, 'projects');
    const transcript = join(projectDir, `${FIXTURE_SESSION}.jsonl`);
    // Ingested while its transcript was not there to read; then the cursors are lost, as in a store
    // written by a version that did not record usage.
    hookPayloads(dir, transcript);
    const before = await ingestOnce(dir, FIXTURE_SESSION);
    assert.equal(usageEvents(before.stream).length, 0);
    rmSync(usageStateDir(logbookPaths(dir)), { recursive: true });
    cpSync(PROJECT, projectDir, { recursive: true });
    const after = await ingestOnce(dir, FIXTURE_SESSION);
    assert.equal(after.appended, usageEvents(after.stream).length, 'nothing in the inbox: only usage was added');
    assert.deepEqual(tokensOf(sessionUsageFromEvents(after.stream)), tokensOf(computeSessionUsage([{ text: MAIN_TEXT }, { text: SUBAGENT_TEXT, agentId: SUBAGENT_ID }])));
  } finally {
    cleanup();
  }
});

test('the backfill of earlier sessions runs once per store: a marker then spares every later writer the check of each stored session', async () => {
  const { dir, cleanup } = tempDir('logbook-usage-');
  try {
    const projectDir = join(dir, 'projects');
    const transcript = join(projectDir, `${FIXTURE_SESSION}.jsonl`);
    hookPayloads(dir, transcript);
    await ingestOnce(dir, FIXTURE_SESSION);
    const paths = logbookPaths(dir);
    assert.ok((usageBackfilledThrough(paths) ?? 0) > 0, 'a marker once the first writer read every stored session');
    // The session's cursors lost after the backfill: with the marker, no writer goes looking for
    // stored sessions again, so its transcript (now there) is not read until the session moves.
    rmSync(join(usageStateDir(paths), readdirSync(usageStateDir(paths)).find((name) => name.startsWith(FIXTURE_SESSION.slice(0, 8))) as string));
    cpSync(PROJECT, projectDir, { recursive: true });
    const skipped = await ingestOnce(dir, FIXTURE_SESSION);
    assert.equal(usageEvents(skipped.stream).length, 0, 'the stored sessions were not checked again');
    // Without the marker (a store from before it, or an upgrade), the next writer checks them all.
    rmSync(join(usageStateDir(paths), '$backfilled.json'));
    const after = await ingestOnce(dir, FIXTURE_SESSION);
    assert.ok(usageEvents(after.stream).length > 0, 'read by the backfill');
    assert.ok(usageBackfilledThrough(paths) !== undefined, 'and marked again');
  } finally {
    cleanup();
  }
});
