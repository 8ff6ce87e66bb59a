import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { installHooks, SettingsFileError, uninstallHooks } from '../../src/capture/installer';
import {
  allowMcpTools, disallowMcpTools, isLogbookServer, MCP_ALLOW_RULE, mcpCliFilePath, mcpLauncherPath, mergeMcpServer, mcpServerEntry, registerMcpServer, removeMcpServer, unregisterMcpServer,
} from '../../src/capture/mcp-config';
import { tempDir } from './helpers';

function sandbox(t: TestContext): { workspace: string; cli: string; file: string } {
  const { dir, cleanup } = tempDir('logbook-mcp-config-');
  t.after(cleanup);
  const cli = join(dir, 'dist', 'logbook.js');
  const workspace = join(dir, 'ws');
  for (const [path, text] of [[cli, '// cli'], [join(workspace, '.keep'), '']] as const) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { workspace, cli, file: join(workspace, '.mcp.json') };
}

/** Our entry: the same in every clone and on every machine (no path of either). */
const ours = (): unknown => ({ command: '.logbook/bin/logbook-mcp', args: ['mcp'] });

test('a missing .mcp.json is created with our server only', (t) => {
  const { workspace, cli, file } = sandbox(t);
  const result = registerMcpServer(workspace, cli);
  assert.equal(result.changed, true);
  assert.match(result.message, /added to \.mcp\.json/);
  assert.equal(readFileSync(file, 'utf8'), `${JSON.stringify({ mcpServers: { logbook: ours() } }, null, 2)}\n`);
  assert.equal(statSync(file).mode & 0o777, 0o644);
});

test('merging keeps other servers, keys and layout; a second run changes no byte', (t) => {
  const { workspace, cli, file } = sandbox(t);
  const original = '{\n    "mcpServers": {\n        "github": {"command": "gh-mcp", "args": []}\n    },\n    "other": true\n}\n';
  writeFileSync(file, original);
  assert.equal(registerMcpServer(workspace, cli).changed, true);
  const merged = readFileSync(file, 'utf8');
  assert.deepEqual(JSON.parse(merged), { mcpServers: { github: { command: 'gh-mcp', args: [] }, logbook: ours() }, other: true });
  assert.ok(merged.startsWith(`{\n    "mcpServers": {\n        "github": {"command": "gh-mcp", "args": []},\n        "logbook": {\n            "command": ".logbook/bin/logbook-mcp"`), merged);
  assert.ok(merged.endsWith('\n    },\n    "other": true\n}\n'), merged);

  const mtime = statSync(file).mtimeMs;
  const again = registerMcpServer(workspace, cli);
  assert.equal(again.changed, false);
  assert.match(again.message, /already up to date/);
  assert.equal(readFileSync(file, 'utf8'), merged);
  assert.equal(statSync(file).mtimeMs, mtime, 'not even rewritten');

  // Uninstall gives back the file as it was, byte for byte.
  assert.equal(unregisterMcpServer(workspace).changed, true);
  assert.equal(readFileSync(file, 'utf8'), original);
});

test('tabs and CRLF line endings are followed', () => {
  const text = '{\r\n\t"other": 1\r\n}\r\n';
  const merged = mergeMcpServer(text, '.mcp.json', mcpServerEntry()).text;
  assert.ok(merged.includes('\r\n\t"mcpServers": {\r\n\t\t"logbook": {\r\n\t\t\t"command": ".logbook/bin/logbook-mcp"'), JSON.stringify(merged));
  assert.ok(!/[^\r]\n/.test(merged), 'no bare LF');
  assert.equal(removeMcpServer(merged, '.mcp.json').text, text);
});

