import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRedactionSettings } from '../../src/cli/workspace-settings';
import { LogbookError } from '../../src/domain/errors';
import { compileGlob, matchGlob, pathSegments } from '../../src/domain/redaction/glob';
import type { Glob } from '../../src/domain/redaction/glob';
import { BUILTIN_DETECTOR_IDS } from '../../src/domain/redaction/detectors';
import { DEFAULT_REDACTION_PATHS } from '../../src/domain/redaction/path-rule';
import { compileRedactor } from '../../src/domain/redaction/redactor';
import { tempDir } from './helpers';
import { CONTEXTS, HASH_KEY, redactorWith, secretCases } from './redaction-cases';

// Settings-driven rules: secret files (paths), detectors turned off.

const redactor = redactorWith();

/** The shapes Claude Code sends for file tools (test/fixtures/full-session.hooks.jsonl), about `file`. */
function fileEvents(file: string): Record<string, Record<string, unknown>> {
  const common = { session_id: '4b1ffb86-03bc-4881-8ec2-3bc2cf43ffba', cwd: '/home/dev/p', prompt_id: 'c01a8586-9417-478d-b120-7167f45f4735', permission_mode: 'default', tool_use_id: 'toolu_01' };
  return {
    write: { ...common, hook_event_name: 'PostToolUse', tool_name: 'Write', tool_input: { file_path: file, content: 'API_URL=https://x\nFEATURE=on\n' }, tool_response: { type: 'create', filePath: file, content: 'API_URL=https://x\nFEATURE=on\n', structuredPatch: [], originalFile: null, userModified: false } },
    read: { ...common, hook_event_name: 'PostToolUse', tool_name: 'Read', tool_input: { file_path: file }, tool_response: { type: 'text', file: { filePath: file, content: 'FEATURE=on\nREGION=eu\n', numLines: 3, startLine: 1, totalLines: 3 } } },
    edit: { ...common, hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_input: { file_path: file, old_string: 'REGION=eu', new_string: 'REGION=us', replace_all: false }, tool_response: { filePath: file, oldString: 'REGION=eu', newString: 'REGION=us', originalFile: 'FEATURE=on\nREGION=eu\n', structuredPatch: [{ oldStart: 2, oldLines: 1, newStart: 2, newLines: 1, lines: ['-REGION=eu', '+REGION=us'] }], userModified: false, replaceAll: false } },
    multiEdit: { ...common, hook_event_name: 'PreToolUse', tool_name: 'MultiEdit', tool_input: { file_path: file, edits: [{ old_string: 'A=1', new_string: 'A=2' }, { old_string: 'B=1', new_string: 'B=2' }] } },
    notebook: { ...common, hook_event_name: 'PreToolUse', tool_name: 'NotebookEdit', tool_input: { notebook_path: file, new_source: 'token = "abc"', cell_id: 'c1' } },
    failure: { ...common, hook_event_name: 'PostToolUseFailure', tool_name: 'Read', tool_input: { file_path: file }, error: `File ${file} is too large: FEATURE=on` },
  };
}

const CONTENT = ['API_URL', 'FEATURE', 'REGION', 'A=1', 'B=2', 'token = ', 'too large'];

test('an event about a secret file keeps only its paths and ids: Write, Read, Edit, MultiEdit, NotebookEdit and a failure of .env', () => {
  for (const [tool, event] of Object.entries(fileEvents('/home/dev/p/.env'))) {
    const { value, notes } = redactor.redactValue(event);
    const text = JSON.stringify(value);
    for (const content of CONTENT) assert.ok(!text.includes(content), `${tool}: "${content}" kept in ${text}`);
    assert.ok(notes.length > 0 && notes.every((n) => n.rule === 'path:**/.env'), `${tool}: ${JSON.stringify(notes)}`);
    const kept = value as Record<string, unknown>;
    for (const key of ['session_id', 'cwd', 'prompt_id', 'tool_use_id', 'tool_name', 'hook_event_name']) assert.equal(kept[key], event[key], `${tool}: ${key}`);
    assert.ok(text.includes('"/home/dev/p/.env"'), `${tool}: the path stays`);
    assert.match(text, /\[REDACTED:path:\*\*\/\.env:[0-9a-f]{8}\]/);
  }
  const edit = redactor.redactValue(fileEvents('/home/dev/p/.env')['edit']).value as { tool_response: { structuredPatch: { oldStart: number; lines: string[] }[]; userModified: boolean } };
  assert.equal(edit.tool_response.structuredPatch[0]?.oldStart, 2, 'numbers and booleans stay');
  assert.equal(edit.tool_response.structuredPatch[0]?.lines.length, 2);
});

