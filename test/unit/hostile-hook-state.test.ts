import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runHook } from '../../src/capture/hook';
import type { HookOutcome } from '../../src/capture/hook';
import { installHooks } from '../../src/capture/installer';
import { logbookPaths, sessionStateFile } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { loadWorkflow } from '../../src/workflow/definition-file';
import { tempDir } from './helpers';

// The hook reads the compiled workflow, the session's snapshot and the pending decisions on
// every PreToolUse and Stop. Planted in the workspace, a huge or deeply nested one must not
// slow or break a tool call: the hook records the event, decides nothing (fails open) and says
// why on stderr. Each case first shows the workspace enforces its workflow (Write is denied),
// so letting Write through afterwards is the planted file's doing.

const S = 'hostile-state-session';
const MB50 = 50 * 1024 * 1024;
const WORKFLOW = {
  version: 1, name: 'guarded', initial: 'working',
  states: { working: { tools: { deny: ['Write'], bash: { deny: ['rm *'] } } }, done: { final: true } },
  transitions: [{ from: 'working', to: 'done' }], iteration: { startsAt: 'working' },
};
const writePayload = { session_id: S, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: 'a.ts' }, tool_use_id: 'toolu_1' };

function guardedWorkspace(t: TestContext): LogbookPaths {
  const { dir, cleanup } = tempDir('logbook-hostile-hook-');
  t.after(cleanup);
  const paths = logbookPaths(dir);
  mkdirSync(paths.inbox, { recursive: true });
  writeFileSync(paths.workflow, JSON.stringify(WORKFLOW));
  assert.equal(loadWorkflow(paths).status, 'ok');
  return paths;
}

function hook(paths: LogbookPaths, payload: Record<string, unknown> = writePayload): HookOutcome {
  return runHook({ inboxDir: paths.inbox, hookEvent: String(payload['hook_event_name']), readStdin: () => JSON.stringify(payload) });
}

function denies(outcome: HookOutcome): boolean {
  return outcome.output?.includes('"permissionDecision":"deny"') === true;
}

/** Writes `start` and extends the file to `size` bytes (with spaces when `pad`, else sparsely). */
function plant(file: string, size: number, start: string, pad = false): void {
  writeFileSync(file, pad ? start + ' '.repeat(size - start.length) : start);
  if (pad) return;
  const fd = openSync(file, 'r+');
  ftruncateSync(fd, size);
  closeSync(fd);
}

