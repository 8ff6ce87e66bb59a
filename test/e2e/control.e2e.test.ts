// End to end, with the REAL Claude Code CLI against the mock API: the control center's brake
// (issue 15). A session held before it starts has its first tool call wait in our PreToolUse hook
// and then denied with the hold's message (the model reads it as the tool's result); held again
// with a longer wait, its next call waits until `logbook resume` and then runs. Checked against
// what the model was sent and what the store recorded, in order.
// Needs `npm run build` first. Set LOGBOOK_E2E_KEEP=1 to keep the temp dirs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMockAnthropic } from './mock-anthropic';
import type { MockTurn, RecordedRequest } from './mock-anthropic';
import { claudeBin, claudeEnv, describeRun, logbook, logbookBin, makeTempDir, mergeWorkspaceSettings, prepareClaudeHome, runClaude } from './run-claude';
import type { RunClaudeResult } from './run-claude';

const HOLD_MARKER = 'LOGBOOK-HOLD:';
const HOLD_MESSAGE = 'checking the deploy first';
const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
const bash = (id: string, command: string): MockTurn => ({ blocks: [{ type: 'tool_use', id, name: 'Bash', input: { command, description: command } }], usage });

interface StoredEvent { type: string; data: Record<string, unknown> }

describe('hold and resume with the real CLI: a held call waits, is denied with the message, and goes on after resume', { timeout: 180_000 }, () => {
  const dirs: string[] = [];
  let ws = '';
  const session = randomUUID();
  let run: RunClaudeResult | undefined;
  let requests: readonly RecordedRequest[] = [];
  let resumedAfterMs = 0;
  let events: StoredEvent[] = [];

  before(async () => {
    ws = makeTempDir('logbook-e2e-hold-');
    dirs.push(ws);
    logbook(['install-hooks', '--workspace', ws], ws);
    mergeWorkspaceSettings(ws, { allow: ['Bash(echo:*)'] });
    const home = prepareClaudeHome(ws);
    dirs.push(home);
    // Held before the session starts, by its whole id (not in the store yet): the first call waits 1 s.
    logbook(['hold', session, '--message', HOLD_MESSAGE, '--wait', '1', '--workspace', ws], ws);
    let resumeTimer: NodeJS.Timeout | undefined;
    const mock = await startMockAnthropic({
      scripts: [{ name: 'main', marker: HOLD_MARKER, turns: [bash('toolu_held_1', 'echo first'), bash('toolu_held_2', 'echo second'), { blocks: [{ type: 'text', text: 'done' }], usage }] }],
      compaction: { blocks: [{ type: 'text', text: 'summary' }], usage },
      fallback: { blocks: [{ type: 'text', text: 'ok' }], usage },
      // Before the model's second call: held again, now long enough to wait for the resume, which
      // comes once the second call's PreToolUse is in the inbox (the hook writes it, then waits).
      beforeTurn: (_script, turn) => {
        if (turn !== 1) return;
        logbook(['hold', session, '--message', HOLD_MESSAGE, '--wait', '60', '--workspace', ws], ws);
        const heldAt = Date.now();
        resumeTimer = setInterval(() => {
          if (!inboxHas(ws, 'toolu_held_2')) return;
          clearInterval(resumeTimer);
          resumeTimer = setTimeout(() => {
            resumedAfterMs = Date.now() - heldAt;
            logbook(['resume', session, '--workspace', ws], ws);
          }, 500);
        }, 50);
      },
    });
    try {
      run = await runClaude({ workspace: ws, home, baseUrl: mock.url, prompt: `${HOLD_MARKER} run two commands`, sessionId: session, timeoutMs: 90_000 });
      requests = mock.requests;
    } finally {
      clearInterval(resumeTimer);
      await mock.close();
    }
    events = ingestedEvents(ws, session);
  });

  after(() => removeDirs(dirs));

  it('the CLI ran the session to its end', () => {
    assert.ok(run !== undefined && run.exitCode === 0 && !run.timedOut, run === undefined ? 'no run' : describeRun(run));
  });

  it('the model read the hold message as the first call\'s result, and the second call ran', () => {
    const results = requests.flatMap((r) => toolResults(r.body));
    const first = results.find((r) => r.id === 'toolu_held_1');
    assert.ok(first !== undefined, `the first call's result was sent: ${JSON.stringify(results)}`);
    assert.match(first.text, new RegExp(`held by the user: ${HOLD_MESSAGE}\\. This session is paused, not stopped`));
    const second = results.find((r) => r.id === 'toolu_held_2');
    assert.ok(second !== undefined && second.text.includes('second') && !second.text.includes('held by the user'), JSON.stringify(second));
  });

  it('the store holds the holds, the resume and both waits, in the order they happened', () => {
    const control = events.filter((e) => ['SessionHeld', 'SessionResumed', 'ToolCallHeld'].includes(e.type) || (e.type === 'PreToolUse' || e.type === 'PostToolUse'));
    const shape = control.map((e) => (e.type === 'ToolCallHeld' ? `ToolCallHeld:${String(e.data['outcome'])}:${String(e.data['toolUseId'])}` : e.type.startsWith('P') ? `${e.type}:${String(e.data['tool_use_id'])}` : e.type));
    assert.deepEqual(shape, [
      'SessionHeld', 'PreToolUse:toolu_held_1', 'ToolCallHeld:denied:toolu_held_1',
      'SessionHeld', 'PreToolUse:toolu_held_2', 'SessionResumed', 'ToolCallHeld:resumed:toolu_held_2', 'PostToolUse:toolu_held_2',
    ]);
    const waits = control.filter((e) => e.type === 'ToolCallHeld').map((e) => Number(e.data['waitedMs']));
    assert.equal(waits[0], 1000, 'the first call waited its whole second');
    // It waited from its PreToolUse until the resume (500 ms after the test saw that PreToolUse).
    assert.ok((waits[1] ?? 0) >= 450 && (waits[1] ?? 0) <= resumedAfterMs + 1000, `the second call waited ${waits[1]} ms (resumed ${resumedAfterMs} ms after the hold)`);
    assert.equal(control.filter((e) => e.type === 'SessionHeld')[0]?.data['message'], HOLD_MESSAGE);
  });
});

