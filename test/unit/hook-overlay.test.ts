import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { runHook } from '../../src/capture/hook';
import { entryFileName, eventsEntryText, EVENTS_ENTRY_SUFFIX, stampNow, writeInboxEntry } from '../../src/capture/inbox-writer';
import { PENDING_ENTRY_MAX_BYTES } from '../../src/capture/workflow-snapshot';
import { main } from '../../src/cli/main';
import { tempDir } from './helpers';

// A headless loop leaves every decision in the inbox for hours. The hook keeps its own fold of
// them (state/hook/<session>.json), so a later hook reads only the decisions made since. Proven
// without timing: an old decision entry made unreadable (larger than the hook reads, which stops
// the workflow check when it is read) changes nothing once the fold holds it.

const S = 'headless-loop';
const pre = (tool: string): Record<string, unknown> => ({ session_id: S, hook_event_name: 'PreToolUse', tool_name: tool, tool_input: { file_path: 'a.ts' }, tool_use_id: `toolu_${tool}` });

async function cli(argv: string[]): Promise<number> {
  return main(argv, { out: () => undefined, err: () => undefined });
}

function hook(dir: string, payload: Record<string, unknown>): ReturnType<typeof runHook> {
  return runHook({ inboxDir: logbookPaths(dir).inbox, hookEvent: String(payload['hook_event_name']), readStdin: () => JSON.stringify(payload) });
}

function decisionNames(dir: string): string[] {
  return readdirSync(logbookPaths(dir).inbox).filter((n) => n.endsWith(EVENTS_ENTRY_SUFFIX)).sort();
}

/** A workspace under the team-loop workflow, compiled for the hook, with no writer running. */
async function headlessWorkspace(dir: string): Promise<void> {
  mkdirSync(join(dir, '.logbook'), { recursive: true });
  copyFileSync(join(__dirname, '..', '..', 'templates', 'workflow.team-loop.json'), logbookPaths(dir).workflow);
  assert.equal(await cli(['status', '--session', 'compile-only', '--workspace', dir]), 0);
}

function isDenied(outcome: ReturnType<typeof runHook>): boolean {
  return (JSON.parse(outcome.output ?? '{}') as { hookSpecificOutput?: { permissionDecision?: string } }).hookSpecificOutput?.permissionDecision === 'deny';
}

test('pending decisions are folded once: after the hook has folded them, an old decision it can no longer read changes nothing', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await headlessWorkspace(dir);
    for (let i = 0; i < 40; i += 1) assert.ok(isDenied(hook(dir, pre('Write'))), 'planning denies Write');
    const names = decisionNames(dir);
    assert.ok(names.length >= 40, 'every denial (and the workflow start) stays in the inbox: no writer runs');
    assert.equal(readdirSync(join(dir, '.logbook', 'state', 'hook')).length, 1, 'the hook keeps one fold for the session');
    // An entry older than the margin, made too large to read: read again, it would stop the check.
    const oldest = names[0] as string;
    const aged = `${String(Number(oldest.slice(0, 17)) - 120_000_000).padStart(17, '0')}${oldest.slice(17)}`;
    renameSync(join(logbookPaths(dir).inbox, oldest), join(logbookPaths(dir).inbox, aged));
    truncateSync(join(logbookPaths(dir).inbox, aged), PENDING_ENTRY_MAX_BYTES + 1);
    const next = hook(dir, pre('Write'));
    assert.ok(isDenied(next), 'still decided from the fold');
    assert.equal(next.error, undefined, 'the old entry was not read again');
    // Without the fold the same hook reads every entry, and the unreadable one stops the check.
    for (const file of readdirSync(join(dir, '.logbook', 'state', 'hook'))) writeFileSync(join(dir, '.logbook', 'state', 'hook', file), '{}');
    const unfolded = hook(dir, pre('Write'));
    assert.match(unfolded.error ?? '', /workflow not enforced: .*over the limit/, 'the proxy can fail: a full read meets the big entry');
  } finally {
    cleanup();
  }
});

