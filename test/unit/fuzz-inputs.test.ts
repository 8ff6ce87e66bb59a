import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runHook } from '../../src/capture/hook';
import { isClaimedLog, LIVE_LOG, splitLog } from '../../src/capture/inbox-log';
import { readWorkspaceSettings } from '../../src/cli/workspace-settings';
import { LogbookError } from '../../src/domain/errors';
import { parseWorkflowDefinition, WORKFLOW_FILE } from '../../src/domain/workflow/definition';
import { parseInboxEntry } from '../../src/ingest/inbox-entry';
import { tempDir } from './helpers';
import { fuzzCases, FUZZ_SEED } from './fuzz/harness';
import { hookStdin, settingsFile, workflowFile } from './fuzz/documents';

// The input fuzz suite: hook stdin, workflow files and settings files generated from genuine
// documents and mutated (fuzz/documents.ts). The hook never throws and always ends in an outcome,
// with its entry in the inbox (readable by the ingest) or an error naming the inbox; a workflow
// file is valid or every problem names the file and a JSON path or line:column; a settings file
// gives settings or a LogbookError naming .vscode/settings.json.

const FILE = 'test/unit/fuzz-inputs.test.ts';
const NFS = 0x6969;

test(`fuzz (seed ${FUZZ_SEED}): hook stdin of every kind: no throw, an outcome, the entry in the inbox and readable by the ingest`, () => {
  const { dir, cleanup } = tempDir('logbook-fuzz-hook-');
  try {
    const inboxDir = join(dir, '.logbook', 'inbox');
    let landed = 0;
    fuzzCases(FILE, 'hook stdin', 300, ({ r, note }) => {
      const stdin = hookStdin(r);
      note(stdin.inputClass);
      const unreadable = r.chance(0.03);
      if (unreadable) note('stdin that cannot be read');
      const onNfs = r.chance(0.2);
      const outcome = runHook({
        inboxDir, hookEvent: r.pick(['PreToolUse', 'Stop', undefined, 'Fut ure']),
        readStdin: () => { if (unreadable) throw new Error('EAGAIN'); return stdin.bytes.toString('utf8'); },
        ...(onNfs ? { fileSystemType: () => NFS } : {}),
      });
      assert.equal(typeof outcome, 'object', 'the hook ends in an outcome');
      if (outcome.file === undefined) {
        assert.match(outcome.error ?? '', /inbox/, 'no entry written: the error names the inbox');
        return;
      }
      assert.ok(statSync(outcome.file, { throwIfNoEntry: false }) !== undefined || onNfs === false, `the entry is at ${outcome.file}`);
      landed += 1;
    });
    const entries = inboxEntries(inboxDir);
    assert.equal(entries.length, landed, 'one inbox entry per hook run that reported one');
    for (const { name, text } of entries) {
      const entry = parseInboxEntry(name, text);
      assert.notEqual(entry.kind, 'unreadable', `the hook wrote an entry the ingest cannot read: ${name}: ${entry.kind === 'unreadable' ? entry.reason : ''}`);
    }
  } finally {
    cleanup();
  }
});

test(`fuzz (seed ${FUZZ_SEED}): workflow files of every kind: valid, or every problem names the file and a JSON path or line:column`, () => {
  fuzzCases(FILE, 'workflow file', 1200, ({ r, note }) => {
    const doc = workflowFile(r);
    note(doc.inputClass);
    const result = parseWorkflowDefinition(doc.bytes.toString('utf8'), WORKFLOW_FILE);
    if (result.ok) return;
    assert.ok(result.problems.length > 0, 'a refused file says why');
    for (const problem of result.problems) {
      assert.match(problem, /^\.logbook\/workflow\.json(:\d+:\d+: |: (\S+: )?)\S/, `a problem names the file, then a line:column or a JSON path (or the root): ${problem.slice(0, 300)}`);
    }
  });
});

test(`fuzz (seed ${FUZZ_SEED}): settings files of every kind: settings, or a LogbookError naming .vscode/settings.json`, () => {
  const { dir, cleanup } = tempDir('logbook-fuzz-settings-');
  try {
    mkdirSync(join(dir, '.vscode'));
    fuzzCases(FILE, 'settings file', 600, ({ r, note }) => {
      const doc = settingsFile(r);
      note(doc.inputClass);
      writeFileSync(join(dir, '.vscode', 'settings.json'), doc.bytes);
      try {
        const settings = readWorkspaceSettings(dir);
        assert.equal(typeof settings, 'object');
        const max = settings['logbook.capture.maxFieldBytes'];
        assert.ok(max === undefined || (Number.isInteger(max) && max >= 1024), 'a cap read back is one the writer can use');
      } catch (error) {
        assert.ok(error instanceof LogbookError, `only a LogbookError, got ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : String(error)}`);
        assert.match(error.message, /^\.vscode\/settings\.json/, 'the message names the file');
      }
    });
  } finally {
    cleanup();
  }
});

/** Every entry in an inbox: each record of each log, each entry file. */
function inboxEntries(inboxDir: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const name of readdirSync(inboxDir).sort()) {
    const path = join(inboxDir, name);
    if (name === LIVE_LOG || isClaimedLog(name)) {
      for (const record of splitLog(readFileSync(path))) out.push({ name: `${name}#${record.offset}`, text: record.text });
    } else if (name.endsWith('.json')) {
      out.push({ name, text: readFileSync(path, 'utf8') });
    }
  }
  return out;
}
