import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { runHook } from '../../src/capture/hook';
import { main } from '../../src/cli/main';
import { tempDir } from './helpers';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
  return { code, out, err };
}

function hook(dir: string, payload: Record<string, unknown>): ReturnType<typeof runHook> {
  return runHook({ inboxDir: logbookPaths(dir).inbox, hookEvent: String(payload['hook_event_name']), readStdin: () => JSON.stringify(payload) });
}

const S = 'enforced-session';
const pre = (tool: string, input: Record<string, unknown> = {}): Record<string, unknown> => ({ session_id: S, hook_event_name: 'PreToolUse', tool_name: tool, tool_input: input, tool_use_id: `toolu_${tool}` });
const stop = (active = false): Record<string, unknown> => ({ session_id: S, hook_event_name: 'Stop', stop_hook_active: active });

test('hooks enforce the workflow: a forbidden tool is denied with the reason, Stop is sent back until the journal rule is met, stop_hook_active is honoured', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const ws = ['--workspace', dir];
    mkdirSync(join(dir, '.logbook'), { recursive: true });
    // Without a workflow nothing is decided.
    assert.equal(hook(dir, pre('Write')).output, undefined);
    copyFileSync(join(__dirname, '..', '..', 'templates', 'workflow.team-loop.json'), logbookPaths(dir).workflow);
    hook(dir, { session_id: S, hook_event_name: 'SessionStart', source: 'startup' });
    assert.equal((await cli(['ingest', ...ws])).code, 0);
    // Validating the file (any CLI/MCP use, or the extension) compiles it for the hook.
    assert.equal((await cli(['status', '--session', S, ...ws])).code, 0);
    const context = JSON.parse(hook(dir, { session_id: S, hook_event_name: 'SessionStart', source: 'resume' }).output ?? '{}') as { hookSpecificOutput?: { additionalContext?: string } };
    assert.match(context.hookSpecificOutput?.additionalContext ?? '', new RegExp(`session id ${S}.*workflow "`), 'the agent learns its session id');
    assert.deepEqual(readdirSync(logbookPaths(dir).inbox).filter((n) => n.endsWith('.cmd.json')), [], 'telling is not deciding: nothing recorded');
    const denied = hook(dir, pre('Write', { file_path: 'a.ts' }));
    const answer = JSON.parse(denied.output ?? '{}') as { hookSpecificOutput?: { hookEventName: string; permissionDecision: string; permissionDecisionReason: string } };
    assert.equal(answer.hookSpecificOutput?.permissionDecision, 'deny');
    assert.match(answer.hookSpecificOutput?.permissionDecisionReason ?? '', /Write.*"planning"/);
    assert.equal(hook(dir, pre('Read', { file_path: 'a.ts' })).output, undefined, 'an allowed tool passes silently');
    assert.equal(hook(dir, pre('mcp__logbook__journal_write')).output, undefined, 'our own MCP tools always pass');
    // Move to developing (iteration 1) through the CLI: the hook sees it before any ingest.
    assert.equal((await cli(['journal', '--session', S, '--text', 'plan', ...ws])).code, 0);
    assert.equal((await cli(['transition', '--session', S, '--to', 'developing', '--reason', 'planned', ...ws])).code, 0);
    assert.equal(hook(dir, pre('Write', { file_path: 'a.ts' })).output, undefined, 'developing allows Write');
    const blocked = JSON.parse(hook(dir, stop()).output ?? '{}') as { decision?: string; reason?: string };
    assert.equal(blocked.decision, 'block');
    assert.match(blocked.reason ?? '', /journal/);
    assert.equal(hook(dir, stop(true)).output, undefined, 'stop_hook_active: never trapped in a loop');
    // Ingested: decisions now come from the snapshot the writer keeps, and are recorded.
    assert.equal((await cli(['ingest', ...ws])).code, 0);
    assert.ok(readdirSync(logbookPaths(dir).sessionStates).length === 1, 'a snapshot for the hook');
    assert.equal(hook(dir, pre('Write')).output, undefined);
    assert.equal((await cli(['journal', '--session', S, '--text', 'did it', ...ws])).code, 0);
    assert.equal(hook(dir, stop()).output, undefined, 'journal rule met: the agent may stop');
    assert.equal((await cli(['ingest', ...ws])).code, 0);
    const events = JSON.parse((await cli(['events', '--session', S, '--json', ...ws])).out) as { type: string; eventId: string; causationId: string | null }[];
    const types = events.map((e) => e.type);
    assert.deepEqual(types.filter((t) => t === 'HookDenied' || t === 'StopBlocked' || t === 'WorkflowStarted'), ['WorkflowStarted', 'HookDenied', 'StopBlocked']);
    const deniedEvent = events.find((e) => e.type === 'HookDenied');
    const causing = events.find((e) => e.eventId === deniedEvent?.causationId);
    assert.equal(causing?.type, 'PreToolUse', 'a denial is caused by the hook event it answered');
    // A workflow file edited after it was compiled: the hook fails open until it is validated again.
    const later = new Date(Date.now() + 5000);
    utimesSync(logbookPaths(dir).workflow, later, later);
    assert.equal(hook(dir, stop()).output, undefined);
  } finally {
    cleanup();
  }
});