test('an entry of an older install (absolute paths, or bare node) becomes the portable one, keeping keys the user added', (t) => {
  const { workspace, cli, file } = sandbox(t);
  const olds = [
    { command: 'node', args: ['/old/ext/dist/logbook.js', 'mcp'], env: { MINE: '1' } },
    { command: '/elsewhere/ws/.logbook/bin/logbook-mcp', args: ['/old/ext/dist/logbook.js', 'mcp'], env: { MINE: '1' } },
  ];
  for (const old of olds) {
    writeFileSync(file, JSON.stringify({ mcpServers: { a: { command: 'a' }, logbook: old } }, null, 2));
    const result = registerMcpServer(workspace, cli);
    assert.equal(result.changed, true);
    assert.match(result.message, /updated in \.mcp\.json/);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { mcpServers: { a: { command: 'a' }, logbook: { command: '.logbook/bin/logbook-mcp', args: ['mcp'], env: { MINE: '1' } } } });
    assert.equal(registerMcpServer(workspace, cli).changed, false, 'the added key does not make it look outdated');
  }
});

test('a moved CLI (an extension upgrade) changes .logbook/bin/cli, never .mcp.json', (t) => {
  const { workspace, cli, file } = sandbox(t);
  registerMcpServer(workspace, cli);
  const committed = readFileSync(file, 'utf8');
  assert.equal(readFileSync(mcpCliFilePath(workspace), 'utf8'), `${cli}\n`);
  const moved = join(dirname(cli), '..', 'ext-2.0', 'dist', 'logbook.js');
  mkdirSync(dirname(moved), { recursive: true });
  writeFileSync(moved, '// cli 2');
  assert.equal(registerMcpServer(workspace, moved).changed, false, '.mcp.json is already right');
  assert.equal(readFileSync(file, 'utf8'), committed);
  assert.equal(readFileSync(mcpCliFilePath(workspace), 'utf8'), `${moved}\n`, 'the launcher runs the new CLI');
});

test('the entry names no path of this machine: a second clone registers the same bytes, and its own CLI in its own .logbook/bin/cli', (t) => {
  const first = sandbox(t);
  const second = sandbox(t);
  registerMcpServer(first.workspace, first.cli);
  const committed = readFileSync(first.file, 'utf8');
  for (const path of [first.workspace, first.cli, dirname(first.workspace)]) assert.ok(!committed.includes(path), `${path} is in .mcp.json: ${committed}`);
  writeFileSync(second.file, committed);
  assert.equal(registerMcpServer(second.workspace, second.cli).changed, false, 'the clone\'s install leaves the committed file as it is');
  assert.equal(readFileSync(second.file, 'utf8'), committed);
  assert.equal(readFileSync(mcpCliFilePath(second.workspace), 'utf8'), `${second.cli}\n`);
  assert.equal(readFileSync(mcpCliFilePath(first.workspace), 'utf8'), `${first.cli}\n`);
  assert.ok(existsSync(mcpLauncherPath(second.workspace)));
});

