import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { DEFAULT_RUN_VARIABLE, RUN_VARIABLE_FILE, RUN_VARIABLE_NAME, writeRunVariable } from '../../src/capture/run-variable';
import { tempDir } from './helpers';

// logbook.groups.runVariable: what the launcher reads at SessionStart (launcher-origin.ts), and
// the setting VS Code declares for it.

it('writes the named variable for the launcher, removes the file for the default, refuses a name sh cannot use', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, RUN_VARIABLE_FILE);
    assert.equal(writeRunVariable(dir, 'CI_PIPELINE_ID'), true);
    assert.equal(readFileSync(file, 'utf8'), 'CI_PIPELINE_ID\n');
    assert.equal(writeRunVariable(dir, 'CI_PIPELINE_ID'), false, 'unchanged: not written again');
    writeRunVariable(dir, DEFAULT_RUN_VARIABLE);
    assert.equal(existsSync(file), false);
    assert.throws(() => writeRunVariable(dir, 'X; rm -rf /'), /logbook\.groups\.runVariable: "X; rm -rf \/" is not an environment variable name/);
    assert.equal(existsSync(file), false);
  } finally {
    cleanup();
  }
});

it('package.json declares logbook.groups.runVariable with the code\'s default and name rule', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default?: unknown; pattern?: string }> } } };
  const setting = manifest.contributes.configuration.properties['logbook.groups.runVariable'];
  assert.equal(setting?.default, DEFAULT_RUN_VARIABLE);
  assert.equal(setting?.pattern, RUN_VARIABLE_NAME.source);
});