/** The workspace's inbox ingested, then the session's stored events. */
function ingestedEvents(workspace: string, session: string): StoredEvent[] {
  logbook(['ingest', '--workspace', workspace], workspace);
  return JSON.parse(logbook(['events', '--session', session, '--limit', '1000', '--json', '--workspace', workspace], workspace)) as StoredEvent[];
}

/** The temp dirs removed, unless LOGBOOK_E2E_KEEP=1 keeps them (named on stderr). */
function removeDirs(dirs: readonly string[]): void {
  if (process.env['LOGBOOK_E2E_KEEP'] === '1') {
    process.stderr.write(`kept: ${dirs.join(' ')}\n`);
    return;
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

/** True when an entry waiting in the workspace's inbox (its log or an entry file) mentions `text`. */
function inboxHas(workspace: string, text: string): boolean {
  const inbox = join(workspace, '.logbook', 'inbox');
  return readdirSync(inbox).some((name) => {
    try {
      return readFileSync(join(inbox, name), 'utf8').includes(text);
    } catch {
      return false; // A folder, or an entry renamed away meanwhile.
    }
  });
}

/** The tool results of the last user message a request carried: id and text. */
function toolResults(body: unknown): { id: string; text: string }[] {
  const messages = (body as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(messages)) return [];
  const last = [...messages].reverse().find((m: unknown) => (m as { role?: unknown }).role === 'user') as { content?: unknown } | undefined;
  if (!Array.isArray(last?.content)) return [];
  return last.content.flatMap((block: unknown) => {
    const b = block as { type?: unknown; tool_use_id?: unknown; content?: unknown };
    if (b.type !== 'tool_result' || typeof b.tool_use_id !== 'string') return [];
    const text = typeof b.content === 'string' ? b.content : Array.isArray(b.content) ? b.content.map((c: unknown) => String((c as { text?: unknown }).text ?? '')).join('\n') : '';
    return [{ id: b.tool_use_id, text }];
  });
}

describe('logbook watch beside the real CLI: three failures of one tool raise exactly one alert, recorded in the session', { timeout: 180_000 }, () => {
  const dirs: string[] = [];
  let ws = '';
  const session = randomUUID();
  let run: RunClaudeResult | undefined;
  let watchOut = '';
  let execOut = '';
  let events: StoredEvent[] = [];

  before(async () => {
    ws = makeTempDir('logbook-e2e-alert-');
    dirs.push(ws);
    logbook(['install-hooks', '--workspace', ws], ws);
    mergeWorkspaceSettings(ws, { allow: ['Read'] });
    const home = prepareClaudeHome(ws);
    dirs.push(home);
    // --exec gets each alert: its rule in the environment, the alert as JSON on stdin.
    execOut = join(ws, 'exec-out.txt');
    const watcher = startWatch(ws, ['--exec', `printf '%s\\n' "$LOGBOOK_ALERT_RULE" >> '${execOut}'; cat >> '${execOut}'`]);
    const read = (id: string, name: string): MockTurn => ({ blocks: [{ type: 'tool_use', id, name: 'Read', input: { file_path: join(ws, name) } }], usage });
    const mock = await startMockAnthropic({
      scripts: [{ name: 'main', marker: ALERT_MARKER, turns: [read('toolu_f1', 'missing-1.txt'), read('toolu_f2', 'missing-2.txt'), read('toolu_f3', 'missing-3.txt'), read('toolu_f4', 'missing-4.txt'), { blocks: [{ type: 'text', text: 'done' }], usage }] }],
      compaction: { blocks: [{ type: 'text', text: 'summary' }], usage },
      fallback: { blocks: [{ type: 'text', text: 'ok' }], usage },
      // The model answers the third failure only once the watcher has raised its alert (it would
      // have ended first otherwise); a fourth failure of the same run must not raise another.
      beforeTurn: async (_script, turn) => {
        if (turn === 3) await until(() => inboxHas(ws, 'AlertRaised'), 20_000);
      },
    });
    try {
      run = await runClaude({ workspace: ws, home, baseUrl: mock.url, prompt: `${ALERT_MARKER} read three files`, sessionId: session, timeoutMs: 90_000 });
      // The fourth failure reaches the watcher too before it stops.
      await new Promise((done) => setTimeout(done, 1000));
    } finally {
      await mock.close();
      watchOut = await watcher.stop();
    }
    events = ingestedEvents(ws, session);
  });

  after(() => removeDirs(dirs));

  it('the CLI ran the session to its end', () => {
    assert.ok(run !== undefined && run.exitCode === 0 && !run.timedOut, run === undefined ? 'no run' : describeRun(run));
    assert.equal(events.filter((e) => e.type === 'PostToolUseFailure').length, 4, 'four failed Reads');
  });

  it('the watcher printed one alert: Read failed 3 times in a row', () => {
    const alerts = watchOut.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { alert: { sessionId: string; data: { rule: string; message: string } } }).alert);
    assert.deepEqual(alerts.map((a) => [a.sessionId, a.data.rule]), [[session, 'tool-failures']], watchOut);
    assert.match(alerts[0]?.data.message ?? '', /Read failed 3 times in a row/);
  });

  it('--exec ran once for it, with the rule in its environment and the alert on stdin', () => {
    const [rule, json, ...rest] = readFileSync(execOut, 'utf8').trim().split('\n');
    assert.equal(rule, 'tool-failures');
    assert.equal((JSON.parse(json ?? '{}') as { sessionId?: string }).sessionId, session);
    assert.deepEqual(rest, []);
  });

  it('the alert is one event of the session, with its figures and threshold, after the third failure', () => {
    const raised = events.filter((e) => e.type === 'AlertRaised');
    assert.equal(raised.length, 1, JSON.stringify(raised));
    assert.equal(raised[0]?.data['rule'], 'tool-failures');
    assert.equal(raised[0]?.data['threshold'], 3);
    const order = events.filter((e) => e.type === 'PostToolUseFailure' || e.type === 'AlertRaised').map((e) => e.type);
    assert.deepEqual(order, ['PostToolUseFailure', 'PostToolUseFailure', 'PostToolUseFailure', 'AlertRaised', 'PostToolUseFailure']);
  });
});