test('a server named "logbook" that is not ours is left alone by install and uninstall', (t) => {
  const { workspace, cli, file } = sandbox(t);
  const text = '{"mcpServers": {"logbook": {"command": "python", "args": ["my_logbook.py"]}}}\n';
  writeFileSync(file, text);
  const result = registerMcpServer(workspace, cli);
  assert.equal(result.changed, false);
  assert.match(result.message, /not Agent Logbook's: left as it is/);
  assert.equal(unregisterMcpServer(workspace).changed, false);
  assert.equal(readFileSync(file, 'utf8'), text);
});

test('uninstall removes only our server, and mcpServers when nothing else is left in it', (t) => {
  const { workspace, cli, file } = sandbox(t);
  writeFileSync(file, '{\n  "mcpServers": {\n    "a": {"command": "a"}\n  }\n}\n');
  registerMcpServer(workspace, cli);
  unregisterMcpServer(workspace);
  assert.equal(readFileSync(file, 'utf8'), '{\n  "mcpServers": {\n    "a": {"command": "a"}\n  }\n}\n');

  writeFileSync(file, '{\n  "keep": 1\n}\n');
  registerMcpServer(workspace, cli);
  const result = unregisterMcpServer(workspace);
  assert.equal(result.changed, true);
  assert.match(result.message, /Removed the "logbook" MCP server from \.mcp\.json/);
  assert.equal(readFileSync(file, 'utf8'), '{\n  "keep": 1\n}\n');

  const again = unregisterMcpServer(workspace);
  assert.equal(again.changed, false);
  assert.match(again.message, /No Agent Logbook MCP server/);
});

test('uninstall without .mcp.json creates nothing', (t) => {
  const { workspace, file } = sandbox(t);
  assert.equal(unregisterMcpServer(workspace).changed, false);
  assert.equal(existsSync(file), false);
});

test('ours is recognised by the program it runs, on any install path', () => {
  assert.equal(isLogbookServer({ command: 'node', args: ['C:\\Users\\me\\.vscode\\extensions\\x\\dist\\logbook.js', 'mcp'] }), true);
  assert.equal(isLogbookServer({ command: 'node', args: ['/w/.logbook/bin/logbook.cjs', 'mcp', '--workspace', '.'] }), true);
  assert.equal(isLogbookServer({ command: '.logbook/bin/logbook-mcp', args: ['mcp'] }), true);
  assert.equal(isLogbookServer({ command: '/w/.logbook/bin/logbook-mcp', args: ['/x/logbook.js', 'mcp'] }), true);
  assert.equal(isLogbookServer({ command: '.logbook\\bin\\logbook-mcp', args: ['mcp'] }), true);
  assert.equal(isLogbookServer({ command: '.logbook/bin/logbook-mcp', args: ['serve'] }), false);
  assert.equal(isLogbookServer({ command: '/w/my.logbook/bin/logbook-mcp', args: ['mcp'] }), false);
  assert.equal(isLogbookServer({ command: 'node', args: ['/w/logbook.js', 'serve'] }), false);
  assert.equal(isLogbookServer({ command: 'node' }), false);
  assert.equal(isLogbookServer('logbook'), false);
});

const MALFORMED: ReadonlyArray<{ name: string; text: string; line: number; column: number; reason: RegExp }> = [
  { name: 'trailing comma', text: '{\n  "mcpServers": {\n    "a": {"command": "a"},\n  }\n}\n', line: 3, column: 26, reason: /trailing comma/ },
  { name: 'comment', text: '{\n  // servers\n  "mcpServers": {}\n}\n', line: 2, column: 3, reason: /comments are not allowed/ },
  { name: 'truncated file', text: '{\n  "mcpServers": {\n', line: 3, column: 1, reason: /invalid JSON|expected/ },
  { name: 'mcpServers not an object', text: '{\n  "mcpServers": []\n}\n', line: 2, column: 17, reason: /"mcpServers" must be an object/ },
  { name: 'not an object', text: '[]\n', line: 1, column: 1, reason: /must hold a JSON object/ },
];

for (const bad of MALFORMED) {
  test(`malformed .mcp.json (${bad.name}): SettingsFileError at ${bad.line}:${bad.column}, file untouched`, (t) => {
    const { workspace, cli, file } = sandbox(t);
    writeFileSync(file, bad.text);
    for (const attempt of [() => registerMcpServer(workspace, cli), () => unregisterMcpServer(workspace)]) {
      assert.throws(attempt, (error: unknown) => {
        assert.ok(error instanceof SettingsFileError);
        assert.equal(error.file, '.mcp.json');
        assert.deepEqual([error.line, error.column], [bad.line, bad.column], error.message);
        assert.match(error.message, bad.reason);
        assert.ok(error.message.startsWith(`.mcp.json:${bad.line}:${bad.column}: `), error.message);
        assert.ok(error.message.endsWith('(file left untouched)'));
        return true;
      });
    }
    assert.equal(readFileSync(file, 'utf8'), bad.text);
    assert.deepEqual(readdirSync(workspace).sort(), ['.keep', '.mcp.json']);
  });
}

test('a missing CLI program is refused before anything is written', (t) => {
  const { workspace, file } = sandbox(t);
  assert.throws(() => registerMcpServer(workspace, join(workspace, 'nope.js')), /logbook CLI not found at .*nope\.js \(build it first\)/);
  assert.equal(existsSync(file), false);
});

test('installHooks registers the server when given cliPath; uninstallHooks removes it', (t) => {
  const { workspace, cli, file } = sandbox(t);
  const hookBundle = join(workspace, '..', 'dist', 'hook.js');
  writeFileSync(hookBundle, '// hook');
  installHooks({ workspace, scope: 'local', hookBundle });
  assert.equal(existsSync(file), false, 'no cliPath, no MCP server');

  const installed = installHooks({ workspace, scope: 'local', hookBundle, cliPath: cli });
  assert.ok(installed.messages.some((m) => /MCP server "logbook" added to \.mcp\.json/.test(m)), installed.messages.join('\n'));
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { mcpServers: { logbook: ours() } });

  const removed = uninstallHooks({ workspace, scope: 'local' });
  assert.ok(removed.messages.some((m) => /Removed the "logbook" MCP server/.test(m)), removed.messages.join('\n'));
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {});
});

