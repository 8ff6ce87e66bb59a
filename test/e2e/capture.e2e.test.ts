// End to end, with no VS Code running: hooks installed by OUR installer capture a real Claude Code
// session (CLI 2.1.197 against the mock API) into the inbox; `logbook ingest` moves every entry into
// the store, in the order the hooks fired. An independent witness hook, configured next to ours,
// records what really fired, so the store is checked against the CLI's behaviour, not our guesses.
// Needs `npm run build` first (dist/logbook.js). Set LOGBOOK_E2E_KEEP=1 to keep the temp dirs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pendingEntries } from '../../src/ingest/pending-entries';
import { after, before, describe, it } from 'node:test';
import { COMPACT_SUMMARY, FINAL_TEXT, SUB_FINAL_TEXT, buildScenario, runScenario, type Scenario, type ScenarioRun } from './scenario';
import {
  CLI_HOOK_EVENTS,
  FIXTURE_HOOK_EVENTS,
  installWitnessHook,
  logbook,
  logbookBin,
  makeTempDir,
  prepareClaudeHome,
  readWitness,
  type Witness,
} from './run-claude';

type JsonObject = Record<string, unknown>;

interface Envelope {
  readonly globalPosition: number;
  readonly streamId: string;
  readonly streamPosition: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  readonly correlationId: unknown;
  readonly causationId: unknown;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asEnvelope(value: unknown, index: number): Envelope {
  const where = `events --json [${index}]`;
  assert.ok(isObject(value), `${where} is not an object`);
  for (const key of ['globalPosition', 'streamPosition', 'schemaVersion'] as const) {
    assert.equal(typeof value[key], 'number', `${where}.${key} must be a number`);
  }
  for (const key of ['streamId', 'eventId', 'type', 'recordedAt'] as const) {
    assert.equal(typeof value[key], 'string', `${where}.${key} must be a string`);
  }
  assert.ok(isObject(value['data']), `${where}.data must be an object`);
  assert.ok(isObject(value['metadata']), `${where}.metadata must be an object`);
  assert.ok('correlationId' in value && 'causationId' in value, `${where} lacks correlationId/causationId`);
  return value as unknown as Envelope;
}

function str(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

/** The identity of one hook event for order comparisons: type, tool call and agent. */
function signature(payload: JsonObject): string {
  return [str(payload, 'hook_event_name'), str(payload, 'tool_name'), str(payload, 'tool_use_id'), str(payload, 'agent_id')]
    .map((part) => part ?? '-')
    .join(' ');
}

/** Entries waiting in the inbox: entry files and the records of its logs (the writers' .tmp staging dir is not the inbox). */
function inboxEntries(workspace: string): string[] {
  return pendingEntries(join(workspace, '.logbook', 'inbox')).map((entry) => entry.name);
}

describe('capture end to end: real Claude Code CLI → our hooks → inbox → logbook ingest → store', { timeout: 90_000 }, () => {
  const dirs: string[] = [];
  let scenario: Scenario;
  let run: ScenarioRun;
  let witness: Witness;
  let witnessed: JsonObject[] = [];
  let installedEvents: string[] = [];
  let inboxBeforeIngest: string[] = [];
  let storeBeforeIngest: Envelope[] = [];
  /** The session's hook events (the store also holds the usage the writer read from its transcript). */
  let events: Envelope[] = [];
  let usage: Envelope[] = [];

  const workspace = (): string => scenario.workspace;
  const readEvents = (): Envelope[] => {
    const out = logbook(['events', '--session', run.sessionId, '--json', '--workspace', workspace()], workspace());
    const parsed: unknown = JSON.parse(out);
    assert.ok(Array.isArray(parsed), 'events --json must print a JSON array');
    return parsed.map(asEnvelope);
  };

  before(async () => {
    assert.ok(existsSync(logbookBin()), `${logbookBin()} is missing: run \`npm run build\` first`);
    const ws = makeTempDir('logbook-e2e-ws-');
    dirs.push(ws);
    scenario = buildScenario(ws);
    const home = prepareClaudeHome(ws);
    dirs.push(home);
    const witnessDir = makeTempDir('logbook-e2e-witness-');
    dirs.push(witnessDir);

    // 1. Our installer (default: .claude/settings.local.json), then the witness in .claude/settings.json.
    logbook(['install-hooks', '--workspace', ws], ws);
    const localSettings: unknown = JSON.parse(readFileSync(join(ws, '.claude', 'settings.local.json'), 'utf8'));
    assert.ok(isObject(localSettings) && isObject(localSettings['hooks']), 'install-hooks wrote no hooks into .claude/settings.local.json');
    installedEvents = Object.keys(localSettings['hooks']);
    witness = installWitnessHook(ws, witnessDir, FIXTURE_HOOK_EVENTS);

    // 2. The scripted session, with the real CLI, against the mock (started and stopped inside).
    run = await runScenario(scenario, { home, timeoutMs: 60_000 });
    witnessed = readWitness(witness);

    // 3. No VS Code, nobody ingesting: everything must still be waiting in the inbox.
    inboxBeforeIngest = inboxEntries(ws);
    storeBeforeIngest = existsSync(join(ws, '.logbook', 'logbook.sqlite')) ? readEvents() : [];

    // 4. Ingest, then read the session back.
    logbook(['ingest', '--workspace', ws], ws);
    const all = readEvents();
    events = all.filter((e) => e.type !== 'UsageRecorded');
    usage = all.filter((e) => e.type === 'UsageRecorded');
  });

  after(() => {
    if (process.env['LOGBOOK_E2E_KEEP'] === '1') {
      process.stderr.write(`kept: ${dirs.join(' ')}\n`);
      return;
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('installs handlers only for hook events CLI 2.1.197 knows (an unknown one would never fire)', () => {
    const unknown = installedEvents.filter((event) => !CLI_HOOK_EVENTS.includes(event));
    assert.deepEqual(unknown, [], `install-hooks wrote hook events unknown to the CLI: ${unknown.join(', ')}`);
    const local = JSON.parse(readFileSync(join(workspace(), '.claude', 'settings.local.json'), 'utf8')) as { hooks: Record<string, unknown> };
    for (const event of installedEvents) {
      assert.match(JSON.stringify(local.hooks[event]), /\.logbook\/bin\/logbook-hook/, `no logbook-hook handler for ${event}`);
    }
  });

  it('ran the scripted session through the mock as planned', () => {
    assert.equal(run.runs.length, 2);
    const routes = run.requests.map((r) => r.route);
    assert.deepEqual(routes.filter((r) => r.kind === 'unknown'), [], 'the CLI called an endpoint the mock does not serve');
    const scripted = routes.filter((r) => r.kind === 'script').map((r) => `${String(r.script)}#${String(r.turn)}`);
    assert.deepEqual(scripted, ['main#0', 'main#1', 'main#2', 'main#3', 'main#4', 'main#5', 'subagent#0', 'subagent#1', 'main#6']);
    assert.equal(routes.filter((r) => r.kind === 'compaction').length, 1, 'exactly one compaction request');
    const result = run.runs[0]?.messages.find((m) => m['type'] === 'result');
    assert.equal(result?.['result'], FINAL_TEXT);
  });

  it('the witness saw every planned hook event (sanity check of the scenario itself)', () => {
    const names = witnessed.map((p) => str(p, 'hook_event_name'));
    for (const required of ['SessionStart', 'UserPromptSubmit', 'SubagentStart', 'SubagentStop', 'PostToolUseFailure', 'PreCompact', 'PostCompact', 'Stop', 'SessionEnd']) {
      assert.ok(names.includes(required), `witness never saw ${required}; saw ${names.join(', ')}`);
    }
    const pre = witnessed.filter((p) => p['hook_event_name'] === 'PreToolUse').map((p) => `${String(p['tool_name'])}:${String(p['tool_use_id'])}`);
    assert.deepEqual(pre, scenario.toolCalls.map((c) => `${c.toolName}:${c.toolUseId}`));
  });

  it('left everything in the inbox while nobody was ingesting', () => {
    assert.deepEqual(storeBeforeIngest, [], 'the store had events before `logbook ingest`');
    assert.ok(witnessed.length > 0, 'the witness saw nothing');
    assert.ok(inboxBeforeIngest.length >= witnessed.length, `inbox holds ${inboxBeforeIngest.length} entries, the witness saw ${witnessed.length} events`);
    // No workflow in force: every event decides nothing, so the launcher saved each one itself
    // (a .rawhook file, no Node start), and nothing went to the hook program's log.
    const notRaw = inboxBeforeIngest.filter((name) => !name.endsWith('.rawhook'));
    assert.deepEqual(notRaw, [], 'every entry was saved by the sh launcher');
  });

  it('stored every witnessed event, in the same order, with the raw payload', () => {
    const missed = [...new Set(witnessed.map((p) => str(p, 'hook_event_name') ?? '?'))].filter((e) => !installedEvents.includes(e));
    assert.deepEqual(missed, [], `events fired but install-hooks installed no handler for them: ${missed.join(', ')}`);
    // The store may hold more (events our installer covers and the witness does not watch): compare on the witness's events.
    const expected = witnessed;
    const stored = events.filter((e) => FIXTURE_HOOK_EVENTS.includes(e.type));
    assert.deepEqual(stored.map((e) => signature(e.data)), expected.map(signature));
    stored.forEach((event, index) => {
      assert.deepEqual(event.data, expected[index], `payload of stored event ${event.globalPosition} (${event.type}) differs from what the hook received`);
    });
  });

  it('keeps the envelope right: session stream, positions, type, receive time', () => {
    assert.ok(events.length > 0);
    let previous: Envelope | undefined;
    for (const event of events) {
      assert.equal(event.streamId, run.sessionId);
      assert.equal(event.data['session_id'], run.sessionId);
      assert.equal(event.type, event.data['hook_event_name']);
      const receivedAt = event.metadata['receivedAt'];
      assert.ok(typeof receivedAt === 'string' && !Number.isNaN(Date.parse(receivedAt)), `metadata.receivedAt of ${event.globalPosition} is not an ISO time`);
      if (previous !== undefined) {
        assert.ok(event.globalPosition > previous.globalPosition, 'globalPosition must increase');
        assert.ok(event.streamPosition > previous.streamPosition, 'streamPosition must increase');
        assert.ok(Date.parse(receivedAt) >= Date.parse(String(previous.metadata['receivedAt'])), 'receivedAt must not go back');
      }
      previous = event;
    }
    assert.equal(new Set(events.map((e) => e.eventId)).size, events.length, 'eventIds must be unique');
    const positions = [...events, ...usage].map((e) => e.streamPosition).sort((a, b) => a - b);
    assert.deepEqual(positions, positions.map((_, i) => i + 1), 'the stream\'s positions are consecutive');
  });

  it('has each scripted tool call with its id, name and input; the failing one as PostToolUseFailure', () => {
    for (const call of scenario.toolCalls) {
      const forCall = events.filter((e) => e.data['tool_use_id'] === call.toolUseId);
      const types = forCall.map((e) => e.type).filter((t) => t !== 'PostToolBatch');
      assert.deepEqual(types, ['PreToolUse', call.fails ? 'PostToolUseFailure' : 'PostToolUse'], `hook events of ${call.toolName} ${call.toolUseId}`);
      for (const event of forCall) {
        assert.equal(event.data['tool_name'], call.toolName);
        assert.deepEqual(event.data['tool_input'], call.toolInput, `tool_input of ${event.type} ${call.toolUseId}`);
        if (call.caller === 'subagent') {
          assert.match(String(event.data['agent_id']), /\S/, `${event.type} ${call.toolUseId} lacks agent_id`);
          assert.equal(event.data['agent_type'], 'general-purpose');
        } else {
          assert.equal(event.data['agent_id'], undefined, `${event.type} ${call.toolUseId} is the main agent's`);
        }
      }
    }
    const failure = events.find((e) => e.type === 'PostToolUseFailure');
    assert.match(String(failure?.data['error']), /does not exist/i);
  });

  it('has the subagent lifecycle with agent_id / agent_type', () => {
    const start = events.find((e) => e.type === 'SubagentStart');
    assert.ok(start, 'no SubagentStart');
    const agentId = start.data['agent_id'];
    assert.equal(start.data['agent_type'], 'general-purpose');
    const stop = events.find((e) => e.type === 'SubagentStop' && e.data['agent_id'] === agentId);
    assert.ok(stop, 'no SubagentStop for the subagent');
    assert.equal(stop.data['agent_type'], 'general-purpose');
    assert.equal(stop.data['last_assistant_message'], SUB_FINAL_TEXT);
    const subBash = scenario.toolCalls.find((c) => c.caller === 'subagent');
    const subEvents = events.filter((e) => e.data['tool_use_id'] === subBash?.toolUseId);
    assert.ok(subEvents.length > 0 && subEvents.every((e) => e.data['agent_id'] === agentId), 'subagent tool events carry its agent_id');
  });

  it('has the session lifecycle: starts, prompt, stop, compaction, ends', () => {
    const sources = events.filter((e) => e.type === 'SessionStart').map((e) => e.data['source']);
    assert.deepEqual(sources, ['startup', 'resume', 'compact']);
    const prompt = events.find((e) => e.type === 'UserPromptSubmit');
    assert.equal(prompt?.data['prompt'], scenario.prompts[0]);
    const stop = events.find((e) => e.type === 'Stop');
    assert.equal(stop?.data['last_assistant_message'], FINAL_TEXT);
    const pre = events.find((e) => e.type === 'PreCompact');
    const post = events.find((e) => e.type === 'PostCompact');
    assert.ok(pre && post, 'PreCompact and PostCompact must both be stored');
    assert.ok(pre.globalPosition < post.globalPosition);
    assert.equal(pre.data['trigger'], 'manual');
    assert.equal(post.data['compact_summary'], COMPACT_SUMMARY);
    const ends = events.filter((e) => e.type === 'SessionEnd');
    assert.equal(ends.length, 2, 'one SessionEnd per CLI run');
    assert.equal(events[events.length - 1]?.type, 'SessionEnd');
  });

  it('recorded the usage of the session\'s API messages from its transcript, in its stream', () => {
    assert.ok(usage.length > 0, 'the mock answered with usage: the writer read it');
    for (const u of usage) assert.equal(u.streamId, run.sessionId);
  });

  it('empties the inbox, and a second ingest adds nothing', () => {
    assert.deepEqual(inboxEntries(workspace()), [], 'inbox not empty after ingest');
    logbook(['ingest', '--workspace', workspace()], workspace());
    const again = readEvents();
    assert.deepEqual(again.map((e) => e.eventId).sort(), [...events, ...usage].map((e) => e.eventId).sort());
  });
});