const deep = (depth: number): string => `{"v":1,"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;

interface Planted {
  readonly name: string;
  readonly plant: (paths: LogbookPaths) => void;
  /** What stderr says, or undefined when the planted file is skipped silently and the rule still applies. */
  readonly note: RegExp | undefined;
}

const compiledPath = (paths: LogbookPaths): string => paths.compiledWorkflow;
const snapshotPath = (paths: LogbookPaths): string => sessionStateFile(paths.sessionStates, S);
const pendingPath = (paths: LogbookPaths): string => join(paths.inbox, '00000000000000001-planted.cmd.json');

const PLANTED: readonly Planted[] = [
  // The compiled copy, padded with spaces: read, it would still deny Write.
  { name: 'compiled workflow just over 512 KiB', plant: (p) => plant(compiledPath(p), 512 * 1024 + 1, readFileSync(compiledPath(p), 'utf8'), true), note: /\.logbook\/state\/workflow\.json is 512\.0 KiB \(524289 bytes\), over the limit of 512 KiB/ },
  { name: 'compiled workflow of 50 MB', plant: (p) => plant(compiledPath(p), MB50, readFileSync(compiledPath(p), 'utf8')), note: /\.logbook\/state\/workflow\.json is 50 MiB \(52428800 bytes\), over the limit/ },
  { name: 'compiled workflow nested 100,000 deep', plant: (p) => writeFileSync(compiledPath(p), deep(100_000)), note: /\.logbook\/state\/workflow\.json is nested deeper than 256 levels/ },
  { name: 'compiled workflow with 10,000 deny globs', plant: (p) => writeFileSync(compiledPath(p), JSON.stringify({ v: 1, hash: 'h', definition: { ...WORKFLOW, states: { working: { tools: { bash: { deny: Array.from({ length: 10_000 }, (_, i) => `*a*${i}*b`) } } } } } })), note: /states\["working"\]\.tools\.bash\.deny holds more than 256 globs/ },
  { name: 'compiled workflow replaced by a directory', plant: (p) => { rmSync(compiledPath(p)); mkdirSync(compiledPath(p)); }, note: /\.logbook\/state\/workflow\.json is a (directory|folder)/ },
  { name: 'session snapshot of 50 MB', plant: (p) => { mkdirSync(p.sessionStates, { recursive: true }); plant(snapshotPath(p), MB50, '{}'); }, note: /\.logbook\/state\/sessions\/hostile-state-session\.json is 50 MiB/ },
  { name: 'session snapshot nested 100,000 deep', plant: (p) => { mkdirSync(p.sessionStates, { recursive: true }); writeFileSync(snapshotPath(p), deep(100_000)); }, note: /sessions\/hostile-state-session\.json is nested deeper than 256 levels/ },
  { name: 'pending entry of 50 MB', plant: (p) => plant(pendingPath(p), MB50, '{}'), note: /\.logbook\/inbox\/00000000000000001-planted\.cmd\.json is 50 MiB/ },
  // Not ours and not a decision the state could depend on: skipped, the rule still applies.
  { name: 'pending entry nested 100,000 deep', plant: (p) => writeFileSync(pendingPath(p), deep(100_000)), note: undefined },
  { name: 'pending entry that is a directory', plant: (p) => mkdirSync(pendingPath(p)), note: undefined },
];

for (const planted of PLANTED) {
  test(`PreToolUse with a planted ${planted.name}: ${planted.note === undefined ? 'skipped, the rule still applies' : 'the event is recorded, nothing is decided, stderr says why'}`, (t) => {
    const paths = guardedWorkspace(t);
    assert.ok(denies(hook(paths)), 'the workflow is enforced before the file is planted');
    rmSync(paths.inbox, { recursive: true });
    mkdirSync(paths.inbox);
    planted.plant(paths);
    const outcome = hook(paths);
    assert.ok(outcome.file !== undefined && existsSync(outcome.file), 'the hook event is recorded');
    if (planted.note === undefined) {
      assert.ok(denies(outcome), 'still denied');
      assert.equal(outcome.error, undefined);
      return;
    }
    assert.equal(outcome.output, undefined, 'no decision: the tool runs');
    assert.match(outcome.error ?? '', /^agent-logbook: workflow not enforced: /);
    assert.match(outcome.error ?? '', planted.note);
    assert.ok(!(outcome.error ?? '').includes('\n'), 'one line');
    assert.deepEqual(readdirSync(paths.inbox).filter((n) => n.endsWith('.cmd.json') && !n.includes('planted')), [], 'no decision recorded');
    // Stop is not blocked either, and says the same.
    const stopped = hook(paths, { session_id: S, hook_event_name: 'Stop', stop_hook_active: false });
    assert.equal(stopped.output, undefined);
    assert.match(stopped.error ?? '', planted.note);
  });
}

test('the issue\'s glob in bash.deny: the hook lets echo of 40 a\'s and megabyte commands run, and still denies what the glob matches', (t) => {
  const { dir, cleanup } = tempDir('logbook-hostile-hook-');
  t.after(cleanup);
  const paths = logbookPaths(dir);
  mkdirSync(paths.inbox, { recursive: true });
  const glob = '*a*a*a*a*a*a*a*a*a*a*a*a*b';
  writeFileSync(paths.workflow, JSON.stringify({ ...WORKFLOW, states: { working: { tools: { bash: { deny: [glob], allow: [`*${'a'.repeat(500)}c*`, 'echo *'] } } }, done: { final: true } } }));
  assert.equal(loadWorkflow(paths).status, 'ok');
  const bash = (command: string): HookOutcome => hook(paths, { ...writePayload, tool_name: 'Bash', tool_input: { command } });
  const MB = 1_000_000;
  for (const command of [`echo ${'a'.repeat(40)}`, `echo ${'a'.repeat(MB)}`, `echo ${'a>&'.repeat(MB / 3)}`, `echo ${'<<a '.repeat(MB / 4)}\n${'a\n'.repeat(MB / 4)}`]) {
    const outcome = bash(command);
    assert.equal(outcome.output, undefined, command.slice(0, 40));
    assert.equal(outcome.error, undefined);
  }
  const denied = bash(`echo ${'a'.repeat(MB)}b`);
  assert.ok(denies(denied));
  assert.ok((denied.output ?? '').includes(JSON.stringify(glob).slice(1, -1)));
});

test('a planted FIFO as the compiled workflow or a snapshot does not block the hook', { skip: process.platform === 'win32' }, (t) => {
  for (const path of [compiledPath, snapshotPath]) {
    const paths = guardedWorkspace(t);
    mkdirSync(paths.sessionStates, { recursive: true });
    rmSync(path(paths), { force: true });
    execFileSync('mkfifo', [path(paths)]);
    const outcome = hook(paths);
    assert.equal(outcome.output, undefined);
    assert.match(outcome.error ?? '', /not a regular file/);
  }
});

test('the built hook, run as Claude Code runs it, fails open on a 50 MB compiled workflow: exit 0, no decision, one line on stderr', (t) => {
  const paths = guardedWorkspace(t);
  installHooks({ workspace: paths.workspace, scope: 'local', hookBundle: join(__dirname, '..', '..', 'dist', 'hook.js') });
  const run = (): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [paths.hookScript, 'PreToolUse'], { input: JSON.stringify(writePayload), encoding: 'utf8' });
  const before = run();
  assert.equal(before.status, 0);
  assert.match(String(before.stdout), /"permissionDecision":"deny"/, 'enforced before');
  plant(compiledPath(paths), MB50, readFileSync(compiledPath(paths), 'utf8'));
  const after = run();
  assert.equal(after.status, 0);
  assert.equal(after.stdout, '');
  assert.match(String(after.stderr), /^agent-logbook: workflow not enforced: \.logbook\/state\/workflow\.json is 50 MiB \(52428800 bytes\), over the limit of 512 KiB \(524288 bytes\): not read\n$/);
});