test('installHooks with a malformed .mcp.json writes nothing at all', (t) => {
  const { workspace, cli, file } = sandbox(t);
  const hookBundle = join(workspace, '..', 'dist', 'hook.js');
  writeFileSync(hookBundle, '// hook');
  writeFileSync(file, '{,}');
  assert.throws(() => installHooks({ workspace, scope: 'local', hookBundle, cliPath: cli }), SettingsFileError);
  assert.deepEqual(readdirSync(workspace).sort(), ['.keep', '.mcp.json']);
});

// ---- permissions.allow ----

const ALLOW_CASES: ReadonlyArray<{ name: string; text: string; added: string }> = [
  { name: 'no file yet', text: '', added: `{\n  "permissions": {\n    "allow": [\n      "${MCP_ALLOW_RULE}"\n    ]\n  }\n}\n` },
  { name: 'no permissions key', text: '{\n  "model": "opus"\n}\n', added: `{\n  "model": "opus",\n  "permissions": {\n    "allow": [\n      "${MCP_ALLOW_RULE}"\n    ]\n  }\n}\n` },
  { name: 'permissions without allow', text: '{\n\t"permissions": {\n\t\t"deny": ["Bash(rm:*)"]\n\t}\n}\n', added: `{\n\t"permissions": {\n\t\t"deny": ["Bash(rm:*)"],\n\t\t"allow": [\n\t\t\t"${MCP_ALLOW_RULE}"\n\t\t]\n\t}\n}\n` },
  { name: 'a one-line allow list', text: '{"permissions": {"allow": ["Read", "Bash(ls:*)"]}}', added: `{"permissions": {"allow": ["Read", "Bash(ls:*)", "${MCP_ALLOW_RULE}"]}}` },
  { name: 'a multi-line allow list, CRLF', text: '{\r\n  "permissions": {\r\n    "allow": [\r\n      "Read"\r\n    ]\r\n  }\r\n}\r\n', added: `{\r\n  "permissions": {\r\n    "allow": [\r\n      "Read",\r\n      "${MCP_ALLOW_RULE}"\r\n    ]\r\n  }\r\n}\r\n` },
];

for (const c of ALLOW_CASES) {
  test(`allow rule (${c.name}): added once in the file's layout, removed byte for byte`, () => {
    const allowed = allowMcpTools(c.text, 'settings.local.json');
    assert.equal(allowed.changed, true);
    assert.equal(allowed.text, c.added);
    assert.deepEqual(allowMcpTools(allowed.text, 'settings.local.json'), { text: allowed.text, changed: false }, 'idempotent');
    const removed = disallowMcpTools(allowed.text, 'settings.local.json');
    assert.equal(removed.removed, true);
    // A file we created goes back to an empty object; any other to its own bytes.
    assert.equal(removed.text, c.text === '' ? '{}\n' : c.text);
  });
}

test('allow rule: the server-wide form, present already (also twice) is left or removed whole; other rules stay', () => {
  assert.equal(MCP_ALLOW_RULE, 'mcp__logbook');
  const text = '{"permissions": {"allow": ["mcp__logbook", "Read", "mcp__logbook"], "ask": []}}';
  assert.equal(allowMcpTools(text, 's.json').changed, false);
  assert.equal(disallowMcpTools(text, 's.json').text, '{"permissions": {"allow": ["Read"], "ask": []}}');
  assert.deepEqual(disallowMcpTools('{"permissions": {"allow": ["Read"]}}', 's.json'), { text: '{"permissions": {"allow": ["Read"]}}', removed: false });
  assert.equal(disallowMcpTools('{"a": 1, "permissions": {"allow": ["mcp__logbook"]}}', 's.json').text, '{"a": 1}', 'containers it empties go');
  assert.equal(disallowMcpTools('{"permissions": {"allow": []}}', 's.json').text, '{"permissions": {"allow": []}}', 'containers already empty stay');
});

