import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionTitle, TITLE_LENGTH } from '../../src/domain/session-title';
import type { UsageRecordedData } from '../../src/domain/usage/events';
import { overviewOf } from '../../src/projections/overview/session-overview';
import { tallyCost, tallyTotals } from '../../src/projections/overview/usage-tally';
import { DEFAULT_PRICE_TABLE } from '../../src/projections/pricing';
import { summarizeSession } from '../../src/projections/session-summary';
import { sessionUsageFromEvents } from '../../src/projections/usage/session-usage';
import type { RecordedEvent } from '../../src/store/event-store';
import { random } from './session-stream-gen';
import type { Random } from './session-stream-gen';

// The sessions overview: titles people recognise, the branch, what was imported, and token sums
// that agree with the report's own per-message fold.

let position = 0;
function recorded(streamId: string, type: string, data: unknown, metadata: Record<string, unknown> = {}): RecordedEvent {
  position += 1;
  return {
    globalPosition: position, streamId, streamPosition: position, eventId: `e${position}`, type, schemaVersion: 1,
    recordedAt: '2026-12-01T00:00:00.000Z', correlationId: null, causationId: null, data,
    metadata: { receivedAt: new Date(Date.UTC(2026, 11, 1) + position * 1000).toISOString(), ...metadata },
  };
}

test('a title is the prompt\'s start with whitespace collapsed and invisible or reordering characters taken out, cut with an ellipsis', () => {
  assert.equal(sessionTitle('  Fix the\n\tlogin   bug  '), 'Fix the login bug');
  assert.equal(sessionTitle('\u202eevil\u202c \u200bname\u0007'), 'evil name');
  assert.equal(sessionTitle(' \n\t\u200b '), null);
  assert.equal(sessionTitle('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>', 'markup stays text: views render it as text');
  assert.equal(sessionTitle('שלום עולם'), 'שלום עולם', 'RTL text is kept');
  const long = sessionTitle('word '.repeat(20_000));
  assert.ok(long !== null && Array.from(long).length === TITLE_LENGTH && long.endsWith('…'), 'a 100 KB prompt gives a title of the set length');
  const emoji = sessionTitle('😀'.repeat(500));
  assert.ok(emoji !== null && !emoji.includes('\ufffd') && Array.from(emoji).length === TITLE_LENGTH, 'never cuts a character in half');
});

test('the overview names a session by its main agent\'s first prompt, its transcript\'s branch and what was imported', () => {
  const id = 'title-session';
  const events = [
    recorded(id, 'SessionStart', { session_id: id, source: 'startup', model: 'claude-opus-4-5' }),
    recorded(id, 'UserPromptSubmit', { session_id: id, prompt: 'Subagent task', agent_id: 'sub-1' }),
    recorded(id, 'UserPromptSubmit', { session_id: id, prompt: '   ' }),
    recorded(id, 'UserPromptSubmit', { session_id: id, prompt: 'Add the export\nbutton' }, { source: 'import', imported: true }),
    recorded(id, 'UserPromptSubmit', { session_id: id, prompt: 'And tests' }),
    recorded(id, 'UsageRecorded', usage('m1', 10, 'claude-opus-4-5', { gitBranch: 'feature/export' })),
    recorded(id, 'UsageRecorded', usage('m2', 5, 'claude-opus-4-5')),
  ];
  const row = overviewOf(summarizeSession(events), id);
  assert.equal(row.title, 'Add the export button', 'the first main-agent prompt with text');
  assert.equal(row.branch, 'feature/export', 'a line that names no branch leaves the last one named');
  assert.equal(row.importedEvents, 1);
  assert.equal(row.prompts, 3);
  assert.equal(row.events, events.length);
  assert.equal(tallyTotals(row.usage).messages, 2);
});

function usage(key: string, output: number, model: string, extra: Partial<UsageRecordedData> = {}, input = 100): UsageRecordedData {
  return {
    key, messageId: key, requestId: null, model, agentId: 'main', inputTokens: input, outputTokens: output,
    cacheCreationInputTokens: 50, cacheCreation1hInputTokens: 10, cacheReadInputTokens: 1000, fast: false, at: null, file: 't.jsonl', line: 1, ...extra,
  };
}

/** A session's usage as the writer records it: a message's later lines (more output) follow it closely. */
function usageStream(r: Random, id: string): RecordedEvent[] {
  const models = ['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-5-5', 'not-a-priced-model', '__proto__'];
  const events: RecordedEvent[] = [];
  const open: UsageRecordedData[] = [];
  for (let n = 0; n < 40 + r.int(200); n += 1) {
    if (open.length > 0 && r.chance(0.35)) {
      const earlier = open[r.int(open.length)] as UsageRecordedData;
      // A later line of the same message: usually more output, sometimes less or the same (kept as the earlier says).
      events.push(recorded(id, 'UsageRecorded', { ...earlier, outputTokens: earlier.outputTokens + r.int(50) - 10 }));
      continue;
    }
    const prompt = r.pick([1_000, 90_000, 150_000, 250_000]);
    const data = usage(`msg-${n}`, r.int(2000), r.pick(models), { fast: r.chance(0.2) }, prompt);
    open.push(data);
    if (open.length > 20) open.shift();
    events.push(recorded(id, 'UsageRecorded', data));
  }
  return events;
}

test('property: the overview\'s token sums and cost equal the report\'s per-message fold (long prompts, fast mode, unpriced models, replaced lines)', () => {
  for (let seed = 1; seed <= 40; seed += 1) {
    const events = usageStream(random(seed), `s${seed}`);
    const row = overviewOf(summarizeSession(events), `s${seed}`);
    const report = sessionUsageFromEvents(events, DEFAULT_PRICE_TABLE);
    assert.ok(report !== undefined);
    const totals = tallyTotals(row.usage);
    assert.equal(totals.messages, report.messagesCounted, `seed ${seed}: messages`);
    assert.equal(totals.inputTokens, report.totals.inputTokens, `seed ${seed}: input`);
    assert.equal(totals.outputTokens, report.totals.outputTokens, `seed ${seed}: output`);
    assert.equal(totals.cacheReadInputTokens, report.totals.cacheReadInputTokens, `seed ${seed}: cache reads`);
    const cost = tallyCost(row.usage, DEFAULT_PRICE_TABLE);
    assert.ok(Math.abs(cost.costUsd - report.costUsd) < 1e-9 * Math.max(1, report.costUsd), `seed ${seed}: cost ${cost.costUsd} against ${report.costUsd}`);
    assert.deepEqual(cost.unpriced, report.unpricedModels, `seed ${seed}: unpriced models`);
  }
});
