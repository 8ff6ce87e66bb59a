import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ModelPrice, PriceTable } from '../../src/projections/pricing';
import { DEFAULT_PRICE_TABLE, findModelPrice, mergePriceTables, messageCostUsd, normalizeModelId } from '../../src/projections/pricing';
import type { TranscriptText } from '../../src/projections/transcript-usage';
import { computeSessionUsage, MAIN_AGENT, UNKNOWN_MODEL, UNNAMED_SIDECHAIN } from '../../src/projections/transcript-usage';
import { readSessionTranscripts } from './transcript-files';
import { FIXTURE_SESSION, tempDir } from './helpers';
import { CCUSAGE_SKIP, runCcusage } from './ccusage';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const CCUSAGE_HOME = join(FIXTURES, 'ccusage-home');
const SUBAGENT_ID = 'a3c0aee9e956543e9';
const MAIN_TEXT = readFileSync(join(FIXTURES, 'full-session.transcript.jsonl'), 'utf8');
const SUBAGENT_TEXT = readFileSync(join(FIXTURES, 'full-session.subagent-transcript.jsonl'), 'utf8');
const FIXTURE: TranscriptText[] = [{ text: MAIN_TEXT }, { text: SUBAGENT_TEXT, agentId: SUBAGENT_ID }];

interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  speed?: string;
}

interface LineSpec {
  id?: string;
  requestId?: string;
  uuid?: string;
  model?: string;
  usage?: Usage;
  agentId?: string;
  isSidechain?: boolean;
  sessionId?: string;
}

/** One assistant transcript line shaped like Claude Code 2.1.197 writes it (compact JSON). */
function assistantLine(spec: LineSpec): string {
  const usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...spec.usage };
  return JSON.stringify({
    parentUuid: null,
    isSidechain: spec.isSidechain ?? spec.agentId !== undefined,
    ...(spec.agentId === undefined ? {} : { agentId: spec.agentId }),
    message: { ...(spec.id === undefined ? {} : { id: spec.id }), type: 'message', role: 'assistant', model: spec.model ?? 'claude-opus-4-8', content: [], usage },
    ...(spec.requestId === undefined ? {} : { requestId: spec.requestId }),
    type: 'assistant',
    uuid: spec.uuid ?? randomUUID(),
    timestamp: '2026-11-22T18:16:42.156Z',
    cwd: '/home/dev/full-session',
    sessionId: spec.sessionId ?? FIXTURE_SESSION,
    version: '2.1.197',
  });
}

function usageOf(lines: string[], agentId?: string, prices?: PriceTable): ReturnType<typeof computeSessionUsage> {
  const text = lines.join('\n') + '\n';
  return computeSessionUsage([agentId === undefined ? { text } : { text, agentId }], prices);
}

/** The mistake this module exists to avoid: summing the usage of every assistant line. */
function naiveTotals(texts: string[]): { inputTokens: number; outputTokens: number } {
  let inputTokens = 0;
  let outputTokens = 0;
  for (const line of texts.join('\n').split('\n')) {
    if (line.trim() === '') continue;
    const parsed = JSON.parse(line) as { type?: string; message?: { usage?: { input_tokens?: number; output_tokens?: number } } };
    if (parsed.type !== 'assistant') continue;
    inputTokens += parsed.message?.usage?.input_tokens ?? 0;
    outputTokens += parsed.message?.usage?.output_tokens ?? 0;
  }
  return { inputTokens, outputTokens };
}

test('the real fixture session: 17 API messages from 21 assistant lines, main and subagent apart', () => {
  const usage = computeSessionUsage(FIXTURE);
  assert.deepEqual(usage.totals, { inputTokens: 360_895, outputTokens: 631, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, totalTokens: 361_526 });
  assert.equal(usage.messagesCounted, 17);
  assert.equal(usage.lines.duplicates, 4);
  assert.equal(usage.lines.total, 63);
  assert.equal(usage.linesSkipped, 0);
  assert.deepEqual(Object.keys(usage.perAgent), [MAIN_AGENT, SUBAGENT_ID]);
  assert.equal(usage.perAgent[MAIN_AGENT]?.messages, 15);
  assert.equal(usage.perAgent[SUBAGENT_ID]?.messages, 2);
  assert.equal(usage.perAgent[SUBAGENT_ID]?.inputTokens, 11_285 + 11_748);
  assert.equal(usage.perAgent[SUBAGENT_ID]?.outputTokens, 28 + 16);
  assert.deepEqual(Object.keys(usage.perModel), ['claude-opus-4-8']);
  assert.deepEqual(usage.unpricedModels, []);
  // claude-opus-4-8: $5 input, $25 output per million.
  assert.ok(Math.abs(usage.costUsd - (360_895 * 5 + 631 * 25) / 1e6) < 1e-9);
});

