import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  HOOK_EVENTS,
  InstallerError,
  SettingsFileError,
  TOOL_EVENTS,
  hookCommand,
  installHooks,
  isLogbookHandler,
  uninstallHooks,
} from '../../src/capture/installer';
import type { InstallOptions, SettingsScope } from '../../src/capture/installer';
import { logbookPaths } from '../../src/capture/paths';
import { mcpCliFilePath, mcpLauncherPath } from '../../src/capture/mcp-config';

// ---------- helpers ----------

interface Sandbox {
  readonly workspace: string;
  readonly bundle: string;
  readonly options: (scope?: SettingsScope, runtime?: string) => InstallOptions;
}

function sandbox(t: TestContext): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'logbook-installer-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const workspace = join(root, 'my project');
  mkdirSync(workspace);
  const bundle = join(root, 'dist-hook.js');
  writeFileSync(bundle, '// fake hook bundle\nprocess.exit(0);\n');
  return {
    workspace,
    bundle,
    options: (scope = 'local', runtime) => ({ workspace, scope, hookBundle: bundle, ...(runtime ? { runtime } : {}) }),
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function readJson(file: string): JsonObject {
  return JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
}

function localSettings(workspace: string): string {
  return join(workspace, '.claude', 'settings.local.json');
}

function writeSettings(workspace: string, text: string, name = 'settings.local.json'): string {
  const file = join(workspace, '.claude', name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function groupsOf(settings: JsonObject, event: string): JsonObject[] {
  const hooks = settings['hooks'] as JsonObject;
  return hooks[event] as JsonObject[];
}

function ourHandlers(settings: JsonObject, event: string): Json[] {
  return groupsOf(settings, event).flatMap((group) => (group['hooks'] as Json[]).filter(isLogbookHandler));
}

function ourHandler(event: string): JsonObject {
  // PreToolUse waits for a held session's resume (holds.ts): its timeout leaves room for the wait.
  return { type: 'command', command: hookCommand(event), timeout: event === 'PreToolUse' ? 600 : 30 };
}

function snapshot(files: string[]): Map<string, { bytes: Buffer; mtimeMs: number }> {
  return new Map(files.map((file) => [file, { bytes: readFileSync(file), mtimeMs: statSync(file).mtimeMs }]));
}

// ---------- install ----------

test('fresh install into an empty workspace hooks every event but WorktreeCreate, with the documented shapes', (t) => {
  const { workspace, options, bundle } = sandbox(t);
  const result = installHooks(options());
  const file = localSettings(workspace);
  assert.equal(result.settingsFile, file);
  assert.equal(result.settingsChanged, true);
  assert.equal(result.gitignoreChanged, true);
  assert.equal(result.programChanged, true);
  assert.deepEqual(result.eventsInstalled, [...HOOK_EVENTS]);
  assert.deepEqual([...result.eventsChanged].sort(), [...HOOK_EVENTS].sort());

  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\{\n {2}"hooks": \{\n {4}"SessionStart": \[/, 'two-space indentation');
  assert.ok(text.endsWith('}\n'));
  const settings = readJson(file);
  const hooks = settings['hooks'] as JsonObject;
  assert.deepEqual(Object.keys(hooks), [...HOOK_EVENTS]);
  assert.equal(hooks['WorktreeCreate'], undefined);
  for (const event of HOOK_EVENTS) {
    const expected = TOOL_EVENTS.has(event)
      ? [{ matcher: '*', hooks: [ourHandler(event)] }]
      : [{ hooks: [ourHandler(event)] }];
    assert.deepEqual(hooks[event], expected, event);
  }
  assert.deepEqual(groupsOf(settings, 'PreToolUse'), [
    {
      matcher: '*',
      hooks: [{ type: 'command', command: '"$CLAUDE_PROJECT_DIR"/.logbook/bin/logbook-hook PreToolUse', timeout: 600 }],
    },
  ]);

  const paths = logbookPaths(workspace);
  assert.deepEqual(readFileSync(paths.hookScript), readFileSync(bundle));
  assert.equal(statSync(paths.hookLauncher).mode & 0o777, 0o755);
  assert.equal(statSync(paths.dir).mode & 0o777, 0o700);
  assert.equal(statSync(paths.inbox).mode & 0o777, 0o700);
  assert.equal(existsSync(paths.hookRuntime), false, 'no runtime file unless asked');
});

test('HOOK_EVENTS never contains WorktreeCreate and lists each event once', () => {
  assert.ok(!HOOK_EVENTS.includes('WorktreeCreate'));
  assert.equal(new Set(HOOK_EVENTS).size, HOOK_EVENTS.length);
  assert.equal(HOOK_EVENTS.length, 29);
});

test('merge keeps other keys, other tools\' handlers, other matcher groups and the user\'s formatting', (t) => {
  const { workspace, options } = sandbox(t);
  const original = `{
    "permissions": {
        "allow": ["Bash(ls:*)", "Read"]
    },
    "env": {"FOO": "bar"},
    "enableAllProjectMcpServers": true,
    "hooks": {
        "PreToolUse": [
            {"matcher": "*", "hooks": [{"type": "command", "command": "other-tool pre"}]},
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "bash-guard", "timeout": 5}]}
        ],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-done"}]}],
        "WorktreeCreate": [{"hooks": [{"type": "command", "command": "make-worktree"}]}]
    }
}
`;
  const file = writeSettings(workspace, original);
  installHooks(options());
  const text = readFileSync(file, 'utf8');
  const settings = readJson(file);

  assert.ok(text.includes('        "allow": ["Bash(ls:*)", "Read"]\n'), 'untouched lines keep their formatting');
  assert.ok(text.includes('"env": {"FOO": "bar"},'));
  assert.ok(text.includes('{"matcher": "Bash", "hooks": [{"type": "command", "command": "bash-guard", "timeout": 5}]}'));
  assert.match(text, /\n {8}"SessionStart": \[\n {12}\{\n {16}"hooks": \[/, 'inserted JSON follows the file\'s 4-space indentation');
  assert.deepEqual(settings['permissions'], { allow: ['Bash(ls:*)', 'Read'] });
  assert.deepEqual(settings['env'], { FOO: 'bar' });
  assert.equal(settings['enableAllProjectMcpServers'], true);

  const pre = groupsOf(settings, 'PreToolUse');
  assert.deepEqual(pre, [
    { matcher: '*', hooks: [{ type: 'command', command: 'other-tool pre' }] },
    { matcher: 'Bash', hooks: [{ type: 'command', command: 'bash-guard', timeout: 5 }] },
    { matcher: '*', hooks: [ourHandler('PreToolUse')] },
  ]);
  assert.deepEqual(groupsOf(settings, 'Stop'), [
    { hooks: [{ type: 'command', command: 'notify-done' }] },
    { hooks: [ourHandler('Stop')] },
  ]);
  assert.deepEqual(groupsOf(settings, 'WorktreeCreate'), [{ hooks: [{ type: 'command', command: 'make-worktree' }] }]);
  for (const event of HOOK_EVENTS) assert.equal(ourHandlers(settings, event).length, 1, event);
});

test('a tab-indented file with CRLF line endings keeps its tabs and CRLFs', (t) => {
  const { workspace, options } = sandbox(t);
  const file = writeSettings(workspace, '{\r\n\t"model": "sonnet",\r\n\t"hooks": {\r\n\t\t"Stop": []\r\n\t}\r\n}\r\n');
  installHooks(options());
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith('{\r\n\t"model": "sonnet",\r\n\t"hooks": {\r\n\t\t"Stop": [\r\n\t\t\t{\r\n\t\t\t\t"hooks": [\r\n'), JSON.stringify(text.slice(0, 120)));
  assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
  assert.doesNotMatch(text, /^ +/m, 'no space indentation');
  assert.deepEqual(groupsOf(readJson(file), 'Stop'), [{ hooks: [ourHandler('Stop')] }]);
  uninstallHooks({ workspace, scope: 'local' });
  assert.equal(readFileSync(file, 'utf8'), '{\r\n\t"model": "sonnet"\r\n}\r\n');
});

test('a second install with the same options changes no byte and no mtime, and says nothing changed', (t) => {
  const { workspace, options } = sandbox(t);
  writeFileSync(join(workspace, '.gitignore'), 'node_modules/\n');
  installHooks(options('local', process.execPath));
  const paths = logbookPaths(workspace);
  const files = [localSettings(workspace), join(workspace, '.gitignore'), paths.hookLauncher, paths.hookScript, paths.hookRuntime];
  // Move every mtime into the past, so a rewrite within the same clock tick would still show.
  const past = new Date('2020-01-01T00:00:00Z');
  for (const file of files) utimesSync(file, past, past);
  const before = snapshot(files);

  const second = installHooks(options('local', process.execPath));
  assert.equal(second.settingsChanged, false);
  assert.equal(second.gitignoreChanged, false);
  assert.equal(second.programChanged, false);
  assert.deepEqual(second.eventsChanged, []);
  assert.deepEqual(second.eventsInstalled, [...HOOK_EVENTS]);
  assert.match(second.messages[0] ?? '', /already up to date/);
  const after = snapshot(files);
  for (const file of files) {
    assert.deepEqual(after.get(file)?.bytes, before.get(file)?.bytes, file);
    assert.equal(after.get(file)?.mtimeMs, before.get(file)?.mtimeMs, file);
  }
  assert.deepEqual(readdirSync(paths.bin).sort(), ['hook.cjs', 'logbook-hook', 'runtime'], 'no temp files left behind');
});

test('an outdated handler of ours is updated in place, never duplicated', (t) => {
  const { workspace, options } = sandbox(t);
  const old = { type: 'command', command: '"$CLAUDE_PROJECT_DIR"/.logbook/bin/logbook-hook PreToolUse --v0', timeout: 5 };
  const file = writeSettings(
    workspace,
    JSON.stringify(
      {
        hooks: {
          PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: 'other-tool pre' }, old] }],
          SessionEnd: [{ hooks: [{ type: 'command', command: '/old/place/.logbook/bin/logbook-hook SessionEnd' }] }],
        },
      },
      null,
      2,
    ),
  );
  const result = installHooks(options());
  const settings = readJson(file);
  assert.deepEqual(groupsOf(settings, 'PreToolUse'), [
    { matcher: '*', hooks: [{ type: 'command', command: 'other-tool pre' }, ourHandler('PreToolUse')] },
  ]);
  assert.deepEqual(groupsOf(settings, 'SessionEnd'), [{ hooks: [ourHandler('SessionEnd')] }]);
  assert.ok(result.eventsChanged.includes('PreToolUse'));
});

test('duplicates of our handler collapse to one, and a narrow matcher is widened or moved out', (t) => {
  const { workspace, options } = sandbox(t);
  const file = writeSettings(
    workspace,
    JSON.stringify({
      hooks: {
        Stop: [{ hooks: [ourHandler('Stop')] }, { hooks: [ourHandler('Stop'), { type: 'command', command: 'keep-me' }] }],
        PostToolUse: [{ matcher: 'Bash', hooks: [ourHandler('PostToolUse')] }],
        PreToolUse: [{ matcher: 'Edit', hooks: [{ type: 'command', command: 'lint' }, ourHandler('PreToolUse')] }],
      },
    }),
  );
  installHooks(options());
  const settings = readJson(file);
  assert.deepEqual(groupsOf(settings, 'Stop'), [{ hooks: [ourHandler('Stop')] }, { hooks: [{ type: 'command', command: 'keep-me' }] }]);
  assert.deepEqual(groupsOf(settings, 'PostToolUse'), [{ matcher: '*', hooks: [ourHandler('PostToolUse')] }]);
  assert.deepEqual(groupsOf(settings, 'PreToolUse'), [
    { matcher: 'Edit', hooks: [{ type: 'command', command: 'lint' }] },
    { matcher: '*', hooks: [ourHandler('PreToolUse')] },
  ]);
});

test('a missing hook bundle throws HOOK_BUNDLE_MISSING before anything is written', (t) => {
  const { workspace } = sandbox(t);
  assert.throws(
    () => installHooks({ workspace, scope: 'local', hookBundle: join(workspace, 'nope.js') }),
    (error: unknown) => error instanceof InstallerError && error.code === 'HOOK_BUNDLE_MISSING',
  );
  assert.deepEqual(readdirSync(workspace), []);
});

// ---------- uninstall ----------

test('uninstall removes only our handlers and the containers it empties, keeping containers that were already empty', (t) => {
  const { workspace, options } = sandbox(t);
  const original = `{
  "permissions": {"allow": ["Read"]},
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "bash-guard"}]},
      {"matcher": "Edit", "hooks": []}
    ]
  },
  "env": {"A": "1"}
}
`;
  const file = writeSettings(workspace, original);
  installHooks(options());
  // A user adds their own handler to our group after installing: it must survive.
  const settings = readJson(file);
  const stopGroup = groupsOf(settings, 'Stop')[0];
  assert.ok(stopGroup);
  (stopGroup['hooks'] as Json[]).push({ type: 'command', command: 'say-done' });
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);

  const result = uninstallHooks({ workspace, scope: 'local' });
  assert.equal(result.removedHandlers, HOOK_EVENTS.length);
  assert.equal(result.settingsChanged, true);
  assert.deepEqual(readJson(file), {
    permissions: { allow: ['Read'] },
    hooks: {
      PreToolUse: [
        { matcher: 'Bash', hooks: [{ type: 'command', command: 'bash-guard' }] },
        { matcher: 'Edit', hooks: [] },
      ],
      Stop: [{ hooks: [{ type: 'command', command: 'say-done' }] }],
    },
    env: { A: '1' },
  });
  assert.ok(existsSync(logbookPaths(workspace).hookLauncher), 'the .logbook folder stays');

  const again = uninstallHooks({ workspace, scope: 'local' });
  assert.equal(again.removedHandlers, 0);
  assert.equal(again.settingsChanged, false);
});

test('install then uninstall gives back the original bytes', (t) => {
  const { workspace, options } = sandbox(t);
  const original = `{
  "permissions": {"allow": ["Read"]},
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "bash-guard"}]}
    ]
  }
}
`;
  const file = writeSettings(workspace, original);
  installHooks(options());
  uninstallHooks({ workspace, scope: 'local' });
  assert.equal(readFileSync(file, 'utf8'), original);
});

test('uninstall removes the hooks key when only our hooks were in it', (t) => {
  const { workspace, options } = sandbox(t);
  const file = writeSettings(workspace, '{\n  "model": "sonnet"\n}\n');
  installHooks(options());
  uninstallHooks({ workspace, scope: 'local' });
  assert.equal(readFileSync(file, 'utf8'), '{\n  "model": "sonnet"\n}\n');

  const { workspace: fresh, options: freshOptions } = sandbox(t);
  installHooks(freshOptions());
  uninstallHooks({ workspace: fresh, scope: 'local' });
  assert.equal(readFileSync(localSettings(fresh), 'utf8'), '{}\n');
});

test('uninstall without a settings file changes nothing', (t) => {
  const { workspace } = sandbox(t);
  const result = uninstallHooks({ workspace, scope: 'shared' });
  assert.equal(result.settingsChanged, false);
  assert.equal(result.removedHandlers, 0);
  assert.equal(existsSync(join(workspace, '.claude')), false);
});

// ---------- malformed settings ----------

const MALFORMED: ReadonlyArray<{ name: string; text: string; line: number; column: number; reason: RegExp }> = [
  { name: 'trailing comma', text: '{\n  "permissions": {\n    "allow": ["Read",]\n  }\n}\n', line: 3, column: 21, reason: /trailing comma/ },
  { name: 'comment', text: '{\n  // mine\n  "env": {}\n}\n', line: 2, column: 3, reason: /comments/ },
  { name: 'truncated file', text: '{\n  "hooks": {\n    "Stop": [\n', line: 4, column: 1, reason: /expected/ },
  { name: 'missing comma', text: '{\n  "a": 1\n  "b": 2\n}\n', line: 3, column: 3, reason: /expected ','/ },
  { name: 'hooks not an object', text: '{\n  "hooks": []\n}\n', line: 2, column: 12, reason: /"hooks" must be an object/ },
  { name: 'event not an array', text: '{\n  "hooks": {\n    "Stop": {"hooks": []}\n  }\n}\n', line: 3, column: 13, reason: /"hooks.Stop" must be an array/ },
  { name: 'settings not an object', text: '[]\n', line: 1, column: 1, reason: /must be a JSON object/ },
];

for (const bad of MALFORMED) {
  test(`malformed settings (${bad.name}) throw SettingsFileError at ${bad.line}:${bad.column} and stay untouched`, (t) => {
    const { workspace, options } = sandbox(t);
    const file = writeSettings(workspace, bad.text);
    for (const attempt of [() => installHooks(options()), () => uninstallHooks({ workspace, scope: 'local' })]) {
      assert.throws(attempt, (error: unknown) => {
        assert.ok(error instanceof SettingsFileError);
        assert.equal(error.code, 'SETTINGS_MALFORMED');
        assert.equal(error.file, '.claude/settings.local.json');
        assert.deepEqual([error.line, error.column], [bad.line, bad.column]);
        assert.match(error.message, bad.reason);
        assert.ok(error.message.startsWith(`.claude/settings.local.json:${bad.line}:${bad.column}: `), error.message);
        assert.ok(error.message.endsWith('(file left untouched)'));
        return true;
      });
    }
    assert.equal(readFileSync(file, 'utf8'), bad.text);
    assert.deepEqual(readdirSync(workspace), ['.claude'], 'nothing else written either');
  });
}

// ---------- scopes ----------

test('scope shared writes .claude/settings.json and local writes .claude/settings.local.json', (t) => {
  const { workspace, options } = sandbox(t);
  const shared = installHooks(options('shared'));
  assert.equal(shared.settingsFile, join(workspace, '.claude', 'settings.json'));
  assert.equal(existsSync(localSettings(workspace)), false);
  assert.ok(shared.messages.some((message) => message.includes('Commit .claude/settings.json')));
  assert.equal(ourHandlers(readJson(shared.settingsFile), 'Stop').length, 1);

  const local = installHooks(options('local'));
  assert.equal(local.settingsFile, localSettings(workspace));
  assert.equal(ourHandlers(readJson(local.settingsFile), 'Stop').length, 1);

  uninstallHooks({ workspace, scope: 'local' });
  assert.equal(ourHandlers(readJson(shared.settingsFile), 'Stop').length, 1, 'uninstalling local leaves shared alone');
});

// ---------- .gitignore ----------

test('.gitignore gets the block once, after the existing content, with a newline before it', (t) => {
  const { workspace, options } = sandbox(t);
  const gitignore = join(workspace, '.gitignore');
  writeFileSync(gitignore, 'node_modules/\ndist');
  installHooks(options());
  installHooks(options('shared'));
  const text = readFileSync(gitignore, 'utf8');
  assert.equal(
    text,
    'node_modules/\ndist\n\n# Agent Logbook: local event store and inbox (keep .logbook/bin and workflow.json)\n' +
      '.logbook/*\n!.logbook/bin/\n!.logbook/workflow.json\n.logbook/bin/runtime\n.logbook/bin/cli\n',
  );
});

test('an older Agent Logbook block in .gitignore is replaced in place', (t) => {
  const { workspace, options } = sandbox(t);
  const gitignore = join(workspace, '.gitignore');
  writeFileSync(gitignore, 'a\n# Agent Logbook: old\n.logbook/\nb\n');
  const result = installHooks(options());
  assert.equal(result.gitignoreChanged, true);
  assert.equal(
    readFileSync(gitignore, 'utf8'),
    'a\n# Agent Logbook: local event store and inbox (keep .logbook/bin and workflow.json)\n' +
      '.logbook/*\n!.logbook/bin/\n!.logbook/workflow.json\n.logbook/bin/runtime\n.logbook/bin/cli\nb\n',
  );
});

test('git itself ignores the store, inbox, segments, lock, runtime and cli but not bin or workflow.json', (t) => {
  const git = spawnSync('git', ['--version']);
  if (git.status !== 0) {
    t.skip('git is not installed');
    return;
  }
  const { workspace, options } = sandbox(t);
  spawnSync('git', ['init', '-q'], { cwd: workspace });
  installHooks(options('local', process.execPath));
  const paths = logbookPaths(workspace);
  const rel = (file: string): string => file.slice(workspace.length + 1);
  const ignored = (file: string): boolean => spawnSync('git', ['check-ignore', '-q', rel(file)], { cwd: workspace }).status === 0;
  for (const file of [paths.store, join(paths.inbox, 'x.rawhook'), join(paths.segments, 's1'), paths.lock, paths.hookRuntime, mcpCliFilePath(workspace)]) {
    assert.equal(ignored(file), true, rel(file));
  }
  for (const file of [paths.hookLauncher, paths.hookScript, paths.workflow, mcpLauncherPath(workspace)]) assert.equal(ignored(file), false, rel(file));
});

test('a .gitignore rule that hides the whole .logbook folder is reported', (t) => {
  const { workspace, options } = sandbox(t);
  writeFileSync(join(workspace, '.gitignore'), '.logbook/\n');
  const result = installHooks(options('shared'));
  assert.ok(result.messages.some((message) => message.includes('ignores the whole .logbook folder')));
});

// ---------- handler recognition ----------

test('isLogbookHandler recognises our launcher command only', () => {
  assert.equal(isLogbookHandler(ourHandler('Stop')), true);
  assert.equal(isLogbookHandler({ type: 'command', command: '/elsewhere/.logbook/bin/logbook-hook Stop', timeout: 3 }), true);
  assert.equal(isLogbookHandler({ type: 'command', command: 'other-tool' }), false);
  assert.equal(isLogbookHandler({ type: 'http', url: 'http://127.0.0.1/' }), false);
  assert.equal(isLogbookHandler(null), false);
  assert.equal(isLogbookHandler('"$CLAUDE_PROJECT_DIR"/.logbook/bin/logbook-hook Stop'), false);
});

// ---------- the launcher, run for real with sh ----------

const posix = process.platform !== 'win32';
const PAYLOAD = '{"session_id":"s-1","hook_event_name":"PreToolUse","tool_input":{"command":"echo \\"$HOME\\" `x`"}}\nsecond line ünïcødé';

// A PATH holding only the tools the launcher's fallback uses: /usr/bin also holds node here.
function toolsPath(root: string, withNode: boolean): string {
  const dir = join(root, withNode ? 'tools-node' : 'tools');
  mkdirSync(dir, { recursive: true });
  for (const tool of ['dirname', 'cat', 'mkdir', 'mv', 'rm', 'date']) {
    const found = (process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, tool)).find((p) => existsSync(p));
    if (found === undefined) throw new Error(`${tool} not found on PATH`);
    if (!existsSync(join(dir, tool))) symlinkSync(found, join(dir, tool));
  }
  if (withNode && !existsSync(join(dir, 'node'))) symlinkSync(process.execPath, join(dir, 'node'));
  return dir;
}

const FAKE_HOOK = `const fs = require('fs');
const path = require('path');
const stdin = fs.readFileSync(0, 'utf8');
fs.writeFileSync(path.join(__dirname, 'ran.json'), JSON.stringify({ args: process.argv.slice(2), stdin, electron: process.env.ELECTRON_RUN_AS_NODE ?? null }));
`;

function installWithFakeHook(t: TestContext, runtime?: string): { workspace: string; root: string } {
  const { workspace, options } = sandbox(t);
  installHooks(options('local', runtime));
  writeFileSync(logbookPaths(workspace).hookScript, FAKE_HOOK);
  return { workspace, root: dirname(workspace) };
}

function runHook(workspace: string, path: string, event = 'PreToolUse'): ReturnType<typeof spawnSync> {
  // Exactly the command Claude Code runs, through a shell, with CLAUDE_PROJECT_DIR set.
  return spawnSync('/bin/sh', ['-c', hookCommand(event)], {
    input: PAYLOAD,
    env: { PATH: path, CLAUDE_PROJECT_DIR: workspace },
    encoding: 'utf8',
  });
}

test('launcher with node on PATH execs hook.cjs with the event name and stdin untouched', { skip: !posix }, (t) => {
  const { workspace, root } = installWithFakeHook(t);
  const run = runHook(workspace, toolsPath(root, true));
  assert.equal(run.status, 0, String(run.stderr));
  const ran = JSON.parse(readFileSync(join(logbookPaths(workspace).bin, 'ran.json'), 'utf8')) as JsonObject;
  assert.deepEqual(ran, { args: ['PreToolUse'], stdin: PAYLOAD, electron: null });

  // Also when invoked directly as `sh <launcher> <event>` from another directory.
  const direct = spawnSync('/bin/sh', [logbookPaths(workspace).hookLauncher, 'Stop'], {
    input: 'x',
    cwd: root,
    env: { PATH: toolsPath(root, true) },
  });
  assert.equal(direct.status, 0);
  assert.deepEqual(JSON.parse(readFileSync(join(logbookPaths(workspace).bin, 'ran.json'), 'utf8')), { args: ['Stop'], stdin: 'x', electron: null });
});

test('launcher without node runs the runtime named in .logbook/bin/runtime with ELECTRON_RUN_AS_NODE=1', { skip: !posix }, (t) => {
  const { workspace, root } = installWithFakeHook(t, process.execPath);
  const run = runHook(workspace, toolsPath(root, false), 'SessionStart');
  assert.equal(run.status, 0, String(run.stderr));
  const ran = JSON.parse(readFileSync(join(logbookPaths(workspace).bin, 'ran.json'), 'utf8')) as JsonObject;
  assert.deepEqual(ran, { args: ['SessionStart'], stdin: PAYLOAD, electron: '1' });
});

test('launcher without any runtime saves stdin as a .rawhook in the inbox, exits 0 and explains once', { skip: !posix }, (t) => {
  const { workspace, root } = installWithFakeHook(t);
  const paths = logbookPaths(workspace);
  const path = toolsPath(root, false);

  const first = runHook(workspace, path);
  assert.equal(first.status, 0);
  assert.match(String(first.stderr), /Agent Logbook: hook not run: no JavaScript runtime/);
  assert.equal(String(first.stderr).trim().split('\n').length, 1, 'one line');
  assert.equal(String(first.stdout), '', 'stdout stays empty: Claude Code would read it as a hook answer');
  const entries = readdirSync(paths.inbox).filter((name) => name.endsWith('.rawhook'));
  assert.equal(entries.length, 1);
  const [entry] = entries;
  assert.match(entry ?? '', /^\d{17}-sh\d+-PreToolUse\.rawhook$/);
  assert.equal(readFileSync(join(paths.inbox, entry ?? ''), 'utf8'), PAYLOAD);
  assert.equal(statSync(join(paths.inbox, entry ?? '')).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(paths.inboxTmp), [], 'staging file was renamed away');

  const second = runHook(workspace, path, 'Stop');
  assert.equal(second.status, 0);
  assert.equal(String(second.stderr), '', 'said once');
  const names = readdirSync(paths.inbox).filter((name) => name.endsWith('.rawhook')).sort();
  assert.equal(names.length, 2);
  assert.ok(names.some((name) => name.endsWith('-Stop.rawhook')));
  assert.ok(!existsSync(join(paths.bin, 'ran.json')), 'hook.cjs did not run');
});

test('launcher fails open when hook.cjs is missing, and reinstalling re-arms the warning', { skip: !posix }, (t) => {
  const { workspace, options } = sandbox(t);
  installHooks(options());
  const paths = logbookPaths(workspace);
  unlinkSync(paths.hookScript);
  const path = toolsPath(dirname(workspace), true);

  const run = runHook(workspace, path, 'Weird/../Name');
  assert.equal(run.status, 0);
  assert.match(String(run.stderr), /hook\.cjs is missing/);
  const [entry] = readdirSync(paths.inbox).filter((name) => name.endsWith('.rawhook'));
  assert.match(entry ?? '', /^\d{17}-sh\d+-unknown\.rawhook$/, 'an odd event name cannot escape the inbox');

  installHooks(options());
  assert.equal(existsSync(join(paths.dir, '.hook-warned')), false);
  chmodSync(paths.hookLauncher, 0o644);
  const fixed = installHooks(options());
  assert.equal(fixed.programChanged, true, 'a launcher that lost its exec bit is repaired');
  assert.equal(statSync(paths.hookLauncher).mode & 0o777, 0o755);
});

// ---------- the MCP server's launcher ----------

const FAKE_CLI = `const fs = require('fs');
const path = require('path');
fs.writeFileSync(path.join(__dirname, 'cli-ran.json'), JSON.stringify({ args: process.argv.slice(2), electron: process.env.ELECTRON_RUN_AS_NODE ?? null }));
`;

/** Installs with a fake CLI and returns `.mcp.json`'s entry for our server, run exactly as Claude Code runs it. */
function installWithFakeCli(t: TestContext, runtime?: string): { workspace: string; root: string; cli: string; start: (path: string) => ReturnType<typeof spawnSync> } {
  const { workspace, options } = sandbox(t);
  const root = dirname(workspace);
  const cli = join(root, 'ext', 'dist', 'logbook.js');
  mkdirSync(dirname(cli), { recursive: true });
  writeFileSync(cli, FAKE_CLI);
  installHooks({ ...options('local', runtime), cliPath: cli });
  const entry = (readJson(join(workspace, '.mcp.json'))['mcpServers'] as JsonObject)['logbook'] as { command: string; args: string[] };
  // Claude Code spawns the command itself (no shell), in the project directory (so the relative
  // command is found from there), with its own PATH.
  const start = (path: string): ReturnType<typeof spawnSync> => spawnSync(entry.command, entry.args, { cwd: workspace, env: { PATH: path }, encoding: 'utf8' });
  return { workspace, root, cli, start };
}

test('.mcp.json starts the server through .logbook/bin/logbook-mcp, which runs the CLI with node when node is on PATH', { skip: !posix }, (t) => {
  const { workspace, root, cli, start } = installWithFakeCli(t);
  const launcher = join(logbookPaths(workspace).bin, 'logbook-mcp');
  assert.equal(statSync(launcher).mode & 0o777, 0o755);
  const run = start(toolsPath(root, true));
  assert.equal(run.status, 0, String(run.stderr));
  assert.deepEqual(readJson(join(dirname(cli), 'cli-ran.json')), { args: ['mcp'], electron: null });
});

test('logbook-mcp without node runs the CLI with the recorded runtime and ELECTRON_RUN_AS_NODE=1', { skip: !posix }, (t) => {
  const { root, cli, start } = installWithFakeCli(t, process.execPath);
  const run = start(toolsPath(root, false));
  assert.equal(run.status, 0, String(run.stderr));
  assert.deepEqual(readJson(join(dirname(cli), 'cli-ran.json')), { args: ['mcp'], electron: '1' });
});

test('logbook-mcp with no runtime, or a CLI that moved away, fails with a message that says what to do', { skip: !posix }, (t) => {
  const { root, cli, start } = installWithFakeCli(t);
  const none = start(toolsPath(root, false));
  assert.equal(none.status, 1);
  assert.match(String(none.stderr), /cannot start the MCP server: no JavaScript runtime \(node is not on PATH and \.logbook\/bin\/runtime does not name an executable\); install Node\.js, or reinstall the hooks/);
  assert.equal(String(none.stdout), '', 'stdout belongs to the MCP protocol');
  unlinkSync(cli);
  const moved = start(toolsPath(root, true));
  assert.equal(moved.status, 1);
  assert.match(String(moved.stderr), /the logbook program .*logbook\.js is missing .*reinstall the hooks/);
});

test('logbook-mcp in a clone the installer has not run in (no .logbook/bin/cli) fails with a message that says what to do', { skip: !posix }, (t) => {
  const { workspace, root, start } = installWithFakeCli(t);
  unlinkSync(mcpCliFilePath(workspace));
  const fresh = start(toolsPath(root, true));
  assert.equal(fresh.status, 1);
  assert.match(String(fresh.stderr), /cannot start the MCP server: \.logbook\/bin\/cli does not name the logbook program \(a fresh clone\?\); reinstall the hooks in this folder/);
  assert.equal(String(fresh.stdout), '', 'stdout belongs to the MCP protocol');
});
