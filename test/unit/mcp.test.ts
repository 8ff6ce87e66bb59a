import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { logbookPaths } from '../../src/capture/paths';
import { putInInbox, tempDir } from './helpers';

// A real MCP client from the SDK talks to the built `logbook mcp`, as Claude Code would.

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'logbook.js');
const skip = existsSync(cli) ? false : `${cli} is missing: run "npm run build" first`;

interface Connection {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  call(name: string, args: Record<string, unknown>): Promise<{ text: string; isError: boolean }>;
  close(): Promise<void>;
}

async function connect(t: TestContext, workspace: string, launch?: { env: Record<string, string>; cwd: string }): Promise<Connection> {
  const args = launch === undefined ? [cli, 'mcp', '--workspace', workspace] : [cli, 'mcp'];
  // The SDK hands a server only a few variables (HOME, PATH, …): add the provenance key's location
  // when the test run moved it, as the user's HOME holds it in real use.
  const keyFile = process.env['LOGBOOK_KEY_FILE'];
  const env = { ...getDefaultEnvironment(), ...(keyFile === undefined ? {} : { LOGBOOK_KEY_FILE: keyFile }), ...launch?.env };
  const transport = new StdioClientTransport({ command: process.execPath, args, stderr: 'pipe', ...launch, env });
  const client = new Client({ name: 'logbook-test', version: '1.0.0' });
  await client.connect(transport);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const pid = transport.pid;
    const started = Date.now();
    await client.close();
    // The SDK gives a server 2 s after closing stdin before it sends SIGTERM: ours must exit on its own.
    assert.ok(Date.now() - started < 1500, `the server took ${Date.now() - started} ms to exit after stdin closed`);
    assert.ok(pid !== null && !alive(pid), 'the server process is gone');
  };
  t.after(close);
  return {
    client,
    transport,
    close,
    async call(name, args) {
      const result = await client.callTool({ name, arguments: args });
      const content = (result['content'] ?? []) as { type: string; text?: string }[];
      return { text: content.map((c) => c.text ?? '').join('\n'), isError: result['isError'] === true };
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function ingest(workspace: string): void {
  const run = spawnSync(process.execPath, [cli, 'ingest', '--workspace', workspace], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
}

function teamLoop(workspace: string): void {
  mkdirSync(join(workspace, '.logbook'), { recursive: true });
  copyFileSync(join(root, 'templates', 'workflow.team-loop.json'), logbookPaths(workspace).workflow);
}

function workspace(t: TestContext): string {
  const { dir, cleanup } = tempDir('logbook-mcp-');
  t.after(cleanup);
  return dir;
}

const TOOL_NAMES = ['events_search', 'journal_read', 'journal_write', 'review_record', 'workflow_status', 'workflow_transition'];

test('lists the six tools with their input schemas', { skip }, async (t) => {
  const mcp = await connect(t, workspace(t));
  const { tools } = await mcp.client.listTools();
  assert.deepEqual(tools.map((tool) => tool.name).sort(), TOOL_NAMES);
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  for (const tool of tools) {
    assert.equal(tool.inputSchema.type, 'object', tool.name);
    assert.ok((tool.description ?? '').length > 40, `${tool.name} explains itself`);
  }
  assert.deepEqual(byName.get('workflow_transition')?.inputSchema.required?.slice().sort(), ['reason', 'to']);
  assert.deepEqual(Object.keys(byName.get('journal_write')?.inputSchema.properties ?? {}).sort(), ['files', 'session', 'tags', 'text']);
  assert.deepEqual(byName.get('review_record')?.inputSchema.properties?.['outcome'], { type: 'string', enum: ['approved', 'rejected'], description: '"approved" or "rejected".' });
  assert.equal(byName.get('workflow_status')?.annotations?.readOnlyHint, true);
  assert.equal(byName.get('workflow_transition')?.annotations?.readOnlyHint, false);
  const version = mcp.client.getServerVersion();
  assert.equal(version?.name, 'logbook');
  assert.match(mcp.client.getInstructions() ?? '', /workflow_status/);
  await mcp.close();
});

test('an agent drives the team loop through the tools; writes go through the inbox', { skip }, async (t) => {
  const dir = workspace(t);
  teamLoop(dir);
  putInInbox(logbookPaths(dir).inbox, { session_id: 'agent-1', hook_event_name: 'SessionStart', source: 'startup' });
  ingest(dir);
  const mcp = await connect(t, dir);

  const status = await mcp.call('workflow_status', {});
  assert.equal(status.isError, false, status.text);
  assert.match(status.text, /^session: agent-1\nstate: planning, iteration 0/);
  assert.match(status.text, /transitions: developing \(needs: journalSinceEntered/);
  assert.match(status.text, /tool rules: no Write, Edit, MultiEdit, NotebookEdit/);

  const refused = await mcp.call('workflow_transition', { to: 'developing', reason: 'planned' });
  assert.equal(refused.isError, true);
  assert.match(refused.text, /^Cannot move from "planning" to "developing": journalSinceEntered/);

  const written = await mcp.call('journal_write', { text: 'Plan: split the zebra parser', tags: ['plan', 'parser'], files: ['src/parser.ts:12', { path: 'src/lexer.ts' }] });
  assert.equal(written.isError, false, written.text);
  assert.match(written.text, /Journal entry written \(session agent-1, state "planning", iteration 0\)/);

  const moved = await mcp.call('workflow_transition', { to: 'developing', reason: 'plan written', session: 'agent-1' });
  assert.equal(moved.isError, false, moved.text);
  assert.match(moved.text, /^Moved to "developing"\.\n\nsession: agent-1\nstate: developing, iteration 1/);

  // Not ingested yet: read back from the inbox.
  const pending = await mcp.call('journal_read', { tag: 'plan' });
  assert.equal(pending.isError, false, pending.text);
  assert.match(pending.text, /^1 of 1 matching journal entry, oldest first:\n\n\[[^\]]+\] session agent-1, state "planning"; iteration 0; tags: plan, parser; files: src\/parser\.ts:12, src\/lexer\.ts; not ingested yet\nPlan: split the zebra parser$/);

  ingest(dir);
  const stored = await mcp.call('journal_read', { session: 'agent-1', text: 'ZEBRA' });
  assert.match(stored.text, /^1 of 1 matching journal entry/);
  assert.doesNotMatch(stored.text, /not ingested yet/);
  assert.equal((await mcp.call('journal_read', { tag: 'nope' })).text, 'No journal entries match.');

  const review = await mcp.call('review_record', { outcome: 'rejected', notes: 'too early' });
  assert.equal(review.isError, true);
  assert.match(review.text, /A review can only be recorded in state "reviewing"; the workflow is in "developing"/);

  const found = await mcp.call('events_search', { query: 'zebra' });
  assert.equal(found.isError, false, found.text);
  assert.match(found.text, /^1 of 1 matching events[^\n]*\n#\d+ agent-1 JournalEntryWritten \S+ Plan: split the zebra parser/);
  assert.match((await mcp.call('events_search', { query: 'zebra', session: 'agent-1' })).text, /JournalEntryWritten/);

  // Every refusal was recorded (wasted effort counts), in the order the tools were called.
  ingest(dir);
  const events = spawnSync(process.execPath, [cli, 'events', '--session', 'agent-1', '--json', '--workspace', dir], { encoding: 'utf8' });
  assert.deepEqual((JSON.parse(events.stdout) as { type: string }[]).map((e) => e.type),
    ['SessionStart', 'WorkflowStarted', 'WorkflowTransitionRefused', 'JournalEntryWritten', 'WorkflowTransitioned', 'WorkflowCommandRejected']);
  await mcp.close();
});

test('invalid input is a tool error naming the field', { skip }, async (t) => {
  const dir = workspace(t);
  teamLoop(dir);
  const mcp = await connect(t, dir);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['workflow_transition', { reason: 'x', session: 's' }, /\bat to\b/],
    ['workflow_transition', { to: 'developing', reason: '  ', session: 's' }, /must not be blank at reason/],
    ['journal_write', { text: 'x', files: ['a.ts:0'], session: 's' }, /lines start at 1\) or \{path, line\?\} at files\[0\]/],
    ['journal_write', { text: 'x', files: [{ path: 'a.ts', line: 0 }], session: 's' }, /at files\[0\]/],
    ['journal_write', { text: 'x', tags: 'plan', session: 's' }, /at tags/],
    ['review_record', { outcome: 'maybe', session: 's' }, /at outcome/],
    ['journal_read', { limit: 0 }, /at limit/],
    ['workflow_status', { sesion: 's' }, /sesion/],
  ];
  for (const [name, args, field] of cases) {
    const result = await mcp.call(name, args);
    assert.equal(result.isError, true, `${name} ${JSON.stringify(args)}`);
    assert.match(result.text, /Input validation error/);
    assert.match(result.text, field);
  }
  assert.equal(existsSync(logbookPaths(dir).inbox), false, 'nothing was recorded');
  await mcp.close();
});

test('tool errors: no session to default to, no or invalid workflow file, bad search query', { skip }, async (t) => {
  const dir = workspace(t);
  const mcp = await connect(t, dir);
  const noSession = await mcp.call('workflow_status', {});
  assert.equal(noSession.isError, true);
  assert.match(noSession.text, /pass `session`/);

  // A session the hooks recorded but nobody ingested yet is the default all the same.
  putInInbox(logbookPaths(dir).inbox, { session_id: 'fresh', hook_event_name: 'SessionStart', source: 'startup' });
  const none = await mcp.call('workflow_status', {});
  assert.equal(none.isError, true);
  assert.match(none.text, /this workspace has no workflow: copy a template/);

  writeFileSync(logbookPaths(dir).workflow, JSON.stringify({ version: 1, name: 'x', initial: 'nowhere', states: { a: {} }, transitions: [] }));
  const invalid = await mcp.call('journal_write', { text: 'x' });
  assert.equal(invalid.isError, true);
  assert.match(invalid.text, /^The workflow file is invalid:\n(.|\n)*\.logbook\/workflow\.json: initial: no state named "nowhere"/);

  teamLoop(dir);
  assert.match((await mcp.call('workflow_status', {})).text, /^session: fresh\nstate: planning/);

  assert.match((await mcp.call('events_search', { query: 'planning' })).text, /^No events in the store yet\.\n\(\d+ inbox entr/);
  ingest(dir);
  const bad = await mcp.call('events_search', { query: '"unterminated' });
  assert.equal(bad.isError, true);
  assert.match(bad.text, /is not a valid full-text query/);
  const unknown = await mcp.call('events_search', { query: 'startup', session: 'nobody' });
  assert.equal(unknown.isError, true);
  assert.match(unknown.text, /No session "nobody" in the store\. Recent sessions: fresh\./);
  await mcp.close();
});

test('without --workspace the server serves CLAUDE_PROJECT_DIR, as Claude Code sets it for project servers', { skip }, async (t) => {
  const dir = workspace(t);
  teamLoop(dir);
  putInInbox(logbookPaths(dir).inbox, { session_id: 'from-env', hook_event_name: 'SessionStart', source: 'startup' });
  const elsewhere = workspace(t);
  const mcp = await connect(t, dir, { env: { PATH: process.env['PATH'] ?? '', CLAUDE_PROJECT_DIR: dir }, cwd: elsewhere });
  assert.match((await mcp.call('workflow_status', {})).text, /^session: from-env\nstate: planning/);
  await mcp.close();
});