test('allow rule: permissions or allow of the wrong type is reported at its line:column, nothing changed', () => {
  for (const [text, line, column, reason] of [
    ['{\n  "permissions": []\n}\n', 2, 18, /"permissions" must be an object/],
    ['{\n  "permissions": {"allow": "Read"}\n}\n', 2, 28, /"permissions.allow" must be an array/],
  ] as const) {
    for (const attempt of [() => allowMcpTools(text, 'settings.local.json'), () => disallowMcpTools(text, 'settings.local.json')]) {
      assert.throws(attempt, (error: unknown) => {
        assert.ok(error instanceof SettingsFileError);
        assert.deepEqual([error.line, error.column], [line, column], error.message);
        assert.match(error.message, reason);
        return true;
      });
    }
  }
});

test('installHooks with cliPath allows our tools in the same settings file, once; uninstall removes only our rule', (t) => {
  const { workspace, cli } = sandbox(t);
  const hookBundle = join(workspace, '..', 'dist', 'hook.js');
  writeFileSync(hookBundle, '// hook');
  const settings = join(workspace, '.claude', 'settings.json');
  mkdirSync(dirname(settings), { recursive: true });
  const original = '{\n  "permissions": {\n    "allow": ["Bash(npm test:*)"],\n    "deny": []\n  },\n  "model": "opus"\n}\n';
  writeFileSync(settings, original);

  const first = installHooks({ workspace, scope: 'shared', hookBundle, cliPath: cli });
  assert.ok(first.messages.some((m) => /"mcp__logbook" in permissions\.allow/.test(m)), first.messages.join('\n'));
  const installed = readFileSync(settings, 'utf8');
  const permissions = (JSON.parse(installed) as { permissions: { allow: string[] } }).permissions;
  assert.deepEqual(permissions.allow, ['Bash(npm test:*)', 'mcp__logbook']);
  assert.ok(installed.includes('"allow": ["Bash(npm test:*)", "mcp__logbook"],'), 'the user\'s one-line list stays one line');

  const second = installHooks({ workspace, scope: 'shared', hookBundle, cliPath: cli });
  assert.equal(second.settingsChanged, false);
  assert.equal(readFileSync(settings, 'utf8'), installed);
  assert.ok(!second.messages.some((m) => /permissions\.allow/.test(m)));

  const removed = uninstallHooks({ workspace, scope: 'shared' });
  assert.ok(removed.messages.some((m) => /Removed the "mcp__logbook" permission rule/.test(m)), removed.messages.join('\n'));
  assert.equal(readFileSync(settings, 'utf8'), original, 'byte for byte');

  // Without cliPath there is no MCP server, so no rule either.
  installHooks({ workspace, scope: 'shared', hookBundle });
  assert.ok(!readFileSync(settings, 'utf8').includes('mcp__logbook'));
});

test('a "logbook" server that is not ours gets no allow rule, and a rule the user wrote for it survives uninstall', (t) => {
  const { workspace, cli, file } = sandbox(t);
  const hookBundle = join(workspace, '..', 'dist', 'hook.js');
  writeFileSync(hookBundle, '// hook');
  writeFileSync(file, '{"mcpServers": {"logbook": {"command": "python", "args": ["my_logbook.py"]}}}\n');
  installHooks({ workspace, scope: 'local', hookBundle, cliPath: cli });
  const settings = join(workspace, '.claude', 'settings.local.json');
  assert.ok(!readFileSync(settings, 'utf8').includes('mcp__logbook'));

  const mine = '{\n  "permissions": {\n    "allow": ["mcp__logbook"]\n  }\n}\n';
  writeFileSync(settings, mine);
  uninstallHooks({ workspace, scope: 'local' });
  assert.equal(readFileSync(settings, 'utf8'), mine);
});