test('the fold takes decisions made after it, one that appears late with an older name, and a transition from the CLI; a new snapshot rebuilds it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await headlessWorkspace(dir);
    assert.ok(isDenied(hook(dir, pre('Write'))));
    assert.ok(isDenied(hook(dir, pre('Write'))), 'the fold exists now');
    const denial = decisionNames(dir).pop() as string;
    // A transition written by the CLI (stamped, named by its time) moves the workflow at once.
    assert.equal(await cli(['journal', '--session', S, '--text', 'plan', '--workspace', dir]), 0);
    assert.equal(await cli(['transition', '--session', S, '--to', 'developing', '--reason', 'planned', '--workspace', dir]), 0);
    assert.ok(!isDenied(hook(dir, pre('Write'))), 'developing allows Write: the CLI decision was folded');
    // A decision that becomes visible late, named before the fold's newest entry (within the
    // margin): a copy of the last denial's events, named a microsecond after it.
    const deniedEvents = (JSON.parse(readFileSync(join(logbookPaths(dir).inbox, denial), 'utf8').replace(/^\{"v":1,"mac":"t1\.[0-9a-f]{64}",/, '{"v":1,')) as { events: { type: string; data: unknown }[] }).events;
    const late = { ...stampNow(), receivedUs: Number(denial.slice(0, 17)) + 1 };
    const lateName = entryFileName(late, EVENTS_ENTRY_SUFFIX);
    writeInboxEntry(logbookPaths(dir).inbox, lateName, eventsEntryText(late, 'hook', S, deniedEvents));
    const afterLate = hook(dir, pre('Write'));
    assert.equal(afterLate.error, undefined);
    const foldFile = join(dir, '.logbook', 'state', 'hook', readdirSync(join(dir, '.logbook', 'state', 'hook'))[0] as string);
    const folded = readFileSync(foldFile, 'utf8');
    assert.ok(folded.includes(lateName), 'the late entry is in the fold');
    // The fold and a full read (every entry, in name order) hold the same state.
    const stateOf = (text: string): string => JSON.stringify((JSON.parse(text.replace(/^\{"v":1,"mac":"t1\.[0-9a-f]{64}",/, '{"v":1,')) as { state: unknown }).state);
    writeFileSync(foldFile, '{}');
    assert.ok(!isDenied(hook(dir, pre('Write'))));
    assert.equal(hook(dir, pre('Write')).error, undefined);
    assert.equal(stateOf(readFileSync(foldFile, 'utf8')), stateOf(folded), 'a full read folds to the same state');
    // The writer catches up: a new snapshot, the pending entries leave the inbox, the fold is rebuilt on it.
    assert.equal(await cli(['ingest', '--workspace', dir]), 0);
    assert.deepEqual(decisionNames(dir), []);
    const snapshots = logbookPaths(dir).sessionStates;
    for (const file of readdirSync(snapshots)) utimesSync(join(snapshots, file), new Date(), new Date(Date.now() + 1000));
    assert.equal(isDenied(hook(dir, pre('Write'))), false, 'the same decision from the snapshot');
  } finally {
    cleanup();
  }
});

test('a fold that is planted, unstamped or built on another snapshot is not used', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await headlessWorkspace(dir);
    assert.ok(isDenied(hook(dir, pre('Write'))));
    assert.ok(isDenied(hook(dir, pre('Write'))), 'the second hook folds the first one\'s decisions');
    const hookDir = join(dir, '.logbook', 'state', 'hook');
    assert.equal(readdirSync(hookDir).length, 1);
    const file = join(hookDir, readdirSync(hookDir)[0] as string);
    const stamped = readFileSync(file, 'utf8');
    // A forged fold that claims the session is developing (Write allowed), without the stamp.
    const forged = stamped.replace(/^\{"v":1,"mac":"t1\.[0-9a-f]{64}",/, '{"v":1,').replace(/"current":"planning"/, '"current":"developing"');
    assert.notEqual(forged, stamped);
    writeFileSync(file, forged);
    assert.ok(isDenied(hook(dir, pre('Write'))), 'an unstamped fold is ignored');
    // A stamped fold built on another snapshot (base) is ignored too.
    writeFileSync(file, stamped.replace(/"base":"[^"]*"/, '"base":"1:1"').replace(/"current":"planning"/, '"current":"developing"'));
    assert.ok(isDenied(hook(dir, pre('Write'))), 'a fold of another snapshot is ignored');
  } finally {
    cleanup();
  }
});
