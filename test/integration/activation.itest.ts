// The extension inside a real VS Code: it activates in a workspace where the real Claude Code CLI
// recorded a session, registers every command it contributes, and that session is in the store.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { logbookPaths } from '../../src/capture/paths';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { itestContext, screenshot, suite, test } from './harness';

const EXTENSION_ID = 'agent-logbook.agent-logbook';

interface Manifest {
  readonly contributes?: { readonly commands?: readonly { readonly command: string }[] };
}

function extension(): vscode.Extension<unknown> {
  const found = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(found, `${EXTENSION_ID} is not installed in this window`);
  return found;
}

suite('activation', () => {
  test(`${EXTENSION_ID} activates in the recorded workspace`, async () => {
    const { workspace } = itestContext();
    assert.deepEqual(
      vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath),
      [workspace],
      'VS Code has the runner’s workspace open',
    );
    const ext = extension();
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('every command in package.json contributes.commands is registered', async () => {
    const ext = extension();
    await ext.activate();
    const manifest = JSON.parse(readFileSync(join(ext.extensionPath, 'package.json'), 'utf8')) as Manifest;
    const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((command) => !registered.has(command));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('the store holds the session the real Claude Code CLI recorded', async () => {
    const { workspace, sessionId } = itestContext();
    const outcome = await LogbookDatabase.open(logbookPaths(workspace).store);
    assert.ok(outcome.ok, `the store opens: ${outcome.ok ? '' : JSON.stringify(outcome.problem)}`);
    try {
      const sessions = outcome.database.store.streams().map((s) => s.streamId);
      assert.ok(sessions.includes(sessionId), `session ${sessionId} is among the streams: ${sessions.join(', ')}`);
      const types = outcome.database.store.readStream(sessionId).map((e) => e.type);
      for (const expected of ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'SubagentStart', 'SubagentStop', 'PreCompact', 'SessionEnd']) {
        assert.ok(types.includes(expected), `the session has a ${expected} event (has: ${[...new Set(types)].join(', ')})`);
      }
    } finally {
      outcome.database.close();
    }
  });

  test('a screenshot of the workbench is saved for a person to look at', async () => {
    const path = await screenshot('activation-workbench');
    assert.ok(existsSync(path), `${path} exists`);
    assert.ok(statSync(path).size > 10_000, `${path} is a real image`);
  });
});