test('the built-in secret files: .env variants, keys and credentials, in any directory, any case, with Windows separators; templates and public keys are not', () => {
  const secret = ['/p/.env', '/p/.env.local', '/p/.env.production', '/p/app/.ENV', 'C:\\work\\p\\.env', '/home/u/.ssh/id_rsa', '/home/u/.ssh/id_ed25519',
    '/p/certs/server.pem', '/p/tls.key', '/home/u/.aws/credentials', '/home/u/.npmrc', '/p/infra/terraform.tfstate', '/p/secrets/db/password.txt', '/p/secrets', '.env'];
  const notSecret = ['/p/.env.example', '/p/.env.sample', '/p/src/env.ts', '/home/u/.ssh/id_rsa.pub', '/p/README.md', '/p/keys.ts', '/p/src/secret-manager.ts', '/p/.environment'];
  for (const file of secret) assert.ok(redactor.redactValue(fileEvents(file)['read']).notes.some((n) => n.rule.startsWith('path:')), file);
  for (const file of notSecret) assert.deepEqual(redactor.redactValue(fileEvents(file)['read']).notes, [], file);
  for (const file of [...secret, ...notSecret]) {
    const event = fileEvents(file)['write'];
    if (redactor.redactValue(event).notes.length > 0) assert.equal(redactor.mayMatch(JSON.stringify(event)), true, file);
  }
});