test('lines of one API message count once: by message.id, else requestId, else the line uuid', () => {
  const usage = { input_tokens: 100, output_tokens: 10 };
  const byId = usageOf([1, 2, 3].map((n) => assistantLine({ id: 'msg_a', requestId: `req_${n}`, usage })));
  assert.equal(byId.messagesCounted, 1);
  assert.equal(byId.totals.inputTokens, 100);
  assert.equal(byId.lines.duplicates, 2);

  const byRequest = usageOf([assistantLine({ requestId: 'req_b', usage }), assistantLine({ requestId: 'req_b', usage })]);
  assert.equal(byRequest.messagesCounted, 1);

  const byUuid = usageOf([assistantLine({ uuid: 'u1', usage }), assistantLine({ uuid: 'u1', usage }), assistantLine({ uuid: 'u2', usage })]);
  assert.equal(byUuid.messagesCounted, 2);
  assert.equal(byUuid.totals.inputTokens, 200);

  const distinct = usageOf([assistantLine({ id: 'msg_c', usage }), assistantLine({ id: 'msg_d', usage })]);
  assert.equal(distinct.messagesCounted, 2);
  assert.equal(distinct.totals.totalTokens, 220);
});

test('streamed lines with a growing output count: the line with the most output is the message', () => {
  for (const order of [[1, 1, 160], [160, 1, 1]]) {
    const lines = order.map((out) => assistantLine({ id: 'msg_s', usage: { input_tokens: 10, output_tokens: out, cache_read_input_tokens: 500 } }));
    const usage = usageOf(lines);
    assert.equal(usage.messagesCounted, 1);
    assert.equal(usage.totals.outputTokens, 160, `order ${order.join(',')}`);
    assert.equal(usage.totals.cacheReadInputTokens, 500);
  }
});

test('subagent usage is counted and reported per agent: line agentId, file agentId, unnamed sidechain', () => {
  const usage = { input_tokens: 7, output_tokens: 1 };
  const result = computeSessionUsage([
    { text: assistantLine({ id: 'm1', usage }) + '\n' + assistantLine({ id: 'm2', usage, agentId: 'agentA' }) },
    { text: assistantLine({ id: 'm3', usage, isSidechain: true }), agentId: 'agentB' },
    { text: assistantLine({ id: 'm4', usage, isSidechain: true }) },
  ]);
  assert.equal(result.messagesCounted, 4);
  assert.deepEqual(Object.keys(result.perAgent), [MAIN_AGENT, 'agentA', 'agentB', UNNAMED_SIDECHAIN]);
  for (const bucket of Object.values(result.perAgent)) assert.equal(bucket.inputTokens, 7);
  assert.equal(result.totals.inputTokens, 28);
});

test('blank and invalid lines are skipped and counted; other line kinds are read and ignored', () => {
  const good = assistantLine({ id: 'm1', usage: { input_tokens: 5, output_tokens: 5 } });
  const text = [
    good,
    '',
    '   ',
    '{"type":"assistant","message":{"id":"m9","usage":{"input_tokens":9',
    'not json at all',
    '[1,2,3]',
    'null',
    '{"type":"assistant","message":{"id":"m2","model":"claude-opus-4-8","usage":"lots"}}',
    '{"type":"assistant","message":{"id":"m3","model":"claude-opus-4-8"}}',
    '{"type":"assistant"}',
    '{"type":"user","message":{"role":"user","content":"hi"}}',
    '{"type":"assistant","message":{"id":"m4","model":"claude-opus-4-8","usage":{"input_tokens":"12","output_tokens":-3,"cache_read_input_tokens":4}}}',
  ].join('\r\n') + '\r\n';
  const usage = computeSessionUsage([{ text }]);
  assert.equal(usage.lines.total, 12);
  assert.equal(usage.lines.blank, 2);
  assert.equal(usage.lines.invalid, 5);
  assert.equal(usage.linesSkipped, 7);
  assert.equal(usage.lines.withoutUsage, 2);
  // m4's unreadable numbers count as 0, its valid cache read still counts.
  assert.equal(usage.messagesCounted, 2);
  assert.deepEqual(usage.totals, { inputTokens: 5, outputTokens: 5, cacheCreationInputTokens: 0, cacheReadInputTokens: 4, totalTokens: 14 });
});