const ALERT_MARKER = 'LOGBOOK-ALERT:';

/** `logbook watch --json --here` in the background; stop() ends it and gives its stdout. */
function startWatch(workspace: string, extra: readonly string[] = []): { stop: () => Promise<string> } {
  const child = spawn(process.execPath, [logbookBin(), 'watch', '--json', '--here', '--workspace', workspace, ...extra], { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const closed = new Promise<void>((done) => child.once('close', () => done()));
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await closed;
      const stderr = Buffer.concat(err).toString('utf8');
      if (!/^watching 1 workspace/.test(stderr)) throw new Error(`logbook watch said: ${stderr}`);
      return Buffer.concat(out).toString('utf8');
    },
  };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('logbook watch beside the real CLI: a permission request left unanswered raises the waiting alert', { timeout: 180_000 }, () => {
  const dirs: string[] = [];
  let ws = '';
  const session = randomUUID();
  let watchOut = '';
  let asked: Record<string, unknown> | undefined;
  let events: StoredEvent[] = [];

  before(async () => {
    ws = makeTempDir('logbook-e2e-waiting-');
    dirs.push(ws);
    logbook(['install-hooks', '--workspace', ws], ws);
    // Waiting for permission alerts after 1.2 s here (5 min by default).
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'logbook.alerts.waiting.permissionMinutes': 0.02 }));
    const home = prepareClaudeHome(ws);
    dirs.push(home);
    const watcher = startWatch(ws);
    const mock = await startMockAnthropic({
      // A Write outside any allow rule: Claude Code asks (it runs a read-only `echo` without asking).
      scripts: [{ name: 'main', marker: WAITING_MARKER, turns: [{ blocks: [{ type: 'tool_use', id: 'toolu_ask_1', name: 'Write', input: { file_path: join(ws, 'asked.txt'), content: 'hi' } }], usage }, { blocks: [{ type: 'text', text: 'done' }], usage }] }],
      compaction: { blocks: [{ type: 'text', text: 'summary' }], usage },
      fallback: { blocks: [{ type: 'text', text: 'ok' }], usage },
    });
    // Claude Code asks for the permission on stdout (a control request) and waits for the answer on stdin.
    const child = spawn(claudeBin(), ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', '--permission-prompt-tool', 'stdio', '--session-id', session], {
      cwd: ws, env: claudeEnv(home, mock.url), stdio: ['pipe', 'pipe', 'pipe'], detached: true,
    });
    try {
      const lines = jsonLines(child.stdout);
      child.stdin.write(`${JSON.stringify({ type: 'user', message: { role: 'user', content: `${WAITING_MARKER} run a command` } })}\n`);
      asked = await lines.first((m) => m['type'] === 'control_request', 60_000);
      // Unanswered: the watcher raises the alert on its own timer, with no event after the request.
      await until(() => inboxHas(ws, 'AlertRaised'), 20_000);
      const request = asked['request_id'];
      child.stdin.write(`${JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: request, response: { behavior: 'deny', message: 'not now' } } })}\n`);
      child.stdin.end();
      await lines.closed(60_000);
    } finally {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await mock.close();
      watchOut = await watcher.stop();
    }
    events = ingestedEvents(ws, session);
  });

  after(() => removeDirs(dirs));

  it('Claude Code asked for the permission over stdio, and fired PermissionRequest', () => {
    assert.equal((asked?.['request'] as { subtype?: unknown } | undefined)?.subtype, 'can_use_tool', JSON.stringify(asked));
    assert.ok(events.some((e) => e.type === 'PermissionRequest'), events.map((e) => e.type).join(' '));
  });

  it('the watcher raised one waiting alert for it, and the session records it before the answer', () => {
    const alerts = watchOut.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { alert: { sessionId: string; data: { rule: string; message: string; figures: Record<string, number> } } }).alert);
    assert.deepEqual(alerts.map((a) => [a.sessionId, a.data.rule]), [[session, 'waiting']], watchOut);
    assert.match(alerts[0]?.data.message ?? '', /permission/);
    const order = events.filter((e) => ['PermissionRequest', 'AlertRaised', 'PermissionDenied', 'PostToolBatch'].includes(e.type)).map((e) => e.type);
    assert.deepEqual(order.slice(0, 2), ['PermissionRequest', 'AlertRaised'], order.join(' '));
  });
});

const WAITING_MARKER = 'LOGBOOK-WAITING:';

/** The JSON lines of a stream: wait for the first that matches, or for the stream's end. */
function jsonLines(stream: NodeJS.ReadableStream): { first: (match: (m: Record<string, unknown>) => boolean, timeoutMs: number) => Promise<Record<string, unknown>>; closed: (timeoutMs: number) => Promise<void> } {
  const seen: Record<string, unknown>[] = [];
  let rest = '';
  let ended = false;
  stream.on('data', (chunk: Buffer) => {
    rest += chunk.toString('utf8');
    const parts = rest.split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) {
      try {
        seen.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        // Not a JSON line.
      }
    }
  });
  stream.on('end', () => { ended = true; });
  return {
    first: async (match, timeoutMs) => {
      await until(() => seen.some(match) || ended, timeoutMs);
      const found = seen.find(match);
      if (found === undefined) throw new Error(`the stream ended without it: ${JSON.stringify(seen.map((m) => m['type']))}`);
      return found;
    },
    closed: (timeoutMs) => until(() => ended, timeoutMs),
  };
}