test('user paths replace the built-in list; an empty list turns the rule off; "!" exempts; each bad glob is named and left out', () => {
  const custom = redactorWith({ paths: ['config/prod/**', '*.secret', '!**/public.secret'] });
  assert.ok(custom.redactValue(fileEvents('/p/config/prod/db.yml')['read']).notes.length > 0);
  assert.ok(custom.redactValue(fileEvents('/p/a/b/x.secret')['read']).notes.length > 0);
  assert.deepEqual(custom.redactValue(fileEvents('/p/public.secret')['read']).notes, []);
  assert.deepEqual(custom.redactValue(fileEvents('/p/.env')['read']).notes, [], 'the built-in list is replaced');
  assert.deepEqual(redactorWith({ paths: [] }).redactValue(fileEvents('/p/.env')['read']).notes, []);
  const { problems } = compileRedactor({ paths: ['ok/**', '', '{a,b}.txt', 'x'.repeat(300), '[ab].pem'] }, HASH_KEY);
  assert.deepEqual(problems.map((p) => p.replace(/ \(.*/s, '')), [1, 2, 3, 4].map((i) => `logbook.redaction.paths[${i}]`));
  assert.match(problems[0] ?? '', /empty glob/);
  assert.match(problems[1] ?? '', /braces/);
  assert.match(problems[2] ?? '', /at most 256/);
});

function glob(source: string): Glob {
  const compiled = compileGlob(source);
  if (typeof compiled === 'string') throw new Error(compiled);
  return compiled;
}

test('globs: * and ? stay within a segment, ** crosses any number, a leading / anchors at the root', () => {
  const cases: [string, string, boolean][] = [
    ['*.pem', '/a/b/c.pem', true], ['*.pem', '/a/b.pem/c', false], ['a/*.txt', '/x/a/b.txt', true], ['a/*.txt', '/x/a/b/c.txt', false],
    ['a/**/c.txt', '/a/c.txt', true], ['a/**/c.txt', '/a/b/d/c.txt', true], ['/etc/**', '/etc/ssl/x', true], ['/etc/**', '/home/etc/x', false],
    ['id_rsa?', '/k/id_rsa1', true], ['id_rsa?', '/k/id_rsa', false], ['**/x/**/y', '/x/y', true], ['**', '/anything/at/all', true],
    ['a*b*c', '/p/aXbYc', true], ['a*b*c', '/p/aXbY', false],
  ];
  for (const [pattern, path, expected] of cases) assert.equal(matchGlob(glob(pattern), pathSegments(path)), expected, `${pattern} ~ ${path}`);
  // Many stars against a long path: the wildcard match backs up to the last star only, so this ends.
  assert.equal(matchGlob(glob(`${'*a'.repeat(60)}b`), pathSegments(`/${'a'.repeat(4000)}`)), false);
  assert.equal(matchGlob(glob(`${'**/a/'.repeat(30)}b`), pathSegments(`/${'a/'.repeat(2000)}`)), false);
});

test('a detector turned off finds nothing; the others still work; an unknown id is named', () => {
  for (const id of BUILTIN_DETECTOR_IDS) {
    const off = redactorWith({ disabled: [id] });
    for (const c of secretCases(19).filter((s) => s.detector === id)) {
      const notes = off.redactValue(CONTEXTS['the end of a string']?.(c.snippet)).notes;
      assert.ok(notes.every((n) => n.rule !== id), `${id}: ${JSON.stringify(notes)}`);
      // The name of an AWS secret key still says "secret": the generic rule takes it.
      if (id === 'aws-secret-access-key') assert.deepEqual(notes.map((n) => n.rule), ['password-assignment']);
    }
    const other = secretCases(19).find((s) => s.detector !== id && !(id === 'password-assignment' && s.detector === 'aws-secret-access-key'));
    assert.ok(off.redactText(other?.snippet ?? '').notes.length > 0, `${id} off: ${other?.detector} still found`);
  }
  const { problems } = compileRedactor({ disabled: ['jwt', 'no-such-detector'] }, HASH_KEY);
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /^logbook\.redaction\.disabled\[1\]: unknown detector "no-such-detector" \(known: private-key, jwt, /);
});

test('the default path list is the documented one in package.json, and every setting says it applies to events ingested afterwards', async () => {
  const manifest = (await import('../../package.json')).default as { contributes: { configuration: { properties: Record<string, { default: unknown; markdownDescription: string; type: string }> } } };
  const properties = manifest.contributes.configuration.properties;
  assert.deepEqual(properties['logbook.redaction.paths']?.default, DEFAULT_REDACTION_PATHS);
  assert.deepEqual(properties['logbook.redaction.patterns']?.default, []);
  assert.deepEqual(properties['logbook.redaction.disabled']?.default, []);
  for (const key of ['patterns', 'disabled', 'paths']) {
    assert.equal(properties[`logbook.redaction.${key}`]?.type, 'array');
    assert.match(properties[`logbook.redaction.${key}`]?.markdownDescription ?? '', /ingested afterwards/);
  }
  const ids = (properties['logbook.redaction.disabled'] as unknown as { items: { enum: string[] } }).items.enum;
  assert.deepEqual(ids, [...BUILTIN_DETECTOR_IDS]);
});

test('the CLI reads logbook.redaction.* from .vscode/settings.json (comments allowed), leaves unset keys undefined, and names a value of the wrong type', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  assert.deepEqual(readRedactionSettings(dir), { patterns: undefined, disabled: undefined, paths: undefined });
  mkdirSync(join(dir, '.vscode'));
  const file = join(dir, '.vscode', 'settings.json');
  writeFileSync(file, '{\n  // ours\n  "logbook.redaction.patterns": [{ "name": "corp", "pattern": "CORP-[0-9]{6}", "flags": "i" }],\n  "logbook.redaction.disabled": ["jwt"],\n}\n');
  const settings = readRedactionSettings(dir);
  assert.deepEqual(settings, { patterns: [{ name: 'corp', pattern: 'CORP-[0-9]{6}', flags: 'i' }], disabled: ['jwt'], paths: undefined });
  const { redactor, problems } = compileRedactor(settings, HASH_KEY);
  assert.deepEqual(problems, []);
  assert.deepEqual(redactor.redactText('corp-123456').notes.map((n) => n.rule), ['corp']);
  for (const bad of ['{ "logbook.redaction.paths": "**/.env" }', '{ "logbook.redaction.patterns": [{ "name": "x" }] }', '{ "logbook.redaction.disabled": [1] }']) {
    writeFileSync(file, bad);
    assert.throws(() => readRedactionSettings(dir), (error: unknown) => error instanceof LogbookError && error.code === 'SETTINGS_INVALID' && error.message.includes('logbook.redaction.'), bad);
  }
});