test('an unknown model costs 0 and is named; synthetic and token-less messages are not', () => {
  const usage = usageOf([
    assistantLine({ id: 'm1', model: 'claude-opus-4-8', usage: { input_tokens: 1_000_000 } }),
    assistantLine({ id: 'm2', model: 'claude-nova-9', usage: { input_tokens: 1_000_000, output_tokens: 5 } }),
    assistantLine({ id: 'm3', model: '<synthetic>' }),
    assistantLine({ id: 'm4', model: 'claude-empty-1' }),
    '{"type":"assistant","message":{"id":"m5","usage":{"output_tokens":3}}}',
  ]);
  assert.deepEqual(usage.unpricedModels, [UNKNOWN_MODEL, 'claude-nova-9']);
  assert.equal(usage.lines.synthetic, 1);
  assert.equal(usage.messagesCounted, 4);
  assert.equal(usage.perModel['claude-nova-9']?.costUsd, 0);
  assert.equal(usage.perModel['claude-nova-9']?.inputTokens, 1_000_000);
  assert.equal(usage.costUsd, 5);
});

const CUSTOM: PriceTable = {
  'claude-test-1': { inputPerMTok: 2, outputPerMTok: 10, cacheWritePerMTok: 3, cacheWrite1hPerMTok: 4, cacheReadPerMTok: 0.5 },
  'claude-test-long': {
    inputPerMTok: 1, outputPerMTok: 2, cacheWritePerMTok: 1, cacheReadPerMTok: 1,
    longPrompt: { inputPerMTok: 10, outputPerMTok: 20, cacheWritePerMTok: 10, cacheReadPerMTok: 10, thresholdTokens: 1_000 },
    fastMultiplier: 3,
  },
};

test('cost arithmetic with a custom price table: each token kind at its own rate, 1h writes apart', () => {
  const usage = usageOf([
    assistantLine({
      id: 'm1', model: 'claude-test-1-20260101',
      usage: { input_tokens: 1_000_000, output_tokens: 200_000, cache_creation_input_tokens: 300_000, cache_read_input_tokens: 2_000_000,
        cache_creation: { ephemeral_5m_input_tokens: 200_000, ephemeral_1h_input_tokens: 100_000 } },
    }),
  ], undefined, CUSTOM);
  // 1M*$2 + 0.2M*$10 + 0.2M*$3 (5m) + 0.1M*$4 (1h) + 2M*$0.5
  assert.ok(Math.abs(usage.costUsd - (2 + 2 + 0.6 + 0.4 + 1)) < 1e-9, String(usage.costUsd));
  assert.equal(usage.totals.cacheCreationInputTokens, 300_000);
});

test('cost arithmetic: a long prompt moves the whole message to the long rates; fast mode multiplies', () => {
  const price = CUSTOM['claude-test-long'] as ModelPrice;
  const base = { inputTokens: 400, outputTokens: 100, cacheCreationInputTokens: 300, cacheCreation1hInputTokens: 0, cacheReadInputTokens: 300, fast: false };
  assert.ok(Math.abs(messageCostUsd(price, base) - (400 + 200 + 300 + 300) / 1e6) < 1e-15, 'prompt of exactly 1000 is not long');
  const long = { ...base, inputTokens: 401 };
  assert.ok(Math.abs(messageCostUsd(price, long) - (4010 + 2000 + 3000 + 3000) / 1e6) < 1e-15);
  assert.ok(Math.abs(messageCostUsd(price, { ...base, fast: true }) - 3 * (1200 / 1e6)) < 1e-15);
  // Without a 1h rate a 1h write costs the 5m rate; a 1h count above the total is capped.
  assert.ok(Math.abs(messageCostUsd(price, { ...base, cacheCreation1hInputTokens: 999 }) - 1200 / 1e6) < 1e-15);
});

test('a transcript with no usage at all gives zeros', () => {
  for (const text of ['', '\n', '{"type":"user","message":{"role":"user","content":"hi"}}\n{"type":"queue-operation"}\n']) {
    const usage = computeSessionUsage([{ text }]);
    assert.deepEqual(usage.totals, { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, totalTokens: 0 });
    assert.equal(usage.costUsd, 0);
    assert.equal(usage.messagesCounted, 0);
    assert.deepEqual(usage.perModel, {});
    assert.deepEqual(usage.perAgent, {});
  }
  assert.equal(computeSessionUsage([]).messagesCounted, 0);
});

test('model ids are priced under one key whatever platform spelled them', () => {
  assert.equal(normalizeModelId('claude-opus-4-1-20250805'), 'claude-opus-4-1');
  assert.equal(normalizeModelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0'), 'claude-sonnet-4-5');
  assert.equal(normalizeModelId('claude-opus-4-1@20250805'), 'claude-opus-4-1');
  assert.equal(normalizeModelId('claude-opus-4-8[1m]'), 'claude-opus-4-8');
  assert.equal(normalizeModelId('anthropic/claude-haiku-4-5'), 'claude-haiku-4-5');
  assert.equal(normalizeModelId(' Claude-3-5-Haiku-latest '), 'claude-3-5-haiku');
  assert.equal(findModelPrice(DEFAULT_PRICE_TABLE, 'claude-sonnet-4-20250514')?.inputPerMTok, 3);
  assert.equal(findModelPrice(DEFAULT_PRICE_TABLE, 'toString'), undefined);
  assert.equal(findModelPrice(DEFAULT_PRICE_TABLE, 'claude-nova-9'), undefined);
});

test('mergePriceTables: overrides change fields, add complete models, ignore bad values', () => {
  const defaults = DEFAULT_PRICE_TABLE;
  const before = JSON.stringify(defaults);
  const merged = mergePriceTables(defaults, {
    'claude-opus-4-8-20260101': { inputPerMTok: 4 },
    'claude-new-1': { inputPerMTok: 1, outputPerMTok: 2, cacheWritePerMTok: 1.25, cacheReadPerMTok: 0.1, fastMultiplier: 2 },
    'claude-half-1': { inputPerMTok: 1 },
    'claude-haiku-5-5': { outputPerMTok: -1, cacheReadPerMTok: Number.NaN, longPrompt: { thresholdTokens: 50_000 } },
  });
  assert.equal(JSON.stringify(defaults), before, 'defaults untouched');
  assert.deepEqual(merged['claude-opus-4-8'], { ...defaults['claude-opus-4-8'], inputPerMTok: 4 });
  assert.deepEqual(merged['claude-new-1'], { inputPerMTok: 1, outputPerMTok: 2, cacheWritePerMTok: 1.25, cacheReadPerMTok: 0.1, fastMultiplier: 2 });
  assert.equal(merged['claude-half-1'], undefined, 'a new model needs all four base rates');
  const haiku = merged['claude-haiku-5-5'];
  assert.equal(haiku?.outputPerMTok, defaults['claude-haiku-5-5']?.outputPerMTok);
  assert.equal(haiku?.cacheReadPerMTok, defaults['claude-haiku-5-5']?.cacheReadPerMTok);
  assert.equal(haiku?.longPrompt?.thresholdTokens, 50_000);
  assert.equal(haiku?.longPrompt?.inputPerMTok, 0.5);
  assert.deepEqual(mergePriceTables(defaults, undefined), defaults);
  const hostile = mergePriceTables(defaults, JSON.parse('{"__proto__":{"inputPerMTok":1,"outputPerMTok":1,"cacheWritePerMTok":1,"cacheReadPerMTok":1}}') as PriceTable);
  assert.equal(Object.getPrototypeOf(hostile), Object.prototype);
  assert.equal(findModelPrice(hostile, '__proto__')?.inputPerMTok, 1);
});

test('transcript files: the main transcript and every agent-*.jsonl under <session>/subagents', async () => {
  const { dir, cleanup } = tempDir('logbook-transcripts-');
  try {
    const main = join(dir, `${FIXTURE_SESSION}.jsonl`);
    const subagents = join(dir, FIXTURE_SESSION, 'subagents');
    mkdirSync(subagents, { recursive: true });
    writeFileSync(main, MAIN_TEXT);
    writeFileSync(join(subagents, `agent-${SUBAGENT_ID}.jsonl`), SUBAGENT_TEXT);
    writeFileSync(join(subagents, 'agent-b2.jsonl'), assistantLine({ id: 'mb', agentId: 'b2', usage: { input_tokens: 1 } }));
    writeFileSync(join(subagents, 'notes.txt'), 'not a transcript');
    const read = await readSessionTranscripts(main);
    assert.deepEqual(read.problems, []);
    assert.deepEqual(read.files.map((f) => [f.path, f.agentId]), [
      [main, undefined],
      [join(subagents, `agent-${SUBAGENT_ID}.jsonl`), SUBAGENT_ID],
      [join(subagents, 'agent-b2.jsonl'), 'b2'],
    ]);
    assert.equal(computeSessionUsage(read.files).totals.inputTokens, 360_895 + 1);
  } finally {
    cleanup();
  }
});

test('transcript files: no subagents folder is fine; a missing transcript is reported, not thrown', async () => {
  const { dir, cleanup } = tempDir('logbook-transcripts-');
  try {
    const main = join(dir, 'plain.jsonl');
    writeFileSync(main, MAIN_TEXT);
    const alone = await readSessionTranscripts(main);
    assert.deepEqual(alone.problems, []);
    assert.equal(alone.files.length, 1);

    const gone = join(dir, 'gone.jsonl');
    mkdirSync(join(dir, 'gone', 'subagents'), { recursive: true });
    writeFileSync(join(dir, 'gone', 'subagents', 'agent-x.jsonl'), SUBAGENT_TEXT);
    const missing = await readSessionTranscripts(gone);
    assert.deepEqual(missing.problems, [{ path: gone, error: 'ENOENT' }]);
    assert.deepEqual(missing.files.map((f) => f.agentId), ['x'], 'the subagents are still read');

    // An explicit session id finds the subagents whatever the transcript file is called.
    const renamed = join(dir, 'renamed.jsonl');
    writeFileSync(renamed, '');
    const explicit = await readSessionTranscripts(renamed, 'gone');
    assert.deepEqual(explicit.files.map((f) => f.agentId), [undefined, 'x']);

    // A subagents path that is a file, not a folder, is a problem to report.
    const odd = join(dir, 'odd.jsonl');
    writeFileSync(odd, '');
    mkdirSync(join(dir, 'odd'));
    writeFileSync(join(dir, 'odd', 'subagents'), 'not a folder');
    const oddRead = await readSessionTranscripts(odd);
    assert.deepEqual(oddRead.problems, [{ path: join(dir, 'odd', 'subagents'), error: 'ENOTDIR' }]);
  } finally {
    cleanup();
  }
});

// ---- Equality with ccusage ----------------------------------------------------------------
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

test('equal to ccusage on the real fixture session (tokens and cost), and a naive count is not', { skip: CCUSAGE_SKIP }, () => {
  const theirs = runCcusage(CCUSAGE_HOME);
  // ccusage 18 groups by folder (the project, and its subagents folder); the totals cover both.
  assert.ok(theirs.sessions.length > 0, 'ccusage read the fixture session');
  const ours = computeSessionUsage([
    { text: readFileSync(join(CCUSAGE_HOME, 'projects', '-home-dev-full-session', `${FIXTURE_SESSION}.jsonl`), 'utf8') },
    { text: readFileSync(join(CCUSAGE_HOME, 'projects', '-home-dev-full-session', FIXTURE_SESSION, 'subagents', `agent-${SUBAGENT_ID}.jsonl`), 'utf8'), agentId: SUBAGENT_ID },
  ]);
  assert.deepEqual(
    { input: ours.totals.inputTokens, output: ours.totals.outputTokens, cacheCreation: ours.totals.cacheCreationInputTokens, cacheRead: ours.totals.cacheReadInputTokens, total: ours.totals.totalTokens },
    { input: theirs.totals.inputTokens, output: theirs.totals.outputTokens, cacheCreation: theirs.totals.cacheCreationTokens, cacheRead: theirs.totals.cacheReadTokens, total: theirs.totals.totalTokens },
  );
  // ccusage 18.0.11 has no offline price for claude-opus-4-8 (cost 0): tokens are compared here,
  // costs in the per-model test below for the models it does price.
  if (theirs.totals.totalCost > 0) assert.ok(close(ours.costUsd, theirs.totals.totalCost), `ours ${ours.costUsd} vs ccusage ${theirs.totals.totalCost}`);
  // Proof the comparison can fail: counting every assistant line gives other numbers here.
  const naive = naiveTotals([MAIN_TEXT, SUBAGENT_TEXT]);
  assert.notEqual(naive.inputTokens, theirs.totals.inputTokens);
  assert.notEqual(naive.outputTokens, theirs.totals.outputTokens);
});

test('equal to ccusage per model: every default price ccusage knows offline, 1h writes, fast mode, streaming', { skip: CCUSAGE_SKIP }, () => {
  const { dir, cleanup } = tempDir('logbook-ccusage-config-');
  try {
    // ccusage 18 reports one "session" per project folder: one folder per session keeps them apart.
    const projects = join(dir, 'projects');
    // Small enough for no long-prompt tier: ccusage and we apply those differently (see the reply).
    const usage: Usage = {
      // No 5m/1h split: ccusage 18 prices every cache write at the 5-minute rate (1h writes are
      // priced apart by us and tested in the cost-arithmetic tests above).
      input_tokens: 10_000, output_tokens: 2_000, cache_creation_input_tokens: 3_000, cache_read_input_tokens: 20_000,
    };
    const sessions = new Map<string, { label: string; text: string }>();
    const addSession = (label: string, lines: (sessionId: string) => string[]): void => {
      const sessionId = randomUUID();
      const text = lines(sessionId).join('\n') + '\n';
      mkdirSync(join(projects, sessionId), { recursive: true });
      writeFileSync(join(projects, sessionId, `${sessionId}.jsonl`), text);
      sessions.set(sessionId, { label, text });
    };
    for (const [model, price] of Object.entries(DEFAULT_PRICE_TABLE)) {
      addSession(model, (sessionId) => [assistantLine({ id: `msg_${sessionId}`, requestId: `req_${sessionId}`, model, usage, sessionId })]);
      if (price.fastMultiplier !== undefined) {
        addSession(`${model} fast`, (sessionId) => [assistantLine({ id: `msg_${sessionId}`, requestId: `req_${sessionId}`, model, usage: { ...usage, speed: 'fast' }, sessionId })]);
      }
    }
    // Not compared here: a message streamed over several lines with a growing output count.
    // ccusage 18.0.11 keeps the first line (output 1), ccusage 20 and we keep the largest (test 3).

    const theirs = runCcusage(dir);
    assert.equal(theirs.sessions.length, sessions.size, 'ccusage read every session');
    const unpricedByCcusage: string[] = [];
    const differing: string[] = [];
    for (const session of theirs.sessions) {
      const mine = sessions.get(session.sessionId);
      assert.ok(mine !== undefined, `unexpected session ${session.sessionId}`);
      const ours = computeSessionUsage([{ text: mine.text }]);
      assert.deepEqual(
        [ours.totals.inputTokens, ours.totals.outputTokens, ours.totals.cacheCreationInputTokens, ours.totals.cacheReadInputTokens],
        [session.inputTokens, session.outputTokens, session.cacheCreationTokens, session.cacheReadTokens],
        mine.label,
      );
      if (session.totalCost === 0) unpricedByCcusage.push(mine.label);
      else if (!close(ours.costUsd, session.totalCost)) differing.push(`${mine.label}: ours ${ours.costUsd.toFixed(6)} vs ccusage ${session.totalCost.toFixed(6)}`);
    }
    // Tokens agree for every model. Costs agree for every model ccusage 18.0.11 prices, but two whose
    // prices in its embedded snapshot differ from ours (Haiku 3 cache writes; Sonnet 3.7): pinned,
    // so any new divergence fails. Check them against Anthropic's price list when upgrading ccusage.
    assert.deepEqual(differing.sort(), ['claude-3-7-sonnet: ours 0.077250 vs ccusage 0.092700', 'claude-3-haiku: ours 0.006500 vs ccusage 0.006438']);
    // Newer than ccusage 18.0.11's embedded prices: compare these by hand when upgrading it.
    assert.deepEqual(unpricedByCcusage.sort(), ['claude-fable-5', 'claude-fable-5-1', 'claude-fable-5-2', 'claude-haiku-5-5', 'claude-mythos-5', 'claude-mythos-5-1',
      'claude-opus-4-8', 'claude-opus-4-8 fast', 'claude-opus-5', 'claude-opus-5 fast', 'claude-opus-5-5', 'claude-opus-5-5 fast', 'claude-sonnet-5', 'claude-sonnet-5-5']);
  } finally {
    cleanup();
  }
});
